"""Issue 12 / issue 10: quantum steady states at low temperature, certified null spaces and
currents with error bounds.

Reference values come from the independent 60-digit solve of ``high_precision_reference``
(mpmath, Eq. 26 in component form); ``test_reference_values_are_the_60_digit_solve`` recomputes
them (slow). Before this work the dense solver cut singular values at 1e-9 of the largest and
printed I_U = 9.3e-2 (exit 0) for the first case.
"""

from __future__ import annotations

import importlib
import pickle

import numpy as np
import pytest

from exactspin.quantum import (
    NonUniqueSteadyStateError,
    QuantumModel,
    UnresolvedSteadyStateError,
    solve,
    steady_state,
)
from exactspin.validation import ParameterError, ResourceError

steady_state_module = importlib.import_module("exactspin.quantum.steady_state")

LOW_TEMPERATURE = dict(delta=2.1, tl=0.3, tr=0.1, zero_frequency="zero")
LOWER_TEMPERATURE = dict(delta=2.1, tl=0.1, tr=0.05, zero_frequency="zero")
#: 60-digit values (high_precision_reference.reference_currents), 16 digits kept.
REFERENCES = {
    "low": (
        LOW_TEMPERATURE,
        {
            "upper_branch_current": 3.3781218607680176e-03,
            "lower_branch_current": 3.378118622994872e-03,
            "left_bath_current": 3.2377731451913392e-09,
            "min_eigenvalue": -1.4064015485141525e-11,
        },
    ),
    "lower": (
        LOWER_TEMPERATURE,
        {
            "upper_branch_current": 2.804545231048756e-07,
            "lower_branch_current": 2.804545231048756e-07,
            "left_bath_current": 4.927390236662012e-24,
            "min_eigenvalue": -2.353104061579358e-26,
        },
    ),
}


def model(**parameters):
    return QuantumModel.from_parameters(**parameters)


@pytest.mark.parametrize("case", sorted(REFERENCES))
def test_low_temperature_currents_match_the_60_digit_solve_within_their_bounds(case):
    parameters, reference = REFERENCES[case]
    solution = solve(model(**parameters))
    assert solution.steady_state_dimension == 1
    assert solution.steady_state.dimension_certified
    for name, bound in (
        ("upper_branch_current", solution.upper_branch_current_bound),
        ("lower_branch_current", solution.lower_branch_current_bound),
        ("left_bath_current", solution.left_bath_current_bound),
    ):
        assert abs(getattr(solution, name) - reference[name]) <= bound
        # the bounds resolve the branch currents to five digits
        if name != "left_bath_current":
            assert bound < 1e-5 * abs(reference[name])
    assert solution.circulation == "clockwise"


def test_double_precision_bounds_hold_at_a_gap_of_1e_minus_9():
    """The double-precision solve alone (gap 7e-10 of ||L||, above its rounding level 2e-14)
    is certified unique and its bounds contain the 60-digit values."""
    parameters, reference = REFERENCES["low"]
    solution = solve(model(**parameters), precision="double")
    state = solution.steady_state
    assert state.precision_digits == 16 and state.dimension == 1 and state.dimension_certified
    assert state.null_space_gap > state.null_space_rounding_level
    for name in ("upper_branch_current", "lower_branch_current"):
        bound = getattr(solution, name + "_bound")
        assert abs(getattr(solution, name) - reference[name]) <= bound


def test_a_gap_below_double_precision_is_resolved_in_extended_precision():
    """T_L = 0.1, T_R = 0.05: the gap (1e-21 of ||L||) is below the double rounding level, so
    the double solve sees 4 null directions; the ball-arithmetic solve proves uniqueness."""
    solution = solve(model(**LOWER_TEMPERATURE))
    state = solution.steady_state
    assert state.precision_digits > 16
    assert "ball-arithmetic" in state.null_space_criterion
    # I_L is ~5e-24, far below what the evaluation resolves: no ratio is claimed
    assert np.isnan(solution.magnification_ratio)


def test_negative_eigenvalue_beyond_round_off_is_a_warning():
    """The 60-digit rho has min eigenvalue -1.4e-11 at T_L = 0.3, T_R = 0.1 (Redfield is not
    positive there); it is reported, not hidden."""
    solution = solve(model(**LOW_TEMPERATURE))
    assert solution.min_eigenvalue < 0
    assert any("not positive" in warning for warning in solution.warnings)


