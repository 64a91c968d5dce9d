"""Steady state of the Redfield generator (Eq. 31) inside one sector: dense or matrix-free.

Methods
-------
``"dense"``
    The d^2 x d^2 generator L and its singular value decomposition. The null-space dimension is
    decided by a stated gap criterion: singular values at or below the rounding level
    delta = ||L||_2 d^2 eps of the SVD (which also covers the rounding of L's entries) are
    indistinguishable from zero, those above it are certainly nonzero (Weyl's inequality). Trace
    preservation makes one singular value exactly zero, so one value at or below delta and the
    next above it prove a unique steady state. When more values sit at or below delta, double
    precision cannot tell a small gap (low temperatures, e.g. T_L = 0.3, T_R = 0.1: gap 2e-10 of
    ||L||) from a degenerate null space; small sectors are then re-solved in ball arithmetic at
    30-60 digits (:mod:`~exactspin.quantum.extended_precision`), which either proves uniqueness
    and encloses rho or, failing at 60 digits, confirms a second null vector. With several
    steady states (e.g. 6 sites, 4 up, Delta = 0) the returned member is stated in
    ``SteadyState.member``: the long-time limit of the maximally mixed sector state, obtained with
    the left null vectors (the spectral projection onto the null space).
``"iterative"``
    Matrix-free, O(d^3) per application (Pollard-Friesner style): the generator acts through
    matrix products in the eigenbasis; GMRES solves L(rho) + kappa Tr(rho) I/d = kappa I/d
    (trace preservation makes this nonsingular exactly when the steady state is unique), right-
    preconditioned by the exact secular block (populations and coherences inside degenerate
    levels) and the diagonal elsewhere. Uniqueness is probed by a second solve from a random
    Hermitian start: two solutions of a singular consistent system differ by a null vector.
    A non-unique steady state raises :class:`NonUniqueSteadyStateError` here, a GMRES solve
    that does not reach its tolerance (every ``info`` flag is checked)
    :class:`UnresolvedSteadyStateError`: no state is returned that the method cannot vouch for.
``"auto"``
    Dense up to :data:`DENSE_DIMENSION_LIMIT`, iterative above.

Error estimate
--------------
``density_matrix_error`` bounds ||rho - rho_exact||_F. Dense: the residual bound for a null
vector, (||L rho||_F + delta ||rho||_F) / (sigma_next - delta), sigma_next the smallest singular
value above delta (first-order perturbation theory); extended precision: the ball radius.
Iterative: the distance between the two independent solves (an estimate, not a bound).
Observables propagate it (:mod:`~exactspin.quantum.error_bounds`).

This module solves; it computes no observables.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from exactspin.quantum.extended_precision import (
    EXTENDED_DIMENSION_LIMIT,
    PRECISION_LADDER,
    extended_steady_state,
)
from exactspin.quantum.model import QuantumModel
from exactspin.quantum.redfield import RedfieldGenerator, build_generator
from exactspin.validation import ParameterError, ResourceError, UnresolvedError, require_choice

EPSILON = float(np.finfo(float).eps)
#: Decimal digits of double precision, as reported in ``precision_digits``.
DOUBLE_DIGITS = 16
#: Largest sector dimension solved densely by ``method="auto"``.
DENSE_DIMENSION_LIMIT = 40
#: Default memory limit (bytes) for either method.
MEMORY_LIMIT = 4 * 1024**3
#: GMRES relative residual target and Krylov restart length of the iterative method.
ITERATIVE_TOLERANCE = 1e-13
KRYLOV_RESTART = 40
#: GMRES restarts before the solve is declared unconverged.
MAXIMUM_RESTARTS = 200
#: Two iterative solutions farther apart than this (max-norm) mean a non-unique steady state.
UNIQUENESS_TOLERANCE = 1e-7

METHODS = ("auto", "dense", "iterative")
PRECISIONS = ("double", "extended")
UNIQUE_MEMBER = "unique"
MIXED_START_MEMBER = "long-time limit of the maximally mixed sector state"


class UnresolvedSteadyStateError(UnresolvedError, RuntimeError):
    """The method could not determine a steady state (the message says why, in one line)."""


class NonUniqueSteadyStateError(UnresolvedSteadyStateError):
    """The generator has more than one steady state and the method cannot pick one by a rule."""

    def __init__(self, dimension_lower_bound: int, model: QuantumModel):
        self.dimension_lower_bound = dimension_lower_bound
        self.model = model
        where = (
            f"at delta = {model.anisotropy}"
            if model.is_ring
            else f"of the network {model.network.name or ''}".rstrip()
        )
        super().__init__(
            f"the steady state of sector {model.sites}({model.up_spins} up) {where} is not "
            f"unique (null-space dimension >= {dimension_lower_bound}); "
            "the iterative method cannot pick one; method='dense' returns the long-time limit of "
            "the maximally mixed state"
        )


@dataclass(frozen=True)
class SteadyState:
    """A steady state of Eq. 26 and the checks made on it.

    Attributes
    ----------
    generator : RedfieldGenerator
        The generator (and model) that produced it.
    density_matrix : numpy.ndarray
        rho_S in the energy eigenbasis, trace 1, made exactly Hermitian (read-only).
    dimension : int
        Null-space dimension of the generator (1 for a unique steady state). When
        ``dimension_certified`` is false it is only an upper bound.
    member : str
        Which steady state this is: ``"unique"`` or :data:`MIXED_START_MEMBER`.
    method : str
        ``"dense"`` or ``"iterative"``.
    residual : float
        max |L(rho)_nm| of the returned state.
    hermiticity_error : float
        max |rho - rho^dagger| before symmetrisation.
    null_space_gap : float
        The smallest singular value above the rounding level over the largest (dense; for an
        extended-precision proof, a lower bound for the bordered matrix). Iterative: nan.
    null_space_rounding_level : float
        delta / ||L||_2: singular values at or below this fraction of the largest are zero to
        the working precision.
    dimension_certified : bool
        Whether ``dimension`` is established (gap criterion met, extended-precision proof, or
        a converged iterative probe).
    null_space_criterion : str
        The decision, in words.
    precision_digits : int
        Decimal working precision of the solve that produced rho.
    density_matrix_error : float
        Bound (estimate for the iterative method) on ||rho - rho_exact||_F; inf when unknown.
    warnings : tuple of str
        Problems found by the solve (stated, never silent).
    iterations : int
        GMRES iterations (0 for dense).
    """

    generator: RedfieldGenerator = field(repr=False)
    density_matrix: np.ndarray = field(repr=False)
    dimension: int
    member: str
    method: str
    residual: float
    hermiticity_error: float
    null_space_gap: float
    null_space_rounding_level: float
    dimension_certified: bool
    null_space_criterion: str
    precision_digits: int
    density_matrix_error: float
    warnings: tuple[str, ...]
    iterations: int

    @property
    def model(self) -> QuantumModel:
        """The model solved."""
        return self.generator.model

    @property
    def trace(self) -> float:
        """Re Tr rho (1 up to rounding)."""
        return float(np.trace(self.density_matrix).real)

    @property
    def min_eigenvalue(self) -> float:
        """Smallest eigenvalue of rho; negative values flag a Redfield positivity failure."""
        return float(np.linalg.eigvalsh(self.density_matrix)[0])

    @property
    def sector_density_matrix(self) -> np.ndarray:
        """rho_S in the sector's configuration basis (see :mod:`exactspin.quantum.basis`)."""
        return self.generator.to_sector_basis(self.density_matrix)


