"""How big a symbolic derivation is before it runs: states, transitions, classes, expected time.

:func:`exactspin.classical.symbolic.derive` solves each closed class fraction-free in a
polynomial ring over the rate variables, and printing the result converts large polynomials to
sympy expressions; both grow with the number of states far faster than linearly, and faster
with four rate variables (couplings="positive") than with two (Q2R, 2 variables: 32 states
~1 s, 64 states ~20 s; 4 variables: 16 states ~1 s, 32 states ~85 s, derivation plus JSON).
:func:`estimate` counts the chain from the same transition rules (cheap: no polynomial
arithmetic) and turns it into an expected time with :data:`SECONDS_MODEL`, fitted to those
measurements (``benchmarks/bench_symbolic_cost.py`` prints measured / expected). The expected
time is an order of magnitude on one core, not a promise. Nothing here derives anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from exactspin.classical.model import CCA, DEMON_LEVELS
from exactspin.classical.symbolic_model import (
    POSITIVE,
    UPPER_STRONGER,
    RateVariables,
    SymbolicModel,
)
from exactspin.ring import Ring

#: Expected seconds (derivation and printing) = coefficient * states ** exponent, by the number
#: of rate variables; fitted to Q2R derivations with 32 and 64 states (2 variables) and with
#: 16 and 32 states (4 variables, both orderings), wall time on a shared 2-core machine.
SECONDS_MODEL = {
    2: {"coefficient": 8.9e-8, "exponent": 4.6},
    4: {"coefficient": 3.3e-8, "exponent": 6.25},
}

#: Exact couplings such as J1 = 21/20, J2 = 1 make the rates high powers of one variable (t^41
#: here, against x^2 for J1 = J2): the time grows as (degree / 2) ** DEGREE_EXPONENT. With 64
#: states the J1 = 21/20 ring had not finished after 580 s against 35 s at J1 = J2, a factor
#: > 16 at degree 41, hence an exponent >= 0.92; 1.25 keeps the estimate on the safe side.
DEGREE_EXPONENT = 1.25

#: Seconds of fixed cost (imports done, sympy set-up, printing a small result).
BASE_SECONDS = 0.2

#: States beyond which even counting the chain is refused (the symbolic limit is far below).
COUNTING_LIMIT = 2**16


@dataclass(frozen=True)
class DerivationEstimate:
    """The size of one symbolic derivation and its expected run time.

    Attributes
    ----------
    states : int
        Configurations (spins and CCA demons) of the chain, 2^N_S (x 4^(N_U+N_D) for CCA).
    transitions : int
        Allowed single-spin flips summed over every state (nonzero off-diagonal rates of Eq. 4).
    closed_classes : int
        Closed classes of the chain.
    largest_class : int
        States in the largest closed class.
    variables : int
        Rate variables of the polynomial ring (2, or 4 for couplings="positive").
    degree : int
        Highest total degree of a rate monomial (at least 2).
    expected_seconds : float
        Expected run time from :data:`SECONDS_MODEL`.
    """

    states: int
    transitions: int
    closed_classes: int
    largest_class: int
    variables: int
    degree: int
    expected_seconds: float

    def describe(self) -> str:
        """One line: the numbers a user needs to decide whether to wait."""
        return (
            f"{self.states} states, {self.transitions} transitions, {self.closed_classes} closed "
            f"class(es) (largest {self.largest_class} states), {self.variables} rate variables "
            f"of degree <= {self.degree}; expected {_duration(self.expected_seconds)} on one core"
        )


def state_count(ring: Ring, dynamics: str) -> int:
    """2^N_S spin states, times 4 demon values per bulk site for CCA (Eq. 20)."""
    return 2**ring.sites * (DEMON_LEVELS ** len(ring.bulk_sites) if dynamics == CCA else 1)


def estimate(model: SymbolicModel) -> DerivationEstimate:
    """Count the chain of ``model`` and predict the derivation time (no polynomial algebra).

    Raises
    ------
    ValueError
        When the chain has more than :data:`COUNTING_LIMIT` states (callers refuse such
        models on the state count alone).
    """
    from exactspin.classical.symbolic import encoding_model, moves

    count = state_count(model.ring, model.dynamics)
    if count > COUNTING_LIMIT:
        raise ValueError(f"{count} states: too many to count (limit {COUNTING_LIMIT})")
    # Which flips are allowed does not depend on the ordering of J1 and J2, only the rates do.
    variables = RateVariables.for_model(
        model, UPPER_STRONGER if model.couplings == POSITIVE else None
    )
    stand_in = encoding_model(model)
    sources, targets, degree = [], [], 2
    for state in range(count):
        for _, target, exponents in moves(model, variables, stand_in, state):
            sources.append(state)
            targets.append(target)
            degree = max(degree, sum(exponents or ()))
    classes = _component_sizes(count, sources, targets)
    rate_variables = 4 if model.couplings == POSITIVE else 2
    fit = SECONDS_MODEL[rate_variables]
    seconds = (
        BASE_SECONDS
        + fit["coefficient"] * count ** fit["exponent"] * (degree / 2) ** DEGREE_EXPONENT
    )
    return DerivationEstimate(
        count, len(sources), len(classes), max(classes), rate_variables, degree, seconds
    )


def _component_sizes(count: int, sources: list[int], targets: list[int]) -> list[int]:
    """Sizes of the connected components of the flip graph (all flips are reversible)."""
    graph = coo_matrix(
        (np.ones(len(sources)), (np.array(sources, dtype=np.int64), np.array(targets))),
        shape=(count, count),
    )
    _, labels = connected_components(graph, directed=False)
    return [int(size) for size in np.bincount(labels) if size > 0]


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"~{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"~{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"~{seconds / 3600:.0f} h"
    years = seconds / (365.25 * 86400)
    return f"~{seconds / 86400:.0f} days" if years < 1 else f"~10^{math.log10(years):.0f} years"
