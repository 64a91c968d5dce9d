"""The family of weak-coupling master equations, as named choices beside Eq. 26.

Every member is second order in the coupling, uses the same baths (J(w) = w e^{-w/Omega_c},
Eqs. 28-30), the same sector and the same eigenbasis, and differs only in which terms of the
Bloch-Redfield tensor it keeps and whether the Lamb shift (:mod:`exactspin.quantum.lamb_shift`)
is in. Per bath, with S the coupling in the eigenbasis and G_ab = gamma (W + i Delta)(E_a - E_b)
the one-sided bath transform for absorbing E_a - E_b,

    L(rho)_nm = sum_ij chi(ni, mj) S_ni S_jm (G_ni + conj G_mj) rho_ij
                - sum_ki chi(ki, kn) S_nk S_ki G_ki rho_im
                - sum_kj chi(kj, km) rho_nj conj(G_kj) S_kj S_km,

where chi(ab, cd) = 1 keeps the pair of transition frequencies E_a - E_b, E_c - E_d. chi = 1
everywhere is Redfield (Eq. 26 without, ``redfield-lamb-shift`` with the shift); chi = 1 only for
equal frequencies is the full secular (Davies) equation; chi = 1 for frequencies in one cluster
is the partial secular equation of Cattaneo et al., NJP 21, 113045 (2019).

Names (:data:`EQUATIONS`)
-------------------------
``redfield``
    Eq. 26 as printed (no Lamb shift). Holds for gamma small against every level spacing it
    does not secularise, i.e. at weak coupling; positivity is not guaranteed.
``redfield-lamb-shift``
    Eq. 26 with the principal-value part. Same validity; the consistent second-order equation.
``global-lindblad`` / ``global-lindblad-lamb-shift``
    Davies' full secular equation (positive). Holds when gamma W is small against every nonzero
    difference of Bohr frequencies. Without the Lamb shift its branch currents vanish identically
    (see :func:`equation_note`).
``partial-secular`` / ``partial-secular-lamb-shift``
    Secular only between clusters of Bohr frequencies separated by more than ``cluster_width``
    (default :data:`CLUSTER_WIDTH_FACTOR` gamma max(T_L, T_R), the scale of the damping rates).
``ule`` / ``ule-lamb-shift``
    Nathan & Rudner's universal Lindblad equation (PRB 102, 115109 (2020)): jump operator
    L = S o g, g_nm = sqrt(2 gamma W(E_n - E_m)) (elementwise), D(rho) = L rho L^dag - {L^dag L,
    rho}/2. Positive by construction, same population rates as Redfield, coherences weighted by
    the geometric rather than the arithmetic mean of the rates. Chosen because it is positive
    without secularising, so it keeps the coherences between nearby levels that carry branch
    currents. ``ule`` keeps its first meaning, without the ULE's own Lamb shift; ``ule-lamb-shift``
    adds it, -i[Lambda_b, rho] per bath with Lambda_b of
    :mod:`exactspin.quantum.ule_lamb_shift` (the principal value of the jump correlator, Davies'
    Lamb shift on the secular terms). Two names rather than a changed ``ule`` so that a result
    computed with ``ule`` keeps its meaning and the effect of the Lamb shift can be read off by
    comparing the pair, as for the other ``-lamb-shift`` pairs.
``local-lindblad``
    One Lindblad operator per bath built from the bath site alone. The site has no local
    Hamiltonian (all terms of Eq. 22 are bonds), so its only Bohr frequency is 0 and sz coupling
    reduces to pure dephasing, D(rho) = 2 gamma W(0) (sz rho sz - rho): temperature-blind, the
    maximally mixed state is stationary and every heat current vanishes; with W(0) = 0 there is
    no dissipator at all.

Any number of baths: the generator is a sum over the model's baths (two on the ring, the
network's list otherwise), each built from its own site, temperature and the common gamma, J(w),
Omega_c and zero-frequency rule, so every equation runs on networks too. Which equations act on
a bath's site alone (a commutator with its sz, so energy enters only there and Kirchhoff holds
at every site) is :data:`SITE_LOCAL`; the others act on every bond (:func:`bulk_dissipation`).

This module builds generators; :func:`exactspin.quantum.solve` solves any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from exactspin.quantum.bath import bath_rate
from exactspin.quantum.lamb_shift import complex_bath_rate
from exactspin.quantum.model import QuantumModel
from exactspin.quantum.redfield import RedfieldGenerator, assemble_generator
from exactspin.quantum.ule_lamb_shift import ule_lamb_shift
from exactspin.validation import ParameterError, ResourceError, require_choice

REDFIELD = "redfield"
REDFIELD_LAMB_SHIFT = "redfield-lamb-shift"
GLOBAL_LINDBLAD = "global-lindblad"
GLOBAL_LINDBLAD_LAMB_SHIFT = "global-lindblad-lamb-shift"
PARTIAL_SECULAR = "partial-secular"
PARTIAL_SECULAR_LAMB_SHIFT = "partial-secular-lamb-shift"
UNIVERSAL_LINDBLAD = "ule"
UNIVERSAL_LINDBLAD_LAMB_SHIFT = "ule-lamb-shift"
LOCAL_LINDBLAD = "local-lindblad"
EQUATIONS = (
    REDFIELD,
    REDFIELD_LAMB_SHIFT,
    GLOBAL_LINDBLAD,
    GLOBAL_LINDBLAD_LAMB_SHIFT,
    PARTIAL_SECULAR,
    PARTIAL_SECULAR_LAMB_SHIFT,
    UNIVERSAL_LINDBLAD,
    UNIVERSAL_LINDBLAD_LAMB_SHIFT,
    LOCAL_LINDBLAD,
)
WITH_LAMB_SHIFT = (
    REDFIELD_LAMB_SHIFT,
    GLOBAL_LINDBLAD_LAMB_SHIFT,
    PARTIAL_SECULAR_LAMB_SHIFT,
    UNIVERSAL_LINDBLAD_LAMB_SHIFT,
)
#: Equations whose bath-b dissipator is a commutator with S_b (Tr(A D_b(rho)) = 0 for every A
#: commuting with S_b): energy enters only at the bath's site.
SITE_LOCAL = (REDFIELD, REDFIELD_LAMB_SHIFT, LOCAL_LINDBLAD)

#: Default cluster width of ``partial-secular``: this factor times gamma max(T_L, T_R).
CLUSTER_WIDTH_FACTOR = 10.0
#: Largest memory (bytes) of the dense per-bath tensors of the Lindblad-type equations.
TENSOR_MEMORY_LIMIT = 1024**3


@dataclass(frozen=True)
class EquationModel(QuantumModel):
    """A :class:`QuantumModel` solved with a named master equation instead of Eq. 26.

    Parameters
    ----------
    equation : str
        One of :data:`EQUATIONS` (see the module docstring).
    cluster_width : float or None
        Bohr-frequency cluster width of the partial secular equations; None takes
        :data:`CLUSTER_WIDTH_FACTOR` gamma max(T_L, T_R).
    """

    equation: str = REDFIELD
    cluster_width: float | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "equation", require_choice("equation", self.equation, EQUATIONS))
        if self.cluster_width is not None and not (
            np.isfinite(self.cluster_width) and self.cluster_width >= 0
        ):
            raise ParameterError("cluster_width", self.cluster_width, "a finite number >= 0")

    @classmethod
    def from_parameters(  # type: ignore[override]
        cls, equation: str = REDFIELD, cluster_width: float | None = None, **physical: Any
    ) -> EquationModel:
        """As :meth:`QuantumModel.from_parameters` (same names and defaults), with the equation."""
        return cls.from_model(QuantumModel.from_parameters(**physical), equation, cluster_width)

    @classmethod
    def from_network(  # type: ignore[override]
        cls,
        network,
        gamma: float | None = None,
        omega_c: float | None = None,
        zero_frequency: str | None = None,
        equation: str = REDFIELD,
        cluster_width: float | None = None,
    ) -> EquationModel:
        """As :meth:`QuantumModel.from_network` (same defaults), with the equation."""
        given = {"gamma": gamma, "omega_c": omega_c, "zero_frequency": zero_frequency}
        model = QuantumModel.from_network(
            network, **{name: value for name, value in given.items() if value is not None}
        )
        return cls.from_model(model, equation, cluster_width)

    @classmethod
    def from_model(
        cls, model: QuantumModel, equation: str, cluster_width: float | None = None
    ) -> EquationModel:
        """The same physical model with another equation."""
        physical = {entry.name: getattr(model, entry.name) for entry in fields(QuantumModel)}
        return cls(**physical, equation=equation, cluster_width=cluster_width)

    @property
    def effective_cluster_width(self) -> float:
        """The cluster width used by the partial secular equations."""
        if self.cluster_width is not None:
            return self.cluster_width
        return CLUSTER_WIDTH_FACTOR * self.coupling * max(self.bath_temperatures)

    def parameters(self) -> dict[str, Any]:
        """The model's parameters with the equation (and the cluster width when it matters)."""
        result = {**super().parameters(), "equation": self.equation}
        if self.equation in (PARTIAL_SECULAR, PARTIAL_SECULAR_LAMB_SHIFT):
            result["cluster_width"] = self.effective_cluster_width
        return result

    def build_generator(self) -> RedfieldGenerator:
        """The generator of this equation (:func:`~exactspin.quantum.redfield.build_generator`
        calls it)."""
        return build_equation_generator(self)


