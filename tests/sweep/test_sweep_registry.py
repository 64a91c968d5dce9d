"""Sweeps run the library's solver registry, and their tables name every parameter of a point."""

from __future__ import annotations

import csv
import io

from exactspin.classical import solve
from exactspin.classical.model import ClassicalModel
from exactspin.sweep import Sweep, run_sweep


def test_a_table_shows_the_defaulted_parameters_after_the_given_ones():
    sweep = Sweep("classical", fixed={"nu": 1, "nd": 0}, grid={"tl": [1.0, 3.0]})
    result = run_sweep(sweep)
    header = result.csv_text().splitlines()[0].split(",")
    # The Fig. 5 values of the parameters the file leaves out (Q2R: no mu).
    assert header[:7] == ["tl", "nu", "nd", "j1", "j2", "tr", "dynamics"]
    assert "mu" not in header
    rows = list(csv.DictReader(io.StringIO(result.csv_text())))
    assert [(r["j1"], r["j2"], r["tr"], r["dynamics"]) for r in rows] == [
        ("2.0", "1.9", "0.1", "q2r")
    ] * 2
    assert Sweep("classical", grid={"mu": [4.0], "dynamics": ["cca"]}).defaulted == {
        "nu": 2,
        "nd": 3,
        "j1": 2.0,
        "j2": 1.9,
        "tl": 2.0,
        "tr": 0.1,
    }


def test_a_point_is_the_registry_solve_of_its_parameters():
    sweep = Sweep("classical", fixed={"nu": 1, "nd": 1, "j2": 1.0}, grid={"tl": [2.5]})
    (row,) = run_sweep(sweep).results
    direct = solve(ClassicalModel.from_parameters(nu=1, nd=1, j2=1.0, tl=2.5)).to_dict()
    assert row["left_bath_current"] == direct["left_bath_current"]
    assert row["bond_currents"] == direct["bond_currents"]
    assert row["parameters"] == {**direct["parameters"]}


def test_monte_carlo_and_quantum_tables_show_their_defaults():
    mc = Sweep("mc", fixed={"steps": 10}, grid={"tl": [1.0]})
    assert mc.defaulted["nu"] == 2 and "replicas" not in mc.defaulted  # its default is the engine's
    quantum = Sweep("quantum", grid={"delta": [0.5]})
    assert quantum.defaulted == {
        "nu": 2,
        "nd": 1,
        "up": 3,
        "j": 1.0,
        "tl": 2.0,
        "tr": 1.0,
        "gamma": 0.01,
        "omega_c": 10.0,
        "zero_frequency": "limit",
    }


def test_ring_results_also_speak_the_network_vocabulary():
    from exactspin.solvers import solver

    exact = solver("classical").evaluate({"nu": 1, "nd": 0})
    assert exact["bath_currents"] == [exact["left_bath_current"], exact["right_bath_current"]]
    assert exact["bath_current_errors"] == [
        exact["error_bounds"]["left_bath_current"],
        exact["error_bounds"]["right_bath_current"],
    ]
    assert exact["bond_current_errors"] == exact["error_bounds"]["bond_currents"]
    assert exact["error_kind"] == "bound"
    mc = solver("mc").evaluate({"nu": 1, "nd": 0, "steps": 2000}, seed=3)
    assert mc["bath_current_errors"] == [
        mc["left_bath_current_stderr"],
        mc["right_bath_current_stderr"],
    ]
    assert mc["bond_current_errors"] == mc["bond_currents_stderr"]
    assert mc["error_kind"] == "standard_error"
    quantum = solver("quantum").evaluate({"nu": 1, "nd": 1, "up": 2, "delta": 0.5})
    assert quantum["bath_currents"] == [
        quantum["left_bath_current"],
        quantum["right_bath_current"],
    ]
    assert quantum["bath_current_errors"][0] == quantum["left_bath_current_bound"]
    assert quantum["error_kind"] == "bound"
