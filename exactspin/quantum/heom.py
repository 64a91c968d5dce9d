"""An exact reference for the ring's steady state: QuTiP's HEOM in one magnetization sector.

The hierarchical equations of motion (HEOM) solve the spin ring coupled to the two ohmic
baths without a Born, Markov or secular approximation, given a bath correlation function written
as a sum of exponentials. The hierarchy is QuTiP's (``qutip.solver.heom.HEOMSolver``); this
module supplies the model, the fits and the observables, and runs the convergence protocol.

Normalisation. QuTiP's bosonic environment couples through H_I = Q (x) X with
C(t) = <X(t) X(0)> = (1/pi) int_0^inf J_q(w) [coth(w/2T) cos wt - i sin wt] dw and power spectrum
S(w) = int e^{iwt} C(t) dt = 2 J_q(w) (n(w) + 1) (w > 0: energy given to the bath). The paper's
rates are gamma W(-w) = S(w)/2 (Eq. 28, :mod:`exactspin.quantum.bath`), so J_q(w) =
gamma w e^{-w/Omega_c}: QuTiP's ``OhmicEnvironment(T, alpha=gamma, wc=Omega_c, s=1)`` with
Q = sz of the bath site (Pauli, Eq. 24).

Fit. The cusp of S at w = 0 (J is odd in w and e^{-|w|/Omega_c} is not smooth) makes every finite
sum of exponentials approximate; the fit is QuTiP's AAA rational approximation of the power
spectrum on a grid logarithmic in |w| (:func:`fit_grid`, :func:`fit_bath`). It is made at unit
coupling and rescaled by gamma (C is linear in gamma), so one fit serves every gamma: AAA's
tolerance is absolute, and a fit made at each gamma is a different fit at each gamma. Its errors
on S(w) for |w| <= :data:`FIT_ERROR_WINDOW` and on S(0) = 2 gamma T are reported with every
result.

What the fit does to the currents. A fit with a small error on max |S| can still have large
*relative* errors where S is small (absorption of large energies from the cold bath, i.e. detailed
balance), and the weak-coupling currents are sensitive to exactly those. So every result carries
``fit_current_error`` (:func:`fit_current_error`): the change of the ``redfield-lamb-shift``
currents when the exact one-sided bath transform gamma (W + i Delta)(D) is replaced by that of the
fitted exponentials, Gamma_fit(D) = sum_k c_k / (nu_k + i D) (:meth:`BathFit.transform`). As
gamma -> 0 HEOM tends to Redfield with the Lamb shift *of the bath it is given*, so this is the
part of the HEOM-vs-master-equation difference that belongs to the fit, not to the physics; a
result counts as converged only when it is below the tolerance too.

Sector. sz coupling conserves the magnetization, so H_S and Q are projected onto the model's
sector (the hierarchy never leaves it).

Heat current. With QuTiP's ADO convention d rho/dt = -i [H_S, rho] - i sum_k [Q_b, rho_k] + ...
(the sum over the first-tier ADOs rho_k of bath b), sum_k rho_k = Tr_B(X_b rho_total). The
energy bath b puts into the ring, I_b = i <[H_I^b, H_S]>, equals -d<H_B^b>/dt in the steady
state (d<H_I^b>/dt = 0 there, and [H_I^L, H_I^R] = 0), so

    I_b = i Tr([Q_b, H_S] sum_{k in b} rho_k),

the "system" form of QuTiP's tutorial "HEOM 3: quantum heat transport". I_L + I_R = 0 is a check.

Steady state: the linear system QuTiP's ``HEOMSolver.steady_state`` solves (its generator with
the trace row), solved by GMRES with a tier block-ILU(0) preconditioner
(:mod:`exactspin.quantum.heom_steady`); QuTiP's sparse LU stays available (``method="lu"``) and
is the tests' reference, but its fill-in makes it unusable past depth 1 on the paper's ring
(depth 2 of the 8-term fit, 43500 unknowns: > 300 s, against 1 s for GMRES).
Each solve checks its true residual (else the row is skipped and the result is not converged),
carries ``solve_error`` (the currents' change under the residual's preconditioned correction)
and is refused before building when its memory estimate exceeds the limit.

Protocol (:func:`heom_solve`): depths at the fewest fit terms until a step D-1 -> D changes the
currents by < ``tolerance``; the terms are then raised at depth D-1. On the paper's ring the
depth-3 hierarchy is affordable only for the 12-term fits (44 exponents, 16215 ADOs, 1.6e6
unknowns, ~2 GB, ~2 min); depth 2 is affordable up to the 32-term fits (124 exponents).
Uniqueness: an operator other than the identity that commutes with H_S and both couplings is
conserved by the exact dynamics, so the steady state depends on the initial state; such rings
(e.g. the 4-site ring with 1 up spin, whose branch-antisymmetric dark state neither bath sees)
are refused (:func:`conserved_operators`) instead of returning whichever state the LU picks.

Depth. The depth-1 -> 2 step moves the currents by 2-9% at gamma = 1e-2 and 0.2-1.2% even at
gamma = 1e-3 (the slow exponents of the fit, nu ~ 1e-4, that resolve the cusp of S at w = 0,
couple strongly relative to their own decay); the 2 -> 3 step is at most 8.5e-4 at gamma = 1e-2
and 2e-5 at 1e-3 (the committed references, verify/data/heom, carry the tables).

Weak-coupling limit (tests/quantum/test_heom.py). As gamma -> 0 the depth-1 hierarchy tends to
the Bloch-Redfield tensor *with the Lamb shift* of the same fitted bath (:class:`FittedBathModel`),
at O(gamma): on the paper's ring at Delta = -1 the difference is 3.7e-2, 7.5e-3, 8.4e-4 of max
|current| at gamma = 1e-2, 1e-3, 1e-4. The branch currents there are O(gamma^0) (a persistent
circulation set inside degenerate doublets by the rates and the Lamb shift), which Eq. 26
without the shift misses entirely.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from exactspin.currents import circulation
from exactspin.quantum.basis import sector_basis
from exactspin.quantum.equations import REDFIELD_LAMB_SHIFT, EquationModel
from exactspin.quantum.hamiltonian import ring_hamiltonian
from exactspin.quantum.model import QuantumModel
from exactspin.quantum.observables import (
    concurrence_of,
    reduced_density_matrix,
    site_current_operator,
)
from exactspin.quantum.redfield import assemble_generator
from exactspin.quantum.steady_state import NonUniqueSteadyStateError
from exactspin.validation import ParameterError, ResourceError, UnresolvedError, require_integer

#: Relative change of every current below which the hierarchy counts as converged.
CONVERGENCE_TOLERANCE = 1e-3
#: Fit errors are measured for |w| <= this (covers the Bohr frequencies of the paper's rings).
FIT_ERROR_WINDOW = 15.0
#: Steady-state solvers of the hierarchy: preconditioned GMRES (default) or QuTiP's sparse LU.
STEADY_STATE_METHODS = ("krylov", "lu")
#: AAA terms and hierarchy depths tried by the convergence protocol, in order.
DEFAULT_TERMS = (12, 20, 28, 32)
DEFAULT_DEPTHS = (1, 2, 3)
#: AAA terms allowed. Below 2 the fit has no exponents (QuTiP then fails inside the hierarchy).
#: Above 64 nothing is gained and time is lost: on the paper's baths the exponents saturate
#: (84 at 48 terms, 92 at 64) and so does the spectrum error (6.0e-6 at 48, 6.7e-6 at 64), while
#: one fit takes 2 s at 32 terms and 7 s at 64 (a run with 100 terms took 69 s).
MIN_FIT_TERMS = 2
MAX_FIT_TERMS = 64


def require_qutip():
    """Import qutip (the ``heom`` extra) or raise a one-line error saying how to install it."""
    try:
        import qutip
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ResourceError('HEOM needs QuTiP >= 5.1: pip install "exactspin[heom]"') from error
    return qutip


@dataclass(frozen=True)
class BathFit:
    """An exponential fit of one bath's correlation function (QuTiP's AAA power-spectrum fit).

    Attributes
    ----------
    temperature : float
    terms : int
        AAA terms requested (``Nmax``).
    exponents : int
        Exponents of the fitted correlation function (what the hierarchy carries).
    power_spectrum_error : float
        max |S_fit - S| / max |S| over |w| <= :data:`FIT_ERROR_WINDOW`.
    zero_frequency_error : float
        S_fit(0) / (2 gamma T) - 1.
    environment : object
        The fitted ``qutip`` environment.
    """

    temperature: float
    terms: int
    exponents: int
    power_spectrum_error: float
    zero_frequency_error: float
    environment: Any = field(repr=False, compare=False)

    def transform(self, energy_difference: np.ndarray) -> np.ndarray:
        """Gamma_fit(D) = int_0^inf C_fit(t) e^{-i D t} dt = sum_k c_k / (nu_k + i D).

        The one-sided transform of the fitted correlation function for an absorbed energy D,
        in the normalisation of :func:`exactspin.quantum.lamb_shift.complex_bath_rate` times
        gamma (real part gamma W(D) = S_fit(-D)/2, imaginary part gamma Delta(D)).
        """
        difference = np.asarray(energy_difference, dtype=float)
        total = np.zeros(difference.shape, dtype=complex)
        for exponent in self.environment.exponents:
            total += exponent.coefficient / (exponent.exponent + 1j * difference)
        return total

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the environment)."""
        return {
            "temperature": self.temperature,
            "terms": self.terms,
            "exponents": self.exponents,
            "power_spectrum_error": self.power_spectrum_error,
            "zero_frequency_error": self.zero_frequency_error,
        }


