"""Where double precision represents a classical ring's rates, and refusal outside it.

The solver stores every Metropolis rate exp(-dE/T) (Eq. 5) as a double. Past dE/T ~ 708 the rate
is subnormal and past ~745 it is 0: the chain would lose transitions that the rules allow, and
the steady state and its currents would be wrong without any warning (issue 10: at T = 0.001,
J = 2 every current came out NaN with exit status 0). This module states the range and refuses
models outside it before any work. It solves nothing.
"""

from __future__ import annotations

import math

from exactspin.classical.model import ClassicalModel
from exactspin.validation import ParameterError

#: Largest |dE|/T kept: exp(-700) ~ 1e-304 is a normal double with its full 53-bit significand.
MAXIMUM_EXPONENT = 700.0

#: Largest |J1| + |J2| kept: energies sum N_S bonds and the demons hold a few |dE|, so this
#: keeps every energy and energy change finite for any ring that fits in memory.
MAXIMUM_COUPLING_SUM = 1e300


def largest_nodal_energy_change(model: ClassicalModel) -> float:
    """max |dE| of a nodal flip, 2(|J_a| + |J_b|) over the node's two bonds (Eq. 3)."""
    ring = model.ring
    largest = 0.0
    for node in (ring.left_node, ring.right_node):
        couplings = (model.bond_coupling(node), model.bond_coupling((node - 1) % ring.sites))
        largest = max(largest, 2 * (abs(couplings[0]) + abs(couplings[1])))
    return largest


def require_double_precision_range(model: ClassicalModel) -> None:
    """Raise :class:`ParameterError` unless every rate of ``model`` is a normal double.

    Checks |J1| + |J2| <= :data:`MAXIMUM_COUPLING_SUM`, then T >= max|dE| / :data:`MAXIMUM_EXPONENT`
    for each bath (T_L first), naming the parameter and the range that holds.
    """
    coupling_sum = abs(model.upper_coupling) + abs(model.lower_coupling)
    if not coupling_sum <= MAXIMUM_COUPLING_SUM:
        name = "j1" if abs(model.upper_coupling) >= abs(model.lower_coupling) else "j2"
        value = model.upper_coupling if name == "j1" else model.lower_coupling
        raise ParameterError(
            name,
            value,
            f"|j1| + |j2| <= {MAXIMUM_COUPLING_SUM:g} (beyond it the energies of a ring "
            "overflow double precision)",
        )
    change = largest_nodal_energy_change(model)
    minimum = change / MAXIMUM_EXPONENT
    for name, temperature in (("tl", model.left_temperature), ("tr", model.right_temperature)):
        if not change / temperature <= MAXIMUM_EXPONENT or not math.isfinite(change):
            raise ParameterError(
                name,
                temperature,
                f"T >= {minimum:.6g} = max|dE| / {MAXIMUM_EXPONENT:g} with max|dE| = "
                f"2(|J_a| + |J_b|) = {change:g} at a node (below it the Metropolis rate "
                "exp(-dE/T) underflows double precision)",
            )
