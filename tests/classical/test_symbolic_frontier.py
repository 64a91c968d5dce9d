"""The modular closed forms at the frontier (N_S = 6, 7; CCA N_S = 4, 5) and their engine.

Expected values: the floating numeric solver :func:`exactspin.classical.solve` (sparse LU of the
float generator, refined in double-double, an independent route sharing only the transition
rules) at random physical points; for the engine, the plain Gauss-Jordan evaluator of
:func:`symbolic_modular.evaluate` at points on the same lines (its slow, obviously-right twin),
exact Python integers, and python-flint's own univariate series arithmetic.
"""

from __future__ import annotations

import functools
import io
import json
import random
from contextlib import redirect_stderr, redirect_stdout

import flint
import mpmath
import numpy as np
import pytest
import sympy as sp

from exactspin.classical import large_expressions, series_pade, solve, symbolic_modular
from exactspin.classical.model import ClassicalModel
from exactspin.classical.symbolic_model import RateVariables, SymbolicModel
from exactspin.classical.symbolic_modular import derive_modular
from exactspin.classical.symbolic_series import matmul_mod
from exactspin.cli.main import main
from exactspin.ring import Ring

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)

P = symbolic_modular.PRIMES[0]


def numeric_value(expression: sp.Expr, values: dict) -> mpmath.mpf:
    """``expression`` at ``values`` in mpmath, walking sums of 10^5 terms without sympy."""
    if expression.is_Symbol:
        return values[expression]
    if expression.is_Number:
        return mpmath.mpf(sp.Rational(expression).p) / sp.Rational(expression).q
    if expression.is_Add:
        return mpmath.fsum(numeric_value(term, values) for term in expression.args)
    if expression.is_Mul:
        return mpmath.fprod(numeric_value(factor, values) for factor in expression.args)
    if expression.is_Pow and expression.exp.is_Integer:
        return numeric_value(expression.base, values) ** int(expression.exp)
    if isinstance(expression, sp.Piecewise):
        for piece, condition in expression.args:
            if bool(condition.xreplace(values)):
                return numeric_value(piece, values)
    raise TypeError(f"unexpected node {type(expression).__name__}")


def closed_form_currents(solution, model: ClassicalModel) -> dict[str, float]:
    """The solution's currents at a numeric model, 50 digits, as floats."""
    with mpmath.workdps(50):
        numbers = {
            symbol: mpmath.mpf(value)
            for symbol, value in solution.model.check_numeric(model).items()
        }
        for symbol, definition in solution.variables:
            numbers[symbol] = mpmath.mpf(str(definition.xreplace(numbers).evalf(50)))
        return {
            name: float(numeric_value(value, numbers))
            for name, value in solution.currents(physical=False).items()
        }


def assert_matches_numeric(solution, models) -> None:
    for model in models:
        closed = closed_form_currents(solution, model)
        numeric = solve(model)
        for name in CURRENTS:
            expected = getattr(numeric, name)
            assert abs(closed[name] - expected) <= 1e-12 * max(1.0, abs(expected)), (name, model)


def random_rings(nu: int, nd: int, count: int, seed: int, order: str | None = None):
    rng = random.Random(seed)
    for index in range(count):
        j1, j2 = rng.uniform(0.3, 2.0), rng.uniform(0.3, 2.0)
        if order == "upper_stronger" or (order is None and index % 2 == 0):
            j1, j2 = max(j1, j2), min(j1, j2)
        elif order == "lower_stronger" or order is None:
            j1, j2 = min(j1, j2), max(j1, j2)
        yield ClassicalModel(Ring(nu, nd), j1, j2, rng.uniform(0.4, 3.0), rng.uniform(0.4, 3.0))


# ----------------------------------------------------------------------------------------------
# The engine.


def test_products_mod_p_are_exact():
    rng = np.random.default_rng(1)
    left = rng.integers(0, P, size=(7, 200))
    right = rng.integers(0, P, size=(200, 5))
    ours = matmul_mod(left, right, P)
    exact = [
        [sum(int(left[i, k]) * int(right[k, j]) for k in range(200)) % P for j in range(5)]
        for i in range(7)
    ]
    assert ours.tolist() == exact


@pytest.mark.parametrize(("n", "m"), [(3, 4), (5, 2), (0, 0), (6, 6)])
def test_pade_recovers_a_rational_series(n, m):
    rng = random.Random(n * 10 + m)
    numerator = flint.nmod_poly([rng.randrange(1, P) for _ in range(n + 1)], P)
    denominator = flint.nmod_poly([1] + [rng.randrange(1, P) for _ in range(m)], P)
    terms = 2 * max(m, n + 1)
    series = (numerator * denominator.inverse_series_trunc(terms)).coeffs()
    rows = np.array([[int(c) for c in series] + [0] * (terms - len(series))] * 3)
    found_n, found_d, ok = series_pade.pade(rows, n, m, P)
    assert ok.all()
    assert [int(c) for c in found_n[0]] == [int(c) for c in numerator.coeffs()]
    assert [int(c) for c in found_d[0]] == [int(c) for c in denominator.coeffs()]