@dataclass(frozen=True)
class TensorGenerator(RedfieldGenerator):
    """A generator stored as one dense d^2 x d^2 dissipator per bath (row-major vec).

    Shares the eigenbasis, couplings and real rates of :class:`RedfieldGenerator` (the iterative
    solver's preconditioner reads them); ``dissipators`` replace Eq. 26's dissipators.
    """

    dissipators: tuple[np.ndarray, ...] = field(default=(), repr=False)

    def apply(self, rho: np.ndarray, baths: tuple[int, ...] | None = None) -> np.ndarray:
        """d rho / dt; ``baths`` selects the dissipators (default: all), the Hamiltonian part is
        included only when every bath is (as :meth:`RedfieldGenerator.apply`)."""
        rho = np.asarray(rho, dtype=complex)
        d = self.dimension
        baths, every = self._all_baths(baths)
        result = np.zeros(d * d, dtype=complex)
        for bath in baths:
            result += self.dissipators[bath] @ rho.ravel()
        result = result.reshape(d, d)
        if every:
            result += -1j * self.energy_differences() * rho
        return result

    def apply_hermitian(self, rho: np.ndarray) -> np.ndarray:
        """d rho / dt (the same as :meth:`apply`)."""
        return self.apply(rho)

    def dense_matrix(self, baths: tuple[int, ...] | None = None) -> np.ndarray:
        """The d^2 x d^2 generator (default: every bath and the Hamiltonian part)."""
        d = self.dimension
        baths, every = self._all_baths(baths)
        matrix = sum((self.dissipators[bath] for bath in baths), np.zeros((d * d, d * d), complex))
        if every:
            matrix = matrix.copy()
            matrix[np.diag_indices(d * d)] += -1j * self.energy_differences().ravel()
        return matrix


