"""Preconditioned BiCGSTAB for the pinned steady-state system, in fused numba passes.

The algorithm is scipy's ``bicgstab`` (van der Vorst 1992; Barrett et al., Templates for the
Solution of Linear Systems, 1994, Sec. 2.3.8) with the same breakdown tests, written so that
each iteration reads the vectors five times instead of a dozen: on a class of 2^19 states the
vector updates, not the two sparse products, were a third of the solve. The sparse product is a
numba CSR kernel fused with the dot products that follow it (unsigned indices, so no negative
index test in the inner loop: ~20% faster than scipy's kernel here), run on :data:`ROW_BLOCKS`
fixed blocks of rows, in parallel threads when cores allow (the kernels release the GIL; the
partial dot products are summed in block order, so the result does not depend on the number of
threads). The products are 3/4 of an iteration's time. The preconditioner is the
diagonal (Jacobi), optionally with the additive coarse level of
:mod:`exactspin.classical.aggregation`, M^-1 v = D^-1 v + P A_c^-1 P^T v, whose P^T v is summed
in the same pass that forms v. It solves in double only; the caller refines and bounds the
result.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
import scipy.sparse as sp

from exactspin.classical.aggregation import CoarseSpace

#: scipy's breakdown thresholds on rho and omega (machine epsilon squared).
BREAKDOWN = np.finfo(float).eps ** 2

#: Fixed blocks of rows of each sparse product (threads: at most this many, see :func:`threads`).
ROW_BLOCKS = 2

#: Fewest rows for the product to be split over threads (below it a thread costs more).
PARALLEL_ROWS = 2**16

CONVERGED = 0
RHO_BREAKDOWN = -10
OMEGA_BREAKDOWN = -11


def bicgstab(
    matrix: sp.csr_matrix,
    inverse_diagonal: np.ndarray,
    right_side: np.ndarray,
    tolerance: float,
    max_iterations: int,
    coarse: CoarseSpace | None = None,
) -> tuple[np.ndarray, int]:
    """x with ||b - A x|| < tolerance ||b||, from x = 0, and an info code as scipy's.

    ``coarse`` adds the coarse level to the Jacobi preconditioner (None: Jacobi alone).
    Returns ``(x, info)``: info 0 when converged, the iteration count when out of iterations,
    -10 or -11 on a breakdown of rho or omega.
    """
    matrix = sp.csr_matrix(matrix)
    size = right_side.size
    target = tolerance * float(np.linalg.norm(right_side))
    solution = np.zeros(size)
    residual = right_side.astype(float, copy=True)
    if float(np.linalg.norm(residual)) < target or target == 0:
        return solution, CONVERGED
    workers = threads() if size >= PARALLEL_ROWS else 1
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return _bicgstab(
                matrix, inverse_diagonal, right_side, target, max_iterations, coarse, pool
            )
    return _bicgstab(matrix, inverse_diagonal, right_side, target, max_iterations, coarse, None)


def threads() -> int:
    """Threads for the sparse products: ROW_BLOCKS, capped by the cores this process may use
    and by $NUMBA_NUM_THREADS (numba's own setting of the parallelism it may use)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(ROW_BLOCKS, cores, int(numba.config.NUMBA_NUM_THREADS)))


def _bicgstab(matrix, inverse_diagonal, right_side, target, max_iterations, coarse, pool):
    """The iteration of :func:`bicgstab` once the trivial cases are out (``pool``: threads)."""
    product = _RowBlockProduct(matrix, pool)
    size = right_side.size
    solution = np.zeros(size)
    residual = right_side.astype(float, copy=True)
    if coarse is None:
        aggregates, coarse_right_side = np.zeros(0, dtype=np.int32), np.zeros(0)
    else:
        aggregates, coarse_right_side = coarse.aggregates, np.zeros(coarse.size)
    shadow = residual.copy()
    direction = np.zeros(size)
    image = np.zeros(size)
    correction_image = np.empty(size)
    preconditioned_direction = np.empty(size)
    half_step = np.empty(size)
    preconditioned_half_step = np.empty(size)
    rho_previous = alpha = omega = 1.0
    for iteration in range(max_iterations):
        rho = float(np.dot(shadow, residual))
        if abs(rho) < BREAKDOWN:
            return solution, RHO_BREAKDOWN
        if iteration > 0 and abs(omega) < BREAKDOWN:
            return solution, OMEGA_BREAKDOWN
        beta = 0.0 if iteration == 0 else (rho / rho_previous) * (alpha / omega)
        _new_direction(
            residual,
            direction,
            image,
            beta,
            omega,
            inverse_diagonal,
            preconditioned_direction,
            aggregates,
            coarse_right_side,
        )
        if coarse is not None:
            _add_coarse(preconditioned_direction, aggregates, coarse.solve(coarse_right_side))
        shadow_dot_image = product.dot(preconditioned_direction, image, shadow)
        if shadow_dot_image == 0:
            return solution, OMEGA_BREAKDOWN
        alpha = rho / shadow_dot_image
        half_norm = _half_step(
            residual,
            image,
            alpha,
            inverse_diagonal,
            half_step,
            preconditioned_half_step,
            aggregates,
            coarse_right_side,
        )
        if half_norm < target:
            solution += alpha * preconditioned_direction
            return solution, CONVERGED
        if coarse is not None:
            _add_coarse(preconditioned_half_step, aggregates, coarse.solve(coarse_right_side))
        image_dot_step, image_norm_squared = product.two_dots(
            preconditioned_half_step, correction_image, half_step
        )
        if image_norm_squared == 0:
            return solution, OMEGA_BREAKDOWN
        omega = image_dot_step / image_norm_squared
        residual_norm = _update(
            solution,
            residual,
            preconditioned_direction,
            preconditioned_half_step,
            half_step,
            correction_image,
            alpha,
            omega,
        )
        if residual_norm < target:
            return solution, CONVERGED
        rho_previous = rho
    return solution, max_iterations


class _RowBlockProduct:
    """y = A x on fixed blocks of rows, fused with the dots that follow, serial or threaded."""

    def __init__(self, matrix: sp.csr_matrix, pool: ThreadPoolExecutor | None) -> None:
        self.indptr = _unsigned(matrix.indptr)
        self.indices = _unsigned(matrix.indices)
        self.values = matrix.data
        # Fixed blocks (one below PARALLEL_ROWS, where a thread would not pay): the bits of the
        # result depend on the size only, never on the threads.
        blocks = ROW_BLOCKS if matrix.shape[0] >= PARALLEL_ROWS else 1
        edges = np.linspace(0, matrix.shape[0], blocks + 1).astype(np.int64)
        self.blocks = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
        self.pool = pool

    def _run(self, kernel, *arguments) -> list:
        common = (self.indptr, self.indices, self.values, *arguments)
        if self.pool is None:
            return [kernel(*common, start, stop) for start, stop in self.blocks]
        futures = [self.pool.submit(kernel, *common, start, stop) for start, stop in self.blocks]
        return [future.result() for future in futures]

    def dot(self, vector, product, other) -> float:
        """product = A vector; returns other . product."""
        total = 0.0
        for part in self._run(_product_dot, vector, product, other):
            total += part
        return total

    def two_dots(self, vector, product, other) -> tuple[float, float]:
        """product = A vector; returns (product . other, product . product)."""
        cross, square = 0.0, 0.0
        for part_cross, part_square in self._run(_product_two_dots, vector, product, other):
            cross += part_cross
            square += part_square
        return cross, square


def _unsigned(index: np.ndarray) -> np.ndarray:
    """The same nonnegative indices as unsigned integers (a view, no copy)."""
    return index.view(np.uint32 if index.dtype.itemsize == 4 else np.uint64)


@numba.njit(cache=True, nogil=True)
def _product_dot(indptr, indices, values, vector, product, other, start, stop):
    """product = A vector (CSR) in place on rows start..stop-1; returns other . product there."""
    total = 0.0
    for row in range(start, stop):
        value = 0.0
        for position in range(indptr[row], indptr[row + 1]):
            value += values[position] * vector[indices[position]]
        product[row] = value
        total += other[row] * value
    return total


@numba.njit(cache=True, nogil=True)
def _product_two_dots(indptr, indices, values, vector, product, other, start, stop):
    """product = A vector (CSR) in place on rows start..stop-1; returns (product . other,
    product . product) there."""
    cross, square = 0.0, 0.0
    for row in range(start, stop):
        value = 0.0
        for position in range(indptr[row], indptr[row + 1]):
            value += values[position] * vector[indices[position]]
        product[row] = value
        cross += value * other[row]
        square += value * value
    return cross, square


@numba.njit(cache=True)
def _new_direction(
    residual,
    direction,
    image,
    beta,
    omega,
    inverse_diagonal,
    preconditioned,
    aggregates,
    coarse_right_side,
):
    """p = r + beta (p - omega v) in place, D^-1 p, and P^T p when there is a coarse level."""
    coarse = aggregates.size > 0
    if coarse:
        coarse_right_side[:] = 0.0
    for index in range(residual.size):
        value = residual[index] + beta * (direction[index] - omega * image[index])
        direction[index] = value
        preconditioned[index] = inverse_diagonal[index] * value
        if coarse:
            coarse_right_side[aggregates[index]] += value


@numba.njit(cache=True)
def _half_step(
    residual,
    image,
    alpha,
    inverse_diagonal,
    half_step,
    preconditioned,
    aggregates,
    coarse_right_side,
):
    """s = r - alpha v, D^-1 s and P^T s (with a coarse level); returns ||s||."""
    coarse = aggregates.size > 0
    if coarse:
        coarse_right_side[:] = 0.0
    total = 0.0
    for index in range(residual.size):
        value = residual[index] - alpha * image[index]
        half_step[index] = value
        preconditioned[index] = inverse_diagonal[index] * value
        total += value * value
        if coarse:
            coarse_right_side[aggregates[index]] += value
    return np.sqrt(total)


@numba.njit(cache=True)
def _add_coarse(preconditioned, aggregates, coarse_solution):
    """D^-1 v + P y in place (y = A_c^-1 P^T v)."""
    for index in range(preconditioned.size):
        preconditioned[index] += coarse_solution[aggregates[index]]


@numba.njit(cache=True)
def _update(
    solution,
    residual,
    preconditioned_direction,
    preconditioned_half_step,
    half_step,
    correction_image,
    alpha,
    omega,
):
    """x += alpha M^-1 p + omega M^-1 s and r = s - omega t in place; returns ||r||."""
    total = 0.0
    for index in range(solution.size):
        solution[index] += (
            alpha * preconditioned_direction[index] + omega * preconditioned_half_step[index]
        )
        value = half_step[index] - omega * correction_image[index]
        residual[index] = value
        total += value * value
    return np.sqrt(total)
