"""Jacobi-preconditioned BiCGSTAB for the pinned steady-state system, in fused numba passes.

The algorithm is scipy's ``bicgstab`` (van der Vorst 1992; Barrett et al., Templates for the
Solution of Linear Systems, 1994, Sec. 2.3.8) with the same breakdown tests, written so that
each iteration reads the vectors five times instead of a dozen: on a class of 2^19 states the
vector updates, not the two sparse products, were a third of the solve. The sparse product is
scipy's CSR kernel. It solves in double only; the caller refines and bounds the result.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp

#: scipy's breakdown thresholds on rho and omega (machine epsilon squared).
BREAKDOWN = np.finfo(float).eps ** 2

CONVERGED = 0
RHO_BREAKDOWN = -10
OMEGA_BREAKDOWN = -11


def bicgstab(
    matrix: sp.csr_matrix,
    inverse_diagonal: np.ndarray,
    right_side: np.ndarray,
    tolerance: float,
    max_iterations: int,
) -> tuple[np.ndarray, int]:
    """x with ||b - A x|| < tolerance ||b||, from x = 0, and an info code as scipy's.

    Returns ``(x, info)``: info 0 when converged, the iteration count when out of iterations,
    -10 or -11 on a breakdown of rho or omega.
    """
    size = right_side.size
    target = tolerance * float(np.linalg.norm(right_side))
    solution = np.zeros(size)
    residual = right_side.astype(float, copy=True)
    if float(np.linalg.norm(residual)) < target or target == 0:
        return solution, CONVERGED
    shadow = residual.copy()
    direction = np.zeros(size)
    image = np.zeros(size)
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
            residual, direction, image, beta, omega, inverse_diagonal, preconditioned_direction
        )
        image = matrix @ preconditioned_direction
        shadow_dot_image = float(np.dot(shadow, image))
        if shadow_dot_image == 0:
            return solution, OMEGA_BREAKDOWN
        alpha = rho / shadow_dot_image
        half_norm = _half_step(
            residual, image, alpha, inverse_diagonal, half_step, preconditioned_half_step
        )
        if half_norm < target:
            solution += alpha * preconditioned_direction
            return solution, CONVERGED
        correction_image = matrix @ preconditioned_half_step
        image_dot_step, image_norm_squared = _two_dots(correction_image, half_step)
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


@numba.njit(cache=True)
def _new_direction(residual, direction, image, beta, omega, inverse_diagonal, preconditioned):
    """p = r + beta (p - omega v) in place, and M^-1 p."""
    for index in range(residual.size):
        value = residual[index] + beta * (direction[index] - omega * image[index])
        direction[index] = value
        preconditioned[index] = inverse_diagonal[index] * value


@numba.njit(cache=True)
def _half_step(residual, image, alpha, inverse_diagonal, half_step, preconditioned):
    """s = r - alpha v and M^-1 s; returns ||s||."""
    total = 0.0
    for index in range(residual.size):
        value = residual[index] - alpha * image[index]
        half_step[index] = value
        preconditioned[index] = inverse_diagonal[index] * value
        total += value * value
    return np.sqrt(total)


@numba.njit(cache=True)
def _two_dots(image, half_step):
    """(t . s, t . t)."""
    cross, square = 0.0, 0.0
    for index in range(image.size):
        cross += image[index] * half_step[index]
        square += image[index] * image[index]
    return cross, square


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
