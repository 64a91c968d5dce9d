"""Rings of the paper's Figs. 4d and 5e against the exact solver, and a 10^5-spin ring that runs.

The figure points take tens of seconds and are marked slow; they run in the verification report.
"""

import math

import pytest

from exactspin.montecarlo import simulate
from ring_models import ring_model

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


def assert_within_five_sigma(estimate, solution):
    for name in CURRENTS:
        difference = getattr(estimate, name) - getattr(solution, name)
        assert abs(difference) < 5 * getattr(estimate, name + "_stderr"), (name, difference)


@pytest.mark.slow
@pytest.mark.parametrize("upper_spins", [2, 4, 6])
def test_fig4d_q2r_with_equal_couplings(upper_spins):
    """Fig. 4(d): N_D = 4, J = 1, T_L = 2, T_R = 0.1; currents fall with N_U, no CM."""
    from exactspin.classical import solve

    model = ring_model(upper_spins, 4, 1.0, 1.0, 2.0, 0.1)
    estimate = simulate(model, 20_000_000, seed=upper_spins)
    assert estimate.equilibrated
    assert_within_five_sigma(estimate, solve(model))


@pytest.mark.slow
@pytest.mark.parametrize("upper_spins", [2, 4, 6])
def test_fig5e_q2r_with_unequal_couplings(upper_spins):
    """Fig. 5(e): N_D = 4, J1 = 2, J2 = 1.9, T_L = 2, T_R = 0.1."""
    from exactspin.classical import solve

    model = ring_model(upper_spins, 4, 2.0, 1.9, 2.0, 0.1)
    estimate = simulate(model, 20_000_000, seed=upper_spins)
    assert estimate.equilibrated
    assert_within_five_sigma(estimate, solve(model))


def test_a_ring_of_100002_spins_runs():
    model = ring_model(50_000, 50_000, 2.0, 1.9, 2.0, 0.1)
    estimate = simulate(model, 200_000, replicas=1, burn_in=0)
    assert len(estimate.bond_currents) == model.sites
    assert all(math.isfinite(getattr(estimate, name)) for name in CURRENTS)
