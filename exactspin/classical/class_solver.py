"""The stationary law of one closed class, with a computed componentwise error bound.

Method (choice and justification). The steady state is pinned, P[p] = 1 at the lowest-energy
state p, and the other equations of W P = 0 form A x = b with A = -W restricted to the other
states: a column diagonally dominant, irreducible Z-matrix, so a nonsingular M-matrix with
A^{-1} >= 0 entrywise (Berman and Plemmons, Nonnegative Matrices, Ch. 6). At low temperature the
rates span tens of decades and A is very ill conditioned in the normwise sense: Krylov methods
stall and a plain LU loses digits in the cancellations of its pivots (the stiff, nearly
completely decomposable chains of Stewart, Introduction to the Numerical Solution of Markov
Chains, Ch. 6). What is done instead:

1. an approximate solve in double (sparse LU for small classes, BiCGSTAB/GMRES for large ones);
2. mixed-precision iterative refinement (Wilkinson; Moler 1967; Higham, Accuracy and Stability
   of Numerical Algorithms, Ch. 12): the residual r = b - A x is computed in double-double from
   the moves themselves, every state's outflow being the sum of its rates, never a stored
   diagonal (the cancellation-free balance of Grassmann, Taksar and Heyman 1985), with the rates
   as double-doubles (each distinct exp(-dE/T) evaluated in mpmath), the iterate kept in
   double-double;
3. a componentwise forward error bound in the manner of Arioli, Demmel and Duff (1989):
   |x - x~| = |A^{-1} r| <= A^{-1}(|r| + rounding of r). Because A^{-1} >= 0 this needs no
   condition estimator: y = A^{-1} g is one more solve, and it is certified by its own residual
   s = g - A y: when |s| <= theta g componentwise with theta < 1, A^{-1} g <= y / (1 - theta);
4. the error of the rates themselves (rounded exp): by the Markov chain tree theorem each P is
   a ratio of sums of products of n - 1 rates, so a relative change eps of every rate changes
   each P by a factor within (1 + eps)^(+-2(n-1)) (O'Cinneide 1993, entrywise perturbation
   theory); with eps ~ 2^-104 this term is negligible (1e-25 at 2^20 states) but it is added.

The bound is computed, not assumed: when the chain is too stiff for the double-precision solve
to drive the refinement, the bound says so (it is large or infinite) and the caller reports the
quantity as undetermined. A GTH elimination would give entrywise accuracy without refinement,
but its fill-in on these hypercube-like state graphs is that of the LU (about 10^8 entries and
minutes at 32768 states), which is why it is not the large-class method here.

Cost (2^20-state Q2R ring, one class halved to 2^19 states): three Krylov solves (the first
solve and one refinement correction at 1e-11, the bound at 1e-7). With the Jacobi preconditioner
alone they took ~100 BiCGSTAB iterations each, most of them on a plateau of the slow energy
modes; the coarse level on energy aggregates (:mod:`exactspin.classical.aggregation`) brings the
three to ~136 iterations in all. The sparse products are most of the time; the system is
assembled as CSR by one counting sort of the moves (:func:`_pinned_system`) and BiCGSTAB runs in
fused passes (:mod:`exactspin.classical.krylov`). Loosening the correction to 1e-8 would save a
few iterations but weaken the componentwise bound of the rarest states from ~1e-18 to ~1e-14
relative (the currents' bounds barely move), so it is not done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from exactspin.classical import extended, krylov
from exactspin.classical.aggregation import CoarseSpace, coarse_space
from exactspin.classical.class_chain import ClassChain
from exactspin.classical.flips import RATE_ROUNDOFF
from exactspin.validation import UnresolvedError

DIRECT = "direct"
ITERATIVE = "iterative"

#: Up to this many local states the approximate solve is a sparse LU (fast and robust there).
DIRECT_SIZE_LIMIT = 2**12

#: When Krylov fails (very stiff rates), LU is tried up to this many local states: the Fig. 8
#: ring's halved classes (16384 states) factor in seconds of CPU, and the LU's fill-in grows
#: about fourfold per doubling beyond.
DIRECT_FALLBACK_LIMIT = 2**14

#: Relative residual asked of each Krylov solve (refinement supplies the remaining digits).
KRYLOV_TOLERANCE = 1e-11

#: Relative residual asked of each refinement correction: the refinement contracts the error
#: by about this factor per step (Higham, Accuracy and Stability, Thm. 12.2), so after the
#: first solve at KRYLOV_TOLERANCE one step leaves ~KRYLOV_TOLERANCE x this.
REFINEMENT_TOLERANCE = KRYLOV_TOLERANCE

#: Iterations allowed to one BiCGSTAB solve before GMRES is tried.
KRYLOV_ITERATIONS = 20000

#: Relative residual asked of the Krylov solves behind the bound: theta <= 1/2 is all it needs,
#: but theta is componentwise and the tolerance normwise: at 1e-6 the first attempt failed on
#: the 2^18-state ring (theta = 1.05) and cost a second solve; 1e-7 passes there and at 2^20.
BOUND_TOLERANCE = 1e-7

#: Refinement stops when the largest correction is below this x max |x|, or after
#: :data:`REFINEMENT_STEPS` steps.
REFINEMENT_TARGET = 2.0**-60
REFINEMENT_STEPS = 8

#: ... or when it is below this and at most CONTRACTION x the previous correction.
CONTRACTED_TARGET = 2.0**-20
CONTRACTION = 1e-4

#: theta must end below this for the bound solve to be certified (see the module docstring).
CERTIFICATION_LIMIT = 0.5

#: Solves spent on certifying the bound: one at BOUND_TOLERANCE, the rest refining it (each
#: correction at BOUND_TOLERANCE relative to the shortfall left, which multiplies theta by
#: about that much).
CERTIFICATION_ATTEMPTS = 4

#: Unit roundoff of double-double arithmetic, with slack for the few operations per term.
DOUBLE_DOUBLE_ROUNDOFF = 2.0**-100


class UndeterminedError(UnresolvedError, ArithmeticError):
    """The solve could not resolve the steady state to any stated accuracy (stiff chain)."""


@dataclass(frozen=True)
class ClassLaw:
    """The stationary law of one class's chain (local states), with its error bound.

    Attributes
    ----------
    high, low : numpy.ndarray
        The normalised law as a double-double (high is the double value).
    error_bounds : numpy.ndarray
        Bound on |P_exact - P| of every local state (first order in the round-off).
    method : str
        ``"direct"`` or ``"iterative"``: the approximate solve under the refinement.
    refinement_steps : int
        Refinement steps taken.
    residual : float
        sum |W P| of the final iterate (continuous time), from the double-double balance.
    """

    high: np.ndarray
    low: np.ndarray
    error_bounds: np.ndarray
    method: str
    refinement_steps: int
    residual: float


def solve_class(
    chain: ClassChain,
    energy: np.ndarray,
    method: str,
    aggregates: np.ndarray | None = None,
) -> ClassLaw:
    """The stationary law of ``chain`` with a certified componentwise bound.

    Parameters
    ----------
    chain : ClassChain
        The class's moves on local states.
    energy : numpy.ndarray
        Energy of every local state; the lowest one is pinned.
    method : {"direct", "iterative"}
        The approximate solve; "iterative" falls back to "direct" up to
        :data:`DIRECT_FALLBACK_LIMIT` states.
    aggregates : numpy.ndarray, optional
        Aggregate label of every local state for the coarse level of the Krylov preconditioner
        (:mod:`exactspin.classical.aggregation`); None: Jacobi alone. Only the iteration count
        depends on it, never the bound.
    """
    size = chain.size
    if size == 1:
        one = np.ones(1)
        return ClassLaw(one, np.zeros(1), np.zeros(1), DIRECT, 0, 0.0)
    pinned = int(np.argmin(energy))
    keep = np.ones(size, dtype=bool)
    keep[pinned] = False
    matrix, diagonal, right_side = _pinned_system(chain, pinned, keep)
    coarse = None
    if method == ITERATIVE and aggregates is not None:
        coarse = coarse_space(chain, keep, aggregates)
    solver = _ApproximateSolver(matrix, diagonal, method, coarse)
    high = np.empty(size)
    high[pinned] = 1.0
    high[keep] = solver(right_side)
    low = np.zeros(size)
    steps = 0
    while True:
        # Krylov can fail inside any solve and hand over to LU (use_direct): note who started.
        started_iterative = solver.method == ITERATIVE
        high, low, taken = _refine(chain, solver, keep, high, low)
        steps += taken
        residual_high, residual_low, magnitude = _balance(chain, high, low)
        rounding = DOUBLE_DOUBLE_ROUNDOFF * magnitude + np.finfo(float).tiny
        absolute_residual = np.abs(residual_high) + np.abs(residual_low) + rounding
        bound = np.zeros(size)
        bound[keep] = _certified_inverse_times(chain, solver, absolute_residual, keep)
        # A Krylov solve too weak to certify the bound of a stiff class: redo it with LU, from
        # LU's own first solve (the Krylov iterate's residual has a shape LU certifies badly).
        if np.all(np.isfinite(bound)) or not started_iterative or not solver.use_direct():
            break
        high[keep], low = solver(right_side), np.zeros(size)
    tree = 2 * (size - 1) * (RATE_ROUNDOFF + DOUBLE_DOUBLE_ROUNDOFF)
    bound += tree * np.abs(high)
    total_high, total_low = extended.compensated_sum(high, low)
    total = total_high + total_low
    law_high, law_low = extended.divide(high, low, total_high, total_low)
    relative_total = bound.sum() / total
    error_bounds = bound / total + np.abs(law_high) * relative_total
    return ClassLaw(
        high=law_high,
        low=law_low,
        error_bounds=error_bounds,
        method=solver.method,
        refinement_steps=steps,
        residual=float(np.abs(residual_high + residual_low).sum() / total),
    )


def _refine(
    chain: ClassChain,
    solver: _ApproximateSolver,
    keep: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Mixed-precision refinement of the double-double iterate; returns it and the steps."""
    steps, previous = 0, 1.0  # the first solve is a correction of relative size 1
    while steps < REFINEMENT_STEPS:
        steps += 1
        residual_high, residual_low, _ = _balance(chain, high, low)
        correction = np.zeros(high.size)
        correction[keep] = solver(residual_high[keep] + residual_low[keep], REFINEMENT_TOLERANCE)
        high, low = extended.add_correction(high, low, correction)
        # Normwise (the small components' accuracy is what the bound measures): stop when the
        # step was tiny, or small and the iteration visibly contracts, so that the error left
        # is about CONTRACTION x this step.
        change = np.max(np.abs(correction)) / np.max(np.abs(high))
        if change <= REFINEMENT_TARGET or (
            change <= CONTRACTED_TARGET and change <= CONTRACTION * previous
        ):
            break
        previous = change
    return high, low, steps


