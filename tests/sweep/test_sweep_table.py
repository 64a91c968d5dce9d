"""The sweep table flattens observables one way, and carries undetermined results as such."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import PLUGINS, UNDETERMINED

from exactspin.sweep import Sweep, run_sweep
from exactspin.sweep.plot import plot_sweep
from exactspin.sweep.table import flatten, stderr_column

SWEEP = Sweep(UNDETERMINED, grid={"tl": [1.0, 2.0]}, allowed_plugins=PLUGINS)


def test_flattening_names_list_items_by_position_and_dict_entries_by_key():
    nested = {"a": {"b": 1, "c": [2, {"d": 3}]}, "e": [[4, 5]], "f": None}
    assert flatten(nested) == {"a.b": 1, "a.c[0]": 2, "a.c[1].d": 3, "e[0][0]": 4, "e[0][1]": 5,
                               "f": None}  # fmt: skip


def test_an_observable_undefined_at_one_point_and_a_list_at_another_is_flattened_once():
    result = run_sweep(SWEEP)
    columns = result.columns
    assert "bond_currents" not in columns and "bond_currents_stderr" not in columns
    assert [c for c in columns if c.startswith("bond_currents")] == [
        "bond_currents[0]",
        "bond_currents[1]",
        "bond_currents_stderr[0]",
        "bond_currents_stderr[1]",
    ]
    rows = list(csv.DictReader(io.StringIO(result.csv_text())))
    assert [row["bond_currents[0]"] for row in rows] == ["", "0.5"]
    records = json.loads(result.json_text())
    assert [list(record) for record in records] == [list(row) for row in rows]
    assert [record["bond_currents[1]"] for record in records] == [None, 0.25]
    assert [c for c in columns if c.startswith("site_currents")] == [
        "site_currents.2",
        "site_currents.4",
    ]


def test_an_undetermined_result_is_carried_as_undetermined_never_as_zero():
    result = run_sweep(SWEEP)
    rows = list(csv.DictReader(io.StringIO(result.csv_text())))
    assert [row["circulation"] for row in rows] == ["undetermined", "undetermined"]
    assert [row["upper_branch_current"] for row in rows] == ["", ""]
    assert [row["upper_branch_current_stderr"] for row in rows] == ["", ""]
    figure = plot_sweep(result, "tl", ["upper_branch_current", "bond_currents[0]"])
    assert len(figure.axes[0].patches) == 0  # no circulation regime is shaded


@pytest.mark.parametrize(
    ("column", "twin"),
    [
        ("upper_branch_current", "upper_branch_current_stderr"),
        ("bond_currents[2]", "bond_currents_stderr[2]"),
        ("site_currents.2", "site_currents_stderr.2"),
        ("correlations[0].value", "correlations[0].stderr"),
    ],
)
def test_every_column_has_one_standard_error_twin(column, twin):
    assert stderr_column(column) == twin


def test_list_valued_monte_carlo_observables_get_their_error_bars():
    result = run_sweep(SWEEP)
    figure = plot_sweep(result, "tl", ["bond_currents[0]"])
    (container,) = figure.axes[0].containers  # an errorbar container, from the stderr twin
    assert container.has_yerr