def steady_state(
    model: QuantumModel,
    method: str = "auto",
    memory_limit: float = MEMORY_LIMIT,
    seed: int = 0,
    precision: str = "double",
) -> SteadyState:
    """Solve d rho/dt = 0 with Tr rho = 1 in the model's sector.

    Parameters
    ----------
    model : QuantumModel
    method : {"auto", "dense", "iterative"}
    memory_limit : float
        Bytes; :class:`ResourceError` is raised before any heavy allocation if the estimate
        (:func:`memory_estimate`, every large array of the method counted) exceeds it.
    seed : int
        Seed of the random start of the iterative uniqueness probe.
    precision : {"double", "extended"}
        Dense method: ``"double"`` escalates to extended precision only when double precision
        cannot separate the null space; ``"extended"`` solves sectors up to
        :data:`~exactspin.quantum.extended_precision.EXTENDED_DIMENSION_LIMIT` in ball
        arithmetic in any case (rho then carries an error at the rounding level of double).

    Raises
    ------
    NonUniqueSteadyStateError
        Iterative method only: the two probe solves differ by more than
        :data:`UNIQUENESS_TOLERANCE`.
    UnresolvedSteadyStateError
        Iterative method only: a GMRES solve did not converge.
    """
    method = require_choice("method", method, METHODS)
    precision = require_choice("precision", precision, PRECISIONS)
    if not isinstance(model, QuantumModel):
        raise ParameterError("model", model, "an exactspin.quantum.QuantumModel")
    d = model.dimension
    if method == "auto":
        method = "dense" if d <= DENSE_DIMENSION_LIMIT else "iterative"
    _check_memory(memory_estimate(d, method), memory_limit, method, d)
    generator = build_generator(model)
    _freeze(generator)
    if method == "dense":
        return _dense(generator, precision == "extended")
    block = secular_block_size(generator)
    _check_memory(memory_estimate(d, method, block), memory_limit, method, d)
    return _iterative(generator, seed)


