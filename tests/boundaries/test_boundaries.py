"""Regime boundaries: the zeros of I_U and I_D, exactly where they are."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy as sp
from mpmath import iv

from exactspin.boundaries import classical_boundaries, intervals, quantum_boundaries, roots
from exactspin.classical.model import ClassicalModel
from exactspin.classical.solution import solve
from exactspin.cli.main import main
from exactspin.quantum import QuantumModel
from exactspin.validation import ParameterError

FOUR_SPINS = dict(nu=1, nd=1, j1=2.0, j2=1.9, tl=2.0, tr=0.1)


def _interval(expression, symbol):
    modules = [{"exp": iv.exp, "mpf": iv.mpf}, "mpmath"]
    return (
        sp.lambdify(symbol, expression, modules=modules),
        sp.lambdify(symbol, sp.diff(expression, symbol), modules=modules),
    )


def test_interval_isolation_finds_every_zero_of_a_known_exponential_sum():
    # f(p) = (e^p - 2)(e^p - 3)(e^p - 5): zeros log 2, log 3, log 5, nothing else.
    p = sp.Symbol("p")
    f = sp.expand((sp.exp(p) - 2) * (sp.exp(p) - 3) * (sp.exp(p) - 5))
    found = intervals.isolate(*_interval(f, p), 0.0, 2.0, 1e-13, 1e-13)
    assert not found.undecided
    assert len(found.zeros) == 3
    for (a, b), exact in zip(found.zeros, (math.log(2), math.log(3), math.log(5)), strict=True):
        assert a <= exact <= b and b - a <= 2e-13 * max(1, exact)


def test_interval_isolation_reports_a_double_zero_instead_of_guessing():
    p = sp.Symbol("p")
    f = (p - sp.Rational(1, 3)) ** 2 * (p + 2)
    found = intervals.isolate(*_interval(f, p), 0.0, 1.0, 1e-12, 1e-9)
    assert not found.zeros
    assert found.undecided and all(a <= 1 / 3 <= b for a, b in found.undecided[:1])


def test_bracketing_decides_a_sign_only_beyond_the_error_bound():
    def evaluate(x):
        return {"f": (x - 0.3, 1e-3)}

    zeros, unresolved = roots.bracket_zeros(evaluate, ("f",), 0.0, 1.0, 11, 1e-12)
    assert len(zeros) == 1
    (zero,) = zeros
    assert zero.stop == "resolution" and abs(zero.value - 0.3) <= 1e-3 + zero.uncertainty
    assert zero.low <= 0.3 + 1e-3 and zero.high >= 0.3 - 1e-3


def test_four_spin_ring_boundaries_from_the_closed_form_agree_with_numeric_bisection():
    """N_U = N_D = 1 circulates for J2 < 1.8893 or > 2.1104 (J1 = 2, T_L = 2, T_R = 0.1)."""
    model = ClassicalModel.from_parameters(**FOUR_SPINS)
    closed = classical_boundaries(model, "j2", 0.1, 4.0)
    numeric = classical_boundaries(model, "j2", 0.1, 4.0, method="bracketing")
    assert closed.certified and not closed.unresolved
    assert [z.name for z in closed.zeros] == ["lower_branch_current", "upper_branch_current"]
    assert [z.name for z in numeric.zeros] == [z.name for z in closed.zeros]
    for exact, bracketed in zip(closed.zeros, numeric.zeros, strict=True):
        assert abs(exact.value - bracketed.value) < 1e-12
        assert exact.uncertainty < 1e-12
    assert round(closed.zeros[0].value, 4) == 1.8893
    assert round(closed.zeros[1].value, 4) == 2.1104
    labels = [r.circulation for r in closed.regimes]
    assert labels == ["clockwise", "parallel", "anticlockwise"]


def test_the_current_changes_sign_across_each_certified_zero():
    model = ClassicalModel.from_parameters(**FOUR_SPINS)
    for zero in classical_boundaries(model, "j2", 0.1, 4.0).zeros:
        below = solve(ClassicalModel.from_parameters(**{**FOUR_SPINS, "j2": zero.value - 1e-6}))
        above = solve(ClassicalModel.from_parameters(**{**FOUR_SPINS, "j2": zero.value + 1e-6}))
        assert np.sign(getattr(below, zero.name)) == -np.sign(getattr(above, zero.name))


@pytest.mark.parametrize("nu, nd", [(1, 0), (0, 1), (1, 1), (2, 0)])
def test_no_cm_for_q2r_with_equal_couplings_along_the_left_temperature(nu, nd):
    """Ohm's law I_U / I_D = -(N_D + 1)/(N_U + 1) for J1 = J2: no zero, parallel everywhere."""
    model = ClassicalModel.from_parameters(nu=nu, nd=nd, j1=1.0, j2=1.0, tl=2.0, tr=1.0)
    result = classical_boundaries(model, "tl", 1.2, 10.0)
    assert result.certified and not result.zeros
    assert [r.circulation for r in result.regimes] == ["parallel"]


