"""Rates stay finite and accurate at the temperature extremes of issue #6: T = 0.01 J and
T_L = T_R = 100 J. Expected values come from the paper's closed forms (Eqs. 13-15) and from the
Bose factor of Eqs. 28-30, both evaluated with mpmath at 50 digits, independently of the code.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from exactspin.classical import ClassicalModel, solve
from exactspin.quantum import QuantumModel
from exactspin.quantum import solve as solve_quantum
from exactspin.quantum.bath import bath_rate


def paper_three_spin_currents(j: float, tl: float, tr: float) -> tuple[float, float, float]:
    """Eqs. 13-15 (per update attempt) at 50 digits: (I_L, I_U, I_D)."""
    with mpmath.workdps(50):
        j, beta_l, beta_r = mpmath.mpf(j), 1 / mpmath.mpf(tl), 1 / mpmath.mpf(tr)
        d = 3 * mpmath.cosh(2 * j * (beta_r - beta_l)) + mpmath.exp(2 * j * (beta_l + beta_r))
        left = j * mpmath.sinh(2 * j * (beta_r - beta_l)) / d
        return float(left), float(left / 3), float(-2 * left / 3)


@pytest.mark.parametrize("tl, tr", [(1.0, 0.01), (0.01, 1.0), (0.05, 0.01), (100.0, 100.0)])
def test_three_spin_currents_match_eqs_13_15_at_extreme_temperatures(tl, tr):
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=1.0, j2=1.0, tl=tl, tr=tr)
    solution = solve(model)
    expected = paper_three_spin_currents(1.0, tl, tr)
    ours = (
        solution.left_bath_current,
        solution.upper_branch_current,
        solution.lower_branch_current,
    )
    assert all(math.isfinite(value) for value in ours)
    scale = max(abs(value) for value in expected)
    for value, reference in zip(ours, expected, strict=True):
        # Relative to the largest current, plus a rounding floor of a few eps of the O(J) gross
        # flux (at T_L = T_R the exact currents are 0 and ours are rounding, ~1e-17).
        assert abs(value - reference) <= 1e-9 * scale + 1e-15


def test_equal_hot_baths_carry_no_current_on_the_fig5_ring():
    model = ClassicalModel.from_parameters(tl=100.0, tr=100.0)
    solution = solve(model)
    assert abs(solution.left_bath_current) < 1e-12
    assert solution.circulation == "parallel"


def bose_rate_reference(difference: float, temperature: float, cutoff: float) -> float:
    """W(D) = J(|D|) N(|D|) for D > 0 and J(|D|)(1 + N(|D|)) for D < 0 (Eq. 28), 50 digits."""
    with mpmath.workdps(50):
        magnitude = abs(mpmath.mpf(difference))
        spectral = magnitude * mpmath.exp(-magnitude / cutoff)
        occupation = 1 / mpmath.expm1(magnitude / temperature)
        return float(spectral * (occupation if difference > 0 else 1 + occupation))


@pytest.mark.parametrize("temperature", [0.01, 0.1, 1.0, 100.0])
@pytest.mark.parametrize("difference", [-8.0, -2.0, -1e-3, 1e-3, 2.0, 8.0])
def test_bath_rates_are_finite_and_accurate(difference, temperature):
    ours = float(bath_rate(np.array([difference]), temperature, 10.0, "limit", 1e-9)[0])
    reference = bose_rate_reference(difference, temperature, 10.0)
    assert math.isfinite(ours)
    if reference == 0.0:
        assert ours == 0.0
    else:
        assert ours == pytest.approx(reference, rel=1e-12, abs=1e-300)


def test_quantum_ring_with_a_cold_right_bath_is_well_posed():
    model = QuantumModel.from_parameters(nu=2, nd=1, up=3, j=1.0, delta=0.5, tl=1.0, tr=0.01)
    solution = solve_quantum(model)
    assert math.isfinite(solution.left_bath_current)
    assert abs(solution.left_bath_current + solution.right_bath_current) <= 1e-9 * abs(
        solution.left_bath_current
    )
    assert solution.left_bath_current > 0  # heat flows from the hot bath into the ring


def test_quantum_ring_between_equal_hot_baths_carries_no_current():
    model = QuantumModel.from_parameters(nu=2, nd=1, up=3, j=1.0, delta=0.5, tl=100.0, tr=100.0)
    solution = solve_quantum(model)
    for current in (
        solution.left_bath_current,
        solution.upper_branch_current,
        solution.lower_branch_current,
    ):
        assert abs(current) < 1e-12
