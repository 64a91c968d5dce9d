"""Sweeps that cannot run unbounded: lazy grids, validation by axes, an estimate and --yes.

A grid's points are never built all at once, validation visits the axes (the product only within
groups of coupled parameters), and a sweep past the stated limits of points or estimated time
needs ``--yes``; all of this before any point runs.
"""

from __future__ import annotations

import itertools

import pytest
from conftest import ALLOW, NOISY, SLOW
from hypothesis import given, settings
from hypothesis import strategies as st

from exactspin.cli.main import main
from exactspin.sweep import Sweep
from exactspin.sweep import estimate as estimate_module
from exactspin.sweep.estimate import (
    CONSENT_POINTS,
    CONSENT_SECONDS,
    estimate_sweep,
)
from exactspin.sweep.solvers import SolverEntry
from exactspin.validation import ParameterError

#: Four axes of 100 values: 10^8 points.
HUGE_GRID = {
    "tl": [1.0 + 0.01 * i for i in range(100)],
    "tr": [0.1 + 0.01 * i for i in range(100)],
    "j1": [1.0 + 0.01 * i for i in range(100)],
    "j2": [0.5 + 0.01 * i for i in range(100)],
}


def run(capsys, *argv):
    status = main([*map(str, argv), *ALLOW])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def count_checks(monkeypatch) -> list[dict]:
    seen: list[dict] = []
    original = SolverEntry.check

    def counting(self, parameters):
        seen.append(dict(parameters))
        return original(self, parameters)

    monkeypatch.setattr(SolverEntry, "check", counting)
    return seen


def test_independent_axes_are_validated_one_by_one_not_point_by_point(monkeypatch):
    seen = count_checks(monkeypatch)
    grid = {name: axis[:10] for name, axis in HUGE_GRID.items()}  # 10^4 points
    sweep = Sweep("classical", fixed={"nu": 2, "nd": 3}, grid=grid)
    assert len(sweep) == 10**4
    assert len(seen) == sum(len(axis) for axis in grid.values())


def test_a_grid_of_10_to_the_8_points_is_built_without_its_points(monkeypatch):
    seen = count_checks(monkeypatch)
    sweep = Sweep("classical", fixed={"nu": 2, "nd": 3}, grid=HUGE_GRID)
    assert len(sweep) == 10**8
    assert len(seen) == 400
    first = next(sweep.points())
    assert (first.index, first.parameters["tl"], first.parameters["j2"]) == (0, 1.0, 0.5)


def test_coupled_parameters_are_validated_over_their_product(monkeypatch):
    seen = count_checks(monkeypatch)
    grid = {"dynamics": ["q2r", "cca"], "mu": [2.0, 4.0], "tl": [1.0, 2.0, 3.0]}
    with pytest.raises(ParameterError) as error:
        Sweep("classical", grid=grid)  # q2r with a demon unit is refused
    assert error.value.parameter == "mu"
    seen.clear()
    Sweep("quantum", fixed={"nd": 1}, grid={"nu": [1, 2], "up": [0, 1, 2, 3], "tl": [1.0, 2.0]})
    assert len(seen) == 2 * 4 + 2


def point_is_valid(solver: str, parameters: dict) -> bool:
    try:
        Sweep(solver, fixed=parameters)
    except ParameterError:
        return False
    return True


#: Few values per axis, valid and invalid, for every kind of check (ranges and couplings), so
#: that a coupling missed by the axis-wise validation shows in a few examples.
CLASSICAL_AXES = {
    "nu": [1, 0],
    "nd": [3, 0],
    "tl": [2.0, -1.0],
    "j1": [2.0, 0.0],
    "dynamics": ["q2r", "cca"],
    "mu": [4.0, -1.0],
}
QUANTUM_AXES = {
    "nu": [2, 1, 0],
    "nd": [1, 2],
    "up": [0, 4, 5],
    "tl": [1.0, 0.0],
    "zero_frequency": ["limit", "bogus"],
}


def accepted(solver: str, grid: dict) -> bool:
    try:
        Sweep(solver, grid=grid)
    except ParameterError:
        return False
    return True


def every_point_valid(solver: str, grid: dict) -> bool:
    """The slow, obviously right twin: every point of the grid as a one-point sweep."""
    return all(
        point_is_valid(solver, dict(zip(grid, values, strict=True)))
        for values in itertools.product(*grid.values())
    )


def orderings(values: list) -> list[list]:
    """Every non-empty ordered selection of ``values`` (which value comes first matters)."""
    return [
        list(selection)
        for size in range(1, len(values) + 1)
        for selection in itertools.permutations(values, size)
    ]


@pytest.mark.parametrize("solver", ["classical", "quantum"])
def test_validating_by_axes_refuses_exactly_the_two_axis_grids_with_an_invalid_point(solver):
    axes = CLASSICAL_AXES if solver == "classical" else QUANTUM_AXES
    for first, second in itertools.combinations(axes, 2):
        for values in itertools.product(orderings(axes[first]), orderings(axes[second])):
            grid = dict(zip((first, second), values, strict=True))
            assert accepted(solver, grid) == every_point_valid(solver, grid), grid


