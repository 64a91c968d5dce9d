"""How big a network derivation is before it runs: classes, variables, expected time and memory.

:func:`exactspin.classical.symbolic_network.derive_network` solves each closed class (lumped on
spin-flip pairs when there are no fields) fraction-free over ZZ[y], one variable
y_{k,m} = exp(-E_m / T_k) per bath k and energy E_m at its site. The ring's cost model
(:mod:`exactspin.classical.symbolic_cost`) knows two or four variables; a network has as many as its
baths touch distinct couplings (the triangle of examples/networks 5, the three-branch junction and
the three-bath ring 6), and the size of the stationary polynomials, hence time and memory, grows
with both the class size n and the number of variables v. The model (:func:`class_seconds`, summed
over the classes) is

    seconds = BASE_SECONDS + sum over classes of C * n ** (a + b v) * f ** v,

n the class size as solved, and the memory a base plus a multiple of the solve time
(:data:`BYTES_PER_SECOND`). The constants are fitted to the networks of
``benchmarks/bench_symbolic_network_cost.py`` (triangles, 4- to 6-site rings with 2-4 baths, a
4-site junction; CPU seconds and peak resident memory, on a shared 2-core machine whose wall time
was 2-4x the CPU time): measured / expected was 0.04-0.8 over those runs, the estimate erring high
where many variables meet small classes. Past the measured sizes (classes of 32 states in 6
variables, as the 6-site examples have, are estimated at days) the model is an extrapolation, which
is why the command also stops a derivation that outruns ``--max-seconds`` or the memory limit
while it works (:mod:`exactspin.cli.budget`). Counting is cheap (the numeric engine's flip tables,
no polynomial arithmetic); nothing here derives.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from exactspin.classical.classes import closed_classes, transition_structure
from exactspin.classical.generator import all_site_flips
from exactspin.classical.model import ClassicalModel
from exactspin.classical.rules import exact_value
from exactspin.classical.symbolic import MAX_SYMBOLIC_STATES
from exactspin.classical.symbolic_cost import _duration
from exactspin.network import Network
from exactspin.validation import ResourceError

#: Fixed seconds (sympy set-up, rendering a small result).
BASE_SECONDS = 1.0
#: Solve-and-render seconds (CPU, one core) of a class of n states with v variables:
#: COEFFICIENT * n ** (EXPONENT + EXPONENT_PER_VARIABLE * v) * FACTOR_PER_VARIABLE ** v.
#: The exponent of n grows with v because the stationary polynomials have degree ~ n in each of
#: the v variables (up to ~n^v monomials). Fitted to the CPU seconds of the measured networks
#: (benchmarks/bench_symbolic_network_cost.py; wall time on the shared machine was 2-4x more):
#: v = 2, n = 8, 16, 32: 0.26, 0.46, 4.8 s; v = 4, n = 8, 16: 0.60, 22.6 s; n = 8 with
#: v = 5, 6, 8: 1.96, 1.05, 29.2 s; the coefficient is the largest any of them needs, rounded up.
SECONDS_COEFFICIENT = 1.0e-4
SECONDS_EXPONENT = 1.5
SECONDS_EXPONENT_PER_VARIABLE = 1.1
SECONDS_FACTOR_PER_VARIABLE = 0.4
#: Peak resident memory: BASE_BYTES (interpreter, numpy, sympy, the flip tables: ~210 MiB
#: measured) plus BYTES_PER_SECOND per expected solve second: the polynomials held grow with the
#: time spent building them, measured at 1.2-4.6 MiB per CPU second on the runs above and
#: 6.3 MiB/s on the 6-site three-bath ring, which held 11 GB after 29 CPU minutes unfinished.
BASE_BYTES = 250 * 2**20
BYTES_PER_SECOND = 8 * 2**20


@dataclass(frozen=True)
class NetworkDerivationEstimate:
    """The size of one network derivation and its expected run time and memory.

    Attributes
    ----------
    states : int
        Configurations of the chain (2^N_S, x demon values for CCA).
    closed_classes : int
    largest_class : int
        States of the largest class as solved (spin-flip pairs count once when lumped).
    variables : int
        Exponential variables y_{k,m} of the polynomial ring.
    expected_seconds, expected_bytes : float
        From the fits above (one core).
    """

    states: int
    closed_classes: int
    largest_class: int
    variables: int
    expected_seconds: float
    expected_bytes: float

    def describe(self) -> str:
        """One line: the numbers a user needs to decide whether to wait."""
        return (
            f"{self.states} states, {self.closed_classes} closed class(es) (largest solved "
            f"{self.largest_class} states), {self.variables} rate variables; expected "
            f"{_duration(self.expected_seconds)} and {_bytes(self.expected_bytes)} on one core"
        )


def rate_variables(network: Network) -> int:
    """Number of variables y_{k,m}: distinct nonzero energies (bond couplings, the field) at
    each bath's site, summed over baths (as :func:`derive_network` builds them)."""
    total = 0
    for bath in network.baths:
        energies: set[Fraction] = {
            exact_value(network.bonds[bond].coupling) for _, bond in network.neighbours(bath.site)
        }
        field = exact_value(network.field(bath.site))
        if field != 0:
            energies.add(field)
        total += len(energies)
    return total


def solved_class_sizes(model: ClassicalModel) -> list[int]:
    """Sizes of the closed classes as derive_network solves them (lumped on {eta, -eta} when
    there are no fields and the global flip maps the class onto itself)."""
    network = model.network
    decomposition = closed_classes(transition_structure(all_site_flips(model)))
    mask = (1 << network.sites) - 1
    symmetric = not any(exact_value(entry.strength) != 0 for entry in network.fields)
    sizes = []
    for members in decomposition.all_members():
        member_set = {int(state) for state in members}
        lumped = symmetric and (int(members[0]) ^ mask) in member_set
        sizes.append(len(members) // 2 if lumped else len(members))
    return sizes


def class_seconds(size: int, variables: int) -> float:
    """Expected seconds to solve and render one class of ``size`` states in ``variables``."""
    exponent = SECONDS_EXPONENT + SECONDS_EXPONENT_PER_VARIABLE * variables
    return SECONDS_COEFFICIENT * size**exponent * SECONDS_FACTOR_PER_VARIABLE**variables


def estimate_network(network: Network) -> NetworkDerivationEstimate:
    """Count the chain of ``network`` and predict the derivation's time and memory.

    Raises ResourceError above :data:`~exactspin.classical.symbolic.MAX_SYMBOLIC_STATES`
    states (counting itself would be the heavy work then).
    """
    model = ClassicalModel.from_network(network)
    if model.state_count > MAX_SYMBOLIC_STATES:
        raise ResourceError(
            f"symbolic master equation with {model.state_count} states exceeds the limit of "
            f"{MAX_SYMBOLIC_STATES} states (use 'exactspin classical solve --network')"
        )
    sizes = solved_class_sizes(model)
    largest = max(sizes)
    variables = rate_variables(model.network)
    solve = sum(class_seconds(size, variables) for size in sizes if size > 2)
    seconds = BASE_SECONDS + solve
    memory = BASE_BYTES + BYTES_PER_SECOND * solve
    return NetworkDerivationEstimate(
        model.state_count, len(sizes), largest, variables, float(seconds), float(memory)
    )


def _bytes(count: float) -> str:
    if count < 2**30:
        return f"~{count / 2**20:.0f} MiB"
    if count < 2**40:
        return f"~{count / 2**30:.1f} GiB"
    return f"~{count / 2**40:.0f} TiB"


__all__ = ["NetworkDerivationEstimate", "estimate_network", "rate_variables", "solved_class_sizes"]