def memory_estimate(dimension: int, method: str, secular_block: int | None = None) -> float:
    """Peak bytes of a solve, every large array counted.

    Dense: the complex d^2 x d^2 generator, the copy LAPACK's divide-and-conquer SVD makes, both
    singular-vector matrices, its complex and real workspaces (about 5 n^2 reals), 8 n^2 x 16
    bytes in all (n = d^2). Iterative: the Krylov basis and work vectors (d^2 reals each) plus
    the secular preconditioner: its complex block of ``secular_block`` rows, the LU factors and
    the real temporaries of its assembly, 8 x 16 bytes per block entry. Without
    ``secular_block`` the block is taken at its smallest (the d populations).
    """
    squared = float(dimension) ** 2
    if method == "dense":
        return 16.0 * 8 * squared**2
    block = float(dimension if secular_block is None else secular_block)
    return 8.0 * (KRYLOV_RESTART + 30) * squared + 16.0 * 4 * squared + 16.0 * 8 * block**2


def secular_block_size(generator: RedfieldGenerator) -> int:
    """Rows of the secular preconditioner block: sum of g^2 over the degenerate levels."""
    return int(np.sum(_clusters(generator)[1] ** 2))


def _freeze(generator: RedfieldGenerator) -> None:
    """Make the generator's arrays read-only: results hold it, and are frozen all the way."""
    arrays = (generator.hamiltonian, generator.energies, generator.eigenvectors)
    for array in arrays + generator.couplings + generator.rates:
        array.setflags(write=False)


def _check_memory(estimate: float, limit: float, method: str, d: int) -> None:
    if estimate > limit:
        raise ResourceError(
            f"the {method} Redfield solve of a sector of dimension {d} needs about "
            f"{estimate / 1024**3:.2f} GiB, above the limit of {limit / 1024**3:.2f} GiB"
        )


def _is_plain_redfield(model: QuantumModel) -> bool:
    """True for Eq. 26 as printed (not another equation of exactspin.quantum.equations)."""
    return getattr(model, "equation", "redfield") == "redfield"