def build_equation_generator(model: EquationModel) -> RedfieldGenerator:
    """The generator of ``model.equation`` in the model's sector."""
    if model.equation == REDFIELD:
        return assemble_generator(model, bath_rate)
    if model.equation == REDFIELD_LAMB_SHIFT:
        return assemble_generator(model, complex_bath_rate)
    # one dense complex d^2 x d^2 tensor per bath (two on the ring)
    estimate = len(model.bath_sites) * 16.0 * float(model.dimension) ** 4
    if estimate > TENSOR_MEMORY_LIMIT:
        raise ResourceError(
            f"the {model.equation} tensors of a sector of dimension {model.dimension} need about "
            f"{estimate / 1024**3:.2f} GiB, above {TENSOR_MEMORY_LIMIT / 1024**3:.2f} GiB"
        )
    # The ULE's own Lamb shift is not the Redfield one: its rates stay real (Lambda_b below).
    lamb = model.equation in WITH_LAMB_SHIFT and model.equation != UNIVERSAL_LINDBLAD_LAMB_SHIFT
    base = assemble_generator(model, complex_bath_rate if lamb else bath_rate)
    dissipators = []
    temperatures = model.bath_temperatures
    for bath, (coupling, rate) in enumerate(zip(base.couplings, base.rates, strict=True)):
        if model.equation in (GLOBAL_LINDBLAD, GLOBAL_LINDBLAD_LAMB_SHIFT):
            labels = frequency_clusters(base.energy_differences(), base.degeneracy_tolerance)
            dissipators.append(filtered_tensor(coupling, model.coupling * rate, labels))
        elif model.equation in (PARTIAL_SECULAR, PARTIAL_SECULAR_LAMB_SHIFT):
            width = max(model.effective_cluster_width, base.degeneracy_tolerance)
            labels = frequency_clusters(base.energy_differences(), width)
            dissipators.append(filtered_tensor(coupling, model.coupling * rate, labels))
        elif model.equation in (UNIVERSAL_LINDBLAD, UNIVERSAL_LINDBLAD_LAMB_SHIFT):
            jump = coupling * np.sqrt(2.0 * model.coupling * rate)
            dissipators.append(lindblad_dissipator(jump))
        else:
            zero = np.abs(base.energy_differences()) <= base.degeneracy_tolerance
            dephasing = 2.0 * model.coupling * float(rate[zero][0])
            d = base.dimension
            dissipators.append(dephasing * (np.kron(coupling, coupling) - np.eye(d * d)))
        if model.equation == UNIVERSAL_LINDBLAD_LAMB_SHIFT:
            shift = ule_lamb_shift(
                base.energies, coupling, temperatures[bath], model.cutoff, model.coupling
            )
            dissipators[-1] = dissipators[-1] + hamiltonian_superoperator(shift)
    real_rates = tuple(np.real(rate) for rate in base.rates)
    return TensorGenerator(
        model=model,
        basis=base.basis,
        hamiltonian=base.hamiltonian,
        energies=base.energies,
        eigenvectors=base.eigenvectors,
        couplings=base.couplings,
        rates=real_rates,
        degeneracy_tolerance=base.degeneracy_tolerance,
        dissipators=tuple(dissipators),
    )


