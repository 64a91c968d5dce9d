"""Where double precision represents a classical ring's rates, and refusal outside it.

The solver stores every Metropolis rate exp(-dE/T) (Eq. 5) as a double (rings and networks). Past
dE/T ~ 708 the rate is subnormal and past ~745 it is 0: the chain would lose transitions that the
rules allow, and the steady state and its currents would be wrong without any warning (issue 10: at
T = 0.001, J = 2 every current came out NaN with exit status 0). This module states the range and
refuses models outside it before any work. It solves nothing.
"""

from __future__ import annotations

import math

from exactspin.classical.model import ClassicalModel
from exactspin.validation import ParameterError

#: Largest |dE|/T kept: exp(-700) ~ 1e-304 is a normal double with its full 53-bit significand.
MAXIMUM_EXPONENT = 700.0

#: Largest sum of |J| and |h| at a site kept: energies sum the bonds and the demons hold a few
#: |dE|, so this keeps every energy and energy change finite for any network that fits in memory.
MAXIMUM_COUPLING_SUM = 1e300


def site_energy_change_bound(model: ClassicalModel, site: int) -> float:
    """max |dE| of a flip of ``site``: 2 (sum of |J| over its bonds + |h|) (Eq. 3)."""
    network = model.network
    total = sum(abs(float(network.bonds[bond].coupling)) for _, bond in network.neighbours(site))
    return 2 * (total + abs(network.field(site)))


def largest_nodal_energy_change(model: ClassicalModel) -> float:
    """max |dE| of a flip at a bath site (a ring's nodes: 2(|J_a| + |J_b|) over its two bonds)."""
    return max(site_energy_change_bound(model, site) for site in model.network.bath_sites)


def require_double_precision_range(model: ClassicalModel) -> None:
    """Raise :class:`ParameterError` unless every rate of ``model`` is a normal double.

    Checks that the couplings (rings: |J1| + |J2|; networks: |J| + |h| summed at each site) stay
    below :data:`MAXIMUM_COUPLING_SUM`, then T >= max|dE| / :data:`MAXIMUM_EXPONENT` for each
    bath (T_L first on a ring, bath order on a network), naming the parameter and the range.
    """
    if model.is_ring:
        _require_ring_range(model)
        return
    network = model.network
    require_representable_couplings(network)
    for index, bath in enumerate(network.baths):
        change = site_energy_change_bound(model, bath.site)
        minimum = change / MAXIMUM_EXPONENT
        if not change / float(bath.temperature) <= MAXIMUM_EXPONENT:
            raise network.error(
                f"baths[{index}]",
                [bath.site + 1, bath.temperature],
                f"T >= {minimum:.6g} = max|dE| / {MAXIMUM_EXPONENT:g} with max|dE| = "
                f"2(sum |J| + |h|) = {change:g} at site {bath.site + 1} (below it the "
                "Metropolis rate exp(-dE/T) underflows double precision)",
            )


def _coupling_sum(network, site: int) -> float:
    """sum of |J| over the bonds of ``site`` plus |h| there (half the largest |dE|, Eq. 3)."""
    total = sum(abs(float(network.bonds[bond].coupling)) for _, bond in network.neighbours(site))
    return total + abs(float(network.field(site)))


def require_representable_couplings(network) -> None:
    """Raise a located :class:`~exactspin.network.NetworkError` when the couplings and field at
    some site sum beyond :data:`MAXIMUM_COUPLING_SUM` (their energy changes overflow double
    precision), naming that site's largest bond and its ``file:line``. Every classical engine
    (exact, symbolic, Monte Carlo) checks this before building anything.
    """
    for site in range(network.sites):
        total = _coupling_sum(network, site)
        if not total <= MAXIMUM_COUPLING_SUM:
            # name the largest bond at the site: its entry and file:line
            bond = max(
                (bond for _, bond in network.neighbours(site)),
                key=lambda b: abs(float(network.bonds[b].coupling)),
            )
            raise network.error(
                f"bonds[{bond}]",
                network.bond_entry(bond),
                f"couplings with sum of |J| and |h| at each site <= {MAXIMUM_COUPLING_SUM:g} "
                f"(site {site + 1} has {total:.3g}; beyond it the energies overflow double "
                "precision)",
            )


def _require_ring_range(model: ClassicalModel) -> None:
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
