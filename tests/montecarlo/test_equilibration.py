"""The burn-in is checked, not guessed.

A 202-spin ring started from a random (infinite-temperature) configuration keeps cooling for
thousands of sweeps against the T_R = 0.1 bath: the net energy flowing into it, I_L + I_R, is then
many standard errors below zero, and the run must say it is not stationary. After a long burn-in
the same ring balances its energy (Eq. 6) and the run must say it is.
"""

import numpy as np
import pytest

from exactspin.classical import solve
from exactspin.montecarlo import simulate
from exactspin.montecarlo.statistics import DRIFT_THRESHOLD, energy_change_z, mean_z
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


# A 4-site ring at T_L = 0.2, T_R = 0.1 conducts ~1e-17 per step (exact solver): everything a
# short run sees is the random start dumping its energy into the baths in the first batch. The
# halves (one spike: |z| ~ 1) and the batch balance (|z| ~ 1) cannot see that; the ring's energy
# change over the window against one batch's spread can.
COLD = ring_model(1, 1, 2.0, 1.9, 0.2, 0.1)


def test_a_start_up_energy_dump_in_the_first_batch_is_not_called_stationary():
    result = simulate(COLD, 100_000, replicas=128, burn_in=0, seed=0)
    assert abs(result.energy_change_z) >= DRIFT_THRESHOLD
    assert result.equilibrated is False
    # No batch after the dump moved the energy: the reason says so, not "infinitely many times
    # one batch's spread".
    assert result.energy_change_z == -np.inf
    assert "no batch after the first changed it at all" in result.equilibration_reason


def test_the_automatic_burn_in_discards_the_start_up_dump():
    """With a target, the dump is discarded as burn-in: what is left either shows no events or
    is not called stationary, and no current is reported as the dump's ~ -4.5 / steps."""
    result = simulate(COLD, 100_000, replicas=128, target_stderr=0.05, seed=0)
    assert result.burn_in > 0
    assert result.equilibrated is not True
    assert abs(result.left_bath_current * result.steps) < 1.0


def test_energy_change_z_is_a_unit_normal_for_a_stationary_energy_and_catches_a_first_batch_dump():
    """Batches that are differences of a stationary energy (400 runs of 2 replicas x 16
    batches of differences of unit-normal levels) give z of spread ~ 1; a dump of 10 in every
    replica's first batch gives |z| far above the threshold."""
    generator = np.random.default_rng(5)
    levels = generator.standard_normal((400, 2, 17))
    telescoping = np.diff(levels, axis=2)
    z = np.array([energy_change_z(run) for run in telescoping])
    assert abs(z.mean()) < 0.2
    assert 0.8 < z.std() < 1.3
    dumped = telescoping.copy()
    dumped[:, :, 0] -= 10.0
    assert np.median(np.abs([energy_change_z(run) for run in dumped])) > DRIFT_THRESHOLD


def test_a_warm_five_site_ring_still_reads_stationary_and_agrees_with_the_exact_solver():
    """The window test must not flag a steady run: T_L = 2, T_R = 0.5 on a 5-site ring, run to
    a 2% target, is stationary and every current is within 5 standard errors of the exact
    stationary solution (exactspin.classical.solve, an independent linear solve)."""
    model = ring_model(2, 1, 2.0, 1.9, 2.0, 0.5)
    exact = solve(model)
    result = simulate(model, 20_000_000, replicas=128, target_stderr=0.02, seed=0)
    assert result.equilibrated is True
    assert abs(result.energy_change_z) < DRIFT_THRESHOLD
    for name in ("left_bath_current", "right_bath_current", "upper_branch_current"):
        error = getattr(result, name + "_stderr")
        assert abs(getattr(result, name) - float(getattr(exact, name))) < 5 * error


COLD_NETWORK = """
name = "cold 4-ring"
sites = 4
bonds = [[1, 2, 2.0], [2, 3, 2.0], [3, 4, 1.9], [4, 1, 1.9]]
baths = [[1, 0.2], [3, 0.1]]
dynamics = "q2r"
"""


def test_a_network_start_up_energy_dump_is_not_called_stationary(tmp_path):
    """The same cold 4-ring as a network file: the dump in the first batch is flagged there
    too, and a target run discards it as burn-in."""
    from exactspin.montecarlo.network_simulation import simulate_network
    from exactspin.network.files import read_network

    path = tmp_path / "cold.toml"
    path.write_text(COLD_NETWORK)
    network = read_network(path)
    result = simulate_network(network, 100_000, replicas=128, burn_in=0, seed=0)
    assert abs(result.energy_change_z) >= DRIFT_THRESHOLD
    assert result.equilibrated is False
    targeted = simulate_network(network, 100_000, replicas=128, target_stderr=0.05, seed=0)
    assert targeted.burn_in > 0 and targeted.equilibrated is not True


def test_a_finite_energy_change_is_stated_as_a_multiple_of_one_batch_spread():
    from exactspin.montecarlo.statistics import transient_reason

    reason = transient_reason("ring", -12.34, DRIFT_THRESHOLD)
    assert f"by 12.3 times one batch's spread (>= {DRIFT_THRESHOLD:g})" in reason
