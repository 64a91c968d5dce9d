"""The paper's classical claims (Sec. II), checked on the exact steady state.

Closed forms are transcribed from the paper (Eqs. 12-15); qualitative claims (CM or not, its
direction) are decided with the solver's circulation label. Currents per update attempt.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from exactspin.classical import ClassicalModel, solve, steady_state

#: Fig. 8 ring and couplings: N_U = 2, N_D = 3, J1 = 2, J2 = 1, T_L = 2, T_R = 0.1.
FIG8 = dict(nu=2, nd=3, j1=2.0, j2=1.0, tl=2.0, tr=0.1)

THREE_SPIN_POINTS = [(1.0, 2.0, 1.0), (1.0, 1.0, 2.0), (0.7, 0.4, 3.0), (2.0, 2.0, 0.1)]


def paper_denominator(coupling, tl, tr):
    """D of Eq. 13."""
    bl, br = 1 / tl, 1 / tr
    return 3 * math.cosh(2 * coupling * (br - bl)) + math.exp(2 * coupling * (bl + br))


@pytest.mark.parametrize(("coupling", "tl", "tr"), THREE_SPIN_POINTS)
def test_three_spin_steady_state_is_eq_12(coupling, tl, tr):
    """Eq. 12, in the order of Eq. 11 (site 1 is the lowest bit)."""
    bl, br = 1 / tl, 1 / tr
    el, er = math.exp(4 * coupling * bl), math.exp(4 * coupling * br)
    aligned = math.exp(4 * coupling * (bl + br))
    paper = np.array(
        [
            aligned,
            (3 * el + 5 * er) / 8,
            (el + er) / 2,
            (5 * el + 3 * er) / 8,
            (5 * el + 3 * er) / 8,
            (el + er) / 2,
            (3 * el + 5 * er) / 8,
            aligned,
        ]
    ) / (2 * math.exp(2 * coupling * (bl + br)) * paper_denominator(coupling, tl, tr))
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=coupling, j2=coupling, tl=tl, tr=tr)
    np.testing.assert_allclose(steady_state(model).probabilities, paper, rtol=1e-10)


@pytest.mark.parametrize(("coupling", "tl", "tr"), THREE_SPIN_POINTS)
def test_three_spin_currents_are_eqs_14_15_ohms_law(coupling, tl, tr):
    """I_L = J sinh(2J(b_R - b_L))/D; I_U = I_L/3, I_D = -2 I_L/3 (Eqs. 14-15)."""
    left = (
        coupling * math.sinh(2 * coupling * (1 / tr - 1 / tl)) / paper_denominator(coupling, tl, tr)
    )
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=coupling, j2=coupling, tl=tl, tr=tr)
    solution = solve(model)
    assert solution.left_bath_current == pytest.approx(left, rel=1e-10)
    assert solution.upper_branch_current == pytest.approx(left / 3, rel=1e-10)
    assert solution.lower_branch_current == pytest.approx(-2 * left / 3, rel=1e-10)
    assert solution.circulation == "parallel"


@pytest.mark.parametrize(("nu", "nd"), [(1, 0), (0, 1), (2, 3), (3, 2), (0, 6), (1, 5), (2, 7)])
@pytest.mark.parametrize(("tl", "tr"), [(2.0, 1.0), (2.0, 0.1), (0.5, 3.0)])
def test_no_cm_for_q2r_with_equal_couplings(nu, nd, tl, tr):
    """Fig. 4: with J1 = J2 branch spin-number asymmetry alone gives parallel (Ohmic) currents."""
    solution = solve(ClassicalModel.from_parameters(nu=nu, nd=nd, j1=1.0, j2=1.0, tl=tl, tr=tr))
    assert solution.circulation == "parallel"
    assert solution.magnification_ratio <= 1


def test_q2r_equal_couplings_split_current_like_resistors_in_parallel():
    """Ohm's law: the branch current is inversely proportional to the branch's bond count."""
    solution = solve(ClassicalModel.from_parameters(nu=2, nd=4, j1=1.0, j2=1.0, tl=2.0, tr=0.5))
    upper_bonds, lower_bonds = 3, 5
    expected = lower_bonds / (upper_bonds + lower_bonds)
    assert solution.upper_branch_current / solution.left_bath_current == pytest.approx(expected)


def test_no_cm_for_cca_with_equal_couplings():
    """Fig. 8a: CCA (mu = 4) with J1 = J2 = 1 has no CM either."""
    model = ClassicalModel.from_parameters(**{**FIG8, "j1": 1.0}, dynamics="cca", mu=4.0)
    solution = solve(model)
    assert solution.circulation == "parallel"
    assert solution.magnification_ratio <= 1


def test_cm_at_the_fig5_point_circulates_clockwise():
    """Fig. 5a (green = clockwise) and Fig. 6: J1 = 2 > J2 = 1.9 gives clockwise CM."""
    solution = solve(ClassicalModel.from_parameters())
    assert solution.circulation == "clockwise"
    assert solution.upper_branch_current > solution.left_bath_current > 0
    assert solution.magnification_ratio > 1


def test_cm_survives_swapping_the_branch_lengths():
    """Fig. 5b: N_U = 3, N_D = 2 still circulates in the same (clockwise) direction."""
    assert solve(ClassicalModel.from_parameters(nu=3, nd=2)).circulation == "clockwise"


def test_circulation_reverses_when_j2_exceeds_j1():
    """Fig. 5d: clockwise for J2 < J1 = 2, anticlockwise for J2 > J1, parallel at J2 = J1."""
    labels = {
        j2: solve(ClassicalModel.from_parameters(j2=j2)).circulation for j2 in (1.0, 2.0, 3.0)
    }
    assert labels == {1.0: "clockwise", 2.0: "parallel", 3.0: "anticlockwise"}


def test_cm_with_equal_branch_lengths():
    """Fig. 5e: CM also at N_U = N_D (here 4), with the Fig. 5 couplings and temperatures."""
    assert solve(ClassicalModel.from_parameters(nu=4, nd=4)).circulation == "clockwise"


@pytest.mark.parametrize(("mu", "classes"), [(4.0, 4), (2.0, 128)])
def test_cca_closed_class_counts_of_design(mu, classes):
    """J1 = 2, J2 = 1 on the Fig. 8 ring: demons frozen or parity-locked split the chain."""
    model = ClassicalModel.from_parameters(**FIG8, dynamics="cca", mu=mu)
    assert steady_state(model).closed_classes == classes


@pytest.mark.parametrize("mu", [3.0, 5.0, 0.5])
def test_cca_with_incommensurate_mu_is_q2r(mu):
    """When dE / mu is never a nonzero integer the demons freeze and CCA is Q2R exactly."""
    q2r = solve(ClassicalModel.from_parameters(**FIG8))
    cca = solve(ClassicalModel.from_parameters(**FIG8, dynamics="cca", mu=mu))
    np.testing.assert_allclose(cca.bond_currents, q2r.bond_currents, rtol=1e-9)


@pytest.mark.parametrize("mu", [2.0, 8.0])
def test_cca_currents_barely_depend_on_mu(mu):
    """Fig. 8d: CCA currents at mu in {2, 4, 8} equal each other and Q2R's to the figure's
    resolution (0.5 %); exactly they differ slightly, and every closed class agrees."""
    reference = solve(ClassicalModel.from_parameters(**FIG8, dynamics="cca", mu=4.0))
    solution = solve(ClassicalModel.from_parameters(**FIG8, dynamics="cca", mu=mu))
    scale = abs(reference.left_bath_current)
    for name in ("left_bath_current", "upper_branch_current", "lower_branch_current"):
        assert abs(getattr(solution, name) - getattr(reference, name)) < 5e-3 * scale
    per_class = np.array([c.upper_branch_current for c in solution.class_currents])
    np.testing.assert_allclose(per_class, solution.upper_branch_current, rtol=1e-9)
    assert solution.circulation == reference.circulation == "clockwise"
