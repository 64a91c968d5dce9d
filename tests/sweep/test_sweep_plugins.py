"""A sweep file is data: naming a solver in it never imports or runs code without an opt-in.

Plugins run only when the person running the sweep allows them: ``--allow-plugin MODULE`` (or
``allowed_plugins=``) or an installed package's entry point in ``exactspin.solvers``.
"""

from __future__ import annotations

import sys

import pytest
from conftest import NOISY, PLUGINS

from exactspin.cli.main import main
from exactspin.sweep import Sweep, parse_sweep, run_sweep
from exactspin.sweep.plugins import ENTRY_POINT_GROUP
from exactspin.validation import ParameterError

#: A module that leaves a marker file in the working directory when it is imported.
NEIGHBOUR_MODULE = """
from pathlib import Path
Path("imported.marker").write_text("the sweep file's neighbour was imported")

def run(parameters, seed):
    return {"value": 1.0}
"""


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_refused_in_one_line(status, out, err):
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "'solver'" in err and "Traceback" not in err


@pytest.mark.parametrize("solver", ["python:subprocess:call", "subprocess:call"])
def test_a_sweep_file_cannot_run_a_command(tmp_path, capsys, monkeypatch, solver):
    # subprocess.call(parameters, seed) would run the parameter names: `touch pwned`.
    config = tmp_path / "sweep.toml"
    config.write_text(f'solver = "{solver}"\n[fixed]\ntouch = 1\npwned = 1\n')
    monkeypatch.chdir(tmp_path)
    assert_refused_in_one_line(*run(capsys, "sweep", config, "--no-cache"))
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("solver", ["python:this:x", "this:x"])
def test_validating_a_sweep_file_imports_nothing(tmp_path, capsys, monkeypatch, solver):
    # `import this` prints the Zen of Python, and nothing else in exactspin imports it.
    monkeypatch.delitem(sys.modules, "this", raising=False)
    config = tmp_path / "sweep.toml"
    config.write_text(f'solver = "{solver}"\n')
    status, out, err = run(capsys, "sweep", config, "--no-cache")
    assert_refused_in_one_line(status, out, err)
    assert "this" not in sys.modules
    assert "Beautiful is better than ugly" not in out + err


@pytest.fixture
def neighbour(tmp_path, monkeypatch):
    """A sweep file with an importable module next to it (its directory is the working
    directory and on ``sys.path``, as with ``python -m``)."""
    (tmp_path / "neighbour.py").write_text(NEIGHBOUR_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "neighbour", raising=False)
    return tmp_path


@pytest.mark.parametrize("solver", ["python:neighbour:run", "neighbour:run"])
def test_a_module_next_to_the_sweep_file_is_not_imported(neighbour, capsys, solver):
    (neighbour / "sweep.toml").write_text(f'solver = "{solver}"\n')
    assert_refused_in_one_line(*run(capsys, "sweep", "sweep.toml", "--no-cache"))
    assert not (neighbour / "imported.marker").exists()
    assert "neighbour" not in sys.modules


def test_allow_plugin_on_the_command_line_is_the_opt_in(neighbour, capsys):
    (neighbour / "sweep.toml").write_text('solver = "neighbour:run"\n[grid]\nx = [1, 2]\n')
    status, out, err = run(
        capsys, "sweep", "sweep.toml", "--no-cache", "--quiet", "--allow-plugin", "neighbour"
    )
    assert status == 0, err
    assert (neighbour / "imported.marker").exists()
    assert out.splitlines()[0].split(",") == ["x", "seed", "value"]


@pytest.mark.parametrize(
    "key", ["allow_plugin = ['toy_solvers']", "allowed_plugins = ['toy_solvers']"]
)
def test_a_sweep_file_cannot_allow_its_own_plugin(key):
    with pytest.raises(ParameterError) as error:
        parse_sweep(f'solver = "{NOISY}"\n{key}\n')
    assert error.value.parameter == key.split()[0]


@pytest.mark.parametrize(
    ("solver", "allowed", "accepted"),
    [
        ("toy_solvers:noisy", ("toy_solvers",), True),
        ("toy_solvers:noisy", ("toy",), False),  # a prefix of the name is not its package
        ("toy_solvers:noisy", ("toy_solvers.sub",), False),
        ("json.decoder:JSONDecoder", ("json",), True),  # a package allows its submodules
        ("toy_solvers:noisy", (), False),
    ],
)
def test_allowing_a_module_allows_it_and_its_submodules_only(solver, allowed, accepted):
    if accepted:
        assert Sweep(solver, allowed_plugins=allowed).solver == solver
    else:
        with pytest.raises(ParameterError) as error:
            Sweep(solver, allowed_plugins=allowed)
        assert error.value.parameter == "solver"
        assert "--allow-plugin" in str(error.value)


def test_an_installed_entry_point_needs_no_flag(tmp_path, monkeypatch, capsys):
    # A minimal installed distribution: its metadata declares the toy solver as a plugin.
    info = tmp_path / "toy_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\ntoy = toy_solvers:noisy\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    installed = Sweep("toy", fixed={"nu": 2}, grid={"tl": [1.0, 2.0]})
    allowed = Sweep(NOISY, fixed={"nu": 2}, grid={"tl": [1.0, 2.0]}, allowed_plugins=PLUGINS)
    assert run_sweep(installed).csv_text() == run_sweep(allowed).csv_text()
    config = tmp_path / "sweep.toml"
    config.write_text('solver = "toy"\n[grid]\ntl = [1.0]\n')
    status, out, err = run(capsys, "sweep", config, "--no-cache", "--quiet")
    assert status == 0, err
    assert out.splitlines()[0].startswith("tl,seed,upper_branch_current")
