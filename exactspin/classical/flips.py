"""Every single-spin move of a classical ring, for all states at once (numpy).

This is the vectorised form of :mod:`exactspin.classical.rules`: Metropolis at the nodes (Eq. 5),
Q2R (Eq. 10) or CCA (Eqs. 20-21, demons on bulk sites only) in the bulk, attempt rate 1 per spin
(Eq. 4). It computes the same floating-point expressions as the scalar rules, in the same order,
so the two agree to the last bit except for ``exp`` (numpy vs math, within an ulp); the tests
hold them against each other. It builds no matrix and solves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from exactspin.classical.model import CCA, DEMON_LEVELS, ClassicalModel
from exactspin.classical.rules import CCA_INTEGER_TOLERANCE

#: Digits of the mpmath evaluation of each distinct Metropolis rate (double-double needs 32).
RATE_DIGITS = 40

#: Relative accuracy of rate + rate_correction as the value of exp(-dE/T) (double-double).
RATE_ROUNDOFF = 2.0**-104


@dataclass(frozen=True)
class SiteFlips:
    """The flip of one site from every state of a model (arrays indexed by state).

    Attributes
    ----------
    site : int
        The flipped site (0-based; paper: site + 1).
    rate : numpy.ndarray
        r_{eta -> eta^i} per unit continuous time (Eq. 4), rounded to double; 0 where the flip
        is forbidden.
    allowed : numpy.ndarray
        Whether the rules allow the flip (bool). This is the transition graph: a Metropolis
        flip is allowed from every state even where exp(-dE/T) is far below double precision.
    rate_correction : numpy.ndarray or None
        r - rate, the part of the rate that double precision drops (rate + rate_correction is
        r to :data:`RATE_ROUNDOFF`); None where every rate is exact (bulk flips: 0 or 1).
    target : numpy.ndarray
        The state reached (spin flipped, CCA demon updated); meaningless where ``rate`` is 0.
    energy_change : numpy.ndarray
        dE_i of Eq. 3, the change of the Ising energy (Eq. 2/17).
    bond_transfer : numpy.ndarray
        dE_{i,i+1} = 2 J_i s_i s_{i+1} before the flip (Eq. 8): energy moved into bond ``site``.
    """

    site: int
    rate: np.ndarray
    target: np.ndarray
    energy_change: np.ndarray
    bond_transfer: np.ndarray
    allowed: np.ndarray
    rate_correction: np.ndarray | None = None


def all_states(model: ClassicalModel) -> np.ndarray:
    """The integer codes 0..state_count-1 of :mod:`exactspin.classical.states`."""
    return np.arange(model.state_count, dtype=np.int64)


def spin_values(states: np.ndarray, site: int) -> np.ndarray:
    """sigma of ``site`` (+1 or -1, as int64) in every state of ``states``."""
    return 2 * ((states >> site) & 1) - 1


def site_flips(model: ClassicalModel, site: int, states: np.ndarray | None = None) -> SiteFlips:
    """The flip of ``site`` from every state (see :class:`SiteFlips`)."""
    if states is None:
        states = all_states(model)
    ring = model.ring
    own = spin_values(states, site)
    right = 2 * own * spin_values(states, ring.right_neighbour(site))
    left = 2 * own * spin_values(states, ring.left_neighbour(site))
    right_upper = ring.is_upper_bond(site)
    left_upper = ring.is_upper_bond((site - 1) % ring.sites)
    zero = np.zeros_like(own)
    # Same accumulation order as rules.flip_energy_coefficients, so the floats are identical.
    upper_coefficient = (right if right_upper else zero) + (left if left_upper else zero)
    lower_coefficient = (zero if right_upper else right) + (zero if left_upper else left)
    energy_change = (
        upper_coefficient * model.upper_coupling + lower_coefficient * model.lower_coupling
    )
    bond_transfer = right * (model.upper_coupling if right_upper else model.lower_coupling)
    target = states ^ (1 << site)
    temperature = model.bath_temperature(site)
    correction = None
    if temperature is not None:
        rate, correction = _metropolis_rate(
            upper_coefficient, lower_coefficient, model, energy_change, temperature
        )
        allowed = np.ones(states.shape, dtype=bool)
    elif model.dynamics == CCA:
        allowed, target = _cca_flip(model, site, states, target, energy_change)
        rate = allowed.astype(float)
    else:
        allowed = (upper_coefficient == 0) & (lower_coefficient == 0)
        rate = allowed.astype(float)
    return SiteFlips(site, rate, target, energy_change, bond_transfer, allowed, correction)


def _metropolis_rate(
    upper_coefficient: np.ndarray,
    lower_coefficient: np.ndarray,
    model: ClassicalModel,
    energy_change: np.ndarray,
    temperature: float,
) -> tuple[np.ndarray, np.ndarray]:
    """min(1, exp(-dE/T)) (Eq. 5) as a double plus the correction that double drops.

    dE = c1 J1 + c2 J2 takes a handful of values (small integers c1, c2), so each distinct
    rate is evaluated once in mpmath at :data:`RATE_DIGITS` digits and stored as the double-double
    rate + correction, exact to ~2^-104 relative: the steady-state refinement then works with
    the rates of the model, not with their double roundings. Exactly 1 at dE <= 0.
    """
    # A node's coefficients are in {-4, ..., 4}: key them into a table of 9 x 9 (no sorting).
    key = (upper_coefficient + 4) * 9 + (lower_coefficient + 4)
    present = np.flatnonzero(np.bincount(key, minlength=81))
    high, low = np.ones(81), np.zeros(81)
    with mpmath.workdps(RATE_DIGITS):
        for index in present:
            first, second = divmod(int(index), 9)
            change = (first - 4) * mpmath.mpf(model.upper_coupling) + (second - 4) * mpmath.mpf(
                model.lower_coupling
            )
            if change > 0:
                value = mpmath.exp(-change / mpmath.mpf(temperature))
                high[index] = float(value)
                low[index] = float(value - mpmath.mpf(high[index]))
    uphill = energy_change > 0
    return np.where(uphill, high[key], 1.0), np.where(uphill, low[key], 0.0)


def _cca_flip(
    model: ClassicalModel,
    site: int,
    states: np.ndarray,
    target: np.ndarray,
    energy_change: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether a CCA bulk flip is allowed (Eq. 21: iff 0 <= d - dE/mu <= 3), and its target."""
    shift = model.sites + 2 * model.demon_sites.index(site)
    demon = (states >> shift) & 3
    quanta = energy_change / model.demon_unit
    nearest = np.round(quanta)
    integer = np.abs(quanta - nearest) <= CCA_INTEGER_TOLERANCE * np.maximum(1.0, np.abs(quanta))
    after = demon - nearest.astype(np.int64)
    allowed = integer & (after >= 0) & (after < DEMON_LEVELS)
    new_demon = np.where(allowed, after, demon)
    target = (target & ~np.int64(3 << shift)) | (new_demon << shift)
    return allowed, target


def ising_energy(model: ClassicalModel, states: np.ndarray | None = None) -> np.ndarray:
    """Total energy of every state: -sum_b J_b s_b s_{b+1} (Eq. 17) plus mu * sum d (Eq. 20)."""
    if states is None:
        states = all_states(model)
    ring = model.ring
    energy = np.zeros(states.shape, dtype=float)
    for bond in range(ring.sites):
        first, second = ring.bond_sites(bond)
        product = spin_values(states, first) * spin_values(states, second)
        energy -= model.bond_coupling(bond) * product
    for k in range(len(model.demon_sites)):
        energy += model.demon_unit * ((states >> (model.sites + 2 * k)) & 3)
    return energy