def _dense(generator: RedfieldGenerator, extended: bool) -> SteadyState:
    d = generator.dimension
    matrix = generator.dense_matrix()
    left, singular, right_h = np.linalg.svd(matrix)
    del matrix
    relative_rounding = d * d * EPSILON
    rounding = relative_rounding * singular[0]
    zero = singular <= rounding
    # Trace preservation: one singular value is exactly zero whatever the rounding says.
    zero[-1] = True
    count = int(np.count_nonzero(zero))
    above = singular[~zero]
    next_value = float(above[-1]) if above.size else 0.0
    # A one-state sector has the zero generator: no gap to state (nan, as 0/0 gave before).
    gap = next_value / singular[0] if singular[0] > 0 else math.nan
    warnings: list[str] = []
    double_unique = (
        f"unique: one singular value at or below the rounding level {relative_rounding:.1e} "
        f"of ||L||, the next at {gap:.1e}"
    )
    if count == 1 and not (
        extended and d <= EXTENDED_DIMENSION_LIMIT and _is_plain_redfield(generator.model)
    ):
        rho = _normalised(right_h[-1].conj().reshape(d, d))
        error = _null_vector_error(generator, rho, rounding, next_value)
        criterion = double_unique
        return _finish(
            generator,
            rho,
            1,
            UNIQUE_MEMBER,
            "dense",
            gap,
            relative_rounding,
            True,
            criterion,
            DOUBLE_DIGITS,
            error,
            warnings,
            0,
        )
    unresolved = (
        double_unique
        if count == 1
        else (
            f"{count} singular values at or below the rounding level {relative_rounding:.1e} "
            f"of ||L|| (next at {gap:.1e}): double precision cannot separate the null space"
        )
    )
    # The ball-arithmetic twin rebuilds Eq. 26 itself, so it serves the plain Redfield equation
    # only; another master equation stays at double precision (uncertified when unresolved).
    if d <= EXTENDED_DIMENSION_LIMIT and _is_plain_redfield(generator.model):
        extended = extended_steady_state(generator)
        if extended is not None:
            vectors = generator.eigenvectors
            rho = vectors.T @ extended.sector_density_matrix @ vectors
            error = extended.error + 4 * d * EPSILON * float(np.linalg.norm(rho))
            criterion = (
                f"unique: a ball-arithmetic solve at {extended.digits} digits proved the "
                f"generator with its trace row nonsingular (double precision: {unresolved})"
            )
            return _finish(
                generator,
                rho,
                1,
                UNIQUE_MEMBER,
                "dense",
                extended.relative_gap_lower_bound,
                10.0 ** (-extended.digits) * d * d,
                True,
                criterion,
                extended.digits,
                error,
                warnings,
                0,
            )
        digits = PRECISION_LADDER[-1]
        certified = count == 2
        criterion = (
            f"{unresolved}; no ball-arithmetic solve up to {digits} digits proves uniqueness, "
            + (
                "so the null space is two-dimensional"
                if certified
                else f"so its dimension is between 2 and {count}"
            )
        )
    else:
        certified = False
        criterion = (
            f"{unresolved}; the sector (d = {d}) is above the extended-precision limit "
            f"d <= {EXTENDED_DIMENSION_LIMIT}, so the dimension {count} is an upper bound"
        )
    if not certified:
        warnings.append(f"steady state undetermined: {criterion}")
    # Spectral projection of I/d onto the null space along the range: the t -> infinity limit.
    right = right_h[zero].conj().T
    left_null = left[:, zero]
    start = (np.eye(d) / d).ravel()
    overlap = left_null.conj().T @ right
    vector = right @ np.linalg.solve(overlap, left_null.conj().T @ start)
    rho = _normalised(vector.reshape(d, d))
    error = _null_vector_error(generator, rho, rounding, next_value) * np.linalg.cond(overlap)
    return _finish(
        generator,
        rho,
        count,
        MIXED_START_MEMBER,
        "dense",
        gap,
        relative_rounding,
        certified,
        criterion,
        DOUBLE_DIGITS,
        error,
        warnings,
        0,
    )


def _normalised(rho: np.ndarray) -> np.ndarray:
    return rho / np.trace(rho)


def _null_vector_error(
    generator: RedfieldGenerator, rho: np.ndarray, rounding: float, next_value: float
) -> float:
    """(||L rho||_F + delta ||rho||_F) / (sigma_next - delta): distance to the exact null space.

    For a vector v and a matrix whose singular values other than the null ones exceed s,
    dist(v, null space) <= ||L v|| / s; s >= sigma_next - delta for the exact generator, and
    delta ||rho|| covers the rounding of L's entries and of the product L rho.
    """
    if generator.dimension == 1:
        return 0.0  # a one-state sector: rho = [[1]] exactly
    if next_value <= rounding:
        return math.inf
    norm = float(np.linalg.norm(rho))
    residual = float(np.linalg.norm(generator.apply(rho)))
    return (residual + rounding * norm) / (next_value - rounding)