def test_series_along_a_line_equal_the_elimination_at_points_on_it():
    # The block Krylov series, resummed by Pade, against Gauss-Jordan solves at points
    # a + t d of the same line (N_S = 4, four rate variables).
    model = SymbolicModel(Ring(1, 1), "q2r", "upper_stronger")
    chain = symbolic_modular._chain(model, RateVariables.for_model(model), "step")
    rng = random.Random(3)
    direction = np.array([[rng.randrange(1, P) for _ in range(4)]])
    wanted = list(range(len(chain.quantities)))
    base, series = symbolic_modular._base_series(chain, wanted, direction, 40, P, rng)
    for q in wanted:
        (degrees,) = series_pade.degrees(series[q], P)
        numerator, denominator, ok = series_pade.pade(series[q], *degrees, P)
        assert ok.all()
        for t in (rng.randrange(1, P) for _ in range(3)):
            point = (base + t * direction[0]) % P
            value, good = symbolic_modular.evaluate(chain, point[None, :], P)
            top = flint.nmod_poly([int(c) for c in numerator[0]], P)(t)
            bottom = flint.nmod_poly([int(c) for c in denominator[0]], P)(t)
            assert good[0]
            assert int(value[0, q]) * int(bottom) % P == int(top)


def test_large_sums_print_as_sympy_reads_them(monkeypatch):
    monkeypatch.setattr(large_expressions, "LARGE_SUM", 3)
    solution = derive_modular(Ring(1, 1), couplings="positive")
    for value in solution.currents(physical=False).values():
        assert large_expressions.is_large(value)
        back = sp.sympify(
            large_expressions.text(value), locals={s.name: s for s in value.free_symbols}
        )
        point = {
            s: sp.Rational(i + 2, 7) for i, s in enumerate(sorted(value.free_symbols, key=str))
        }
        assert back.xreplace(point) == value.xreplace(point)


# ----------------------------------------------------------------------------------------------
# Closed forms against the numeric solver.


@functools.cache
def modular(nu: int, nd: int, couplings: str):
    return derive_modular(Ring(nu, nd), "q2r", couplings)


@pytest.mark.slow  # ~10 s: both orderings of J1, J2
def test_six_spins_any_couplings_match_the_numeric_solver():
    assert_matches_numeric(modular(2, 2, "positive"), random_rings(2, 2, 4, seed=6))


@pytest.mark.slow  # ~1 min: one ordering, 7 x 10^4 terms per polynomial
def test_seven_spins_match_the_numeric_solver():
    solution = modular(3, 2, "upper_stronger")
    assert_matches_numeric(solution, random_rings(3, 2, 3, seed=7, order="upper_stronger"))


@pytest.mark.slow  # ~1 min
def test_seven_spins_lower_coupling_stronger_match_the_numeric_solver():
    solution = modular(2, 3, "lower_stronger")
    assert_matches_numeric(solution, random_rings(2, 3, 3, seed=8, order="lower_stronger"))


def cca_models(nu, nd, count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        yield ClassicalModel(
            Ring(nu, nd), 2.0, 1.0, rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), "cca", 4.0
        )


@pytest.mark.slow  # ~3-8 s
def test_cca_four_spins_match_the_numeric_solver():
    # Fig. 8's couplings (J1 = 2, J2 = 1, mu = 4): four closed classes, summed exactly.
    solution = derive_modular(SymbolicModel(Ring(2, 0), "cca", "exact", 2, 1, 4))
    assert_matches_numeric(solution, cca_models(2, 0, 3, seed=40))


@pytest.mark.slow  # ~10 s
def test_cca_four_spins_both_branches_match_the_numeric_solver():
    solution = derive_modular(SymbolicModel(Ring(1, 1), "cca", "exact", 2, 1, 4))
    assert_matches_numeric(solution, cca_models(1, 1, 3, seed=41))


@pytest.mark.slow  # minutes: eight classes of 128 lumped states, degree 192
def test_cca_five_spins_match_the_numeric_solver():
    solution = derive_modular(SymbolicModel(Ring(3, 0), "cca", "exact", 2, 1, 4))
    assert_matches_numeric(solution, cca_models(3, 0, 2, seed=50))


@pytest.mark.slow  # ~10 min: the five-spin CCA ring with both branches (N_U = 2, N_D = 1)
def test_cca_five_spins_with_both_branches_match_the_numeric_solver():
    solution = derive_modular(SymbolicModel(Ring(2, 1), "cca", "exact", 2, 1, 4))
    assert_matches_numeric(solution, cca_models(2, 1, 2, seed=51))


