"""``exactspin sweep``: outputs, one-line errors before any work, and the regime plot."""

from __future__ import annotations

import json

import pytest
from conftest import ALLOW, FAILING, NOISY, PLUGINS, SLOW
from matplotlib.colors import to_rgba

from exactspin.cli.main import main
from exactspin.sweep import Sweep, parse_sweep, run_sweep
from exactspin.sweep.plot import REGIME_COLOURS, plot_sweep, regime_spans

CONFIG = f'solver = "{NOISY}"\nseed = 4\n[fixed]\nnu = 2\n[grid]\ntl = [1.0, 2.0, 3.0]\n'


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(CONFIG)
    return path


def run(capsys, *argv):
    """Run the command line with the toy plugins allowed."""
    status = main([*map(str, argv), *ALLOW])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_table_goes_to_stdout_or_to_a_csv_or_json_file(config, tmp_path, capsys):
    expected = run_sweep(parse_sweep(CONFIG, allowed_plugins=PLUGINS))
    status, out, _ = run(capsys, "sweep", config, "--no-cache", "--quiet")
    assert status == 0 and out == expected.csv_text()
    status, out, _ = run(capsys, "sweep", config, "--no-cache", "--quiet", "--json")
    assert status == 0 and json.loads(out) == json.loads(expected.json_text())
    for suffix, text in ((".csv", expected.csv_text()), (".json", expected.json_text())):
        target = tmp_path / f"table{suffix}"
        status, out, _ = run(capsys, "sweep", config, "--no-cache", "--quiet", "--out", target)
        assert (status, out) == (0, "")
        assert target.read_text() == text


def test_progress_and_the_summary_go_to_stderr(config, tmp_path, capsys):
    cache = tmp_path / "cache"
    run(capsys, "sweep", config, "--cache", cache)
    status, _, err = run(capsys, "sweep", config, "--cache", cache)
    assert status == 0
    assert err.strip().splitlines()[-1] == "exactspin sweep: 3 points, 0 computed, 3 from cache"