def _iterative(generator: RedfieldGenerator, seed: int) -> SteadyState:
    d = generator.dimension
    kappa = generator.model.coupling * max(generator.model.bath_temperatures)
    packing = _HermitianPacking(d)
    preconditioner = _SecularPreconditioner(generator, kappa)
    if not preconditioner.regular:
        raise UnresolvedSteadyStateError(
            f"the iterative steady-state solve of sector {generator.model.sites}"
            f"({generator.model.up_spins} up) cannot start: its secular preconditioner block is "
            "singular (a level the baths do not reach at leading order); use method='dense'"
        )

    def operator(vector: np.ndarray) -> np.ndarray:
        rho = packing.unpack(vector)
        result = generator.apply_hermitian(rho)
        result[np.diag_indices(d)] += kappa * np.trace(rho).real / d
        return packing.pack(result)

    size = d * d
    system = scipy.sparse.linalg.LinearOperator((size, size), matvec=operator, dtype=float)
    preconditioned = scipy.sparse.linalg.LinearOperator(
        (size, size), matvec=lambda v: packing.pack(preconditioner(packing.unpack(v))), dtype=float
    )
    target = packing.pack(np.eye(d) * (kappa / d))
    rng = np.random.default_rng(seed)
    perturbation = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    perturbation = (perturbation + perturbation.conj().T) / (2 * d)
    solutions = []
    iterations = 0
    warnings = []
    for attempt, start in enumerate((preconditioned @ target, None)):
        if start is None:
            start = solutions[0] + packing.pack(perturbation)
        counter = _Counter()
        solution, info = scipy.sparse.linalg.gmres(
            system,
            target,
            x0=start,
            rtol=ITERATIVE_TOLERANCE,
            atol=0.0,
            restart=KRYLOV_RESTART,
            maxiter=MAXIMUM_RESTARTS,
            M=preconditioned,
            callback=counter,
            callback_type="pr_norm",
        )
        iterations += counter.count
        if info != 0:
            reached = np.linalg.norm(system @ solution - target) / np.linalg.norm(target)
            warnings.append(
                f"GMRES solve {attempt + 1} of 2 did not reach the relative residual "
                f"{ITERATIVE_TOLERANCE:.0e} (info = {info}, reached {reached:.1e} after "
                f"{counter.count} iterations)"
            )
        solutions.append(solution)
    if warnings:
        raise UnresolvedSteadyStateError(
            f"the iterative steady-state solve of sector {generator.model.sites}"
            f"({generator.model.up_spins} up) did not converge: "
            + "; ".join(warnings)
            + " (the steady state may not be unique)"
        )
    difference_matrix = packing.unpack(solutions[0] - solutions[1])
    if np.max(np.abs(difference_matrix)) > UNIQUENESS_TOLERANCE:
        raise NonUniqueSteadyStateError(2, generator.model)
    rho = _normalised(packing.unpack(solutions[0]))
    error = float(np.linalg.norm(difference_matrix)) + d * d * EPSILON * float(np.linalg.norm(rho))
    criterion = (
        "unique: two GMRES solves of the bordered system from independent starts agree "
        f"within {UNIQUENESS_TOLERANCE:.0e}"
    )
    return _finish(
        generator,
        rho,
        1,
        UNIQUE_MEMBER,
        "iterative",
        float("nan"),
        d * d * EPSILON,
        True,
        criterion,
        DOUBLE_DIGITS,
        error,
        [],
        iterations,
    )


