"""The transition rules of classical networks, written once as the physics states them.

Spins at a bath flip by Metropolis with their bath (Eq. 5), the others by Q2R (flip iff the flip
changes the energy by exactly 0; on the paper's rings this is Eq. 10) or by the Creutz cellular
automaton (Eqs. 20-21, a demon per site without a bath, dE of that site's bonds and field). Energies
are exact: each J and h is the double it is stored as (a binary rational), so dE = sum_b 2 J_b s_i
s_j + 2 h_i s_i is summed without rounding, is zero exactly when it is zero, and is rounded to
double once. (Couplings such as 0.1, 0.2, 0.3 are not exact binary numbers: 0.1 + 0.2 - 0.3 is not 0
in doubles, so Q2R does not flip there; choose dyadic values, e.g. 0.25, 0.5, 0.75, when bond
energies are meant to cancel.) Every spin is attempted at rate 1 (continuous time, Eq. 4). These are
scalar, readable functions of one configuration; the sparse generator and the symbolic master
equation both call them. The Monte Carlo kernel does not: it is an independent implementation
checked against these.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

from exactspin.classical import states
from exactspin.classical.model import CCA, DEMON_LEVELS, ClassicalModel

#: Tolerance for deciding that dE / mu is an integer (CCA, Eq. 21), relative to max(1, |dE/mu|).
CCA_INTEGER_TOLERANCE = 1e-9


def flip_energy_coefficients(model: ClassicalModel, state: int, site: int) -> tuple[int, int]:
    """Integers (c1, c2) with dE_i = c1 * J1 + c2 * J2 for flipping ``site`` (Eq. 3).

    dE_i = 2 J_i s_i s_{i+1} + 2 J_{i-1} s_i s_{i-1}, bond i on the right and bond i-1 on the left.
    Symbolic code uses the coefficients; numeric code uses :func:`flip_energy`.
    """
    ring = model.ring
    s = states.spin(state, site)
    right_bond, left_bond = site, (site - 1) % ring.sites
    coefficients = [0, 0]
    right = 2 * s * states.spin(state, ring.right_neighbour(site))
    left = 2 * s * states.spin(state, ring.left_neighbour(site))
    coefficients[0 if ring.is_upper_bond(right_bond) else 1] += right
    coefficients[0 if ring.is_upper_bond(left_bond) else 1] += left
    return coefficients[0], coefficients[1]


def exact_value(value: float) -> Fraction:
    """A coupling or field as the exact binary rational of its double."""
    return _exact_value(float(value))


@lru_cache(maxsize=4096)
def _exact_value(value: float) -> Fraction:
    return Fraction(value)


def exact_flip_energy(
    couplings: tuple[float, ...], alignments: tuple[int, ...], field: float, spin: int
) -> Fraction:
    """dE = sum_b 2 J_b (s_i s_j)_b + 2 h s_i exactly, for the bonds at a site (Eq. 3).

    ``alignments`` holds s_i s_j (+1 or -1) before the flip for each coupling in
    ``couplings``; the field term -h s_i changes by 2 h s_i.
    """
    total = Fraction(0)
    for coupling, alignment in zip(couplings, alignments, strict=True):
        total += 2 * alignment * exact_value(coupling)
    if field:
        total += 2 * spin * exact_value(field)
    return total


def exact_flip_energy_of_state(model: ClassicalModel, state: int, site: int) -> Fraction:
    """dE_i of flipping ``site`` in ``state``, exactly (see :func:`exact_flip_energy`)."""
    network = model.network
    s = states.spin(state, site)
    neighbours = network.neighbours(site)
    couplings = tuple(float(network.bonds[bond].coupling) for _, bond in neighbours)
    alignments = tuple(s * states.spin(state, other) for other, _ in neighbours)
    return exact_flip_energy(couplings, alignments, network.field(site), s)


def flip_energy(model: ClassicalModel, state: int, site: int) -> float:
    """dE_i, the change of the energy (Eq. 2/17, plus -h s) when ``site`` flips (Eq. 3)."""
    return float(exact_flip_energy_of_state(model, state, site))


def bond_flow(model: ClassicalModel, state: int, site: int, bond: int) -> float:
    """2 J_b s_a s_b (before the flip of ``site``): energy moved into ``bond`` (Eq. 8)."""
    entry = model.network.bonds[bond]
    other = entry.other(site)
    return 2 * states.spin(state, site) * states.spin(state, other) * float(entry.coupling)


def bond_transfer_coefficient(model: ClassicalModel, state: int, site: int) -> tuple[int, int]:
    """(c1, c2) with dE_{i,i+1} = c1 J1 + c2 J2, the energy moved into bond i (Eq. 8)."""
    ring = model.ring
    value = 2 * states.spin(state, site) * states.spin(state, ring.right_neighbour(site))
    return (value, 0) if ring.is_upper_bond(site) else (0, value)


def bond_transfer(model: ClassicalModel, state: int, site: int) -> float:
    """dE_{i,i+1} = 2 J_i s_i s_{i+1} (before the flip): energy moved into bond i (Eq. 8)."""
    c1, c2 = bond_transfer_coefficient(model, state, site)
    return c1 * model.upper_coupling + c2 * model.lower_coupling


def metropolis_rate(energy_change: float, temperature: float) -> float:
    """min(1, exp(-dE / T)) (Eq. 5); exactly 1 at dE <= 0."""
    if energy_change <= 0:
        return 1.0
    return math.exp(-energy_change / temperature)


def cca_demon_after(demon: int, energy_change: float, demon_unit: float) -> int | None:
    """The demon value after a CCA flip, or None when the flip is forbidden (Eq. 21).

    The flip is allowed iff mu d - dE is in {0, mu, 2mu, 3mu}; the demon then becomes
    d - dE / mu. dE / mu must be an integer up to :data:`CCA_INTEGER_TOLERANCE`.
    """
    quanta = energy_change / demon_unit
    nearest = round(quanta)
    if abs(quanta - nearest) > CCA_INTEGER_TOLERANCE * max(1.0, abs(quanta)):
        return None
    after = demon - nearest
    return after if 0 <= after < DEMON_LEVELS else None


def transitions(model: ClassicalModel, state: int) -> list[tuple[int, int, float]]:
    """Every allowed single-spin move out of ``state``: (site, new state, rate).

    Rates are per unit continuous time with attempt rate 1 per spin (Eq. 4).
    """
    moves = []
    for site in range(model.sites):
        exact_change = exact_flip_energy_of_state(model, state, site)
        energy_change = float(exact_change)
        temperature = model.bath_temperature(site)
        target = states.flip(state, site)
        if temperature is not None:
            moves.append((site, target, metropolis_rate(energy_change, temperature)))
        elif model.dynamics == CCA:
            demon = states.demon(model, state, site)
            after = cca_demon_after(demon, energy_change, model.demon_unit)
            if after is not None:
                moves.append((site, states.with_demon(model, target, site, after), 1.0))
        elif exact_change == 0:
            moves.append((site, target, 1.0))
    return moves
