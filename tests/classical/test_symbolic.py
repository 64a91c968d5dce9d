"""The symbolic master equation reproduces the paper's closed forms (Eqs. 11-16) exactly.

Expected expressions are typed from the paper; every comparison is exact (``simplify`` of the
difference is zero, or ``cancel`` of rational functions). Currents are per single-spin update
attempt unless a test says otherwise (docs/conventions.md).
"""

from __future__ import annotations

import pytest
import sympy as sp

from exactspin.classical.symbolic import CONTINUOUS, derive
from exactspin.classical.symbolic_model import BETA_L, BETA_R, COUPLING, SymbolicModel
from exactspin.ring import Ring

J, BL, BR = COUPLING, BETA_L, BETA_R


def exact_zero(expression: sp.Expr) -> bool:
    """True when ``expression`` simplifies to exactly 0 (hyperbolic functions as exponentials)."""
    return sp.simplify(sp.sympify(expression).rewrite(sp.exp)) == 0


@pytest.fixture(scope="module")
def three_spins():
    """N_U = 1, N_D = 0, J1 = J2 = J: the ring of Fig. 3."""
    return derive(Ring(1, 0), couplings="symmetric")


def paper_d() -> sp.Expr:
    """D of Eq. 13."""
    return 3 * sp.cosh(2 * J * (BR - BL)) + sp.exp(2 * J * (BL + BR))


def paper_eq12() -> list[sp.Expr]:
    """Eq. 12 in the order of Eq. 11: ddd, udd, dud, uud, ddu, udu, duu, uuu."""
    d1 = 2 * sp.exp(2 * J * (BR + BL)) * paper_d()
    a, b = sp.exp(4 * J * BL), sp.exp(4 * J * BR)
    return [
        a * b / d1,
        (3 * a + 5 * b) / (8 * d1),
        (a + b) / (2 * d1),
        (5 * a + 3 * b) / (8 * d1),
        (5 * a + 3 * b) / (8 * d1),
        (a + b) / (2 * d1),
        (3 * a + 5 * b) / (8 * d1),
        a * b / d1,
    ]


def test_eq11_generator_is_the_papers_matrix(three_spins):
    e, f = sp.exp(-4 * J * BL), sp.exp(-4 * J * BR)
    paper = sp.Matrix(
        [
            [-e - f, 1, 0, 0, 1, 0, 0, 0],
            [e, -3, 0, 1, 0, 1, 0, 0],
            [0, 0, -2, 1, 0, 0, 1, 0],
            [0, 1, 1, -3, 0, 0, 0, f],
            [f, 0, 0, 0, -3, 1, 1, 0],
            [0, 1, 0, 0, 1, -2, 0, 0],
            [0, 0, 1, 0, 1, 0, -3, e],
            [0, 0, 0, 1, 0, 0, 1, -e - f],
        ]
    )
    assert (three_spins.generator - paper).applyfunc(sp.expand) == sp.zeros(8, 8)


def test_eq12_13_steady_state(three_spins):
    for ours, paper in zip(three_spins.steady_state, paper_eq12(), strict=True):
        assert exact_zero(ours - paper)


def test_eq14_left_bath_current_both_printed_forms(three_spins):
    """Both forms of Eq. 14 hold per update attempt; the 8/3 is 8 / N_S.

    Eq. 6 sums over pairs: (ddd, udd) gives 4J (e^{-4J b_L} P(ddd) - P(udd)) and its spin-flip
    image (uuu, duu) the same again, so in continuous time I_L = 8J (...); per single-spin
    attempt that is divided by N_S = 3, giving the printed 8/3.
    """
    probabilities = three_spins.steady_state
    first_form = sp.Rational(8, 3) * J * (sp.exp(-4 * J * BL) * probabilities[0] - probabilities[1])
    second_form = J * sp.sinh(2 * J * (BR - BL)) / paper_d()
    assert exact_zero(three_spins.left_bath_current - first_form)
    assert exact_zero(three_spins.left_bath_current - second_form)
    continuous = derive(Ring(1, 0), couplings="symmetric", unit=CONTINUOUS)
    assert exact_zero(continuous.left_bath_current - 3 * second_form)
    assert exact_zero(three_spins.right_bath_current + second_form)


