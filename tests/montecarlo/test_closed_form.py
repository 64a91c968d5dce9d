"""The Monte Carlo reproduces the paper's three-spin closed form (Eqs. 13-15) within 5 sigma,
and its error bars are honest (z-scores over many seeds have mean ~0 and spread ~1).

The oracle is the paper's formula, independent of every solver in this package.
"""

import math

import numpy as np
import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate


def three_spin_currents(coupling: float, left_temperature: float, right_temperature: float):
    """(I_L, I_R, I_U, I_D) per update attempt for N_U = 1, N_D = 0, J1 = J2 = J (Eqs. 13-15)."""
    beta_left, beta_right = 1 / left_temperature, 1 / right_temperature
    denominator = 3 * math.cosh(2 * coupling * (beta_right - beta_left)) + math.exp(
        2 * coupling * (beta_left + beta_right)
    )
    left = coupling * math.sinh(2 * coupling * (beta_right - beta_left)) / denominator
    return left, -left, left / 3, -2 * left / 3


NAMES = ("left_bath_current", "right_bath_current", "upper_branch_current", "lower_branch_current")


def z_scores(result, expected):
    return np.array(
        [
            (getattr(result, n) - e) / getattr(result, n + "_stderr")
            for n, e in zip(NAMES, expected, strict=True)
        ]
    )


@pytest.mark.parametrize(
    "coupling, left_temperature, right_temperature",
    [(1.0, 2.0, 1.0), (1.0, 1.0, 2.0), (0.5, 3.0, 0.5), (2.0, 5.0, 1.5)],
)
def test_three_spin_q2r_ring_matches_eqs_14_and_15(coupling, left_temperature, right_temperature):
    model = ClassicalModel.from_parameters(
        nu=1, nd=0, j1=coupling, j2=coupling, tl=left_temperature, tr=right_temperature
    )
    result = simulate(model, 2_000_000, seed=11)
    expected = three_spin_currents(coupling, left_temperature, right_temperature)
    assert np.all(np.abs(z_scores(result, expected)) < 5), (result.to_dict(), expected)
    assert result.equilibrated


def test_three_spin_bond_currents_are_eq_15_on_every_bond():
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=1.0, j2=1.0, tl=2.0, tr=1.0)
    result = simulate(model, 2_000_000, seed=3)
    _, _, upper, lower = three_spin_currents(1.0, 2.0, 1.0)
    for bond, expected in zip((0, 1, 2), (upper, upper, lower), strict=True):
        z = (result.bond_currents[bond] - expected) / result.bond_currents_stderr[bond]
        assert abs(z) < 5


@pytest.mark.parametrize("replicas", [1, 3])
def test_error_bars_are_honest_over_many_seeds(replicas):
    """Over 40 seeds, (MC - Eq. 14) / stderr has mean ~ 0 and standard deviation in [0.7, 1.4]."""
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=1.0, j2=1.0, tl=2.0, tr=0.7)
    expected = three_spin_currents(1.0, 2.0, 0.7)
    scores = np.array(
        [
            z_scores(simulate(model, 120_000, replicas=replicas, seed=seed), expected)
            for seed in range(40)
        ]
    )
    # Mean of 40 unit-variance scores has standard deviation 0.16; 0.6 is almost 4 of those.
    assert np.all(np.abs(scores.mean(axis=0)) < 0.6), scores.mean(axis=0)
    assert np.all((scores.std(axis=0) > 0.7) & (scores.std(axis=0) < 1.4)), scores.std(axis=0)
