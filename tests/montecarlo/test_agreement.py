"""The Monte Carlo agrees with the exact numeric solver on random small rings (Q2R and CCA):
every current within 5 standard errors. Also: no current at equal bath temperatures (detailed
balance), checked without any solver.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate
from ring_models import ring_model

exact = pytest.importorskip("exactspin.classical")

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)
#: Absolute slack for exactly-zero currents, where the exact solver leaves round-off (~1e-17).
ROUND_OFF = 1e-12

couplings = st.sampled_from([2.0, 1.0, -1.0, 0.5, 1.5, -2.0])
# Temperatures keep every Metropolis rate above ~e^-10, so short runs sample all processes.
temperatures = st.floats(0.8, 5.0)


def assert_agrees(estimate, solution):
    scale = solution.model.energy_scale
    for name in CURRENTS:
        error = getattr(estimate, name + "_stderr")
        if error is None:  # no events: the exact current must lie within the 95% bound
            assert getattr(estimate, name) == 0.0
            bound = getattr(estimate, name + "_bound")
            assert abs(getattr(solution, name)) <= bound + ROUND_OFF * scale, name
            continue
        difference = getattr(estimate, name) - getattr(solution, name)
        allowed = 5 * error + ROUND_OFF * scale
        assert abs(difference) < allowed, (name, estimate.to_dict(), solution.to_dict())
    for bond, value in enumerate(solution.bond_currents):
        difference = estimate.bond_currents[bond] - value
        allowed = 5 * estimate.bond_currents_stderr[bond] + ROUND_OFF * scale
        assert abs(difference) < allowed, (bond, estimate.to_dict(), solution.to_dict())


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    ring=st.tuples(st.integers(0, 3), st.integers(0, 3)).filter(lambda r: sum(r) <= 4),
    j1=couplings,
    j2=couplings,
    tl=temperatures,
    tr=temperatures,
    seed=st.integers(0, 2**32),
)
def test_q2r_matches_the_exact_solver(ring, j1, j2, tl, tr, seed):
    model = ring_model(*ring, j1, j2, tl, tr, "q2r")
    assert_agrees(simulate(model, 200_000, seed=seed), exact.solve(model))


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    ring=st.tuples(st.integers(0, 2), st.integers(0, 2)).filter(lambda r: sum(r) <= 3),
    j1=couplings,
    j2=couplings,
    tl=temperatures,
    tr=temperatures,
    mu=st.sampled_from([0.5, 1.0, 2.0, 4.0]),
    seed=st.integers(0, 2**32),
)
def test_cca_matches_the_exact_solver(ring, j1, j2, tl, tr, mu, seed):
    """Replicas start uniformly over all states, the exact solver's default; 16 of them sample
    the closed classes, and the spread between them enters the error bars."""
    model = ring_model(*ring, j1, j2, tl, tr, "cca", mu)
    assert_agrees(simulate(model, 100_000, replicas=16, seed=seed), exact.solve(model))


@pytest.mark.parametrize("dynamics, mu", [("q2r", None), ("cca", 1.0)])
def test_no_current_at_equal_temperatures(dynamics, mu):
    model = ring_model(2, 3, 2.0, 1.0, 1.5, 1.5, dynamics, mu)
    estimate = simulate(model, 400_000, replicas=8, seed=5)
    for name in CURRENTS:
        assert abs(getattr(estimate, name)) < 5 * getattr(estimate, name + "_stderr") + 1e-15


def test_fig5_point_matches_the_exact_solver_and_shows_clockwise_cm():
    """Paper Fig. 5 point (N_U = 2, N_D = 3, J1 = 2, J2 = 1.9, T_L = 2, T_R = 0.1)."""
    model = ClassicalModel.from_parameters()
    estimate = simulate(model, 1_500_000, seed=1)
    assert_agrees(estimate, exact.solve(model))
    assert estimate.circulation == "clockwise"
    assert np.isfinite(estimate.magnification_ratio) and estimate.magnification_ratio > 1
