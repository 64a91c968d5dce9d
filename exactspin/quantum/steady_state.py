"""Steady state of the Redfield generator (Eq. 31) inside one sector: dense or matrix-free.

Methods
-------
``"dense"``
    The d^2 x d^2 generator and its singular value decomposition. The null-space dimension is
    exact (singular values below :data:`NULL_SPACE_TOLERANCE` times the largest). With a unique
    steady state that is it; with several (e.g. 6 sites, 4 up, Delta = 0) the returned member is
    stated in ``SteadyState.member``: the long-time limit of the maximally mixed sector state,
    obtained with the left null vectors (the spectral projection onto the null space).
``"iterative"``
    Matrix-free, O(d^3) per application (Pollard-Friesner style): the generator acts through
    matrix products in the eigenbasis; GMRES solves L(rho) + kappa Tr(rho) I/d = kappa I/d
    (trace preservation makes this nonsingular exactly when the steady state is unique), right-
    preconditioned by the exact secular block (populations and coherences inside degenerate
    levels) and the diagonal elsewhere. Uniqueness is probed by a second solve from a random
    Hermitian start: two solutions of a singular consistent system differ by a null vector.
    A non-unique steady state raises :class:`NonUniqueSteadyStateError` here.
``"auto"``
    Dense up to :data:`DENSE_DIMENSION_LIMIT`, iterative above.

This module solves; it computes no observables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from exactspin.quantum.model import QuantumModel
from exactspin.quantum.redfield import RedfieldGenerator, build_generator
from exactspin.validation import ParameterError, ResourceError, require_choice

#: Singular values of the generator below this fraction of the largest span its null space.
NULL_SPACE_TOLERANCE = 1e-9
#: Largest sector dimension solved densely by ``method="auto"``.
DENSE_DIMENSION_LIMIT = 40
#: Default memory limit (bytes) for either method.
MEMORY_LIMIT = 4 * 1024**3
#: GMRES relative residual target and Krylov restart length of the iterative method.
ITERATIVE_TOLERANCE = 1e-13
KRYLOV_RESTART = 40
#: Two iterative solutions farther apart than this (max-norm) mean a non-unique steady state.
UNIQUENESS_TOLERANCE = 1e-7

METHODS = ("auto", "dense", "iterative")
UNIQUE_MEMBER = "unique"
MIXED_START_MEMBER = "long-time limit of the maximally mixed sector state"


class NonUniqueSteadyStateError(RuntimeError):
    """The generator has more than one steady state and the method cannot pick one by a rule."""

    def __init__(self, dimension_lower_bound: int, model: QuantumModel):
        self.dimension_lower_bound = dimension_lower_bound
        self.model = model
        super().__init__(
            f"the steady state of sector {model.sites}({model.up_spins} up) at delta = "
            f"{model.anisotropy} is not unique (null-space dimension >= {dimension_lower_bound}); "
            "use method='dense' for the long-time limit of the maximally mixed state"
        )


@dataclass(frozen=True)
class SteadyState:
    """A steady state of Eq. 26 and the checks made on it.

    Attributes
    ----------
    generator : RedfieldGenerator
        The generator (and model) that produced it.
    density_matrix : numpy.ndarray
        rho_S in the energy eigenbasis, trace 1, made exactly Hermitian.
    dimension : int
        Null-space dimension of the generator (1 for a unique steady state).
    member : str
        Which steady state this is: ``"unique"`` or :data:`MIXED_START_MEMBER`.
    method : str
        ``"dense"`` or ``"iterative"``.
    residual : float
        max |L(rho)_nm| of the returned state.
    hermiticity_error : float
        max |rho - rho^dagger| before symmetrisation.
    null_space_gap : float
        Dense: the smallest nonzero singular value over the largest (how well the null space is
        separated). Iterative: nan.
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
) -> SteadyState:
    """Solve d rho/dt = 0 with Tr rho = 1 in the model's sector.

    Parameters
    ----------
    model : QuantumModel
    method : {"auto", "dense", "iterative"}
    memory_limit : float
        Bytes; :class:`ResourceError` is raised before any heavy work if the estimate exceeds it.
    seed : int
        Seed of the random start of the iterative uniqueness probe.
    """
    method = require_choice("method", method, METHODS)
    if not isinstance(model, QuantumModel):
        raise ParameterError("model", model, "an exactspin.quantum.QuantumModel")
    d = model.dimension
    if method == "auto":
        method = "dense" if d <= DENSE_DIMENSION_LIMIT else "iterative"
    estimate = memory_estimate(d, method)
    if estimate > memory_limit:
        raise ResourceError(
            f"the {method} Redfield solve of a sector of dimension {d} needs about "
            f"{estimate / 1024**3:.2f} GiB, above the limit of {memory_limit / 1024**3:.2f} GiB"
        )
    generator = build_generator(model)
    if method == "dense":
        return _dense(generator)
    return _iterative(generator, seed)