def dissipator_adjoint(generator, bath: int, operator: np.ndarray) -> np.ndarray:
    """G with Tr[D_b(rho) X] = Tr(G rho) for X = ``operator`` (eigenbasis): the Heisenberg-picture
    image of X under bath b's dissipator, read off its d^2 x d^2 matrix M (row-major vec:
    vec(G^T) = M^T vec(X^T)). Works for every equation; the Redfield forms also have it in closed
    form (:func:`~exactspin.quantum.observables.bath_current_operator`)."""
    d = generator.dimension
    stored = getattr(generator, "dissipators", ())
    matrix = stored[bath] if stored else generator.dense_matrix(baths=(bath,))
    return (matrix.T @ np.asarray(operator, dtype=complex).T.ravel()).reshape(d, d).T


def acts_at_bath_sites_only(model: QuantumModel) -> bool:
    """Whether every bath's dissipator is a commutator with its sz (:data:`SITE_LOCAL`), so it
    changes only operators that do not commute with that sz (the bonds at its site)."""
    return getattr(model, "equation", REDFIELD) in SITE_LOCAL


def frequency_clusters(differences: np.ndarray, width: float) -> np.ndarray:
    """Cluster labels of the Bohr frequencies E_a - E_b (single linkage: sorted frequencies
    closer than ``width`` to their neighbour share a cluster). Same shape as ``differences``."""
    flat = differences.ravel()
    order = np.argsort(flat)
    breaks = np.concatenate([[0], np.cumsum(np.diff(flat[order]) > width)])
    labels = np.empty(flat.size, dtype=int)
    labels[order] = breaks
    return labels.reshape(differences.shape)


