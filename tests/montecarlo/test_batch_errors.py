"""Batch-means errors stay honest on short runs: merged until independent, else undetermined.

Synthetic data first, whose answer is known without the code: an AR(1) sequence x_t = phi x_{t-1}
+ e_t started in its stationary distribution has mean zero, so (sample mean) / (error) should
have unit spread over seeds. Batches much shorter than its correlation time (1 + phi) / (1 - phi)
make the plain batch-means error too small; merging until the lag-one correlation of the batch
averages is consistent with zero restores it. Then the ring: a short run of the 14-site Q2R ring
whose right-bath error bars were too small before (z spread 2.65 over the same 40 seeds: a few
seeds saw none of the bath's largest energy quanta, so their batches showed small fluctuations
only) now either has a right error bar or says its error is undetermined.
"""

import numpy as np
import pytest
from ring_models import ring_model
from scipy.signal import lfilter

from exactspin.classical import solve
from exactspin.montecarlo import simulate
from exactspin.montecarlo.statistics import (
    batch_standard_error,
    merge_batch_pairs,
    merged_standard_error,
)

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


def _ar1_batches(phi, steps, chains, batches, seed):
    """Batch averages (chains, batches, 1) and the grand mean of stationary AR(1) chains."""
    generator = np.random.default_rng(seed)
    noise = generator.standard_normal((chains, steps))
    noise[:, 0] /= np.sqrt(1 - phi**2)  # the first value drawn from the stationary law
    series = lfilter([1.0], [1.0, -phi], noise, axis=1)
    values = series.reshape(chains, batches, steps // batches).mean(axis=2)[:, :, None]
    return values, series.mean()


def _ar1_z_scores(phi, steps, chains, batches, seeds=200):
    lengths = np.full((chains, batches), steps // batches)
    plain, merged, undetermined = [], [], 0
    for seed in range(seeds):
        values, mean = _ar1_batches(phi, steps, chains, batches, seed)
        plain.append(mean / batch_standard_error(values, False)[0])
        error, determined = merged_standard_error(values, lengths, False)
        if determined[0]:
            merged.append(mean / error[0])
        else:
            undetermined += 1
    return np.std(plain, ddof=1), np.std(merged, ddof=1), undetermined


def test_merging_restores_the_error_of_correlated_batches():
    # Correlation time 199 steps, batches of 100: the plain error is too small.
    plain, merged, undetermined = _ar1_z_scores(0.99, 2000, 4, 20)
    assert plain > 1.5
    assert 0.7 < merged < 1.4, merged
    assert undetermined <= 10


def test_independent_batches_are_left_alone():
    plain, merged, undetermined = _ar1_z_scores(0.0, 2000, 4, 20)
    assert 0.85 < plain < 1.2 and abs(merged - plain) < 0.05
    assert undetermined == 0


def test_a_correlation_that_survives_every_merge_is_undetermined():
    # Correlation time 2e4 steps against 2e3 measured: no batching can see it decorrelate.
    values, _ = _ar1_batches(0.9999, 2000, 2, 20, seed=1)
    error, determined = merged_standard_error(values, np.full((2, 20), 100), False)
    assert not determined[0]
    assert error[0] >= batch_standard_error(values, False)[0]


def test_merged_batches_average_by_length():
    values = np.array([[[1.0], [3.0], [5.0], [7.0], [9.0]]])
    lengths = np.array([[1, 1, 3, 2, 2]])
    merged, total = merge_batch_pairs(values, lengths)
    # The oldest batch of an odd count is left out, as BatchLog.merge_pairs drops it.
    assert np.allclose(merged[0, :, 0], [(3 + 15) / 4, 8.0]) and (total == [[4, 4]]).all()


def test_short_runs_give_unit_z_spread_or_say_undetermined():
    model = ring_model(6, 6, 2.0, 1.9, 2.0, 0.5)
    exact = solve(model)
    z = np.full((40, 4), np.nan)
    for seed in range(40):
        result = simulate(model, 2000, replicas=4, seed=seed, workers=1)
        for index, name in enumerate(CURRENTS):
            if result.status(name) != "undetermined":
                error = getattr(result, name + "_stderr")
                z[seed, index] = (getattr(result, name) - getattr(exact, name)) / error
    determined = np.isfinite(z).sum(axis=0)
    assert np.all(determined >= 30), determined
    spread = np.nanstd(z, axis=0, ddof=1)
    assert np.all((spread > 0.7) & (spread < 1.4)), spread


@pytest.mark.parametrize("replicas", [4, 64])
def test_an_undetermined_error_resolves_nothing(replicas):
    model = ring_model(6, 6, 2.0, 1.9, 2.0, 0.5)
    flagged = 0
    for seed in range(40):
        result = simulate(model, 2000, replicas=replicas, seed=seed, workers=1)
        flagged += len(result.undetermined_errors)
        for name in result.undetermined_errors:
            assert result.status(name) == "undetermined"
            assert result.to_dict()["current_status"][name] == "undetermined"
        if {"upper_branch_current", "lower_branch_current"} & set(result.undetermined_errors):
            assert result.circulation == "undetermined"
    assert flagged  # the check above ran