# ----------------------------------------------------------------------------------------------
# The command line: estimate first, progress, refusal, currents only.


def run_cli(arguments: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(arguments)
    return status, out.getvalue(), err.getvalue()


def test_modular_derive_prints_its_estimate_and_progress_first():
    status, out, err = run_cli(
        ["classical", "derive", "--nu", "1", "--nd", "1", "--couplings", "upper_stronger",
         "--method", "modular", "--json"]
    )  # fmt: skip
    assert status == 0
    lines = err.splitlines()
    assert "expected" in lines[1] and "primes" in lines[1]
    assert any("verified at fresh points" in line for line in lines[2:])
    assert json.loads(out)["steady_state"] == {}


def test_modular_derive_refuses_past_max_seconds_with_the_estimate():
    status, out, err = run_cli(
        ["classical", "derive", "--nu", "3", "--nd", "2", "--couplings", "positive",
         "--method", "modular", "--max-seconds", "1"]
    )  # fmt: skip
    assert status == 2
    assert out == ""
    assert "83521 terms" in err and "over --max-seconds 1" in err


def test_currents_only_leaves_the_steady_state_out():
    arguments = ["classical", "derive", "--nu", "1", "--nd", "0", "--json", "--quiet"]
    _, full, _ = run_cli(arguments)
    status, short, _ = run_cli([*arguments, "--currents-only"])
    assert status == 0
    full, short = json.loads(full), json.loads(short)
    assert len(full["steady_state"]) == 8 and short["steady_state"] == {}
    assert short["currents"] == full["currents"]


# ----------------------------------------------------------------------------------------------
# The paper's form.


def test_three_spin_currents_in_sinh_cosh_are_eqs_13_to_15():
    from exactspin.classical.symbolic import derive
    from exactspin.classical.symbolic_model import BETA_L, BETA_R, COUPLING
    from exactspin.classical.symbolic_paper_form import paper_form

    solution = derive(Ring(1, 0), couplings="symmetric")
    currents = solution.currents(physical=False)
    difference = 2 * COUPLING * (BETA_R - BETA_L)
    denominator = 3 * sp.cosh(difference) + sp.exp(2 * COUPLING * (BETA_L + BETA_R))  # Eq. 13
    paper = {  # Eqs. 14, 15 (I_L = I_U - I_D with the paper's branch signs; here I_D as derived)
        "left_bath_current": COUPLING * sp.sinh(difference) / denominator,
        "upper_branch_current": COUPLING / 3 * sp.sinh(difference) / denominator,
        "lower_branch_current": -2 * COUPLING / 3 * sp.sinh(difference) / denominator,
    }
    for name, expected in paper.items():
        ours = paper_form(currents[name], solution.variables)
        assert ours.atoms(sp.sinh) and ours.atoms(sp.cosh), name
        assert sp.simplify((ours - expected).rewrite(sp.exp)) == 0, name


def test_paper_form_equals_the_rational_form_at_random_points():
    from exactspin.classical.symbolic_paper_form import paper_form

    solution = derive_modular(Ring(1, 1), couplings="upper_stronger")
    rng = random.Random(11)
    for value in solution.currents(physical=False).values():
        hyperbolic = paper_form(value, solution.variables)
        assert hyperbolic is not None
        for _ in range(3):
            j2 = rng.uniform(0.3, 1.0)
            point = {"J1": j2 + rng.uniform(0.1, 1.0), "J2": j2}
            point |= {"beta_L": rng.uniform(0.3, 2.0), "beta_R": rng.uniform(0.3, 2.0)}
            numbers = {s: point[s.name] for s in hyperbolic.free_symbols}
            physical = solution.physical(value)
            numbers |= {s: point[s.name] for s in physical.free_symbols}
            assert float(hyperbolic.xreplace(numbers)) == pytest.approx(
                float(physical.xreplace(numbers)), rel=1e-12, abs=1e-15
            )


def test_an_unlucky_grid_is_drawn_again_not_reported(monkeypatch):
    real, calls = symbolic_modular._reconstruct_mod, []

    def first_unlucky(*arguments):
        calls.append(1)
        if len(calls) == 1:
            raise symbolic_modular._UnluckyChoice("a Pade approximant had an unexpected shape")
        return real(*arguments)

    monkeypatch.setattr(symbolic_modular, "_reconstruct_mod", first_unlucky)
    ours = derive_modular(Ring(1, 0), couplings="symmetric").currents(physical=False)
    monkeypatch.setattr(symbolic_modular, "_reconstruct_mod", real)
    reference = derive_modular(Ring(1, 0), couplings="symmetric").currents(physical=False)
    assert len(calls) > 1
    for name in CURRENTS:
        assert sp.cancel(ours[name] - reference[name]) == 0
