"""Steady-state observables of the quantum ring or network (paper Sec. III C, Eqs. 32-41).

Pure functions of a :class:`~exactspin.quantum.steady_state.SteadyState` (or of a density
matrix and a basis). Sites are 0-based. Currents are energy per unit time (hbar = 1):

- bath current I_b = Tr[L_b(rho) H_S] (Eq. 35) with bath b's dissipator alone, positive when
  energy flows from bath b into the system, one per bath in bath order ((I_L, I_R) on the ring);
- site current I[l] = <i [h_{l-1,l}, h_{l,l+1}]> (Eqs. 32-34): the energy moved from bond
  (l-1, l) into bond (l, l+1), i.e. clockwise through site l. On the upper branch that is left ->
  right (I_U), on the lower branch right -> left (I_D), the clockwise convention of
  :mod:`exactspin.currents`, so I_L = I_U - I_D.

The currents between the bonds of any network are in :mod:`exactspin.quantum.network_currents`.
"""

from __future__ import annotations

import numpy as np

from exactspin.quantum.basis import SpinBasis, sector_basis
from exactspin.quantum.hamiltonian import bond_hamiltonian, network_hamiltonian
from exactspin.quantum.steady_state import SteadyState
from exactspin.validation import ParameterError


def bath_current_operator(generator, bath: int) -> np.ndarray:
    """G_b with I_b = Tr[L_b(rho) H_S] = Tr(G_b rho) (Eq. 35), in the energy eigenbasis.

    The adjoint of the dissipator of :mod:`exactspin.quantum.redfield` applied to H = diag(E):
    G_b = gamma (C Lambda - Lambda^dagger C), C = [S, H] (C_ab = S_ab (E_b - E_a)), Lambda = S * W.
    Writing it through the commutator keeps the cancellation of large level energies exact
    (at Delta = 1e8, E ~ 1e8 but only the O(J) differences inside a manifold carry current).
    """
    coupling = generator.couplings[bath]
    damping = coupling * generator.rates[bath]
    commutator = -coupling * generator.energy_differences()
    return generator.model.coupling * (commutator @ damping - damping.conj().T @ commutator)


def bath_currents(state: SteadyState) -> tuple[float, ...]:
    """I_b of Eq. 35 for every bath, in bath order ((I_L, I_R) on the ring): Tr[L_b(rho) H_S],
    evaluated as Tr(G_b rho).

    G_b is the adjoint of Eq. 26's dissipator; another master equation
    (:mod:`exactspin.quantum.equations`) has its own dissipator, so there I_b = Tr[L_b(rho) H_S]
    is evaluated with that equation's bath-b superoperator directly.
    """
    rho = state.density_matrix
    generator = state.generator
    if getattr(generator.model, "equation", "redfield") != "redfield":
        d = generator.dimension
        energies = np.asarray(generator.energies, dtype=float)
        return tuple(
            float(
                np.real(
                    np.dot(
                        energies,
                        (generator.dense_matrix((b,)) @ rho.reshape(-1)).reshape(d, d).diagonal(),
                    )
                )
            )
            for b in range(len(generator.couplings))
        )
    return tuple(
        float(np.real(np.sum(bath_current_operator(state.generator, b) * rho.T)))
        for b in range(len(generator.couplings))
    )


def site_current_operator(basis: SpinBasis, site: int, ring, exchange, anisotropy) -> np.ndarray:
    """I[l] = i [h_{l-1,l}, h_{l,l+1}] of Eq. 32 at ``site`` (0-based), Hermitian, on ``basis``."""
    before = bond_hamiltonian(basis, ring.left_neighbour(site), site, exchange, anisotropy)
    after = bond_hamiltonian(basis, site, ring.right_neighbour(site), exchange, anisotropy)
    return 1j * (before @ after - after @ before)


def site_currents(state: SteadyState) -> dict[int, float]:
    """<I[l]> (Eq. 34) at every bulk site l (0-based) of the ring."""
    model = state.model
    rho = state.sector_density_matrix
    basis = state.generator.basis
    return {
        site: float(
            np.real(
                np.sum(
                    site_current_operator(basis, site, model.ring, model.exchange, model.anisotropy)
                    * rho.T
                )
            )
        )
        for site in model.ring.bulk_sites
    }


def site_magnetization(state: SteadyState) -> tuple[float, ...]:
    """M_i = Tr(sz_i rho) (Eq. 36) for every site i = 0..N_S-1."""
    populations = np.real(np.diag(state.sector_density_matrix))
    basis = state.generator.basis
    return tuple(float(populations @ basis.site_sz(site)) for site in range(basis.sites))


def zz_correlation(state: SteadyState, site_a: int, site_b: int) -> float:
    """<sz_a sz_b> (Eq. 37), sites 0-based (equal sites give 1)."""
    basis = state.generator.basis
    _check_sites(basis, site_a, site_b, allow_equal=True)
    populations = np.real(np.diag(state.sector_density_matrix))
    return float(populations @ (basis.site_sz(site_a) * basis.site_sz(site_b)))