def memory_estimate(dimension: int, method: str) -> float:
    """Peak bytes of a solve: the SVD of a d^2 x d^2 complex matrix, or the Krylov basis."""
    squared = float(dimension) ** 2
    if method == "dense":
        return 16.0 * 3 * squared**2
    return 8.0 * (KRYLOV_RESTART + 30) * squared + 16.0 * 4 * squared


def _dense(generator: RedfieldGenerator) -> SteadyState:
    d = generator.dimension
    matrix = generator.dense_matrix()
    left, singular, right_h = np.linalg.svd(matrix)
    null = singular <= NULL_SPACE_TOLERANCE * singular[0]
    dimension = int(np.count_nonzero(null))
    gap = float(singular[~null][-1] / singular[0]) if np.any(~null) else float("nan")
    right = right_h[null].conj().T
    if dimension == 1:
        vector = right[:, 0]
        member = "unique"
    else:
        # Spectral projection of I/d onto the null space along the range: the t -> infinity limit.
        left_null = left[:, null]
        start = (np.eye(d) / d).ravel()
        overlap = left_null.conj().T @ right
        vector = right @ np.linalg.solve(overlap, left_null.conj().T @ start)
        member = MIXED_START_MEMBER
    rho = vector.reshape(d, d)
    rho = rho / np.trace(rho)
    return _finish(generator, rho, dimension, member, "dense", gap, 0)


def _iterative(generator: RedfieldGenerator, seed: int) -> SteadyState:
    d = generator.dimension
    kappa = generator.model.coupling * max(generator.model.bath_temperatures)
    packing = _HermitianPacking(d)
    preconditioner = _SecularPreconditioner(generator, kappa)

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
    for start in (preconditioned @ target, None):
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
            maxiter=200,
            M=preconditioned,
            callback=counter,
            callback_type="pr_norm",
        )
        iterations += counter.count
        solutions.append(solution)
    difference = np.max(np.abs(packing.unpack(solutions[0] - solutions[1])))
    if difference > UNIQUENESS_TOLERANCE:
        raise NonUniqueSteadyStateError(2, generator.model)
    rho = packing.unpack(solutions[0])
    rho = rho / np.trace(rho)
    return _finish(generator, rho, 1, UNIQUE_MEMBER, "iterative", float("nan"), iterations)


def _finish(
    generator: RedfieldGenerator,
    rho: np.ndarray,
    dimension: int,
    member: str,
    method: str,
    gap: float,
    iterations: int,
) -> SteadyState:
    hermiticity_error = float(np.max(np.abs(rho - rho.conj().T)))
    rho = (rho + rho.conj().T) / 2
    residual = float(np.max(np.abs(generator.apply(rho))))
    return SteadyState(
        generator=generator,
        density_matrix=rho,
        dimension=dimension,
        member=member,
        method=method,
        residual=residual,
        hermiticity_error=hermiticity_error,
        null_space_gap=gap,
        iterations=iterations,
    )


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
        energies = generator.energies
        cluster = np.concatenate(
            [[0], np.cumsum(np.diff(energies) > generator.degeneracy_tolerance)]
        )
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
        self.factors = scipy.linalg.lu_factor(block)
        diagonal[rows, columns] = 1.0
        self.inverse_diagonal = 1.0 / diagonal

    def __call__(self, residual: np.ndarray) -> np.ndarray:
        result = residual * self.inverse_diagonal
        result[self.rows, self.columns] = scipy.linalg.lu_solve(
            self.factors, residual[self.rows, self.columns]
        )
        return result