def fit_grid(cutoff: float) -> np.ndarray:
    """The AAA sample points: logarithmic in |w| from 1e-5 Omega_c to -6 Omega_c and 15 Omega_c.

    The logarithmic spacing resolves the cusp of S at w = 0 (a uniform grid of the same size
    does not: with it the fit's effect on the branch currents stalls at ~4e-3 however many terms
    are taken; with this grid 28 terms bring it to ~1e-4 on the paper's ring).
    """
    return np.unique(
        np.concatenate(
            [
                -np.geomspace(1e-5 * cutoff, 6 * cutoff, 600),
                np.geomspace(1e-5 * cutoff, 15 * cutoff, 700),
                [0.0],
            ]
        )
    )


def fit_bath(temperature: float, coupling: float, cutoff: float, terms: int, tag: str) -> BathFit:
    """Fit gamma w e^{-w/Omega_c} at T by exponentials (QuTiP's AAA fit of the power spectrum)."""
    import warnings

    terms = require_integer("terms", terms, MIN_FIT_TERMS, MAX_FIT_TERMS)
    require_qutip()
    from qutip.core.environment import OhmicEnvironment

    # Fit at unit coupling and rescale: AAA's tolerance is absolute, so a fit made at each gamma
    # would be a different fit (and a different bath) at each gamma.
    environment = OhmicEnvironment(T=temperature, alpha=1.0, wc=cutoff, s=1, tag=tag)
    grid = fit_grid(cutoff)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted, _ = environment.approximate("aaa", grid, Nmax=terms, tol=1e-14, tag=tag)
    window = np.linspace(-FIT_ERROR_WINDOW, FIT_ERROR_WINDOW, 3001)
    exact = environment.power_spectrum(window)
    error = float(np.max(np.abs(fitted.power_spectrum(window) - exact)) / np.max(np.abs(exact)))
    zero = float(np.real(fitted.power_spectrum(np.array([0.0]))[0]) / (2 * temperature))
    return BathFit(
        temperature=temperature,
        terms=terms,
        exponents=len(fitted.exponents),
        power_spectrum_error=error,
        zero_frequency_error=zero - 1.0,
        environment=fitted.rescale(coupling, tag=tag),
    )


