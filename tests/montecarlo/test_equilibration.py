"""The burn-in is checked, not guessed.

A 202-spin ring started from a random (infinite-temperature) configuration keeps cooling for
thousands of sweeps against the T_R = 0.1 bath: the net energy flowing into it, I_L + I_R, is then
many standard errors below zero, and the run must say it is not stationary. After a long burn-in
the same ring balances its energy (Eq. 6) and the run must say it is.
"""

import numpy as np
import pytest

from exactspin.montecarlo import simulate
from exactspin.montecarlo.statistics import DRIFT_THRESHOLD, mean_z
from ring_models import ring_model

RING = ring_model(100, 100, 2.0, 1.9, 2.0, 0.1)
SWEEP = RING.sites


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_ring_still_cooling_from_its_start_is_flagged(seed):
    result = simulate(RING, 2000 * SWEEP, burn_in=0, seed=seed)
    assert result.energy_balance_z < -DRIFT_THRESHOLD
    assert not result.equilibrated


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_after_a_long_burn_in_the_ring_balances_its_energy(seed):
    result = simulate(RING, 2000 * SWEEP, burn_in=20_000 * SWEEP, seed=seed)
    assert abs(result.energy_balance_z) < DRIFT_THRESHOLD
    assert result.equilibrated


def test_mean_z_is_a_standard_normal_for_zero_mean_batches():
    """Over 400 synthetic runs of 2 x 32 independent unit-normal batches, z has mean ~ 0 and
    standard deviation ~ 1; shifting every batch by 5 standard errors moves z by ~ 5."""
    generator = np.random.default_rng(11)
    batches = generator.standard_normal((400, 2, 32, 1))
    z = np.array([mean_z(run, between_replicas=False)[0] for run in batches])
    assert abs(z.mean()) < 0.2
    assert 0.85 < z.std() < 1.2
    shift = 5 / np.sqrt(64)
    shifted = np.array([mean_z(run + shift, between_replicas=False)[0] for run in batches])
    assert abs(np.median(shifted - z) - 5) < 0.5
