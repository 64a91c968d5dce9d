"""The Lamb shift: the principal-value part of the one-sided bath transform (dropped by Eq. 26).

Eq. 26 keeps only the real part of the one-sided Fourier transform of the bath correlation
function. With Gamma(D) = int_0^inf C(t) e^{-i D t} dt for an absorbed energy D and the paper's
normalisation gamma W(D) = Re Gamma(D) (Eq. 28), the Sokhotski-Plemelj formula gives

    Gamma(D) = gamma [W(D) + i Delta(D)],   Delta(D) = (1/pi) P int W(x) / (x - D) dx,

the integral running over the whole real line with the two-sided W(x) = x e^{-|x|/Omega_c} /
(e^{x/T} - 1) (continuous, W(0) = T). Delta is evaluated as the regular integral
(1/pi) int_0^inf [W(D + u) - W(D - u)] / u du, split at u = |D| where W has its kink, with scipy's
adaptive quadrature to :data:`LAMB_SHIFT_ACCURACY` (absolute, in units of max(T, Omega_c)); a
quadrature whose own error estimate exceeds that accuracy raises instead of returning.

This module computes numbers; building generators with them is
:mod:`exactspin.quantum.equations`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.integrate

from exactspin.quantum.bath import bath_rate
from exactspin.validation import UnresolvedError


class LambShiftUnresolvedError(UnresolvedError, RuntimeError):
    """The quadrature's own error estimate of a Lamb shift exceeds the stated accuracy.

    An :class:`~exactspin.validation.UnresolvedError` (one line, exit status 2 on the command
    line); also a RuntimeError for callers that caught the earlier type.
    """


#: Stated absolute accuracy of Delta(D), relative to max(T, Omega_c).
LAMB_SHIFT_ACCURACY = 1e-10


def two_sided_rate(frequency: float, temperature: float, cutoff: float) -> float:
    """W(x) = x e^{-|x|/Omega_c} / (e^{x/T} - 1) for any real x, W(0) = T (Eq. 28's closed form)."""
    if frequency == 0.0:
        return temperature
    scaled = frequency / temperature
    if scaled > 700.0:
        return 0.0
    return frequency * math.exp(-abs(frequency) / cutoff) / math.expm1(scaled)


def lamb_shift(energy_difference: float, temperature: float, cutoff: float) -> float:
    """Delta(D) = (1/pi) P int W(x)/(x - D) dx for one absorbed energy D.

    Parameters
    ----------
    energy_difference : float
        D = E_i - E_j (energy absorbed by the system going from j to i).
    temperature, cutoff : float
        T and Omega_c, positive.

    Returns
    -------
    float
        Delta(D), to :data:`LAMB_SHIFT_ACCURACY` x max(T, Omega_c).

    Raises
    ------
    LambShiftUnresolvedError
        When the quadrature's error estimate exceeds the stated accuracy (scipy's own
        IntegrationWarning is silenced: that estimate is what is judged).
    """
    scale = max(temperature, cutoff)
    accuracy = LAMB_SHIFT_ACCURACY * scale
    d = float(energy_difference)

    def integrand(u: float) -> float:
        return (
            two_sided_rate(d + u, temperature, cutoff) - two_sided_rate(d - u, temperature, cutoff)
        ) / u

    pieces = [(0.0, abs(d)), (abs(d), abs(d) + 40.0 * scale), (abs(d) + 40.0 * scale, np.inf)]
    total = 0.0
    error = 0.0
    for start, stop in pieces:
        if stop <= start:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy.integrate.IntegrationWarning)
            value, estimate = scipy.integrate.quad(
                integrand, start, stop, epsabs=accuracy / 10, epsrel=0.0, limit=400
            )
        total += value
        error += estimate
    if error > accuracy:
        raise LambShiftUnresolvedError(
            f"Lamb shift undetermined at D = {d:.6g} (T = {temperature:g}, omega_c = {cutoff:g}): "
            f"quadrature error estimate {error:.2e} exceeds the stated accuracy {accuracy:.2e}; "
            "the principal-value integral is not resolved at this cutoff (try a smaller --omega-c)"
        )
    return total / math.pi


def lamb_shift_matrix(
    energy_difference: np.ndarray, temperature: float, cutoff: float, tolerance: float
) -> np.ndarray:
    """Delta(D) elementwise; differences within ``tolerance`` of each other share one value and
    |D| <= ``tolerance`` is evaluated at D = 0 exactly (the degeneracy rule of Eq. 28)."""
    difference = np.asarray(energy_difference, dtype=float)
    rounded = np.where(np.abs(difference) <= tolerance, 0.0, difference)
    flat = rounded.ravel()
    order = np.argsort(flat)
    values = np.empty_like(flat)
    last_key = None
    last_value = 0.0
    for index in order:
        key = flat[index]
        if last_key is None or key - last_key > tolerance:
            last_key = key
            last_value = lamb_shift(key, temperature, cutoff)
        values[index] = last_value
    return values.reshape(difference.shape)


def complex_bath_rate(
    energy_difference: np.ndarray,
    temperature: float,
    cutoff: float,
    zero_frequency: str,
    tolerance: float,
) -> np.ndarray:
    """W(D) + i Delta(D): Gamma(D)/gamma, with the real part exactly Eq. 28 (including the
    chosen zero-frequency value) and the imaginary part the Lamb shift."""
    real = bath_rate(energy_difference, temperature, cutoff, zero_frequency, tolerance)
    return real + 1j * lamb_shift_matrix(energy_difference, temperature, cutoff, tolerance)
