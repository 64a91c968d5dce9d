"""Error bars and equilibration checks for replicated Monte Carlo chains (batch means).

Every replica's measurement is cut into ``B`` consecutive batches of (almost) equal length; the
batch averages of a quantity are treated as independent samples, which holds when a batch is much
longer than the autocorrelation time. On a short run it is not: successive batch averages are then
positively correlated and the batch variance understates the error. :func:`merged_standard_error`
tests the lag-one correlation of successive batch averages and merges batches in pairs until it
is consistent with zero (the batch-means rule of Flyvbjerg and Petersen, J. Chem. Phys. 91, 461
(1989), with a stopping test instead of a plateau read by eye); when the correlation persists down
to too few batches, the error is undetermined rather than small. Nothing here knows the physics:
quantities are columns.
"""

from __future__ import annotations

import numpy as np

#: |z| above which the first and second halves of a run are declared different (not equilibrated).
DRIFT_THRESHOLD = 4.0
#: Events a Poisson process with this many expected events fails to show with probability 5%:
#: no events in n steps bounds the rate by 3 / n at 95% confidence (the rule of three).
NO_EVENT_BOUND_EVENTS = 3.0
#: Batches are merged while the lag-one correlation of successive batch averages exceeds its
#: expectation for independent batches, -1 / B, by more than this many of its standard deviation
#: 1 / sqrt(R B) (one-sided; 2.3% of independent batches are merged once without need, which
#: only costs degrees of freedom).
CORRELATION_Z = 2.0
#: Fewest degrees of freedom R (B - 1) a merge may leave: below it the batch variance is itself
#: too noisy (z-scores follow Student's t; 16 degrees of freedom inflate their spread by 7%).
MIN_DEGREES_OF_FREEDOM = 16


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


def energy_change_z(batch_energies: np.ndarray) -> float:
    """z-score of the energy a bounded system gained over the whole window, (R, B) batches.

    ``batch_energies[r, b]`` is the energy that flowed into replica r's system during batch b.
    The sum over batches is the change of the system's energy between the window's start and
    end, E_end - E_start: the batch terms telescope, so in a steady state that sum fluctuates
    like one batch's change, not like B independent ones (which is what :func:`mean_z` assumes,
    and why a start-up energy dump concentrated in the first batch gives it |z| ~ 1). The spread
    of one batch's change is estimated from the batches after the first (their second moment
    about zero, the steady-state mean), so a transient in the first batch cannot hide in its
    own error. Longer batches than the energy's correlation time are assumed, as batch means
    assume. 0 with fewer than 2 batches.
    """
    energies = np.asarray(batch_energies, dtype=float)
    replicas, batches = energies.shape
    if batches < 2:
        return 0.0
    total = energies.sum(axis=1).mean()
    spread = np.sqrt(np.mean(energies[:, 1:] ** 2))
    error = spread / np.sqrt(replicas)
    return float(_z_score(np.array([total]), np.array([error]))[0])


def transient_reason(system: str, z: float, threshold: float) -> str:
    """Why a window with energy-change z-score ``z`` (:func:`energy_change_z`, ``|z|`` >=
    ``threshold``) is not stationary, in words; ``system`` is "ring" or "network".

    An infinite z means the energy changed while no batch after the first changed it at all:
    no spread to measure the change in, so the sentence says that instead of a multiple."""
    if np.isfinite(z):
        size = f"by {abs(z):.1f} times one batch's spread (>= {threshold:g})"
    else:
        size = "while no batch after the first changed it at all"
    return (
        f"the {system}'s energy changed over the window {size}: a start-up transient is still "
        "in the measurement"
    )


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
    batch_values: np.ndarray,
    weights: np.ndarray,
    lengths: np.ndarray,
    between_replicas: bool,
    closed_classes: bool = False,
    one_class_per_unit: bool = False,
) -> tuple[float, bool]:
    """(standard error, determined) of ``weights . mean`` from batch averages (R, B, Q) and
    batch lengths (R, B).

    Applied to the gradient of a smooth function of the means, this is the delta method: the
    batches carry the covariance between quantities (e.g. I_U and I_L of the same run). The
    combination's batch averages are merged as any quantity's are
    (:func:`merged_standard_error`): they are as correlated in time as the currents they
    combine, and an error not determined there is not determined here.
    """
    combined = np.asarray(batch_values, dtype=float) @ np.asarray(weights, dtype=float)
    errors, determined = merged_standard_error(
        combined[:, :, None], lengths, between_replicas, closed_classes, one_class_per_unit
    )
    return float(errors[0]), bool(determined[0])


