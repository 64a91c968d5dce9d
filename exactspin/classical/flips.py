"""Every single-spin move of a classical network, for all states at once (numpy).

This is the vectorised form of :mod:`exactspin.classical.rules`: Metropolis at the bath sites
(Eq. 5), Q2R (dE = 0 exactly; Eq. 10 on the rings) or CCA (Eqs. 20-21, demons on the sites without
a bath) elsewhere, attempt rate 1 per spin (Eq. 4). Energy changes come from the same exact sums
as the scalar rules, so the two agree to the last bit except for ``exp`` (mpmath vs math, within
an ulp); the tests hold them against each other. It builds no matrix and solves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numba
import numpy as np

from exactspin.classical.model import CCA, DEMON_LEVELS, ClassicalModel
from exactspin.classical.rules import CCA_INTEGER_TOLERANCE, exact_flip_energy

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
        int32 below 2^31 states, else int64.
    pattern : numpy.ndarray
        The alignment pattern of the site with its neighbours (and its spin, with a field) in
        every state (uint8 up to 8 bits): dE and the bond transfers are functions of it.
    energy_table : numpy.ndarray
        dE_i of every pattern.
    transfer_tables : tuple of (int, numpy.ndarray)
        For every bond [site, b] that starts at ``site``: (bond index, 2 J s_site s_b of every
        pattern).

    The state-sized dE and bond-transfer arrays are formed on demand from the pattern
    (:attr:`energy_change`, :attr:`bond_transfer`, :attr:`outgoing`): the solvers read them
    once or twice per site, and storing them took 16 of the 29 bytes per state and site (1.5
    GiB at N_S = 22).
    """

    site: int
    rate: np.ndarray
    target: np.ndarray
    pattern: np.ndarray
    energy_table: np.ndarray
    allowed: np.ndarray
    rate_correction: np.ndarray | None = None
    transfer_tables: tuple[tuple[int, np.ndarray], ...] = ()

    @property
    def energy_change(self) -> np.ndarray:
        """dE_i of Eq. 3 in every state, the change of the Ising energy (Eq. 2/17)."""
        return self.energy_table[self.pattern]

    @property
    def bond_transfer(self) -> np.ndarray:
        """dE_{i,i+1} = 2 J_i s_i s_{i+1} before the flip (Eq. 8) in every state: energy moved
        into bond ``site`` on a ring; on a network, into the first bond that starts at
        ``site`` (0 if none)."""
        if not self.transfer_tables:
            return np.zeros(self.pattern.shape)
        return self.transfer_tables[0][1][self.pattern]

    @property
    def outgoing(self) -> tuple[tuple[int, np.ndarray], ...]:
        """For every bond [site, b] that starts at ``site``: (bond index, 2 J s_site s_b before
        the flip in every state), the energy the flip moves into that bond (Eq. 8)."""
        return tuple((bond, table[self.pattern]) for bond, table in self.transfer_tables)


def all_states(model: ClassicalModel) -> np.ndarray:
    """The integer codes 0..state_count-1 of :mod:`exactspin.classical.states`."""
    return np.arange(model.state_count, dtype=np.int64)


def spin_values(states: np.ndarray, site: int) -> np.ndarray:
    """sigma of ``site`` (+1 or -1, as int64) in every state of ``states``."""
    return 2 * ((states >> site) & 1) - 1


