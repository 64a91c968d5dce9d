"""Dense operators of a quantum spin network (Eqs. 22, 33): bonds, fields, site sz, in a basis.

Bond operator (Eq. 33) between sites a and b, with Pauli matrices:
h_ab = J (sx_a sx_b + sy_a sy_b) + Delta sz'_a sz'_b,  sz' = (sz + 1)/2,
where sx sx + sy sy = 2 (s+_a s-_b + s-_a s+_b): it moves an up spin between a and b with
amplitude 2J, and sz'_a sz'_b is 1 exactly when both are up. The ring Hamiltonian (Eq. 22) sums
h over every bond of :class:`exactspin.ring.Ring` (bond b joins sites b and (b+1) % N_S, so a
two-site ring counts its pair twice). A network (:class:`exactspin.network.Network`) sums h over
its bonds [a, b, J, Delta] (each with its own J and Delta) and adds its fields h sz_site (Pauli
sz), in that order. Sites are 0-based. Every term conserves the number of up spins, so every
operator here maps a sector basis into itself. No dynamics or baths here.
"""

from __future__ import annotations

import numpy as np

from exactspin.quantum.basis import SpinBasis
from exactspin.ring import Ring
from exactspin.validation import ParameterError, require_finite


def bond_hamiltonian(
    basis: SpinBasis, site_a: int, site_b: int, exchange: float, anisotropy: float
) -> np.ndarray:
    """The bond energy operator h_ab of Eq. 33 as a dense real symmetric matrix on ``basis``.

    Parameters
    ----------
    basis : SpinBasis
        A sector or the full space.
    site_a, site_b : int
        The two (distinct, 0-based) sites of the bond.
    exchange : float
        J, the xy coupling.
    anisotropy : float
        Delta, the coupling of sz' sz'.
    """
    exchange = require_finite("j", exchange)
    anisotropy = require_finite("delta", anisotropy)
    for site in (site_a, site_b):
        if not 0 <= site < basis.sites:
            raise ParameterError("site", site, f"an integer in [0, {basis.sites - 1}]")
    if site_a == site_b:
        raise ParameterError("site", site_b, "a site different from the other end of the bond")
    states = basis.states
    up_a = basis.site_is_up(site_a)
    up_b = basis.site_is_up(site_b)
    matrix = np.diag(anisotropy * (up_a & up_b).astype(float))
    hopping = np.flatnonzero(up_a != up_b)
    if hopping.size:
        partners = states[hopping] ^ ((1 << site_a) | (1 << site_b))
        columns = np.searchsorted(states, partners)
        matrix[columns, hopping] += 2.0 * exchange
    return matrix


def bond_operators(
    basis: SpinBasis, ring: Ring, exchange: float, anisotropy: float
) -> tuple[np.ndarray, ...]:
    """h_{b, b+1} (Eq. 33) for every bond b = 0..N_S-1 of ``ring``, in bond order."""
    _check_ring(basis, ring)
    return tuple(
        bond_hamiltonian(basis, *ring.bond_sites(bond), exchange, anisotropy)
        for bond in range(ring.sites)
    )


def ring_hamiltonian(
    basis: SpinBasis, ring: Ring, exchange: float, anisotropy: float
) -> np.ndarray:
    """H_S of Eq. 22: the sum of the bond operators over every bond of ``ring``."""
    return sum(bond_operators(basis, ring, exchange, anisotropy))


def network_bond_operators(basis: SpinBasis, network) -> tuple[np.ndarray, ...]:
    """h_ab (Eq. 33) of every bond [a, b, J, Delta] of ``network``, in bond (file) order."""
    _check_sites(basis, network.sites)
    return tuple(
        bond_hamiltonian(basis, bond.first, bond.second, bond.coupling, bond.anisotropy)
        for bond in network.bonds
    )


def field_operator(basis: SpinBasis, site: int, strength: float) -> np.ndarray:
    """The field term h sz_site (Pauli sz) as a dense diagonal matrix on ``basis``."""
    return require_finite("h", strength) * sz_operator(basis, site)


def network_hamiltonian(basis: SpinBasis, network) -> np.ndarray:
    """H_S of a network: the sum of its bond operators (bond order), then its fields h sz.

    On the paper's ring (:func:`exactspin.network.quantum_ring`, no fields) this is
    :func:`ring_hamiltonian`, term by term in the same order.
    """
    hamiltonian = sum(network_bond_operators(basis, network))
    for entry in network.fields:
        hamiltonian = hamiltonian + field_operator(basis, entry.site, entry.strength)
    return hamiltonian


def sz_operator(basis: SpinBasis, site: int) -> np.ndarray:
    """The Pauli sz of ``site`` (0-based) as a dense diagonal matrix on ``basis``."""
    if not 0 <= site < basis.sites:
        raise ParameterError("site", site, f"an integer in [0, {basis.sites - 1}]")
    return np.diag(basis.site_sz(site))


def _check_ring(basis: SpinBasis, ring: Ring) -> None:
    if ring.sites != basis.sites:
        raise ParameterError("sites", basis.sites, f"equal to the ring's {ring.sites} sites")


def _check_sites(basis: SpinBasis, sites: int) -> None:
    if sites != basis.sites:
        raise ParameterError("sites", basis.sites, f"equal to the network's {sites} sites")