def error_degrees_of_freedom(
    units: int, batches: int, closed_classes: bool, one_class_per_unit: bool = False
) -> int:
    """Degrees of freedom behind a batch-means error of ``units`` x ``batches`` batch averages.

    R (B - 1) for the batch variance; with ``closed_classes`` at most R - 1, the spread between
    units, which is all that estimates the spread between the classes the units started in (a
    unit's batches all sit in the classes it started in). With fewer than
    :data:`MIN_DEGREES_OF_FREEDOM` a z-score follows Student's t with heavy tails (a |z| > 3 has
    probability 5.8% with 3 degrees of freedom, 0.85% with 16, 0.27% for the normal), so the
    error is not known to be right. With ``one_class_per_unit`` too (single chains) none: each
    unit sees one class, so a class no unit visited is missing from the estimate and from the
    spread alike, however many units there are.
    """
    if closed_classes and one_class_per_unit:
        return 0
    within = units * (batches - 1)
    return min(within, units - 1) if closed_classes else within


def merge_batch_pairs(
    batch_values: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Batches 2k and 2k + 1 merged into one (length-weighted averages), shape (R, B // 2, Q).

    With an odd B the oldest batch is left out (as :meth:`BatchLog.merge_pairs` does).
    """
    start = batch_values.shape[1] % 2
    values = batch_values[:, start:]
    weights = np.asarray(lengths, dtype=float)[:, start:]
    first, second = weights[:, 0::2], weights[:, 1::2]
    merged = values[:, 0::2] * first[:, :, None] + values[:, 1::2] * second[:, :, None]
    total = first + second
    return merged / total[:, :, None], total


def merged_standard_error(
    batch_values: np.ndarray,
    lengths: np.ndarray,
    between_replicas: bool,
    closed_classes: bool = False,
    one_class_per_unit: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(standard error, determined) per quantity from batch averages (R, B, Q) and lengths (R, B).

    A quantity's error is taken at the first level of pairwise merging where the lag-one
    correlation of its batch averages is within :data:`CORRELATION_Z` of what independent
    batches give. Positively correlated batches understate the error; negatively correlated ones
    (the ring's bounded energy makes a batch that drew much heat draw less in the next) overstate
    it, and merging brings both toward independence. When the correlation is still positive and
    a further merge would leave fewer than :data:`MIN_DEGREES_OF_FREEDOM`, the error is
    undetermined (``determined`` False) and the largest error over the levels tried is returned,
    a lower bound at best; still negative, the last (conservative) error stands. A merge that
    leaves every batch average equal keeps the error of the level before it.

    An error is determined only with at least :data:`MIN_DEGREES_OF_FREEDOM` behind it: the
    batch variance at the level taken has R (B - 1), and with ``closed_classes`` (a chain that
    stays in the closed class it started in, e.g. CCA) the spread between classes has only the
    R - 1 of the spread between units, however long the batches (see
    :func:`error_degrees_of_freedom`; none with ``one_class_per_unit``). Fewer leave the error
    computed but undetermined.
    """
    values = np.asarray(batch_values, dtype=float)
    weights = np.asarray(lengths, dtype=float)
    quantities = values.shape[2]
    errors = np.zeros(quantities)
    determined = np.zeros(quantities, dtype=bool)
    pending = np.ones(quantities, dtype=bool)
    while True:
        replicas, batches = values.shape[:2]
        enough = (
            error_degrees_of_freedom(replicas, batches, closed_classes, one_class_per_unit)
            >= MIN_DEGREES_OF_FREEDOM
        )
        level = batch_standard_error(values, between_replicas)
        excess = lag_one_correlation(values) + 1.0 / batches
        allowed = CORRELATION_Z / np.sqrt(replicas * batches)
        # Merging that cancels every batch exactly (a flip and its reversal in one batch) has
        # not shown the error to be zero: the finer batches' error stands.
        collapsed = pending & (level == 0) & (errors > 0)
        determined |= collapsed & enough
        pending &= ~collapsed
        accept = pending & (np.abs(excess) <= allowed)
        errors[accept] = level[accept]
        determined[accept] = enough
        pending &= ~accept
        errors[pending] = np.maximum(errors[pending], level[pending])
        if not pending.any() or replicas * (batches // 2 - 1) < MIN_DEGREES_OF_FREEDOM:
            overstated = pending & (excess < 0)
            errors[overstated] = level[overstated]
            determined |= overstated & enough
            return errors, determined
        values, weights = merge_batch_pairs(values, weights)