def site_flips(model: ClassicalModel, site: int, states: np.ndarray | None = None) -> SiteFlips:
    """The flip of ``site`` from every state (see :class:`SiteFlips`).

    The site's neighbours, bond couplings, field and bath come from ``model.network``. Each
    state is keyed by the pattern of its alignments s_i s_j with the neighbours (and s_i when
    the site has a field); dE, the Q2R condition dE = 0 and the Metropolis rate are evaluated
    exactly once per pattern (:func:`exactspin.classical.rules.exact_flip_energy`).
    """
    if states is None:
        states = all_states(model)
    network = model.network
    neighbours = network.neighbours(site)
    couplings = tuple(float(network.bonds[bond].coupling) for _, bond in neighbours)
    field = network.field(site)
    degree = len(neighbours)
    patterns = 1 << (degree + (1 if field else 0))
    # bit k of the key: spin of site == spin of neighbour k (aligned, s_i s_j = +1); one numba
    # pass (the numpy expression made a dozen state-sized temporaries per site)
    key = np.empty(states.shape, dtype=np.uint8 if patterns <= 256 else np.int64)
    others = np.array([other for other, _ in neighbours], dtype=np.int64)
    _alignment_key(states, site, others, bool(field), key)
    exact = []
    for pattern in range(patterns):
        alignments = tuple(1 if (pattern >> k) & 1 else -1 for k in range(degree))
        spin = 1 if (pattern >> degree) & 1 else -1
        exact.append(exact_flip_energy(couplings, alignments, field, spin))
    table = np.array([float(value) for value in exact])
    transfer_tables = []
    codes = np.arange(patterns)
    for k, (_, bond) in enumerate(neighbours):
        if network.bonds[bond].first == site:
            transfer_tables.append((bond, (2 * ((codes >> k) & 1) - 1) * (2 * couplings[k])))
    # Targets as int32 below 2^31 states (half the memory of int64; every consumer indexes).
    index_type = np.int32 if model.state_count < 2**31 else np.int64
    target = states.astype(index_type) ^ index_type(1 << site)
    temperature = model.bath_temperature(site)
    correction = None
    if temperature is not None:
        rate, correction = _metropolis_rate(key, exact, table[key], temperature)
        allowed = np.ones(states.shape, dtype=bool)
    elif model.dynamics == CCA:
        allowed, target = _cca_flip(model, site, states, target, table[key])
        target = target.astype(index_type, copy=False)
        rate = allowed.astype(float)
    else:
        allowed = np.array([value == 0 for value in exact])[key]
        rate = allowed.astype(float)
    return SiteFlips(
        site=site,
        rate=rate,
        target=target,
        pattern=key,
        energy_table=table,
        allowed=allowed,
        rate_correction=correction,
        transfer_tables=tuple(transfer_tables),
    )


@numba.njit(cache=True)
def _alignment_key(states, site, others, with_field, key):
    """key[i]: bit k set when the spin of ``site`` equals that of ``others[k]`` in state i,
    and bit len(others) set when the site's spin is up (only ``with_field``)."""
    degree = others.size
    for index in range(states.size):
        state = states[index]
        own = (state >> site) & 1
        code = 0
        for k in range(degree):
            code |= (1 ^ own ^ ((state >> others[k]) & 1)) << k
        if with_field:
            code |= own << degree
        key[index] = code


def _metropolis_rate(
    key: np.ndarray, exact: list, energy_change: np.ndarray, temperature: float
) -> tuple[np.ndarray, np.ndarray]:
    """min(1, exp(-dE/T)) (Eq. 5) as a double plus the correction that double drops.

    dE takes one exact value per alignment pattern (``exact``, rationals), so each distinct
    rate is evaluated once in mpmath at :data:`RATE_DIGITS` digits and stored as the
    double-double rate + correction, exact to ~2^-104 relative: the steady-state refinement then
    works with the rates of the model, not with their double roundings. Exactly 1 at dE <= 0.
    """
    present = np.flatnonzero(np.bincount(key, minlength=len(exact)))
    high, low = np.ones(len(exact)), np.zeros(len(exact))
    with mpmath.workdps(RATE_DIGITS):
        for index in present:
            change = exact[int(index)]
            if change > 0:
                value = mpmath.exp(
                    -(mpmath.mpf(change.numerator) / change.denominator) / mpmath.mpf(temperature)
                )
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
    """Energy of every state: -sum_b J_b s_a s_b (Eq. 17) - sum_i h_i s_i + mu sum d (Eq. 20)."""
    if states is None:
        states = all_states(model)
    bonds = model.network.bonds
    energy = np.zeros(states.shape, dtype=float)
    _subtract_bond_energies(
        states.ravel(),
        np.array([bond.first for bond in bonds], dtype=np.int64),
        np.array([bond.second for bond in bonds], dtype=np.int64),
        np.array([float(bond.coupling) for bond in bonds]),
        energy.reshape(-1),
    )
    for entry in model.network.fields:
        energy -= float(entry.strength) * spin_values(states, entry.site)
    for k in range(len(model.demon_sites)):
        energy += model.demon_unit * ((states >> (model.sites + 2 * k)) & 3)
    return energy


@numba.njit(cache=True)
def _subtract_bond_energies(states, firsts, seconds, couplings, energy):
    """energy -= J s_a s_b for every bond in order, state by state (the same roundings as the
    bond-by-bond numpy sum, in one pass instead of a few temporaries per bond)."""
    for index in range(states.size):
        state = states[index]
        value = energy[index]
        for bond in range(couplings.size):
            aligned = ((state >> firsts[bond]) ^ (state >> seconds[bond])) & 1 == 0
            value -= couplings[bond] if aligned else -couplings[bond]
        energy[index] = value