def _finish(
    generator: RedfieldGenerator,
    rho: np.ndarray,
    dimension: int,
    member: str,
    method: str,
    gap: float,
    rounding_level: float,
    certified: bool,
    criterion: str,
    digits: int,
    error: float,
    warnings: list[str],
    iterations: int,
) -> SteadyState:
    hermiticity_error = float(np.max(np.abs(rho - rho.conj().T)))
    rho = (rho + rho.conj().T) / 2
    residual = float(np.max(np.abs(generator.apply(rho))))
    rho.setflags(write=False)
    return SteadyState(
        generator=generator,
        density_matrix=rho,
        dimension=dimension,
        member=member,
        method=method,
        residual=residual,
        hermiticity_error=hermiticity_error,
        null_space_gap=float(gap),
        null_space_rounding_level=float(rounding_level),
        dimension_certified=bool(certified),
        null_space_criterion=criterion,
        precision_digits=int(digits),
        density_matrix_error=float(error),
        warnings=tuple(warnings),
        iterations=iterations,
    )


def _clusters(generator: RedfieldGenerator) -> tuple[np.ndarray, np.ndarray]:
    """(cluster label of every eigenstate, size of every cluster) under the degeneracy rule."""
    labels = np.concatenate(
        [[0], np.cumsum(np.diff(generator.energies) > generator.degeneracy_tolerance)]
    )
    return labels, np.bincount(labels)


class _Counter:
    """GMRES callback counting inner iterations."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _residual: float) -> None:
        self.count += 1


class _HermitianPacking:
    """A Hermitian d x d matrix as d^2 reals: Re of the upper triangle, Im of the strict one."""

    def __init__(self, d: int):
        self.d = d
        self.upper = np.triu_indices(d)
        self.strict = np.triu_indices(d, 1)

    def pack(self, matrix: np.ndarray) -> np.ndarray:
        return np.concatenate([matrix[self.upper].real, matrix[self.strict].imag])

    def unpack(self, vector: np.ndarray) -> np.ndarray:
        count = self.upper[0].size
        half = np.zeros((self.d, self.d), dtype=complex)
        half[self.upper] = vector[:count]
        half[self.strict] += 1j * vector[count:]
        matrix = half + half.conj().T
        matrix[np.diag_indices(self.d)] /= 2
        return matrix


class _SecularPreconditioner:
    """Approximate inverse of L + kappa Tr(.) I/d.

    Exact on the secular block (rho_nm with E_n = E_m within the degeneracy tolerance, where the
    Hamiltonian part vanishes and the dissipator matters at leading order), diagonal elsewhere
    (where -i (E_n - E_m) dominates the order-gamma dissipator).
    """

    def __init__(self, generator: RedfieldGenerator, kappa: float):
        d = generator.dimension
        cluster = _clusters(generator)[0]
        rows, columns = np.nonzero(cluster[:, None] == cluster[None, :])
        self.rows, self.columns = rows, columns
        gamma = generator.model.coupling
        differences = generator.energy_differences()
        diagonal = -1j * differences
        block = np.zeros((rows.size, rows.size), dtype=complex)
        block[np.diag_indices(rows.size)] = -1j * differences[rows, columns]
        n, m = rows[:, None], columns[:, None]
        i, j = rows[None, :], columns[None, :]
        for coupling, rate in zip(generator.couplings, generator.rates, strict=True):
            damping = coupling * rate
            product = coupling @ damping
            block += gamma * (
                damping[n, i] * coupling[m, j]
                - product[n, i] * (m == j)
                + coupling[n, i] * damping[m, j]
                - (n == i) * product[m, j]
            )
            diagonal += gamma * (
                np.diag(damping)[:, None] * np.diag(coupling)[None, :]
                - np.diag(product)[:, None]
                + np.diag(coupling)[:, None] * np.diag(damping)[None, :]
                - np.diag(product)[None, :]
            )
        populations = rows == columns
        block += (kappa / d) * np.outer(populations, populations)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
            self.factors = scipy.linalg.lu_factor(block)
        #: False when the block is exactly singular (LU has a zero pivot): no preconditioner.
        self.regular = bool(np.all(np.diag(self.factors[0]) != 0))
        diagonal[rows, columns] = 1.0
        self.inverse_diagonal = 1.0 / diagonal

    def __call__(self, residual: np.ndarray) -> np.ndarray:
        result = residual * self.inverse_diagonal
        result[self.rows, self.columns] = scipy.linalg.lu_solve(
            self.factors, residual[self.rows, self.columns]
        )
        return result
