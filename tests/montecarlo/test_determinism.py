"""Same seed, same numbers, whatever the number of workers; other replica counts agree within
their error bars."""

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate

FIG5 = ClassicalModel.from_parameters()
TIMING_KEYS = ("wall_time", "updates_per_second")


def numbers(result):
    payload = result.to_dict()
    for key in TIMING_KEYS:
        payload.pop(key)
    return payload


def test_same_seed_gives_identical_output():
    first = simulate(FIG5, 100_000, replicas=2, seed=42, pairs=[(1, 2)])
    second = simulate(FIG5, 100_000, replicas=2, seed=42, pairs=[(1, 2)])
    assert numbers(first) == numbers(second)


def test_number_of_workers_does_not_change_the_numbers():
    serial = simulate(FIG5, 100_000, replicas=3, seed=7, workers=1)
    parallel = simulate(FIG5, 100_000, replicas=3, seed=7, workers=2)
    assert numbers(serial) == numbers(parallel)


def test_different_seeds_give_different_numbers():
    assert numbers(simulate(FIG5, 50_000, seed=1)) != numbers(simulate(FIG5, 50_000, seed=2))


def test_different_replica_counts_are_statistically_equal():
    few = simulate(FIG5, 400_000, replicas=2, seed=9)
    many = simulate(FIG5, 200_000, replicas=6, seed=9)
    for name in ("left_bath_current", "upper_branch_current", "lower_branch_current"):
        difference = getattr(few, name) - getattr(many, name)
        error = np.hypot(getattr(few, name + "_stderr"), getattr(many, name + "_stderr"))
        assert abs(difference) < 5 * error


def test_multispin_numbers_do_not_depend_on_the_number_of_workers():
    serial = simulate(FIG5, 50_000, replicas=192, seed=7, workers=1, pairs=[(0, 3)])
    parallel = simulate(FIG5, 50_000, replicas=192, seed=7, workers=2, pairs=[(0, 3)])
    again = simulate(FIG5, 50_000, replicas=192, seed=7, workers=3, pairs=[(0, 3)])
    assert numbers(serial) == numbers(parallel) == numbers(again)


def test_target_runs_do_not_depend_on_the_number_of_workers():
    serial = simulate(FIG5, 10**8, replicas=128, seed=8, workers=1, target_stderr=0.05)
    parallel = simulate(FIG5, 10**8, replicas=128, seed=8, workers=2, target_stderr=0.05)
    assert numbers(serial) == numbers(parallel)
