"""Bath rates W(D) of the Redfield equation (Eqs. 27-30) for the ohmic bosonic baths.

Without the Lamb shift, W_ij = W(E_i - E_j) is real and W~_ji = W_ij (paper, below Eq. 27), with

    W(D) = J(D) N(D, T)            = D exp(-D/Omega_c) / (exp(D/T) - 1)   for D > 0,
    W(D) = J(|D|) (1 + N(|D|, T))  (the same closed form)                  for D < 0,

J(w) = w exp(-w/Omega_c) (Eq. 30) and N the Bose factor (Eq. 29). Eq. 28 is silent at D = 0
(diagonal terms and degenerate pairs), so that value is a named choice (docs/conventions.md):
``"limit"`` takes W(0) = lim_{D->0} W(D) = T, ``"zero"`` takes W(0) = 0. Whether |D| counts as
zero is decided with an explicit tolerance. The closed form is evaluated through ``expm1`` in the
log domain, so temperatures down to 0.01 J neither overflow nor lose digits.
"""

from __future__ import annotations

import numpy as np

ZERO_FREQUENCY_LIMIT = "limit"
ZERO_FREQUENCY_ZERO = "zero"
ZERO_FREQUENCY_OPTIONS = (ZERO_FREQUENCY_LIMIT, ZERO_FREQUENCY_ZERO)


def spectral_density(frequency: np.ndarray, cutoff: float) -> np.ndarray:
    """J(w) = w exp(-w/Omega_c) of Eq. 30 (for w >= 0)."""
    frequency = np.asarray(frequency, dtype=float)
    return frequency * np.exp(-frequency / cutoff)


def bath_rate(
    energy_difference: np.ndarray,
    temperature: float,
    cutoff: float,
    zero_frequency: str,
    tolerance: float,
) -> np.ndarray:
    """W(D) of Eq. 28 for D = E_i - E_j, elementwise.

    Parameters
    ----------
    energy_difference : array_like
        D = E_i - E_j (the absorbed energy when the system goes from j to i).
    temperature : float
        T of the bath (k_B = 1), positive.
    cutoff : float
        Omega_c of Eq. 30, positive.
    zero_frequency : {"limit", "zero"}
        W at |D| <= ``tolerance``: T (the D -> 0 limit) or 0.
    tolerance : float
        Non-negative; |D| <= tolerance counts as a degeneracy.

    Returns
    -------
    numpy.ndarray
        W(D), finite and non-negative; W(D)/W(-D) = exp(-D/T) (detailed balance).
    """
    if zero_frequency not in ZERO_FREQUENCY_OPTIONS:
        raise ValueError(f"zero_frequency must be one of {ZERO_FREQUENCY_OPTIONS}")
    difference = np.asarray(energy_difference, dtype=float)
    magnitude = np.abs(difference)
    degenerate = magnitude <= tolerance
    safe = np.where(degenerate, 1.0, magnitude)
    scaled = safe / temperature
    # |D| e^{-|D|/Omega_c} / (1 - e^{-|D|/T}) is J(1+N); absorption (D > 0) carries e^{-|D|/T} more.
    log_rate = np.log(safe) - safe / cutoff - np.log(-np.expm1(-scaled))
    log_rate = np.where(difference > 0, log_rate - scaled, log_rate)
    rate = np.exp(log_rate)
    zero_value = temperature if zero_frequency == ZERO_FREQUENCY_LIMIT else 0.0
    return np.where(degenerate, zero_value, rate)
