"""Runs that know when they are done (issue 14): ``target_stderr`` grows the run until every
current reaches its target error and the run is stationary; an automatic burn-in discards what
is not; the budget stops it otherwise and says so."""

import pytest

from exactspin.classical import solve
from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate
from exactspin.validation import ParameterError
from ring_models import ring_model

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


@pytest.mark.parametrize("replicas", [4, 128])
def test_a_target_run_reaches_its_error_and_agrees_with_the_exact_solver(replicas):
    model = ClassicalModel.from_parameters()
    exact = solve(model)
    result = simulate(model, 10**9, replicas=replicas, target_stderr=0.03, seed=5)
    assert result.stop_reason == "target reached" and result.equilibrated
    for name in CURRENTS:
        value, error = getattr(result, name), getattr(result, name + "_stderr")
        assert error <= 0.03 * abs(value)
        assert abs(value - getattr(exact, name)) < 5 * error


def test_an_absolute_target_is_met_in_the_result_unit():
    model = ClassicalModel.from_parameters()
    result = simulate(
        model, 10**9, replicas=64, target_absolute_stderr=1e-3, unit="continuous", seed=6
    )
    assert result.stop_reason == "target reached"
    assert all(getattr(result, name + "_stderr") <= 1e-3 for name in CURRENTS)


def test_the_automatic_burn_in_discards_the_cooling_start():
    """A 202-spin ring started at infinite temperature cools for thousands of sweeps (see
    test_equilibration); the automatic burn-in must discard some of it and end stationary."""
    ring = ring_model(100, 100, 2.0, 1.9, 2.0, 0.1)
    result = simulate(ring, 10**10, replicas=64, target_stderr=0.1, seed=3)
    assert result.stop_reason == "target reached" and result.equilibrated
    assert result.burn_in >= 1000 * ring.sites
    assert abs(result.energy_balance_z) < result.drift_threshold


def test_an_unreachable_target_stops_at_the_budget_and_says_so():
    model = ring_model(2, 3, 2.0, 1.9, 1.5, 1.5)
    result = simulate(model, 2_000_000, replicas=64, target_stderr=0.01, seed=7)
    assert result.stop_reason == "step budget"
    assert result.steps + result.burn_in <= 2_000_000


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"target_stderr": 0.0}, "target_stderr"),
        ({"target_stderr": -1.0}, "target_stderr"),
        ({"target_absolute_stderr": float("nan")}, "target_absolute_stderr"),
        ({"max_seconds": 0}, "max_seconds"),
        ({"burn_in": "auto"}, "burn_in"),
        ({"unit": "seconds"}, "unit"),
        ({"replicas": 100}, "replicas"),
    ],
)
def test_invalid_target_arguments_name_the_parameter(kwargs, parameter):
    with pytest.raises(ParameterError) as error:
        simulate(ClassicalModel.from_parameters(), 1000, **kwargs)
    assert error.value.parameter == parameter


def test_cca_multispin_needs_two_words():
    model = ring_model(2, 2, 2.0, 1.0, 2.0, 0.5, "cca", 1.0)
    with pytest.raises(ParameterError) as error:
        simulate(model, 1000, replicas=64)
    assert error.value.parameter == "replicas"
