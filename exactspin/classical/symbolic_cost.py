"""How big a symbolic derivation is before it runs: states, transitions, classes, expected time.

:func:`exactspin.classical.symbolic.derive` solves each closed class of spin-flip pairs
fraction-free in a polynomial ring; its run time grows with the size of the largest such
class far faster than with anything else (32 states: under a second; 64 states: ~15 s; 128
states: many minutes). :func:`estimate` counts the chain from the same transition rules
(cheap: no polynomial arithmetic) and turns the largest class into an expected time with
:data:`SECONDS_MODEL`, fitted to measured derivations (``benchmarks/symbolic_derive_cost.py``).
The expected time is an order of magnitude for one core, not a promise. Nothing here derives
anything.
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

#: seconds ~ coefficient * (largest class of spin-flip pairs) ** exponent * solves, fitted to the
#: derivations of ``benchmarks/symbolic_derive_cost.py`` (Q2R rings with 8 to 64 states).
SECONDS_MODEL = {"coefficient": 1.0e-6, "exponent": 5.0}

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
        States of spin-flip pairs in the largest class the fraction-free solve handles at once.
    solves : int
        Independent solves (2 for couplings="positive": one per ordering of J1 and J2).
    expected_seconds : float
        Expected run time from :data:`SECONDS_MODEL`.
    """

    states: int
    transitions: int
    closed_classes: int
    largest_class: int
    solves: int
    expected_seconds: float

    def describe(self) -> str:
        """One line: the numbers a user needs to decide whether to wait."""
        return (
            f"{self.states} states, {self.transitions} transitions, {self.closed_classes} closed "
            f"class(es), largest solved block {self.largest_class}; expected "
            f"{_duration(self.expected_seconds)} on one core"
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
    mask = (1 << model.ring.sites) - 1
    sources, targets, pair_sources, pair_targets = [], [], [], []
    for state in range(count):
        for _, target, _ in moves(model, variables, stand_in, state):
            sources.append(state)
            targets.append(target)
            pair_sources.append(min(state, state ^ mask))
            pair_targets.append(min(target, target ^ mask))
    classes = _component_sizes(count, sources, targets)
    pair_classes = _component_sizes(count, pair_sources, pair_targets, only_used=True)
    largest = max(pair_classes)
    solves = 2 if model.couplings == POSITIVE else 1
    seconds = solves * SECONDS_MODEL["coefficient"] * largest ** SECONDS_MODEL["exponent"]
    return DerivationEstimate(count, len(sources), len(classes), largest, solves, seconds)


def _component_sizes(
    count: int, sources: list[int], targets: list[int], only_used: bool = False
) -> list[int]:
    """Sizes of the connected components of the flip graph (all flips are reversible)."""
    graph = coo_matrix(
        (np.ones(len(sources)), (np.array(sources, dtype=np.int64), np.array(targets))),
        shape=(count, count),
    )
    _, labels = connected_components(graph, directed=False)
    if only_used:
        labels = labels[sorted(set(sources) | set(targets))]
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