def _balance(chain: ClassChain, high: np.ndarray, low: np.ndarray):
    return extended.balance(
        chain.sources, chain.targets, chain.rate, chain.rate_correction, high, low
    )


def _pinned_system(
    chain: ClassChain, pinned: int, keep: np.ndarray
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """A = -W on the unpinned states (double, CSR), its diagonal, and b = W[unpinned, pinned].

    The rows are filled by a counting sort of the moves on their targets (no COO triple is
    sorted). A move from a state to itself (a lumped pair's partner) is left out: it adds and
    removes the same flow.
    """
    reduced = (np.cumsum(keep) - 1).astype(chain.sources.dtype)
    indptr, indices, values, diagonal, right_side = _pinned_rows(
        chain.sources, chain.targets, chain.rate, keep, reduced, pinned
    )
    count = chain.size - 1
    matrix = sp.csr_matrix((values, indices, indptr), shape=(count, count))
    return matrix, diagonal, right_side


@numba.njit(cache=True)
def _pinned_rows(sources, targets, rate, keep, reduced, pinned):
    """CSR arrays of A (rows: targets) with the escape rates on the diagonal, first in each row."""
    size = keep.size
    count = size - 1
    escape = np.zeros(size)
    per_row = np.ones(count, dtype=np.int64)  # the diagonal
    right_side = np.zeros(count)
    for move in range(sources.size):
        source, target = sources[move], targets[move]
        if source == target:
            continue
        escape[source] += rate[move]
        if keep[target]:
            if keep[source]:
                per_row[reduced[target]] += 1
            else:
                right_side[reduced[target]] += rate[move]
    indptr = np.zeros(count + 1, dtype=sources.dtype)
    for row in range(count):
        indptr[row + 1] = indptr[row] + per_row[row]
    indices = np.empty(indptr[count], dtype=sources.dtype)
    values = np.empty(indptr[count])
    fill = indptr[:count].copy()
    diagonal = np.empty(count)
    for state in range(size):
        if keep[state]:
            row = reduced[state]
            indices[fill[row]] = row
            values[fill[row]] = escape[state]
            diagonal[row] = escape[state]
            fill[row] += 1
    for move in range(sources.size):
        source, target = sources[move], targets[move]
        if source != target and keep[target] and keep[source]:
            row = reduced[target]
            indices[fill[row]] = reduced[source]
            values[fill[row]] = -rate[move]
            fill[row] += 1
    return indptr, indices, values, diagonal, right_side


class _ApproximateSolver:
    """v -> ~A^{-1} v in double: Krylov or sparse LU, switching to LU once when Krylov fails."""

    def __init__(
        self,
        matrix: sp.csr_matrix,
        diagonal: np.ndarray,
        method: str,
        coarse: CoarseSpace | None = None,
    ) -> None:
        self.matrix = matrix
        self.method = method
        self._solve = (
            _krylov_solver(matrix, diagonal, coarse) if method == ITERATIVE else splu_solver(matrix)
        )

    def __call__(self, right_side: np.ndarray, tolerance: float = KRYLOV_TOLERANCE) -> np.ndarray:
        """~A^{-1} v; ``tolerance`` is the relative residual asked of a Krylov solve."""
        try:
            return self._solve(right_side, tolerance)
        except UndeterminedError:
            if not self.use_direct():
                raise
        return self._solve(right_side, tolerance)

    def use_direct(self) -> bool:
        """Switch to sparse LU when the size allows it; whether the solver is now LU."""
        if self.method == DIRECT:
            return True
        if self.matrix.shape[0] + 1 > DIRECT_FALLBACK_LIMIT:
            return False
        self.method = DIRECT
        self._solve = splu_solver(self.matrix)
        return True


def splu_solver(matrix: sp.spmatrix) -> Callable[[np.ndarray, float], np.ndarray]:
    """Sparse LU (SuperLU, COLAMD ordering) of ``matrix``: its solve function."""
    matrix = sp.csc_matrix(matrix)
    matrix.sum_duplicates()
    factor = spla.splu(matrix)
    return lambda right_side, tolerance: factor.solve(right_side)


def _krylov_solver(
    matrix: sp.csr_matrix, diagonal: np.ndarray, coarse: CoarseSpace | None = None
) -> Callable[[np.ndarray, float], np.ndarray]:
    """BiCGSTAB preconditioned by the diagonal and ``coarse``; then Jacobi alone; then GMRES.

    Incomplete LU costs far more than it saves here (its factors fill like the full LU); the
    diagonal (escape rates) with the energy aggregates' coarse level
    (:mod:`exactspin.classical.aggregation`) is cheap and removes the slow modes. When that
    BiCGSTAB fails, the Jacobi-only one (the solver before the coarse level existed) and then
    GMRES are tried, so the coarse level can only add solves that succeed.
    BiCGSTAB is :func:`exactspin.classical.krylov.bicgstab` (scipy's algorithm, fused passes).
    """
    inverse_diagonal = 1.0 / diagonal
    preconditioner = spla.LinearOperator(
        matrix.shape, lambda vector: inverse_diagonal * vector, dtype=float
    )
    operator = sp.csr_matrix(matrix)

    def solve(right_side: np.ndarray, tolerance: float) -> np.ndarray:
        scale = float(np.max(np.abs(right_side)))
        if scale == 0:
            return np.zeros_like(right_side)
        # Refinement residuals are ~1e-30; the breakdown tests are absolute, so the
        # system is solved for a unit right-hand side and scaled back (it is linear).
        return scale * _unit_solve(right_side / scale, tolerance)

    def _unit_solve(right_side: np.ndarray, tolerance: float) -> np.ndarray:
        solution, info = krylov.bicgstab(
            operator, inverse_diagonal, right_side, tolerance, KRYLOV_ITERATIONS, coarse
        )
        if info != 0 and coarse is not None:
            solution, info = krylov.bicgstab(
                operator, inverse_diagonal, right_side, tolerance, KRYLOV_ITERATIONS
            )
        if info != 0:
            solution, info = spla.gmres(
                operator,
                right_side,
                M=preconditioner,
                rtol=tolerance,
                atol=0.0,
                restart=100,
                maxiter=40,
            )
        if info != 0:
            raise UndeterminedError(
                f"the Krylov solve of the steady state did not converge (info = {info}): the "
                f"rates are too stiff (T << |J|) for an iterative solve of {operator.shape[0] + 1} "
                f"states (a class halved by the spin-flip symmetry), and sparse LU is limited to "
                f"{DIRECT_FALLBACK_LIMIT} such states"
            )
        return solution

    return solve


def _certified_inverse_times(
    chain: ClassChain,
    solver: _ApproximateSolver,
    positive: np.ndarray,
    keep: np.ndarray,
) -> np.ndarray:
    """An upper bound on A^{-1} g, g = ``positive[keep]`` > 0, certified by its residual.

    A^{-1} >= 0, so with s = g - A y and |s| <= theta g, A^{-1} g = y + A^{-1} s <= y + theta
    A^{-1} g, i.e. A^{-1} g <= y / (1 - theta). Returns infinity where theta cannot be brought
    below :data:`CERTIFICATION_LIMIT`.
    """
    target = positive[keep]
    size = keep.size
    high = np.zeros(size)
    low = np.zeros(size)
    shortfall = target
    for _attempt in range(CERTIFICATION_ATTEMPTS):
        correction = np.zeros(size)
        # A correction of y only needs theta below 1/2: the same modest tolerance each time.
        correction[keep] = solver(shortfall, BOUND_TOLERANCE)
        high, low = extended.add_correction(high, low, correction)
        balance_high, balance_low, magnitude = _balance(chain, high, low)
        # W y on the unpinned states is -A y (y is 0 at the pinned state), so s = g + W y.
        shortfall = target + balance_high[keep] + balance_low[keep]
        rounding = DOUBLE_DOUBLE_ROUNDOFF * magnitude[keep]
        theta = float(np.max((np.abs(shortfall) + rounding) / target))
        if theta <= CERTIFICATION_LIMIT:
            return np.maximum(high[keep], 0.0) / (1.0 - theta)
    return np.full(target.size, np.inf)