def test_the_seed_option_changes_the_stochastic_numbers(config, capsys):
    _, first, _ = run(capsys, "sweep", config, "--no-cache", "--quiet")
    _, reseeded, _ = run(capsys, "sweep", config, "--no-cache", "--quiet", "--seed", 5)
    assert reseeded != first
    assert reseeded == run_sweep(parse_sweep(CONFIG, seed=5, allowed_plugins=PLUGINS)).csv_text()


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        (["--out", "table.txt"], "out"),
        (["--workers", "0"], "workers"),
        (["--x", "tl"], "x"),
        (["--plot", "p.png", "--x", "nu"], "x"),  # nu is fixed, not swept
        (["--plot", "p.png", "--x", "tl", "--y", " , "], "y"),
        (["--plot", "p.xyz"], "plot"),  # no such image format
        # Paths that cannot be written: found before the computation, not after it.
        (["--out", "missing/table.csv"], "out"),
        (["--out", "a_directory.csv"], "out"),
        (["--out", "/proc/table.csv"], "out"),  # cannot be created, even by root
        (["--plot", "missing/plot.png"], "plot"),
        (["--plot", "/proc/plot.png"], "plot"),
        (["--cache", "a_file"], "cache"),
        (["--cache", "a_file/cache"], "cache"),
        (["--cache", "/proc/exactspin-cache"], "cache"),
    ],
)
def test_bad_options_are_one_line_exit_2_before_any_point_runs(
    config, tmp_path, capsys, monkeypatch, extra, key
):
    config.write_text(CONFIG.replace(NOISY, SLOW))
    log = tmp_path / "computed.log"
    monkeypatch.setenv("EXACTSPIN_TOY_LOG", str(log))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_directory.csv").mkdir()
    (tmp_path / "a_file").write_text("not a directory")
    if "--cache" not in extra:
        extra = [*extra, "--no-cache"]
    status, out, err = run(capsys, "sweep", config, *extra)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and f"'{key}'" in err and "Traceback" not in err
    assert not log.exists()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('solver = "classical"\n[grid]\ntl = []\n', "tl"),
        ('solver = "classical"\n[fixed]\nbogus = 1.0\n', "bogus"),
        ('solver = "classical"\n[fixed]\nnu = "two"\n', "nu"),
        ("solver = [", "config"),
    ],
)
def test_bad_sweep_files_are_one_line_exit_2(tmp_path, capsys, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    status, out, err = run(capsys, "sweep", path, "--no-cache")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and f"'{key}'" in err


def test_a_missing_sweep_file_is_one_line_exit_2(tmp_path, capsys):
    status, _, err = run(capsys, "sweep", tmp_path / "absent.toml")
    assert status == 2 and err.count("\n") == 1 and "'config'" in err


def test_regimes_span_half_way_to_the_neighbours_and_merge():
    spans = regime_spans(
        [3.0, 1.0, 2.0, 4.0, 6.0],
        ["parallel", "clockwise", "clockwise", "anticlockwise", "anticlockwise"],
    )
    assert spans == [
        (1.0, 2.5, "clockwise"),
        (2.5, 3.5, "parallel"),
        (3.5, 6.0, "anticlockwise"),
    ]


def test_the_plot_shades_each_regime_in_the_papers_colours(tmp_path):
    sweep = Sweep(
        NOISY, fixed={"nu": 2}, grid={"tl": [-3.0, -2.0, 2.0, 3.0]}, allowed_plugins=PLUGINS
    )
    result = run_sweep(sweep)
    regimes = [row["circulation"] for row in result.rows]
    assert set(regimes) == {"clockwise", "parallel"}  # the toy solver's sign follows tl
    figure = plot_sweep(result, "tl", ["upper_branch_current"], tmp_path / "plot.png")
    shaded = [patch.get_facecolor() for patch in figure.axes[0].patches]
    expected = [
        to_rgba(REGIME_COLOURS[r], 0.25) for _, _, r in regime_spans([-3, -2, 2, 3], regimes)
    ]
    assert len(shaded) == len(expected)
    for colour, wanted in zip(shaded, expected, strict=True):
        assert colour == pytest.approx(wanted)
    assert (tmp_path / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_cli_writes_the_plot(config, tmp_path, capsys):
    target = tmp_path / "currents.png"
    status, _, err = run(
        capsys, "sweep", config, "--no-cache", "--quiet", "--plot", target, "--x", "tl",
        "--y", "upper_branch_current,lower_branch_current",
    )  # fmt: skip
    assert status == 0, err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("extra", [(), ("--workers", "2")], ids=["serial", "workers"])
def test_a_failing_point_is_one_line_naming_it_and_finished_points_stay_cached(
    tmp_path, capsys, extra
):
    config = tmp_path / "sweep.toml"
    config.write_text(f'solver = "{FAILING}"\n[fixed]\nnu = 2\n[grid]\ntl = [1.0, 2.0]\n')
    cache = tmp_path / "cache"
    status, out, err = run(capsys, "sweep", config, "--cache", cache, "--quiet", *extra)
    assert (status, out) == (1, "")
    assert "Traceback" not in err and err.count("\n") == 1
    assert "point 1 (tl=2.0) failed: ZeroDivisionError: division by zero" in err
    assert len(list(cache.glob("*/*.json"))) == 1  # the point tl = 1.0


def test_the_plot_defaults_to_the_only_swept_parameter(config, tmp_path, capsys):
    target = tmp_path / "currents.png"
    status, _, err = run(capsys, "sweep", config, "--no-cache", "--quiet", "--plot", target)
    assert status == 0, err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_plot_of_two_axes_still_needs_x(tmp_path, capsys):
    config = tmp_path / "sweep.toml"
    config.write_text(f'solver = "{NOISY}"\n[grid]\ntl = [1.0]\nj2 = [1.0]\n')
    status, _, err = run(capsys, "sweep", config, "--no-cache", "--plot", tmp_path / "p.png")
    assert status == 2 and "'x'" in err and "tl, j2" in err


def test_every_option_of_sweep_help_states_its_default():
    from exactspin.cli.main import build_parser

    parser = build_parser()
    sweep = next(
        action.choices["sweep"] for action in parser._actions if hasattr(action, "choices")
        and isinstance(action.choices, dict) and "sweep" in action.choices
    )  # fmt: skip
    options = [action for action in sweep._actions if action.option_strings != ["-h", "--help"]]
    options = [action for action in options if action.option_strings]
    assert {"--workers", "--yes", "--allow-plugin"} <= {
        string for action in options for string in action.option_strings
    }
    for action in options:
        assert "(default: " in action.help, action.option_strings
    workers = next(action for action in options if "--workers" in action.option_strings)
    assert "processes" in workers.help


@pytest.mark.parametrize(
    ("sweep", "y", "label"),
    [
        (Sweep("classical", fixed={"nu": 1, "nd": 1}, grid={"tl": [1.0, 2.0]}),
         ["upper_branch_current"], "upper_branch_current (energy per update attempt)"),
        (Sweep("classical", fixed={"nu": 1, "nd": 1}, grid={"tl": [1.0, 2.0]}),
         ["upper_branch_current", "lower_branch_current"],
         "heat current (energy per update attempt)"),
        (Sweep("quantum", fixed={"nu": 1, "nd": 1, "up": 2}, grid={"delta": [0.0, 1.0]}),
         ["upper_branch_current", "lower_branch_current"],
         "heat current (energy per unit time)"),
        (Sweep("quantum", fixed={"nu": 1, "nd": 1, "up": 2}, grid={"delta": [0.0, 1.0]}),
         ["concurrence"], "concurrence"),
    ],
    ids=["one-current", "classical", "quantum", "not-a-current"],
)  # fmt: skip
def test_the_y_axis_names_the_observable_and_its_unit(sweep, y, label):
    figure = plot_sweep(run_sweep(sweep), next(iter(sweep.grid)), y)
    assert figure.axes[0].get_ylabel() == label
