"""Sweep definitions: grid order, point seeds, and every bad input refused before any work."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import NOISY, PLUGINS

from exactspin.sweep import Sweep, parse_sweep, point_seed
from exactspin.validation import ParameterError

FIG5A_TOML = """
solver = "classical"
[fixed]
nu = 2
nd = 3
j1 = 2.0
tr = 0.1
[grid]
tl = [1.0, 2.0, 3.0, 5.0]
j2 = [1.0, 1.5, 1.9, 2.5]
"""


def test_points_are_the_product_of_the_axes_first_axis_slowest():
    sweep = parse_sweep(FIG5A_TOML)
    expected = list(itertools.product([1.0, 2.0, 3.0, 5.0], [1.0, 1.5, 1.9, 2.5]))
    points = list(sweep.points())
    assert [(p.parameters["tl"], p.parameters["j2"]) for p in points] == expected
    assert [p.index for p in points] == list(range(16))
    assert len(sweep) == 16


def test_parameters_list_the_axes_in_file_order_then_the_fixed_values():
    sweep = parse_sweep(FIG5A_TOML)
    assert sweep.parameter_names == ("tl", "j2", "nu", "nd", "j1", "tr")
    assert list(next(sweep.points()).parameters) == ["tl", "j2", "nu", "nd", "j1", "tr"]


def test_axis_order_in_the_file_decides_which_axis_is_slowest():
    swapped = FIG5A_TOML.replace("tl = [1.0, 2.0, 3.0, 5.0]\n", "") + "tl = [1.0, 2.0]\n"
    points = list(parse_sweep(swapped).points())
    assert [(p.parameters["j2"], p.parameters["tl"]) for p in points[:3]] == [
        (1.0, 1.0),
        (1.0, 2.0),
        (1.5, 1.0),
    ]


def test_integers_given_for_real_parameters_are_stored_as_floats():
    sweep = Sweep("classical", fixed={"j1": 2}, grid={"tl": [1, 2.5]})
    assert [p.parameters["tl"] for p in sweep.points()] == [1.0, 2.5]
    assert all(type(p.parameters["j1"]) is float for p in sweep.points())


def test_each_point_seed_is_seedsequence_of_base_seed_and_index():
    sweep = Sweep(NOISY, grid={"x": [0.0, 1.0, 2.0]}, seed=42, allowed_plugins=PLUGINS)
    for point in sweep.points():
        words = np.random.SeedSequence(42, spawn_key=(point.index,)).generate_state(1, np.uint32)
        assert point.seed == int(words[0])
    assert len({p.seed for p in sweep.points()}) == 3
    assert point_seed(42, 1) != point_seed(43, 1)


def test_no_grid_is_a_single_point():
    sweep = Sweep("classical", fixed={"tl": 2.0})
    assert [p.parameters for p in sweep.points()] == [{"tl": 2.0}]


@pytest.mark.parametrize(
    ("fixed", "grid", "key"),
    [
        ({"temperature": 1.0}, {}, "temperature"),  # unknown name
        ({}, {"tl": []}, "tl"),  # empty axis
        ({}, {"tl": 1.0}, "tl"),  # an axis must be a list
        ({"tl": "hot"}, {}, "tl"),  # wrong type
        ({"nu": 2.5}, {}, "nu"),  # sizes are integers
        ({"nu": True}, {}, "nu"),  # booleans are not numbers
        ({}, {"j2": [1.0, "x"]}, "j2"),  # one bad value on an axis
        ({"tl": 1.0}, {"tl": [1.0]}, "tl"),  # both fixed and swept
        ({"tl": float("nan")}, {}, "tl"),  # not finite
        ({}, {"tl": [1.0, -1.0]}, "tl"),  # outside the model's range
        ({"dynamics": "glauber"}, {}, "dynamics"),
        ({"dynamics": "cca"}, {}, "mu"),  # CCA needs mu
    ],
)
def test_bad_classical_sweeps_name_the_key(fixed, grid, key):
    with pytest.raises(ParameterError) as error:
        Sweep("classical", fixed=fixed, grid=grid)
    assert error.value.parameter == key


def test_monte_carlo_sweeps_need_steps_and_refuse_a_seed_key():
    with pytest.raises(ParameterError) as error:
        Sweep("mc", fixed={"tl": 2.0})
    assert error.value.parameter == "steps"
    with pytest.raises(ParameterError) as error:
        Sweep("mc", fixed={"steps": 1000, "seed": 3})
    assert error.value.parameter == "seed"


@pytest.mark.parametrize(
    "solver",
    ["annealing", "", 3, ":", "toy_solvers:", "no_such_module:f", "toy_solvers:none", "python:"],
)
def test_unknown_solvers_are_refused(solver):
    with pytest.raises(ParameterError) as error:
        Sweep(solver, allowed_plugins=(*PLUGINS, "no_such_module"))
    assert error.value.parameter == "solver"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('solver = "classical"\n[grid\ntl = [1.0]', "config"),  # not TOML
        ("[grid]\ntl = [1.0]", "solver"),  # no solver
        ('solver = "classical"\nsteps = 3', "steps"),  # unknown top-level key
        ('solver = "classical"\nfixed = 3', "fixed"),  # [fixed] must be a table
        ('solver = "classical"\ngrid = [1, 2]', "grid"),  # [grid] must be a table
        ('solver = "classical"\n[grid]\ntl = []', "tl"),
        ('solver = "classical"\n[grid]\ntl = 2.0', "tl"),
        ('solver = "classical"\n[grid]\nnu = [2, 3.5]', "nu"),
        ('solver = "classical"\n[fixed]\ntl = [1.0, 2.0]', "tl"),  # a list is not a value
        ('solver = "classical"\n[fixed]\nbogus = 1', "bogus"),
        ('solver = "classical"\nseed = -1', "seed"),
        ('solver = "classical"\n[grid.tl]\nx = 1', "tl"),
    ],
)
def test_bad_sweep_files_name_the_key_before_any_work(text, key):
    with pytest.raises(ParameterError) as error:
        parse_sweep(text)
    assert error.value.parameter == key


def test_the_seed_option_overrides_the_file_seed():
    text = f'solver = "{NOISY}"\nseed = 5\n[grid]\nx = [1.0]'
    assert parse_sweep(text, allowed_plugins=PLUGINS).seed == 5
    assert parse_sweep(text, seed=9, allowed_plugins=PLUGINS).seed == 9


LISTED_TOML = """
solver = "classical"
[fixed]
nu = 2
nd = 3
[[points]]
tl = 1.0
j2 = 1.5
[[points]]
j2 = 2.5
tl = 3
"""


def test_listed_points_run_in_file_order_with_the_fixed_values():
    sweep = parse_sweep(LISTED_TOML)
    assert len(sweep) == 2 and sweep.swept == ("tl", "j2")
    assert [p.parameters for p in sweep.points()] == [
        {"tl": 1.0, "j2": 1.5, "nu": 2, "nd": 3},
        {"tl": 3.0, "j2": 2.5, "nu": 2, "nd": 3},
    ]
    assert [p.seed for p in sweep.points()] == [point_seed(0, 0), point_seed(0, 1)]


@pytest.mark.parametrize("solver", ["classical", NOISY])
def test_listing_the_points_of_a_grid_gives_the_grids_table(solver):
    from exactspin.sweep import run_sweep

    axes = {"tl": [1.0, 2.0], "j2": [1.5, 2.5]}
    grid = Sweep(solver, fixed={"nu": 1}, grid=axes, allowed_plugins=PLUGINS)
    listed = Sweep(
        solver,
        fixed={"nu": 1},
        listed=[
            dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())
        ],
        allowed_plugins=PLUGINS,
    )
    assert run_sweep(listed).csv_text() == run_sweep(grid).csv_text()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('solver = "classical"\n[grid]\ntl = [1.0]\n[[points]]\ntl = 2.0\n', "points"),
        ('solver = "classical"\n[[points]]\ntl = 2.0\n[[points]]\nj2 = 2.0\n', "points"),
        ('solver = "classical"\n[[points]]\ntl = 2.0\n[[points]]\n', "points"),
        ('solver = "classical"\n[fixed]\ntl = 1.0\n[[points]]\ntl = 2.0\n', "tl"),
        ('solver = "classical"\n[[points]]\ntl = 2.0\n[[points]]\ntl = -2.0\n', "tl"),
        ('solver = "classical"\npoints = 3\n', "points"),
        ('solver = "classical"\npoints = [1, 2]\n', "points"),
    ],
)
def test_bad_point_lists_name_the_key(text, key):
    with pytest.raises(ParameterError) as error:
        parse_sweep(text)
    assert error.value.parameter == key
