"""The modular reconstruction of the currents equals the fraction-free closed forms.

Expected values: the fraction-free derivation of :mod:`exactspin.classical.symbolic` (exact
sympy linear algebra over ZZ[variables], an independent route sharing only the list of moves)
compared exactly with ``cancel``; beyond its reach, the floating numeric solver
:func:`exactspin.classical.solve` (sparse LU of the float generator) at random physical points.
"""

from __future__ import annotations

import functools
import io
import json
import random
from contextlib import redirect_stdout

import pytest
import sympy as sp

from exactspin.classical import solve, symbolic_modular
from exactspin.classical.model import ClassicalModel
from exactspin.classical.symbolic import derive
from exactspin.classical.symbolic_model import SymbolicModel
from exactspin.classical.symbolic_modular import ReconstructionError, derive_modular
from exactspin.cli.main import main
from exactspin.ring import Ring

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


@functools.cache
def modular(nu: int, nd: int, couplings: str, dynamics: str = "q2r"):
    return derive_modular(Ring(nu, nd), dynamics, couplings)


def assert_same_currents(ours, theirs) -> None:
    mine, reference = ours.currents(physical=False), theirs.currents(physical=False)
    for name in CURRENTS:
        assert sp.cancel(mine[name] - reference[name]) == 0, name
    for a, b in zip(ours.rational.bond_currents, theirs.rational.bond_currents, strict=True):
        assert sp.cancel(a - b) == 0


@pytest.mark.parametrize(
    ("nu", "nd", "couplings", "dynamics"),
    [
        (1, 0, "symmetric", "q2r"),
        (1, 0, "upper_stronger", "q2r"),
        (1, 0, "lower_stronger", "q2r"),
        (1, 1, "upper_stronger", "q2r"),
        (1, 1, "lower_stronger", "q2r"),
        (2, 0, "symmetric", "q2r"),
    ],
)
def test_modular_equals_fraction_free(nu, nd, couplings, dynamics):
    assert_same_currents(
        modular(nu, nd, couplings, dynamics), derive(Ring(nu, nd), dynamics, couplings)
    )


@pytest.mark.parametrize(("nu", "nd"), [(0, 0), (1, 0)])
def test_cca_exact_couplings_equal_fraction_free(nu, nd):
    # Fig. 8's point: J1 = 2, J2 = 1, mu = 4 (rational couplings, CCA needs them exact).
    model = SymbolicModel(Ring(nu, nd), "cca", "exact", 2, 1, 4)
    assert_same_currents(derive_modular(model), derive(model))


def test_positive_couplings_join_both_orders_like_fraction_free():
    ours, theirs = modular(1, 1, "positive"), derive(Ring(1, 1), couplings="positive")
    for name in CURRENTS:
        mine, reference = ours.currents(physical=False)[name], theirs.currents()[name]
        for j1, j2 in ((2, 1), (1, 3)):
            values = {"J1": j1, "J2": j2}
            chosen = {s: v for s in mine.free_symbols for k, v in values.items() if s.name == k}
            picked = ours.physical(mine).xreplace(chosen)
            other = reference.xreplace(chosen)
            assert sp.simplify((picked - other).rewrite(sp.exp)) == 0, (name, j1, j2)


def physical_points(count: int, order: str, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        j2 = rng.uniform(0.3, 1.5)
        j1 = j2 + rng.uniform(0.1, 1.0)
        if order == "lower_stronger":
            j1, j2 = j2, j1
        yield j1, j2, rng.uniform(0.4, 3.0), rng.uniform(0.4, 3.0)


def assert_matches_numeric(solution, nu, nd, order, count, seed) -> None:
    for j1, j2, tl, tr in physical_points(count, order, seed):
        model = ClassicalModel(Ring(nu, nd), j1, j2, tl, tr)
        closed = solution.evaluate(model)
        numeric = solve(model)
        for name in CURRENTS:
            expected = getattr(numeric, name)
            assert abs(closed[name] - expected) <= 1e-12 * max(1.0, abs(expected)), name


def test_four_spins_match_the_numeric_solver():
    solution = modular(1, 1, "lower_stronger")
    assert_matches_numeric(solution, 1, 1, "lower_stronger", count=3, seed=4)


@pytest.mark.slow
def test_five_spins_match_the_numeric_solver():
    solution = modular(2, 1, "upper_stronger")
    assert_matches_numeric(solution, 2, 1, "upper_stronger", count=3, seed=5)


@pytest.mark.slow
def test_five_spins_equal_fraction_free():
    for order in ("upper_stronger", "lower_stronger"):
        assert_same_currents(modular(2, 1, order), derive(Ring(2, 1), couplings=order))


@pytest.mark.slow
@pytest.mark.parametrize("order", ["upper_stronger", "lower_stronger"])
def test_six_spins_any_couplings_match_the_numeric_solver(order):
    solution = modular(2, 2, order)
    assert_matches_numeric(solution, 2, 2, order, count=4, seed=6)


def test_too_few_primes_is_an_error_not_a_result(monkeypatch):
    # N_S = 5 coefficients (up to ~1e7 over ~1e7) need more than one 31-bit prime.
    monkeypatch.setattr(symbolic_modular, "PRIMES", symbolic_modular.PRIMES[:2])
    with pytest.raises(ReconstructionError, match="did not reconstruct and verify"):
        derive_modular(Ring(2, 1), couplings="upper_stronger")


def test_failed_check_at_fresh_points_is_an_error(monkeypatch):
    monkeypatch.setattr(symbolic_modular, "_check", lambda *args: False)
    with pytest.raises(ReconstructionError, match="did not reconstruct and verify"):
        derive_modular(Ring(1, 0), couplings="symmetric")


def run_cli(arguments: list[str]) -> tuple[int, str]:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        status = main(arguments)
    return status, buffer.getvalue()


def test_cli_method_modular_prints_the_same_currents():
    arguments = [
        "classical",
        "derive",
        "--nu",
        "1",
        "--nd",
        "1",
        "--couplings",
        "upper_stronger",
        "--json",
        "--quiet",
    ]
    status, text = run_cli([*arguments, "--method", "modular"])
    assert status == 0
    reference_status, reference_text = run_cli(arguments)
    assert reference_status == 0
    ours, theirs = json.loads(text)["currents"], json.loads(reference_text)["currents"]
    for name in CURRENTS:
        assert sp.cancel(sp.sympify(ours[name]) - sp.sympify(theirs[name])) == 0


@pytest.mark.slow
def test_cli_six_spins_positive_couplings_modular():
    # Issue 12: any J1, J2 at N_S = 6 was refused by the fraction-free estimate.
    status, text = run_cli(
        [
            "classical",
            "derive",
            "--nu",
            "2",
            "--nd",
            "2",
            "--couplings",
            "positive",
            "--method",
            "modular",
            "--json",
            "--quiet",
        ]
    )
    assert status == 0
    assert "Piecewise" in json.loads(text)["currents"]["lower_branch_current"]