def test_closed_form_and_bracketing_agree_along_the_left_temperature():
    model = ClassicalModel.from_parameters(nu=1, nd=1, j1=2.0, j2=1.0, tl=2.0, tr=0.5)
    closed = classical_boundaries(model, "tl", 0.6, 10.0)
    numeric = classical_boundaries(model, "tl", 0.6, 10.0, method="bracketing")
    assert closed.certified
    assert [(z.name, round(z.value, 9)) for z in closed.zeros] == [
        (z.name, round(z.value, 9)) for z in numeric.zeros
    ]


def test_bad_ranges_and_names_are_refused_before_any_solve():
    model = ClassicalModel.from_parameters(**FOUR_SPINS)
    with pytest.raises(ParameterError, match="range"):
        classical_boundaries(model, "j2", 2.0, 1.0)
    with pytest.raises(ParameterError, match="vary"):
        classical_boundaries(model, "nu", 1.0, 2.0)
    with pytest.raises(ParameterError, match="method"):
        classical_boundaries(ClassicalModel.from_parameters(), "j2", 1, 2, method="closed-form")


def test_boundaries_command_prints_the_documented_json(capsys):
    status = main(
        [
            "classical",
            "boundaries",
            "--nu",
            "1",
            "--nd",
            "1",
            "--vary",
            "j2",
            "--range",
            "1",
            "3",
            "--json",
        ]
    )
    payload = json.loads(capsys.readouterr().out)
    assert status == 0
    assert payload["certified"] is True
    assert {b["current"] for b in payload["boundaries"]} == {
        "upper_branch_current",
        "lower_branch_current",
    }
    assert all(set(b) >= {"value", "current", "uncertainty"} for b in payload["boundaries"])
    assert payload["regimes"][0]["from"] == 1.0 and payload["regimes"][-1]["to"] == 3.0
    assert payload["parameters"]["j1"] == 2.0 and payload["parameters"]["tr"] == 0.1


def test_boundaries_command_exits_2_when_part_of_the_range_is_undetermined(capsys):
    # T_L = T_R = 0.1 at the left end: equilibrium, every current is zero to double precision.
    status = main(
        ["classical", "boundaries", "--vary", "tl", "--range", "0.1", "0.5", "--points", "9"]
    )
    captured = capsys.readouterr()
    assert status == 2
    assert "undetermined" in captured.out and "warning" in captured.err


def test_quantum_boundary_of_the_paper_ring_separates_opposite_signs():
    model = QuantumModel.from_parameters(zero_frequency="zero")
    result = quantum_boundaries(model, "delta", -1.0, 1.0, points=11)
    assert not result.certified
    (zero,) = [z for z in result.zeros if z.name == "lower_branch_current"]
    from exactspin.quantum import solve as solve_quantum

    left = solve_quantum(QuantumModel.from_parameters(zero_frequency="zero", delta=zero.low - 1e-6))
    right = solve_quantum(
        QuantumModel.from_parameters(zero_frequency="zero", delta=zero.high + 1e-6)
    )
    assert np.sign(left.lower_branch_current) == -np.sign(right.lower_branch_current)
    assert "clockwise" in [r.circulation for r in result.regimes]