@settings(max_examples=100, deadline=None)
@given(data=st.data(), solver=st.sampled_from(["classical", "quantum"]))
def test_validating_by_axes_refuses_exactly_the_grids_with_an_invalid_point(data, solver):
    axes = CLASSICAL_AXES if solver == "classical" else QUANTUM_AXES
    names = data.draw(st.lists(st.sampled_from(sorted(axes)), min_size=1, max_size=4, unique=True))
    grid = {}
    for name in names:
        values = data.draw(st.permutations(axes[name]))
        grid[name] = values[: data.draw(st.integers(1, len(values)))]
    assert accepted(solver, grid) == every_point_valid(solver, grid)


@pytest.mark.parametrize(
    "sweep",
    [
        Sweep("classical", grid={"nu": [1, 2, 3], "tl": [1.0, 2.0], "nd": [2, 4]}),
        Sweep("mc", fixed={"tl": 1.0}, grid={"steps": [1000, 10**6], "replicas": [1, 2]}),
        Sweep("quantum", fixed={"nd": 1}, grid={"nu": [1, 2], "up": [1, 2], "delta": [0.0, 1.0]}),
    ],
    ids=["classical", "mc", "quantum"],
)
def test_the_estimate_by_axes_equals_the_sum_over_every_point(sweep):
    per_point = {
        "classical": estimate_module.classical_seconds,
        "mc": estimate_module.monte_carlo_seconds,
        "quantum": estimate_module.quantum_seconds,
    }[sweep.solver]
    expected = sum(per_point(point.parameters) for point in sweep.points())
    assert estimate_sweep(sweep).seconds == pytest.approx(expected, rel=1e-12)
    assert estimate_sweep(sweep, workers=2).wall_seconds == pytest.approx(expected / 2)


def test_a_plugin_sweep_of_a_million_points_needs_yes(tmp_path, capsys, monkeypatch):
    log = tmp_path / "computed.log"
    monkeypatch.setenv("EXACTSPIN_TOY_LOG", str(log))
    config = tmp_path / "sweep.toml"
    config.write_text(
        f'solver = "{SLOW}"\n[grid]\ntl = {list(range(1000))}\nj2 = {list(range(1000))}\n'
    )
    status, out, err = run(capsys, "sweep", config, "--no-cache")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "1000000 points" in err and "--yes" in err
    assert f"limit of {CONSENT_POINTS} points" in err
    assert not log.exists()


def test_an_exact_sweep_estimated_past_the_time_limit_needs_yes(tmp_path, capsys):
    # 10^4 points of a 14-site ring (16384 states each): hours, not the ten minutes allowed.
    config = tmp_path / "sweep.toml"
    values = [1.0 + 0.01 * i for i in range(100)]
    config.write_text(f'solver = "classical"\n[fixed]\nnu = 6\nnd = 6\n[grid]\ntl = {values}\n'
                      f"tr = {values}\n")  # fmt: skip
    status, out, err = run(capsys, "sweep", config, "--no-cache")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "10000 points" in err and "--yes" in err
    estimate = estimate_sweep(Sweep("classical", fixed={"nu": 6, "nd": 6}, grid={"tl": values}))
    assert estimate.seconds * 100 > CONSENT_SECONDS


def test_yes_runs_a_sweep_past_the_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(estimate_module, "CONSENT_POINTS", 2)
    config = tmp_path / "sweep.toml"
    config.write_text(f'solver = "{NOISY}"\n[grid]\ntl = [1.0, 2.0, 3.0]\n')
    status, _, err = run(capsys, "sweep", config, "--no-cache", "--quiet")
    assert status == 2 and "--yes" in err
    status, out, err = run(capsys, "sweep", config, "--no-cache", "--quiet", "--yes")
    assert status == 0, err
    assert len(out.splitlines()) == 4


def test_the_estimate_is_printed_before_the_sweep_runs(tmp_path, capsys):
    config = tmp_path / "sweep.toml"
    config.write_text('solver = "classical"\n[fixed]\nnu = 1\nnd = 1\n[grid]\ntl = [1.0, 2.0]\n')
    status, _, err = run(capsys, "sweep", config, "--no-cache")
    assert status == 0
    assert err.splitlines()[0].startswith("exactspin sweep: 2 points, estimated ")
    assert "per state" in err.splitlines()[0]


def test_a_ring_too_large_for_memory_is_refused_before_any_point(tmp_path, capsys):
    config = tmp_path / "sweep.toml"
    config.write_text('solver = "classical"\n[grid]\nnu = [1, 30]\n')
    status, out, err = run(capsys, "sweep", config, "--no-cache")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "memory" in err and "Traceback" not in err