def test_eq15_branch_currents(three_spins):
    shape = sp.sinh(2 * J * (BR - BL)) / paper_d()
    assert exact_zero(three_spins.upper_branch_current - J / 3 * shape)
    assert exact_zero(three_spins.lower_branch_current + 2 * J / 3 * shape)


def test_eq16_high_left_temperature_limit(three_spins):
    denominator = 3 * sp.cosh(2 * J * BR) + sp.exp(2 * J * BR)
    expected = {
        "left_bath_current": J * sp.sinh(2 * J * BR) / denominator,
        "upper_branch_current": J / 3 * sp.sinh(2 * J * BR) / denominator,
        "lower_branch_current": -2 * J / 3 * sp.sinh(2 * J * BR) / denominator,
    }
    currents = three_spins.currents()
    for name, value in expected.items():
        assert exact_zero(sp.limit(currents[name], BL, 0) - value)


@pytest.mark.parametrize("nu, nd", [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)])
@pytest.mark.parametrize("couplings", ["symmetric", "upper_stronger", "lower_stronger"])
def test_kirchhoff_energy_balance_and_equal_bonds_per_branch(nu, nd, couplings):
    solution = derive(Ring(nu, nd), couplings=couplings)
    forms = solution.rational
    currents = solution.currents(physical=False)
    assert sp.cancel(forms.left_bath_current + forms.right_bath_current) == 0
    assert (
        sp.cancel(
            currents["left_bath_current"]
            - currents["upper_branch_current"]
            + currents["lower_branch_current"]
        )
        == 0
    )
    ring = solution.model.ring
    for bonds, name in ((ring.upper_bonds, "upper"), (ring.lower_bonds, "lower")):
        for bond in bonds:
            difference = forms.bond_currents[bond] - currents[f"{name}_branch_current"]
            assert sp.cancel(difference) == 0


@pytest.mark.parametrize("nu, nd", [(1, 0), (1, 1), (2, 0)])
def test_no_current_at_equal_temperatures(nu, nd):
    """Detailed balance at T_L = T_R: every current vanishes identically."""
    solution = derive(Ring(nu, nd), couplings="upper_stronger")
    left, right = solution.symbols["u_L"], solution.symbols["u_R"]
    same = {right: left, solution.symbols["v_R"]: solution.symbols["v_L"]}
    for current in solution.rational.bond_currents:
        assert sp.cancel(current.xreplace(same)) == 0
    assert left != right


SMALL = [(0, 0), (1, 0), (0, 1)]
FOUR_SITES = [(2, 0), (1, 1), (0, 2)]
CCA_FIG8 = {"couplings": "exact", "upper_coupling": 2, "lower_coupling": 1, "demon_unit": 4}


@pytest.mark.parametrize(
    "model",
    [SymbolicModel(Ring(nu, nd), "q2r", "symmetric") for nu, nd in SMALL + FOUR_SITES]
    + [SymbolicModel(Ring(nu, nd), "q2r", "upper_stronger") for nu, nd in SMALL]
    # CCA N_U = 0, N_D = 1 (one 32-state class) takes minutes unreduced; N_U = 1 has two classes.
    + [SymbolicModel(Ring(nu, nd), "cca", **CCA_FIG8) for nu, nd in [(0, 0), (1, 0)]],
    ids=repr,
)
def test_spin_flip_reduction_equals_full_chain(model):
    """Solving on spin-flip pairs is exact, also when CCA classes are swapped by the flip."""
    reduced = derive(model)
    full = derive(model, reduce_symmetry=False)
    assert reduced.closed_classes == full.closed_classes
    for a, b in zip(reduced.rational.steady_state, full.rational.steady_state, strict=True):
        assert sp.cancel(a - b) == 0
    for a, b in zip(reduced.rational.bond_currents, full.rational.bond_currents, strict=True):
        assert sp.cancel(a - b) == 0