@dataclass(frozen=True)
class FittedBathModel(EquationModel):
    """``redfield-lamb-shift`` with the baths' fitted transforms instead of the exact ones.

    The weak-coupling limit of a HEOM run with ``fits`` (same Bloch-Redfield tensor as
    :mod:`exactspin.quantum.equations`, rates Gamma_fit(D)/gamma from :meth:`BathFit.transform`).
    """

    fits: tuple[BathFit, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_fits(cls, model: QuantumModel, fits: tuple[BathFit, BathFit]) -> FittedBathModel:
        """The model's physics with the bath of ``fits`` (left, right)."""
        physical = {entry.name: getattr(model, entry.name) for entry in fields(QuantumModel)}
        return cls(**physical, equation=REDFIELD_LAMB_SHIFT, fits=tuple(fits))

    def build_generator(self):
        """Eq. 26's tensor with the fitted complex rates."""
        by_temperature = {fit.temperature: fit for fit in self.fits}

        def rate(differences, temperature, cutoff, zero_frequency, tolerance):
            rounded = np.where(np.abs(differences) <= tolerance, 0.0, differences)
            return by_temperature[temperature].transform(rounded) / self.coupling

        return assemble_generator(self, rate)


def fit_current_error(model: QuantumModel, fits: tuple[BathFit, BathFit]) -> float:
    """max_I |I_fit - I_exact| / max |I_exact| over (I_L, I_U, I_D) of ``redfield-lamb-shift``.

    I_exact with the exact bath transform (:mod:`exactspin.quantum.lamb_shift`), I_fit with the
    fitted one (:class:`FittedBathModel`): what the fit alone does to the weak-coupling currents.
    """
    from exactspin.quantum.solution import solve

    def currents(solution):
        return np.array(
            [
                solution.left_bath_current,
                solution.upper_branch_current,
                solution.lower_branch_current,
            ]
        )

    physical = {entry.name: getattr(model, entry.name) for entry in fields(QuantumModel)}
    physical["zero_frequency"] = "limit"
    exact = currents(solve(EquationModel(**physical, equation=REDFIELD_LAMB_SHIFT)))
    fitted = currents(solve(FittedBathModel.from_fits(QuantumModel(**physical), fits)))
    return float(np.max(np.abs(fitted - exact)) / np.max(np.abs(exact)))


@dataclass(frozen=True)
class HeomPoint:
    """One hierarchy solve: its truncation and its currents (a row of the convergence table)."""

    depth: int
    terms: int
    exponents: tuple[int, int]
    ados: int
    left_bath_current: float
    right_bath_current: float
    upper_branch_current: float
    lower_branch_current: float
    change: float
    density_matrix: np.ndarray = field(repr=False, compare=False)
    fit_current_error: float = math.nan
    solve_error: float = math.nan
    solve: dict[str, Any] = field(default_factory=dict, compare=False)

    def currents(self) -> np.ndarray:
        """(I_L, I_U, I_D)."""
        return np.array(
            [self.left_bath_current, self.upper_branch_current, self.lower_branch_current]
        )

    def to_dict(self) -> dict[str, Any]:
        """One row of the convergence table."""
        return {
            "depth": self.depth,
            "terms": self.terms,
            "exponents": list(self.exponents),
            "ados": self.ados,
            "left_bath_current": self.left_bath_current,
            "right_bath_current": self.right_bath_current,
            "upper_branch_current": self.upper_branch_current,
            "lower_branch_current": self.lower_branch_current,
            "change": self.change,
            "fit_current_error": self.fit_current_error,
            "solve_error": self.solve_error,
            "solve": dict(self.solve),
        }


def hierarchy_ados(exponents: int, depth: int) -> int:
    """Number of ADOs of a hierarchy with ``exponents`` exponents truncated at ``depth``."""
    return math.comb(exponents + depth, depth)


def conserved_operators(hamiltonian: np.ndarray, couplings: list[np.ndarray]) -> int:
    """Dimension of the commutant of {H_S, Q_L, Q_R}: operators A with [A, H_S] = [A, Q_b] = 0.

    A (x) 1_B then commutes with the total Hamiltonian, so <A> is conserved by the exact
    dynamics and, when the dimension exceeds 1 (the identity), the steady state depends on the
    initial state: HEOM has no unique steady state to return (e.g. a dark state of a symmetric
    ring, antisymmetric in the two branches, that neither bath site sees). The couplings are
    diagonal, so A is block diagonal over their joint eigenvalues and only those entries are
    unknowns.
    """
    d = hamiltonian.shape[0]
    labels = np.stack([np.diag(coupling) for coupling in couplings], axis=1)
    same = np.all(labels[:, None, :] == labels[None, :, :], axis=2)
    rows, columns = np.nonzero(same)
    matrix = np.zeros((d * d, rows.size), dtype=hamiltonian.dtype)
    for index, (i, j) in enumerate(zip(rows, columns, strict=True)):
        # [H, E_ij] = sum_k H_ki E_kj - sum_l H_jl E_il
        matrix[np.arange(d) * d + j, index] += hamiltonian[:, i]
        matrix[i * d + np.arange(d), index] -= hamiltonian[j, :]
    singular = np.linalg.svd(matrix, compute_uv=False)
    scale = max(float(singular.max(initial=0.0)), 1.0)
    return int(rows.size - np.sum(singular > 1e-10 * scale))


def heom_point(
    model: QuantumModel,
    depth: int,
    fits: tuple[BathFit, BathFit],
    method: str = "krylov",
    memory_limit: float | None = None,
) -> HeomPoint:
    """Solve the hierarchy once at ``depth`` with the given bath fits.

    ``method`` "krylov": GMRES with the tier block-ILU preconditioner
    (:func:`exactspin.quantum.heom_steady.krylov_steady_state`), whose residual gives
    ``solve_error`` (the change of the currents by the preconditioned correction, relative to
    max |current|); "lu": QuTiP's own ``HEOMSolver.steady_state`` (sparse LU; no estimate).

    Raises
    ------
    NonUniqueSteadyStateError
        When an operator other than the identity commutes with H_S and both couplings
        (:func:`conserved_operators`): the steady state is not unique.
    ResourceError
        When the solve's memory estimate exceeds ``memory_limit``
        (:data:`exactspin.quantum.heom_steady.MEMORY_LIMIT` by default), before building.
    KrylovNotConverged
        When GMRES misses its tolerance (the steady state is then undetermined).
    """
    qutip = require_qutip()
    import scipy.sparse as sp
    from qutip.solver.heom import HEOMSolver
    from qutip.solver.heom.bofin_solvers import HierarchyADOsState

    from exactspin.quantum import heom_steady

    if method not in STEADY_STATE_METHODS:
        raise ParameterError("method", method, " or ".join(STEADY_STATE_METHODS))
    limit = heom_steady.MEMORY_LIMIT if memory_limit is None else memory_limit
    basis = sector_basis(model.sites, model.up_spins)
    hamiltonian = ring_hamiltonian(basis, model.ring, model.exchange, model.anisotropy)
    couplings = [np.diag(basis.site_sz(site)).astype(float) for site in model.bath_sites]
    conserved = conserved_operators(hamiltonian, couplings)
    if conserved > 1:
        raise NonUniqueSteadyStateError(conserved, model)
    exponents = sum(fit.exponents for fit in fits)
    layout = heom_steady.HierarchyLayout(exponents, depth, model.dimension)
    identity = sp.identity(model.dimension)
    system = sp.kron(identity, sp.csr_matrix(hamiltonian)) - sp.kron(
        sp.csr_matrix(hamiltonian).T, identity
    )
    heom_steady.check_memory(layout, sp.csr_matrix(system).nnz, limit)
    baths = [
        (fit.environment, qutip.Qobj(coupling))
        for fit, coupling in zip(fits, couplings, strict=True)
    ]
    solver = HEOMSolver(qutip.Qobj(hamiltonian), baths, max_depth=depth)
    if method == "lu":
        start = time.perf_counter()
        rho, state = solver.steady_state(use_mkl=False)
        solve = {"method": "qutip sparse LU", "seconds": time.perf_counter() - start}
        correction = None
    else:
        rho, state, report = heom_steady.krylov_steady_state(
            solver, hamiltonian, memory_limit=limit
        )
        solve = report.to_dict()
        correction = HierarchyADOsState(
            qutip.Qobj(report.correction[0].T), solver.ados, report.correction
        )
    rho = rho.full()
    rho = (rho + rho.conj().T) / 2
    values = _currents(model, basis, hamiltonian, couplings, rho, state)
    solve_error = math.nan
    if correction is not None:
        errors = _currents(model, basis, hamiltonian, couplings, report.correction[0].T, correction)
        scale = max(abs(values[0]), abs(values[2]), abs(values[3]))
        solve_error = max(abs(errors[0]), abs(errors[2]), abs(errors[3])) / scale
    return HeomPoint(
        depth=depth,
        terms=fits[0].terms,
        exponents=(fits[0].exponents, fits[1].exponents),
        ados=layout.ados,
        left_bath_current=values[0],
        right_bath_current=values[1],
        upper_branch_current=values[2],
        lower_branch_current=values[3],
        change=math.nan,
        density_matrix=rho,
        solve_error=float(solve_error),
        solve=solve,
    )


def _currents(model, basis, hamiltonian, couplings, rho, state) -> tuple[float, ...]:
    """(I_L, I_R, I_U, I_D): first-tier bath currents and the branch currents of ``rho``."""
    bath_currents = []
    for tag, coupling in zip(("left", "right"), couplings, strict=True):
        first_tier = sum(
            (state.extract(label).full() for label in state.filter(level=1, tags=[tag])),
            np.zeros_like(rho),
        )
        commutator = coupling @ hamiltonian - hamiltonian @ coupling
        bath_currents.append(float(np.real(1j * np.trace(commutator @ first_tier))))
    upper, lower = (
        _expectation(model, basis, rho, sites[0])
        for sites in (model.ring.upper_bulk_sites, model.ring.lower_bulk_sites)
    )
    return bath_currents[0], bath_currents[1], upper, lower


def _expectation(model, basis, rho, site) -> float:
    operator = site_current_operator(basis, site, model.ring, model.exchange, model.anisotropy)
    return float(np.real(np.sum(operator * rho.T)))


@dataclass(frozen=True)
class HeomSolution:
    """The converged (or flagged) HEOM steady state and its observables (sites 0-based).

    Attributes
    ----------
    model : QuantumModel
    left_bath_current, right_bath_current, upper_branch_current, lower_branch_current : float
        As in :class:`~exactspin.quantum.QuantumSolution`, from the last row of ``table``.
    circulation : str
        "clockwise", "anticlockwise" or "parallel" from the signs of I_U and I_D, or
        "undetermined" when the protocol did not converge (the last step's change does not
        bound the error of an unconverged sequence), when a branch current is within
        ``current_threshold``, or when the table has no depth step (the truncation error is
        then not estimated and the threshold is inf).
    current_threshold : float
        Absolute error of a current: ``error_estimate`` x max |current|; inf when not estimated.
    error_estimate : float
        Relative: the largest of the depth step, the terms step, the last row's
        ``fit_current_error`` and its ``solve_error``; NaN when not estimated.
    site_magnetization : tuple of float
    concurrence : float
        Of ``pair``.
    converged : bool
        Whether the last depth step and the last fit step each changed every current by less
        than ``tolerance`` x max |current|, and the last row's ``fit_current_error`` is below
        ``tolerance``.
    table : tuple of HeomPoint
        The convergence protocol, in the order run.
    fits : tuple of BathFit
        The fits of the last row (left, right).
    tolerance : float
    versions : dict
        exactspin and QuTiP versions.
    zero_by_symmetry : bool
        T_L = T_R: every current is zero by symmetry, the relative changes and errors of the
        table are not defined (NaN) and the run is never converged (nothing to converge to at a
        relative tolerance).
    """

    model: QuantumModel
    left_bath_current: float
    right_bath_current: float
    upper_branch_current: float
    lower_branch_current: float
    circulation: str
    current_threshold: float
    site_magnetization: tuple[float, ...]
    pair: tuple[int, int]
    concurrence: float
    converged: bool
    table: tuple[HeomPoint, ...]
    fits: tuple[BathFit, BathFit]
    tolerance: float
    versions: dict[str, str]
    density_matrix: np.ndarray = field(repr=False, compare=False)
    method: str = "krylov"
    zero_by_symmetry: bool = False
    error_estimate: float = math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result with parameters, method, versions and the convergence table."""
        return {
            "left_bath_current": self.left_bath_current,
            "right_bath_current": self.right_bath_current,
            "upper_branch_current": self.upper_branch_current,
            "lower_branch_current": self.lower_branch_current,
            "circulation": self.circulation,
            "current_threshold": self.current_threshold,
            "error_estimate": self.error_estimate,
            "site_magnetization": list(self.site_magnetization),
            "pair": [self.pair[0] + 1, self.pair[1] + 1],
            "concurrence": self.concurrence,
            "converged": self.converged,
            "currents_zero_by_symmetry": self.zero_by_symmetry,
            "tolerance": self.tolerance,
            "bath_balance_error": self.left_bath_current + self.right_bath_current,
            "convergence_table": [point.to_dict() for point in self.table],
            "fits": [fit.to_dict() for fit in self.fits],
            "method": (
                "qutip HEOMSolver in the magnetization sector; AAA fit of the ohmic power "
                "spectrum; first-tier ADO heat current; steady state of QuTiP's generator by "
                + (
                    "GMRES with a tier block-ILU(0) preconditioner (solve per row in the table)"
                    if self.method == "krylov"
                    else "QuTiP's sparse LU"
                )
            ),
            "versions": dict(self.versions),
            "parameters": heom_parameters(self.model),
        }


def heom_parameters(model: QuantumModel) -> dict[str, Any]:
    """The physical parameters HEOM uses (no zero-frequency choice: HEOM has none)."""
    parameters = dict(model.parameters())
    for key in ("zero_frequency", "equation", "cluster_width"):
        parameters.pop(key, None)
    return parameters


def heom_solve(
    model: QuantumModel,
    depths: tuple[int, ...] = DEFAULT_DEPTHS,
    terms: tuple[int, ...] = DEFAULT_TERMS,
    tolerance: float = CONVERGENCE_TOLERANCE,
    pair: tuple[int, int] = (1, 2),
    progress: Callable[[str], None] | None = None,
    method: str = "krylov",
) -> HeomSolution:
    """The HEOM steady state with its convergence protocol.

    Protocol: at the fewest fit terms, the depth is raised until a step D-1 -> D changes every
    current by less than ``tolerance`` x max(|I_L|, |I_U|, |I_D|); depth D-1 is then within
    the tolerance of depth D, and the fit terms are raised at D-1 until a terms step does the
    same. The reported currents are those of the last terms row; their error estimate is the
    largest of the depth step, the terms step, the fit's own effect on the weak-coupling
    currents (:func:`fit_current_error`) and the solve's residual-based error
    (``solve_error``). ``converged`` is False when a list runs out (or the next hierarchy is
    refused as too large, or its solve misses its tolerance) first, or when the fit or solve
    error exceeds ``tolerance``; the currents are then those of the last row and must be
    reported as undetermined at ``tolerance``. Assumed, as in any such protocol: the depth
    step measured with the fewest terms holds for more terms (their cross effect is the
    product of the two small relative changes).

    Parameters
    ----------
    model : QuantumModel
    depths, terms : tuple of int
        Increasing hierarchy depths (>= 1) and AAA term counts (in
        [:data:`MIN_FIT_TERMS`, :data:`MAX_FIT_TERMS`]) to try.
    tolerance : float
    pair : tuple of int
        Sites (0-based) of the concurrence.
    progress : callable or None
        Called with one line per solve (the CLI prints it on stderr).
    """
    if not isinstance(model, QuantumModel):
        raise ParameterError("model", model, "an exactspin.quantum.QuantumModel")
    for name, values, minimum, maximum in (
        ("depths", depths, 1, None),
        ("terms", terms, MIN_FIT_TERMS, MAX_FIT_TERMS),
    ):
        for value in values:
            require_integer(name, value, minimum, maximum)
        if not values or list(values) != sorted(set(values)):
            raise ParameterError(name, values, "a non-empty increasing list of integers")
    if not 0 < tolerance < 1:
        raise ParameterError("tolerance", tolerance, "a number in (0, 1)")
    qutip = require_qutip()
    from exactspin import __version__

    fit_cache: dict[int, tuple[BathFit, BathFit]] = {}
    fit_errors: dict[int, float] = {}

    def fits_for(count: int) -> tuple[BathFit, BathFit]:
        if count not in fit_cache:
            if progress:
                progress(f"heom: fitting both baths with {count} AAA terms ...")
            fit_cache[count] = tuple(
                fit_bath(temperature, model.coupling, model.cutoff, count, tag)
                for temperature, tag in zip(model.bath_temperatures, ("left", "right"), strict=True)
            )
        return fit_cache[count]

    def fit_error_for(count: int) -> float:
        if count not in fit_errors:
            fit_errors[count] = fit_current_error(model, fits_for(count))
        return fit_errors[count]

    table: list[HeomPoint] = []
    # T_L = T_R: the steady state is the equilibrium one and every current is zero by symmetry,
    # so no relative change or error means anything (they are not reported: NaN, null in JSON).
    zero_by_symmetry = model.bath_temperatures[0] == model.bath_temperatures[1]

    def run(depth: int, count: int, reference: HeomPoint | None) -> HeomPoint | None:
        try:
            point = heom_point(model, depth, fits_for(count), method=method)
        except (ResourceError, UnresolvedError) as error:
            if progress:
                progress(f"heom: depth {depth}, {count} terms: skipped ({error})")
            return None
        if reference is not None:
            previous = reference.currents()
            scale = max(np.max(np.abs(point.currents())), np.max(np.abs(previous)))
            change = float(np.max(np.abs(point.currents() - previous)) / scale)
            point = _with_change(point, change)
        point = replace(point, fit_current_error=fit_error_for(count))
        if zero_by_symmetry:
            # every current is zero (rounding noise): errors relative to it are noise / noise
            undefined = math.nan
            point = replace(
                point, change=undefined, fit_current_error=undefined, solve_error=undefined
            )
        table.append(point)
        if progress:
            progress(
                f"heom: depth {depth}, {count} terms ({point.ados} ADOs): I_L = "
                f"{point.left_bath_current:.6e}, I_U = {point.upper_branch_current:.6e}, "
                f"I_D = {point.lower_branch_current:.6e}, change {_shown(point.change)}, "
                f"fit current error {_shown(point.fit_current_error)}, solve error "
                f"{_shown(point.solve_error, '.1e')} ({point.solve.get('seconds', math.nan):.0f} s)"
            )
        return point

    # Depth steps at the fewest terms. When a step D-1 -> D changes the currents by less than
    # the tolerance, depth D-1 is within it of depth D, and the terms are raised at D-1 (the
    # cheaper of the two; at D the hierarchy is C(K+D, D) ADOs, out of reach for the larger
    # fits at D = 3). The depth step's change stays part of the error estimate.
    depth_converged = False
    depth_step = math.nan
    current = run(depths[0], terms[0], None)
    if current is None:
        raise UnresolvedError(
            f"the first hierarchy (depth {depths[0]}, {terms[0]} terms) could not be solved"
        )
    depth, base = depths[0], current
    for candidate in depths[1:]:
        point = run(candidate, terms[0], current)
        if point is None:
            break
        depth_step = point.change
        if point.change < tolerance:
            depth_converged = True
            break
        current, depth, base = point, candidate, point
    terms_converged = len(terms) == 1 and depth_converged
    reference = base
    for count in terms[1:]:
        point = run(depth, count, reference)
        if point is None:
            break
        reference = point
        if point.change < tolerance:
            terms_converged = True
            break
    last = reference
    rho = last.density_matrix
    basis = sector_basis(model.sites, model.up_spins)
    # The error estimate of a HEOM current is the larger of the last convergence step's change
    # (the table) and the fit's own effect on the currents; a branch current below it has no
    # sign. Without a depth step the truncation error is not estimated at all (a terms step
    # does not measure it): then nothing is resolved.
    scale = float(np.max(np.abs(last.currents())))
    terms_step = last.change if last is not base else math.nan
    estimate = max(
        _finite(depth_step),
        _finite(terms_step),
        last.fit_current_error,
        _finite(last.solve_error),
    )
    depth_stepped = len({point.depth for point in table}) > 1
    threshold = (
        estimate * scale
        if depth_stepped and math.isfinite(estimate) and not zero_by_symmetry
        else math.inf
    )
    converged = bool(
        depth_converged
        and terms_converged
        and last.fit_current_error < tolerance
        and all(_finite(point.solve_error) < tolerance for point in table)
    )
    populations = np.real(np.diag(rho))
    return HeomSolution(
        model=model,
        left_bath_current=last.left_bath_current,
        right_bath_current=last.right_bath_current,
        upper_branch_current=last.upper_branch_current,
        lower_branch_current=last.lower_branch_current,
        # Not converged: the last step's change does not bound the error of an unconverged
        # sequence, so no sign is resolved, whatever the threshold says.
        circulation=(
            _circulation(last.upper_branch_current, last.lower_branch_current, threshold)
            if converged
            else "undetermined"
        ),
        current_threshold=threshold,
        zero_by_symmetry=zero_by_symmetry,
        error_estimate=estimate if math.isfinite(threshold) else math.nan,
        site_magnetization=tuple(
            float(populations @ basis.site_sz(site)) for site in range(model.sites)
        ),
        pair=pair,
        concurrence=concurrence_of(reduced_density_matrix(rho, basis, *pair)),
        converged=converged,
        table=tuple(table),
        fits=fits_for(last.terms),
        tolerance=tolerance,
        versions={"exactspin": __version__, "qutip": qutip.__version__},
        density_matrix=rho,
        method=method,
    )


def _circulation(upper: float, lower: float, threshold: float) -> str:
    """:func:`exactspin.currents.circulation`, but "undetermined" when a branch current is within
    the error estimate (its sign is then unknown) or there is no estimate."""
    if not math.isfinite(threshold) or min(abs(upper), abs(lower)) <= threshold:
        return "undetermined"
    return circulation(upper, lower, threshold)


def _finite(value: float) -> float:
    """An unestimated (NaN) solve error counts as zero: QuTiP's LU gives no estimate."""
    return 0.0 if math.isnan(value) else value


def _with_change(point: HeomPoint, change: float) -> HeomPoint:
    return replace(point, change=change)


def _shown(value: float, spec: str = ".2e") -> str:
    """A relative change or error for a progress line; "n/a" when it is not defined (NaN)."""
    return "n/a" if math.isnan(value) else format(value, spec)
