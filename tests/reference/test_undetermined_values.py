"""A value our solver cannot determine is never compared as a number (nor put in a table).

The exact classical solver reports ``determined = False`` when its error bound exceeds the asked
accuracy. The solver registry then hides its currents (None), and ``crosscheck`` calls each such
comparison undetermined (exit 1), where it used to compare the unresolved numbers.
"""

from __future__ import annotations

import json

import pytest

import exactspin.classical
from exactspin.cli.main import main
from exactspin.solvers import solver


@pytest.fixture
def undetermined_classical(monkeypatch):
    real = exactspin.classical.solve

    class Unresolved:
        def __init__(self, solution):
            self.solution = solution

        def to_dict(self):
            return {**self.solution.to_dict(), "determined": False}

    monkeypatch.setattr(
        exactspin.classical, "solve", lambda model, **options: Unresolved(real(model, **options))
    )


def test_the_registry_hides_undetermined_currents(undetermined_classical):
    values = solver("classical").evaluate({"nu": 1, "nd": 0})
    assert values["determined"] is False
    assert values["left_bath_current"] is None and values["magnification_ratio"] is None
    assert values["bond_currents"] == [None, None, None]
    assert values["circulation"] == "undetermined"


def test_crosscheck_calls_undetermined_values_undetermined(tmp_path, capsys):
    path = tmp_path / "rows.csv"
    # The three-spin ring N_U = 1, N_D = 0 with J = 1, T_L = 2, T_R = 1: any claimed numbers.
    path.write_text(
        "model,nu,nd,j1,j2,tl,tr,left_bath_current,bond_currents\n"
        'classical,1,0,1,1,2,1,0.01,"[0.01, 0.01, 0.0]"\n'
    )
    assert main(["crosscheck", str(path), "--json"]) in (0, 1)  # determined: compared as numbers
    determined = json.loads(capsys.readouterr().out)["rows"]
    assert {row["verdict"] for row in determined} <= {"pass", "FAIL"}


def test_crosscheck_refuses_to_compare_an_undetermined_solve(
    tmp_path, capsys, undetermined_classical
):
    path = tmp_path / "rows.csv"
    path.write_text(
        "model,nu,nd,j1,j2,tl,tr,left_bath_current,bond_currents\n"
        'classical,1,0,1,1,2,1,0.01,"[0.01, 0.01, 0.0]"\n'
    )
    assert main(["crosscheck", str(path), "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [row["observable"] for row in rows] == [
        "left_bath_current",
        "bond_currents[1]",
        "bond_currents[2]",
        "bond_currents[3]",
    ]
    assert {row["verdict"] for row in rows} == {"undetermined"}
