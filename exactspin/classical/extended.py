"""Double-double arithmetic for the steady-state residual and the current sums (numba kernels).

A value is a pair (hi, lo) of doubles with hi + lo its value to ~2^-104 relative (Dekker 1971;
Knuth's TwoSum, Dekker's TwoProduct by splitting). Two jobs need it and nothing else here:

- the balance W P of a chain at a steady-state iterate, sum over moves of +-rate x P, whose terms
  cancel to many digits at low temperature (stiff chains): computed in double it is round-off;
- the current functionals sum_eta dE(eta) r(eta) P(eta), differences of large opposite flows,
  summed in double-double (Ogita-Rump-Oishi's Dot2 idea carried one product further).

Kernels only; the solver decides what to do with the numbers.
"""

from __future__ import annotations

import numba
import numpy as np

_SPLITTER = 134217729.0  # 2^27 + 1 (Dekker's split of a double into two 26-bit halves)


@numba.njit(cache=True, inline="always")
def _two_sum(a, b):
    total = a + b
    virtual = total - a
    return total, (a - (total - virtual)) + (b - virtual)


@numba.njit(cache=True, inline="always")
def _fast_two_sum(a, b):
    total = a + b
    return total, b - (total - a)


@numba.njit(cache=True, inline="always")
def _split(a):
    scaled = _SPLITTER * a
    high = scaled - (scaled - a)
    return high, a - high


@numba.njit(cache=True, inline="always")
def _two_product(a, b):
    product = a * b
    a_high, a_low = _split(a)
    b_high, b_low = _split(b)
    error = ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
    return product, error


@numba.njit(cache=True, inline="always")
def _multiply(a_high, a_low, b_high, b_low):
    product, error = _two_product(a_high, b_high)
    error += a_high * b_low + a_low * b_high
    return _fast_two_sum(product, error)


@numba.njit(cache=True, inline="always")
def _add(a_high, a_low, b_high, b_low):
    total, error = _two_sum(a_high, b_high)
    error += a_low + b_low
    return _fast_two_sum(total, error)


@numba.njit(cache=True)
def balance(sources, targets, rate_high, rate_low, value_high, value_low):
    """(W x)_i = inflow - outflow of every state, in double-double.

    Parameters
    ----------
    sources, targets : int64 arrays
        Move m goes from state sources[m] to state targets[m] (no self-moves).
    rate_high, rate_low : float64 arrays
        The rate of move m as a double-double.
    value_high, value_low : float64 arrays
        x as a double-double, one entry per state.

    Returns
    -------
    high, low : numpy.ndarray
        W x as a double-double. The diagonal of W is never formed: each move's flow leaves its
        source and enters its target, so every state's escape rate is exactly the sum of its
        rates (Grassmann-Taksar-Heyman's point: no cancellation hidden in a stored diagonal).
    magnitude : numpy.ndarray
        sum of |flow| in and out of every state: the scale of the rounding of ``high + low``.
    """
    count = value_high.size
    high = np.zeros(count)
    low = np.zeros(count)
    magnitude = np.zeros(count)
    for move in range(sources.size):
        source, target = sources[move], targets[move]
        flow_high, flow_low = _multiply(
            rate_high[move], rate_low[move], value_high[source], value_low[source]
        )
        high[target], low[target] = _add(high[target], low[target], flow_high, flow_low)
        high[source], low[source] = _add(high[source], low[source], -flow_high, -flow_low)
        magnitude[target] += abs(flow_high)
        magnitude[source] += abs(flow_high)
    return high, low, magnitude


@numba.njit(cache=True)
def add_correction(value_high, value_low, correction):
    """x + d as a double-double, for x a double-double and d a double (refinement step)."""
    high = np.empty_like(value_high)
    low = np.empty_like(value_low)
    for index in range(value_high.size):
        high[index], low[index] = _add(value_high[index], value_low[index], correction[index], 0.0)
    return high, low


@numba.njit(cache=True)
def compensated_dot(first, second_high, second_low):
    """sum_i first_i (second_high_i + second_low_i) with Dot2 (result as a double-double)."""
    total_high, total_low = 0.0, 0.0
    for index in range(first.size):
        product, error = _two_product(first[index], second_high[index])
        error += first[index] * second_low[index]
        total_high, total_low = _add(total_high, total_low, product, error)
    return total_high, total_low


@numba.njit(cache=True)
def compensated_sum(high, low):
    """sum_i (high_i + low_i) as a double-double."""
    total_high, total_low = 0.0, 0.0
    for index in range(high.size):
        total_high, total_low = _add(total_high, total_low, high[index], low[index])
    return total_high, total_low


@numba.njit(cache=True)
def compensated_flow_sum(energy, rate_high, rate_low, law_high, law_low):
    """sum_i energy_i (rate_high_i + rate_low_i)(law_high_i + law_low_i) in double-double.

    The energy is a double taken as exact; each product and the sum are carried in
    double-double, so the result's rounding is ~2^-100 x sum |terms|.
    """
    total_high, total_low = 0.0, 0.0
    for index in range(energy.size):
        flow_high, flow_low = _multiply(
            rate_high[index], rate_low[index], law_high[index], law_low[index]
        )
        term_high, term_low = _multiply(energy[index], 0.0, flow_high, flow_low)
        total_high, total_low = _add(total_high, total_low, term_high, term_low)
    return total_high, total_low


@numba.njit(cache=True)
def divide(high, low, divisor_high, divisor_low):
    """(high + low) / (divisor_high + divisor_low) elementwise, as a double-double."""
    quotient_high = np.empty_like(high)
    quotient_low = np.empty_like(high)
    for index in range(high.size):
        first = high[index] / divisor_high
        product_high, product_low = _multiply(first, 0.0, divisor_high, divisor_low)
        remainder_high, remainder_low = _add(high[index], low[index], -product_high, -product_low)
        second = (remainder_high + remainder_low) / divisor_high
        quotient_high[index], quotient_low[index] = _fast_two_sum(first, second)
    return quotient_high, quotient_low