def test_equal_temperatures_give_an_undetermined_circulation():
    """Issue 10: T_L = T_R = 0.05 printed I_U = I_D = -6.6e-13, "anticlockwise"; the true
    currents are 0 (60 digits: 1e-65), below the solve's error bound."""
    solution = solve(model(tl=0.05, tr=0.05))
    assert solution.circulation == "undetermined"
    assert not solution.determined
    assert abs(solution.upper_branch_current) <= solution.upper_branch_current_bound
    assert abs(solution.lower_branch_current) <= solution.lower_branch_current_bound
    assert np.isnan(solution.magnification_ratio)


def test_non_unique_steady_state_is_certified_two_dimensional():
    solution = solve(model(nu=3, nd=1, up=4, delta=0.0), method="dense")
    state = solution.steady_state
    assert state.dimension == 2 and state.dimension_certified
    assert "two-dimensional" in state.null_space_criterion


def test_iterative_method_refuses_a_non_unique_steady_state(monkeypatch):
    monkeypatch.setattr(steady_state_module, "MAXIMUM_RESTARTS", 5)
    with pytest.raises(UnresolvedSteadyStateError) as raised:
        steady_state(model(nu=3, nd=1, up=4, delta=0.0), method="iterative")
    assert "\n" not in str(raised.value)


def test_unconverged_gmres_is_never_returned(monkeypatch):
    monkeypatch.setattr(steady_state_module, "MAXIMUM_RESTARTS", 1)
    monkeypatch.setattr(steady_state_module, "KRYLOV_RESTART", 2)
    with pytest.raises(UnresolvedSteadyStateError) as raised:
        steady_state(model(nu=3, nd=1, up=3, delta=0.8), method="iterative")
    assert not isinstance(raised.value, NonUniqueSteadyStateError)
    assert "did not converge" in str(raised.value)


def test_iterative_memory_estimate_counts_the_secular_preconditioner():
    """Issue 10: --nu 5 --nd 5 --up 6 at Delta = 0 passed the guard and allocated 19 GiB."""
    with pytest.raises(ResourceError, match="GiB"):
        steady_state(model(nu=5, nd=5, up=6, delta=0.0), method="iterative")


@pytest.mark.parametrize(
    "parameters, name",
    [(dict(delta=1e300), "delta"), (dict(tr=1e300), "tr"), (dict(j=1e200), "j")],
)
def test_scales_that_overflow_double_precision_are_refused(parameters, name):
    with pytest.raises(ParameterError) as raised:
        model(**parameters)
    assert raised.value.parameter == name


def test_huge_anisotropy_is_undetermined_not_clockwise():
    """Issue 10: --delta 1e8 printed "clockwise" with a ratio of 2.3e6."""
    solution = solve(model(delta=1e8))
    assert solution.circulation == "undetermined"


def test_strong_coupling_warns_that_redfield_does_not_hold():
    solution = solve(model(gamma=1e10))
    assert any("Born-Markov" in warning for warning in solution.warnings)


def test_results_are_immutable_all_the_way_down():
    solution = solve(model(delta=0.5))
    with pytest.raises(ValueError):
        solution.steady_state.density_matrix[0, 0] = 1.0
    with pytest.raises(ValueError):
        solution.steady_state.generator.couplings[0][0, 0] = 1.0
    with pytest.raises(TypeError):
        solution.site_currents[1] = 0.0
    with pytest.raises(TypeError):
        solution.site_current_bounds[1] = 0.0
    copy = pickle.loads(pickle.dumps(solution))
    assert copy.site_currents == solution.site_currents


def test_json_states_the_unit_and_echoes_every_parameter():
    result = solve(model(delta=0.5)).to_dict(method="auto")
    assert "per unit time" in result["unit"]
    assert set(result["parameters"]) >= {
        "nu",
        "nd",
        "up",
        "j",
        "delta",
        "tl",
        "tr",
        "gamma",
        "omega_c",
        "zero_frequency",
        "pair",
        "method",
    }
    for key in ("null_space_gap", "null_space_rounding_level", "upper_branch_current_bound"):
        assert key in result


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(REFERENCES))
def test_reference_values_are_the_60_digit_solve(case):
    from high_precision_reference import reference_currents

    parameters, reference = REFERENCES[case]
    values = reference_currents(model(**parameters))
    for name, value in reference.items():
        assert values[name] == pytest.approx(value, rel=1e-12, abs=1e-30)