def reduced_density_matrix(
    rho: np.ndarray, basis: SpinBasis, site_a: int, site_b: int
) -> np.ndarray:
    """The 4 x 4 reduced state of sites a, b (0-based); index 2 * up_a + up_b (1 = up)."""
    _check_sites(basis, site_a, site_b, allow_equal=False)
    states = basis.states
    local = 2 * ((states >> site_a) & 1) + ((states >> site_b) & 1)
    rest = states & ~((1 << site_a) | (1 << site_b))
    rows, columns = np.nonzero(rest[:, None] == rest[None, :])
    reduced = np.zeros((4, 4), dtype=complex)
    np.add.at(reduced, (local[rows], local[columns]), rho[rows, columns])
    return reduced


def concurrence_of(two_site: np.ndarray) -> float:
    """Wootters' concurrence (Eq. 38) of a 4 x 4 two-qubit density matrix.

    C = max(0, l1 - l2 - l3 - l4), l the decreasing eigenvalues of
    sqrt(sqrt(rho) rho~ sqrt(rho)), rho~ = (sy x sy) rho* (sy x sy). Tiny negative eigenvalues
    of rho from rounding are clipped before the square roots.
    """
    sigma_y = np.array([[0.0, -1j], [1j, 0.0]])
    flip = np.kron(sigma_y, sigma_y)
    rho = (two_site + two_site.conj().T) / 2
    values, vectors = np.linalg.eigh(rho)
    root = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.conj().T
    tilde = flip @ rho.conj() @ flip
    product = root @ tilde @ root
    lambdas = np.sqrt(np.clip(np.linalg.eigvalsh((product + product.conj().T) / 2), 0.0, None))
    lambdas = np.sort(lambdas)[::-1]
    return float(max(0.0, lambdas[0] - lambdas[1:].sum()))


def concurrence(state: SteadyState, site_a: int, site_b: int) -> float:
    """Concurrence (Eq. 38) between sites a and b (0-based) in the steady state."""
    return concurrence_of(
        reduced_density_matrix(state.sector_density_matrix, state.generator.basis, site_a, site_b)
    )


def eigenstate_populations(state: SteadyState) -> np.ndarray:
    """<E_k|rho|E_k> for every eigenstate (ascending energy). Inside a degenerate level these
    depend on the (arbitrary) choice of eigenvectors; :func:`level_populations` does not."""
    return np.real(np.diag(state.density_matrix)).copy()


def distinct_levels(state: SteadyState) -> tuple[np.ndarray, np.ndarray]:
    """(energies, degeneracies) of the distinct sector levels, ascending, grouped with the
    generator's degeneracy tolerance."""
    energies = state.generator.energies
    starts = np.concatenate(
        [[0], np.flatnonzero(np.diff(energies) > state.generator.degeneracy_tolerance) + 1]
    )
    degeneracies = np.diff(np.concatenate([starts, [energies.size]]))
    return energies[starts].copy(), degeneracies


def level_populations(state: SteadyState) -> np.ndarray:
    """Population of every distinct level (Fig. 11b): the trace of rho over its eigenspace."""
    _, degeneracies = distinct_levels(state)
    starts = np.concatenate([[0], np.cumsum(degeneracies)[:-1]])
    return np.add.reduceat(eigenstate_populations(state), starts)


def ergotropy(rho_eigenvalues: np.ndarray, mean_energy: float, spectrum: np.ndarray) -> float:
    """Ergotropy (Eqs. 39-41): Tr(H rho) minus the energy of the passive state.

    The passive state puts the eigenvalues of rho, in decreasing order, on the levels of
    ``spectrum`` in increasing order (missing eigenvalues are zero).
    """
    occupations = np.sort(np.asarray(rho_eigenvalues, dtype=float))[::-1]
    levels = np.sort(np.asarray(spectrum, dtype=float))[: occupations.size]
    return float(mean_energy - occupations @ levels)


def ergotropy_sector(state: SteadyState) -> float:
    """Ergotropy over the sector's levels, as the paper evaluates it (Fig. 11d)."""
    generator = state.generator
    rho = state.density_matrix
    mean = float(np.real(generator.energies @ np.diag(rho)))
    return ergotropy(np.linalg.eigvalsh(rho), mean, generator.energies)


def ergotropy_full(state: SteadyState) -> float:
    """Ergotropy with rho embedded in the full 2^N_S space (all sectors' levels available)."""
    generator = state.generator
    rho = state.density_matrix
    mean = float(np.real(generator.energies @ np.diag(rho)))
    return ergotropy(np.linalg.eigvalsh(rho), mean, full_spectrum(state))


def full_spectrum(state: SteadyState) -> np.ndarray:
    """Eigenvalues of H_S over all 2^N_S states, assembled sector by sector, ascending."""
    model = state.model
    blocks = [
        np.linalg.eigvalsh(network_hamiltonian(sector_basis(model.sites, up), model.network))
        for up in range(model.sites + 1)
    ]
    return np.sort(np.concatenate(blocks))


def _check_sites(basis: SpinBasis, site_a: int, site_b: int, allow_equal: bool) -> None:
    for site in (site_a, site_b):
        if isinstance(site, bool) or not isinstance(site, (int, np.integer)):
            raise ParameterError("pair", site, "an integer site index")
        if not 0 <= site < basis.sites:
            raise ParameterError("pair", site, f"a site in [0, {basis.sites - 1}] (0-based)")
    if site_a == site_b and not allow_equal:
        raise ParameterError("pair", (site_a, site_b), "two different sites")
