"""The Redfield generator of Eq. 26 in the energy eigenbasis of one magnetization sector.

Any number of baths: each bath b couples through S_b = sz at its site (Eq. 24) with the model's
gamma, J(w) and zero-frequency convention at its own temperature, and the dissipator is the sum of
the baths' dissipators L_b (the ring's two baths are (left, right) = (0, 1)).

Reading of Eq. 26 (docs/conventions.md): the "(0)" on W_li(0) and W~_jl(0) is a typo, W is real and
W~_jl = W_lj (no Lamb shift), W_ab = W(E_a - E_b) of :mod:`exactspin.quantum.bath`. Per bath, with
S its coupling operator in the eigenbasis and Lambda = S * W (elementwise)::

    L_b(rho)_nm = gamma sum_ij [S_ni S_jm (W_mj + W_ni) rho_ij]
                  - gamma (S Lambda rho)_nm - gamma (rho Lambda^T S)_nm
                = gamma (Lambda rho S - S Lambda rho + S rho Lambda^T - rho Lambda^T S),

which preserves the trace for any W and hermiticity because W is real. With the Lamb shift
(:mod:`exactspin.quantum.equations`) W becomes complex, W~_jl = conj(W_lj), and Lambda^T
becomes Lambda^dagger; every method below uses the conjugate transpose, so both readings share
this code. The full generator adds
-i (E_n - E_m) rho_nm. No secular approximation: every term is kept, and exactly degenerate
levels (momentum +-k) need no special treatment besides W at zero difference, which is decided
with :data:`DEGENERACY_TOLERANCE` relative to the energy scale.

Vectorisation is row-major: vec(rho)[n*d + m] = rho_nm, so A rho B -> kron(A, B^T).
This module builds and applies the generator; it does not solve for the steady state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from exactspin.quantum.basis import SpinBasis, sector_basis
from exactspin.quantum.bath import bath_rate
from exactspin.quantum.hamiltonian import network_hamiltonian
from exactspin.quantum.model import QuantumModel

#: Energy differences below this fraction of the energy scale count as degeneracies (D = 0).
DEGENERACY_TOLERANCE = 1e-9

LEFT_BATH = 0
RIGHT_BATH = 1


@dataclass(frozen=True)
class RedfieldGenerator:
    """Eq. 26 for one model, in the eigenbasis of its sector Hamiltonian.

    Attributes
    ----------
    model : QuantumModel
    basis : SpinBasis
        The sector basis (configurations) in which ``eigenvectors`` are written.
    hamiltonian : numpy.ndarray
        H_S of Eq. 22 in the sector basis.
    energies : numpy.ndarray
        Eigenvalues of H_S, ascending.
    eigenvectors : numpy.ndarray
        Real orthonormal eigenvectors (columns) in the sector basis.
    couplings : tuple of numpy.ndarray
        S^b (sz of each bath's site, Eq. 24) in the eigenbasis, in bath order (S^L, S^R on the
        ring).
    rates : tuple of numpy.ndarray
        W^b (W^L, W^R on the ring) with W[a, b] = W(E_a - E_b) (Eq. 28); complex,
        W + i Delta_LS, with the Lamb shift.
    degeneracy_tolerance : float
        |E_a - E_b| <= this counts as zero (absolute energy).
    """

    model: QuantumModel
    basis: SpinBasis = field(repr=False)
    hamiltonian: np.ndarray = field(repr=False)
    energies: np.ndarray = field(repr=False)
    eigenvectors: np.ndarray = field(repr=False)
    couplings: tuple[np.ndarray, ...] = field(repr=False)
    rates: tuple[np.ndarray, ...] = field(repr=False)
    degeneracy_tolerance: float = 0.0

    @property
    def dimension(self) -> int:
        """Sector dimension d."""
        return self.basis.dimension

    @property
    def damping(self) -> tuple[np.ndarray, ...]:
        """Lambda^b = S^b * W^b (elementwise), one per bath."""
        return tuple(s * w for s, w in zip(self.couplings, self.rates, strict=True))

    def energy_differences(self) -> np.ndarray:
        """Matrix Delta_nm = E_n - E_m."""
        return self.energies[:, None] - self.energies[None, :]

    @property
    def bath_count(self) -> int:
        """Number of baths."""
        return len(self.couplings)

    def _all_baths(self, baths: tuple[int, ...] | None) -> tuple[tuple[int, ...], bool]:
        """(the selected baths, whether they are all of them: then H_S's part is included)."""
        every = tuple(range(self.bath_count))
        if baths is None:
            return every, True
        return tuple(baths), tuple(sorted(baths)) == every

    def apply(self, rho: np.ndarray, baths: tuple[int, ...] | None = None) -> np.ndarray:
        """d rho / dt for any (not necessarily Hermitian) eigenbasis matrix ``rho``.

        ``baths`` selects the dissipators (default: all); the Hamiltonian part is included only
        when every bath is (so ``apply(rho, (LEFT_BATH,))`` is L_L of Eq. 35).
        """
        rho = np.asarray(rho, dtype=complex)
        result = np.zeros_like(rho)
        baths, every = self._all_baths(baths)
        if every:
            result += -1j * self.energy_differences() * rho
        for bath in baths:
            coupling = self.couplings[bath]
            damping = coupling * self.rates[bath]
            left = _real_times(damping, rho)
            right = _times_real(rho, damping.conj().T)
            result += self.model.coupling * (
                _times_real(left, coupling)
                - _real_times(coupling, left)
                + _real_times(coupling, right)
                - _times_real(right, coupling)
            )
        return result

    def apply_hermitian(self, rho: np.ndarray) -> np.ndarray:
        """d rho / dt for a Hermitian ``rho``, in a third of the work of :meth:`apply`.

        For Hermitian rho the dissipator is Y + Y^dagger with Y = [Lambda rho, S]; with
        G = Lambda rho - (Lambda rho)^dagger this is G S + (G S)^dagger.
        """
        result = -1j * self.energy_differences() * rho
        for coupling, rate in zip(self.couplings, self.rates, strict=True):
            product = _real_times(coupling * rate, rho)
            commutator = _times_real(product - product.conj().T, coupling)
            result += self.model.coupling * (commutator + commutator.conj().T)
        return result

    def dense_matrix(self, baths: tuple[int, ...] | None = None) -> np.ndarray:
        """The d^2 x d^2 matrix of :meth:`apply` (row-major vectorisation; default all baths)."""
        d = self.dimension
        identity = np.eye(d)
        matrix = np.zeros((d * d, d * d), dtype=complex)
        baths, every = self._all_baths(baths)
        if every:
            matrix[np.diag_indices(d * d)] = -1j * self.energy_differences().ravel()
        for bath in baths:
            coupling = self.couplings[bath]
            damping = coupling * self.rates[bath]
            # rho Lambda^dagger S -> kron(I, (Lambda^dagger S)^T) = kron(I, S conj(Lambda)).
            matrix += self.model.coupling * (
                np.kron(damping, coupling)
                - np.kron(coupling @ damping, identity)
                + np.kron(coupling, damping.conj())
                - np.kron(identity, coupling @ damping.conj())
            )
        return matrix

    def to_sector_basis(self, rho: np.ndarray) -> np.ndarray:
        """An eigenbasis matrix written in the sector's configuration basis."""
        return _real_times(self.eigenvectors, _times_real(rho, self.eigenvectors.T))


def build_generator(model: QuantumModel) -> RedfieldGenerator:
    """Diagonalise the sector Hamiltonian and assemble the bath couplings and rates of Eq. 26.

    A model that names another master equation (``model.equation`` other than ``"redfield"``,
    see :class:`exactspin.quantum.equations.EquationModel`) supplies its own generator, which
    the steady-state solver and the observables use through the same interface.
    """
    if getattr(model, "equation", "redfield") != "redfield":
        return model.build_generator()
    return assemble_generator(model, bath_rate)


def assemble_generator(model: QuantumModel, rate_function) -> RedfieldGenerator:
    """Eq. 26 with W[a, b] = ``rate_function(E_a - E_b, T, Omega_c, zero_frequency, tolerance)``.

    ``rate_function`` has the signature of :func:`exactspin.quantum.bath.bath_rate`; it may
    return complex rates (W + i Delta_LS, the Lamb shift).
    """
    basis = sector_basis(model.sites, model.up_spins)
    hamiltonian = network_hamiltonian(basis, model.network)
    energies, eigenvectors = np.linalg.eigh(hamiltonian)
    scale = max(np.max(np.abs(energies)), model.energy_scale)
    tolerance = DEGENERACY_TOLERANCE * scale
    differences = energies[:, None] - energies[None, :]
    couplings = []
    rates = []
    for site, temperature in zip(model.bath_sites, model.bath_temperatures, strict=True):
        sz = basis.site_sz(site)
        couplings.append(eigenvectors.T @ (sz[:, None] * eigenvectors))
        rates.append(
            rate_function(differences, temperature, model.cutoff, model.zero_frequency, tolerance)
        )
    return RedfieldGenerator(
        model=model,
        basis=basis,
        hamiltonian=hamiltonian,
        energies=energies,
        eigenvectors=eigenvectors,
        couplings=tuple(couplings),
        rates=tuple(rates),
        degeneracy_tolerance=tolerance,
    )


def _real_times(real: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """real @ matrix; for a real left factor as two real products (half a complex product)."""
    if np.iscomplexobj(real) or not np.iscomplexobj(matrix):
        return real @ matrix
    return real @ matrix.real + 1j * (real @ matrix.imag)


def _times_real(matrix: np.ndarray, real: np.ndarray) -> np.ndarray:
    """matrix @ real; for a real right factor as two real products."""
    if np.iscomplexobj(real) or not np.iscomplexobj(matrix):
        return matrix @ real
    return matrix.real @ real + 1j * (matrix.imag @ real)
