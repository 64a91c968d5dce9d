"""A run says what it could not resolve (issues 10 and 14).

- One sweep of a 1002-spin ring cannot test stationarity: the verdict is undetermined, not True.
- A current that moved no energy in any batch has no error bar (not 0 +- 0) but a 95% bound,
  and the circulation built on it is undetermined, not "parallel".
- At equal bath temperatures (detailed balance, no current) the branch currents are unresolved
  and the circulation is undetermined.
- The magnification ratio carries a standard error that covers the exact ratio.
- Currents per unit time (``unit="continuous"``) are the exact solver's continuous-time currents.
- The result's mappings cannot be changed.
"""

import pytest

from exactspin.classical import solve
from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate
from ring_models import ring_model

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


@pytest.mark.parametrize("replicas", [4, 64])
def test_one_sweep_of_a_large_ring_cannot_claim_equilibrium(replicas):
    """Issue 10: 1e3 steps on 1002 spins used to report equilibrated: true."""
    ring = ring_model(500, 500)
    result = simulate(ring, 1000, replicas=replicas, seed=1)
    assert result.equilibrated is None
    assert "sweep" in result.equilibration_reason
    assert result.to_dict()["equilibration"]["verdict"] == "undetermined"


@pytest.mark.parametrize("replicas", [4, 64])
def test_a_current_without_events_gets_a_bound_not_a_zero_error(replicas):
    """Issue 14: at T_L = 0.2 (J1 = J2 = 1) every current printed 0.0 +- 0.0, "parallel".

    With J1 = J2 a nodal flip moves energy only with |dE| = 4 J, which costs exp(-20) at the
    left node; after the burn-in has drained the ring no such flip happens, so each current is
    exactly zero in every batch."""
    model = ring_model(2, 3, 1.0, 1.0, 0.2, 0.1)
    steps = 100_000
    result = simulate(model, steps, replicas=replicas, burn_in=200_000, seed=1)
    payload = result.to_dict()
    units = 1 if replicas == 64 else replicas
    for name in CURRENTS:
        assert payload[name] == 0.0
        assert payload[name + "_stderr"] is None
        assert payload["current_status"][name] == "no events"
    # Rule of three: 3 / (independent steps) x the 8 J a nodal flip can move.
    assert payload["left_bath_current_bound"] == pytest.approx(3 * 4.0 / (steps * units))
    assert payload["circulation"] == "undetermined"
    assert payload["magnification_ratio"] is None
    assert result.equilibrated is None


@pytest.mark.parametrize("replicas", [4, 64])
def test_no_current_at_equal_temperatures_leaves_the_circulation_undetermined(replicas):
    model = ring_model(2, 3, 2.0, 1.9, 1.5, 1.5)
    result = simulate(model, 200_000, replicas=replicas, seed=2)
    assert result.status("upper_branch_current") == "unresolved"
    assert result.circulation == "undetermined"


@pytest.mark.parametrize("replicas", [4, 128])
def test_magnification_ratio_error_covers_the_exact_ratio(replicas):
    model = ClassicalModel.from_parameters()
    exact = solve(model)
    result = simulate(model, 1_000_000, replicas=replicas, seed=3)
    assert result.magnification_ratio_stderr > 0
    difference = result.magnification_ratio - exact.magnification_ratio
    assert abs(difference) < 5 * result.magnification_ratio_stderr


def test_continuous_unit_matches_the_exact_continuous_currents():
    model = ClassicalModel.from_parameters()
    exact = solve(model, unit="continuous")
    result = simulate(model, 500_000, replicas=64, seed=4, unit="continuous")
    assert result.unit == "continuous"
    for name in CURRENTS:
        difference = getattr(result, name) - getattr(exact, name)
        assert abs(difference) < 5 * getattr(result, name + "_stderr")


def test_result_mappings_are_immutable():
    result = simulate(ClassicalModel.from_parameters(), 10_000, seed=1)
    with pytest.raises(TypeError):
        result.equilibration_z["left_bath_current"] = 0.0
    with pytest.raises(TypeError):
        result.batch_correlation["left_bath_current"] = 0.0


@pytest.mark.slow
def test_under_one_sweep_of_two_million_spins_cannot_claim_equilibrium():
    """Issue 10: 0.6 sweeps on 2 M spins used to report equilibrated: true (about 1 GB)."""
    ring = ring_model(1_000_000, 999_998)
    result = simulate(ring, 1_200_000, replicas=64, seed=1)
    assert result.equilibrated is None
    assert result.circulation == "undetermined"