def filtered_tensor(coupling: np.ndarray, transform: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The Bloch-Redfield dissipator of one bath keeping frequency pairs in one cluster.

    Parameters
    ----------
    coupling : numpy.ndarray
        S in the eigenbasis (real symmetric).
    transform : numpy.ndarray
        G_ab = gamma (W + i Delta)(E_a - E_b).
    labels : numpy.ndarray
        Cluster label of E_a - E_b (:func:`frequency_clusters`); one label per entry keeps
        everything (Redfield).

    Returns
    -------
    numpy.ndarray
        d^2 x d^2, row-major: entry [n d + m, i d + j] multiplies rho_ij in (d rho/dt)_nm.
    """
    d = coupling.shape[0]
    s, g, c = coupling, transform, labels
    keep = c[:, :, None, None] == c[None, None, :, :]  # [n, i, m, j]: E_n - E_i with E_m - E_j
    jump = (s * g)[:, :, None, None] * s.T[None, None, :, :]
    jump = jump + s[:, :, None, None] * (s * g.conj())[None, None, :, :]
    tensor = np.transpose(jump * keep, (0, 2, 1, 3)).astype(complex)  # -> [n, m, i, j]
    # S Lambda rho: sum_k S_nk S_ki G_ki over chi(ki, kn); rho Lambda^dag S likewise.
    ket_keep = c[None, :, :] == c.T[:, :, None]  # [n, k, i]: c[k, i] == c[k, n]
    ket = np.einsum("nk,ki,nki->ni", s, s * g, ket_keep)
    bra = np.einsum("kj,km,mkj->jm", (s * g).conj(), s, ket_keep)
    identity = np.eye(d)
    tensor -= np.einsum("ni,mj->nmij", ket, identity)
    tensor -= np.einsum("ni,jm->nmij", identity, bra)
    return tensor.reshape(d * d, d * d)


def hamiltonian_superoperator(hamiltonian: np.ndarray) -> np.ndarray:
    """-i [H, rho] as a d^2 x d^2 row-major matrix."""
    d = hamiltonian.shape[0]
    identity = np.eye(d)
    return -1j * (np.kron(hamiltonian, identity) - np.kron(identity, hamiltonian.T))


def lindblad_dissipator(jump: np.ndarray) -> np.ndarray:
    """L rho L^dag - {L^dag L, rho}/2 as a d^2 x d^2 row-major matrix."""
    d = jump.shape[0]
    product = jump.conj().T @ jump
    identity = np.eye(d)
    return (
        np.kron(jump, jump.conj())
        - 0.5 * np.kron(product, identity)
        - 0.5 * np.kron(identity, product.T)
    )


def currents_vanish_identically(model: QuantumModel) -> bool:
    """True when the equation's structure makes the ring's branch currents (network: the bond
    currents) zero for every parameter, as :func:`equation_note` states.

    Ring global Lindblad (the steady state is real, so every <I[l]> is zero) and the local
    (pure-dephasing) Lindblad form with W(0) > 0 (the maximally mixed state is stationary, so
    every current is zero, ring or network). The solutions then label the pattern "parallel"
    (ring) or "none" (network cycle) instead of "undetermined" when the computed currents lie
    within their error bounds, as they must; a current beyond its bound is judged as usual.
    """
    equation = getattr(model, "equation", REDFIELD)
    if equation == LOCAL_LINDBLAD:
        return model.zero_frequency != "zero"
    if equation == GLOBAL_LINDBLAD:
        return model.is_ring
    return False


def equation_note(model: QuantumModel) -> str:
    """A caveat the equation carries at this model, or an empty string (network wording for a
    model built from a network)."""
    equation = getattr(model, "equation", REDFIELD)
    ring = model.is_ring
    kirchhoff = KIRCHHOFF_NOTE if ring else NETWORK_KIRCHHOFF_NOTE
    if equation == GLOBAL_LINDBLAD:
        if not ring:
            return (
                "currents between bonds vanish identically: without the Lamb shift the secular "
                "generator is real in the real eigenbasis, so the steady state is real and every "
                "<i[h_b, h_c]> (and field current) is zero; energy passes between the baths only "
                "through each bath's direct action on every bond (bulk_bath_currents). " + kirchhoff
            )
        return (
            "branch currents vanish identically: without the Lamb shift the secular generator "
            "is real in the real eigenbasis and keeps coherences only inside degenerate levels, "
            "so the steady state is real and every <I[l]> is zero. " + kirchhoff
        )
    if equation == LOCAL_LINDBLAD:
        if model.zero_frequency == "zero":
            return "W(0) = 0 leaves no dissipator: the steady state is not unique"
        return (
            "pure dephasing 2 gamma T (sz rho sz - rho) per bath: temperature-blind, the maximally "
            "mixed state is stationary and every heat current vanishes"
        )
    if equation == UNIVERSAL_LINDBLAD:
        return (
            "jump operators of the universal Lindblad equation; its Lamb shift is not included. "
            + (kirchhoff)
        )
    if equation in (
        GLOBAL_LINDBLAD_LAMB_SHIFT,
        PARTIAL_SECULAR,
        PARTIAL_SECULAR_LAMB_SHIFT,
        UNIVERSAL_LINDBLAD_LAMB_SHIFT,
    ):
        return kirchhoff
    return ""


#: Why the secularised and universal Lindblad forms break I_L = I_U - I_D (see
#: :func:`bulk_dissipation`): the test is tests/quantum/test_equations_kirchhoff.py.
KIRCHHOFF_NOTE = (
    "Kirchhoff (I_L = I_U - I_D) is not exact: this dissipator is not a commutator with the "
    "bath's sz, so it acts on operators of bulk sites directly (energy is exchanged with the "
    "bath along the whole ring) and kirchhoff_error is of the order of the currents"
)
#: The same on a network: the bond currents miss the baths' direct inflow into distant bonds.
NETWORK_KIRCHHOFF_NOTE = (
    "Kirchhoff is not exact at the sites: this dissipator is not a commutator with the bath's "
    "sz, so every bath exchanges energy with every bond and field directly (bulk_bath_currents), "
    "which no bond current carries; kirchhoff_errors (per site) are of the order of the currents"
)


def bulk_dissipation(generator, site: int, bath: int) -> float:
    """||Tr(A D_b(.))|| / ||D_b|| for A = sz of ``site`` (eigenbasis): the bath's direct action on
    an operator that commutes with both couplings.

    Zero for Redfield with or without the Lamb shift and for HEOM, whose bath terms are
    commutators with the coupling Q_b (D_b(rho) = [Q_b, X_b], so Tr(A D_b(rho)) = Tr([A, Q_b]
    X_b) = 0 whenever [A, Q_b] = 0): energy enters the ring only at the bath site, and the site
    currents obey Kirchhoff. Nonzero for secular, partial secular and ULE dissipators, whose
    jump operators are Q_b filtered by Bohr frequency and spread over the ring.
    """
    basis = generator.basis
    vectors = generator.eigenvectors
    operator = vectors.T @ (basis.site_sz(site)[:, None] * vectors)
    matrix = generator.dense_matrix(baths=(bath,))
    return float(np.linalg.norm(operator.T.ravel() @ matrix) / np.linalg.norm(matrix))


def equation_checks(solution) -> dict[str, Any]:
    """The checks every equation reports: positivity, Kirchhoff, bath balance, and its note.

    ``solution`` is a :class:`~exactspin.quantum.QuantumSolution` (ring: ``kirchhoff_error`` =
    I_L - (I_U - I_D)) or a :class:`~exactspin.quantum.NetworkQuantumSolution` (network:
    ``kirchhoff_errors``, one per site in site order, = sum of the bond currents out of the site
    minus those into it minus the bath current there; ``kirchhoff_error`` is the largest in
    magnitude, with its sign; ``bath_balance_error`` is the sum of the bath currents).
    """
    if not solution.model.is_ring:
        errors = solution.kirchhoff_errors
        return {
            "equation": getattr(solution.model, "equation", REDFIELD),
            "positive": bool(solution.min_eigenvalue >= -1e-12),
            "kirchhoff_errors": list(errors),
            "kirchhoff_error": float(max(errors, key=abs)) if errors else 0.0,
            "bath_balance_error": float(sum(solution.bath_currents)),
            "equation_note": equation_note(solution.model),
        }
    kirchhoff = solution.left_bath_current - (
        solution.upper_branch_current - solution.lower_branch_current
    )
    return {
        "equation": getattr(solution.model, "equation", REDFIELD),
        "positive": bool(solution.min_eigenvalue >= -1e-12),
        "kirchhoff_error": float(kirchhoff),
        "bath_balance_error": float(solution.left_bath_current + solution.right_bath_current),
        "equation_note": equation_note(solution.model),
    }
