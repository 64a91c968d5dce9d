"""Error bars and equilibration checks for replicated Monte Carlo chains (batch means).

Every replica's measurement is cut into ``B`` consecutive batches of (almost) equal length; the
batch averages of a quantity are treated as independent samples, which holds when a batch is much
longer than the autocorrelation time. The lag-one correlation of successive batch averages is
reported so that this can be checked. Nothing here knows the physics: quantities are columns.
"""

from __future__ import annotations

import numpy as np

#: |z| above which the first and second halves of a run are declared different (not equilibrated).
DRIFT_THRESHOLD = 4.0
#: Events a Poisson process with this many expected events fails to show with probability 5%:
#: no events in n steps bounds the rate by 3 / n at 95% confidence (the rule of three).
NO_EVENT_BOUND_EVENTS = 3.0


def standard_error(
    replica_means: np.ndarray,
    batch_variances: np.ndarray,
    batches: int,
    between_replicas: bool,
) -> np.ndarray:
    """Standard error of the grand mean of R replicas x B batches, per quantity.

    Parameters
    ----------
    replica_means : (R, Q) array
        Mean of the batch averages of each replica.
    batch_variances : (R, Q) array
        Sample variance (ddof = 1) of the batch averages within each replica.
    batches : int
        B, batches per replica (>= 2).
    between_replicas : bool
        Add the spread between replicas beyond what the batches explain. Needed when the chain is
        not ergodic (CCA: each replica stays in the closed class it started in, and classes may
        carry different currents). The extra variance is estimated by moments,
        max(0, var(replica means) - mean(batch variance) / B), and is zero on average for an
        ergodic chain.

    Returns
    -------
    (Q,) array
    """
    replica_count = replica_means.shape[0]
    within = batch_variances.mean(axis=0)
    variance = within / (replica_count * batches)
    if between_replicas and replica_count > 1:
        excess = replica_means.var(axis=0, ddof=1) - within / batches
        variance = variance + np.maximum(excess, 0.0) / replica_count
    return np.sqrt(variance)


def batch_standard_error(batch_values: np.ndarray, between_replicas: bool) -> np.ndarray:
    """:func:`standard_error` from the batch averages themselves, shape (R, B, Q)."""
    return standard_error(
        batch_values.mean(axis=1),
        batch_values.var(axis=1, ddof=1),
        batch_values.shape[1],
        between_replicas,
    )


def drift_z(batch_values: np.ndarray, between_replicas: bool) -> np.ndarray:
    """z-score of (second half - first half) of every replica's batches, per quantity.

    A burn-in that was long enough leaves both halves with the same mean, so |z| is of order 1;
    a trend left over from the initial state shows up as a large |z|. Needs >= 4 batches.
    """
    half = batch_values.shape[1] // 2
    first, second = batch_values[:, :half], batch_values[:, -half:]
    difference = second.mean(axis=(0, 1)) - first.mean(axis=(0, 1))
    error = np.hypot(
        batch_standard_error(first, between_replicas),
        batch_standard_error(second, between_replicas),
    )
    return _z_score(difference, error)


def mean_z(batch_values: np.ndarray, between_replicas: bool) -> np.ndarray:
    """z-score of the grand mean against zero, per quantity, for batch averages (R, B, Q)."""
    mean = batch_values.mean(axis=(0, 1))
    error = batch_standard_error(batch_values, between_replicas)
    return _z_score(mean, error)


def _z_score(value: np.ndarray, error: np.ndarray) -> np.ndarray:
    """value / error; where the error is zero, 0 for a zero value and +-inf otherwise."""
    z = np.divide(value, error, out=np.zeros_like(value), where=error > 0)
    return np.where((error == 0) & (value != 0), np.copysign(np.inf, value), z)


def lag_one_correlation(batch_values: np.ndarray) -> np.ndarray:
    """Correlation of successive batch averages, averaged over replicas, per quantity.

    Near zero (within about 2 / sqrt(R B)) when batches are long enough for batch means to be
    trusted; clearly positive values mean the error bars are too small. Zero-variance quantities
    give 0.
    """
    centred = batch_values - batch_values.mean(axis=1, keepdims=True)
    numerator = (centred[:, 1:] * centred[:, :-1]).sum(axis=(0, 1))
    denominator = (centred**2).sum(axis=(0, 1))
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def linear_combination_standard_error(
    batch_values: np.ndarray, weights: np.ndarray, between_replicas: bool
) -> float:
    """Standard error of ``weights . mean`` from batch averages (R, B, Q).

    Applied to the gradient of a smooth function of the means, this is the delta method: the
    batches carry the covariance between quantities (e.g. I_U and I_L of the same run).
    """
    combined = batch_values @ np.asarray(weights, dtype=float)
    return float(batch_standard_error(combined[:, :, None], between_replicas)[0])
