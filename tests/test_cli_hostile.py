"""Hostile command lines: every command either answers (exit 0, strict JSON) or refuses.

Random and hostile arguments (NaN, infinities, negative and huge sizes, non-numbers, more up
spins than sites, unknown dynamics, mu <= 0) are fed to every registered command. Each case
must end, within a time bound, with exit 0 and one strict JSON document on stdout, or with
exit 2 and exactly one line on stderr; never a traceback, another status, or a hang.

Each in-process case runs in a forked child (the parent has already imported the commands and
compiled the Monte Carlo kernel), so a hang can be stopped and reported; a few cases also run as
real subprocesses. A small fixed-seed sample runs in CI; ``-m slow`` runs many more.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactspin.cli.main import build_parser, main

#: Seconds one case may take before it counts as a hang.
CASE_TIMEOUT = 20.0

NUMBERS = ["nan", "-nan", "inf", "-inf", "-1", "0", "1e-300", "1e300", "abc", "", "0x10", "1,5"]
SIZES = [
    "-1",
    "0",
    "1",
    "2",
    "2.5",
    "nan",
    "inf",
    "1e9",
    "1000000",
    "10000000",
    "x",
    "99999999999999999999",
]
SMALL = ["1", "2"]
TEMPERATURES = ["0.1", "1.5", "2"]


def option(name, values):
    """``[name, value]`` drawn from ``values`` or from arbitrary floats, or nothing at all."""
    value = st.one_of(st.sampled_from(values), st.floats().map(repr), st.sampled_from(NUMBERS))
    return st.one_of(st.just([]), value.map(lambda v: [name, v]))


def command(words, options, fixed=()):
    return st.tuples(*options).map(lambda parts: [*words, *fixed, *sum(parts, [])])


CLASSICAL_MODEL = [
    option("--nu", SIZES + SMALL),
    option("--nd", SIZES + SMALL),
    option("--j1", ["2", "-1", "0"]),
    option("--j2", ["1.9", "0"]),
    option("--tl", TEMPERATURES),
    option("--tr", TEMPERATURES),
    st.one_of(
        st.just([]), st.sampled_from(["q2r", "cca", "glauber", ""]).map(lambda d: ["--dynamics", d])
    ),
    option("--mu", ["4", "2", "0", "-4"]),
]
QUANTUM_MODEL = [
    option("--nu", SIZES + SMALL),
    option("--nd", SIZES + SMALL),
    option("--up", SIZES + SMALL + ["5", "9"]),
    option("--j", ["1", "0", "-1"]),
    option("--delta", ["0", "1", "-2"]),
    option("--tl", TEMPERATURES),
    option("--tr", TEMPERATURES),
    option("--gamma", ["0.01", "0", "-0.01"]),
    option("--omega-c", ["10", "0", "-10"]),
    st.one_of(
        st.just([]),
        st.sampled_from(["limit", "zero", "bogus"]).map(lambda z: ["--zero-frequency", z]),
    ),
]
SWEEP_FILES = [
    'solver = "classical"\n[grid]\ntl = [1.0, 2.0]\n',
    'solver = "classical"\n[fixed]\nnu = -1\n[grid]\ntl = [1.0]\n',
    'solver = "classical"\n[fixed]\nnu = 40\nnd = 40\n',
    'solver = "classical"\n[grid]\ntl = [nan, inf]\n',
    'solver = "classical"\n[grid]\ntl = []\n',
    'solver = "classical"\n[fixed]\ndynamics = "cca"\nmu = 0.0\n',
    'solver = "mc"\n[fixed]\nsteps = 1000\nreplicas = 1\n[grid]\nnu = [1, 2]\n',
    'solver = "mc"\n[fixed]\nsteps = -5\n',
    'solver = "quantum"\n[fixed]\nnu = 1\nnd = 1\nup = 9\n',
    'solver = "quantum"\n[fixed]\nnu = 1\nnd = 1\nup = 2\n[grid]\ndelta = [0.0, "x"]\n',
    'solver = "nonsense"\n',
    "solver = [\n",
    "\x00\xff",
    "",
]


def strategy_for(name):
    if name == "classical solve":
        return command(["classical", "solve", "--json"], CLASSICAL_MODEL)
    if name == "classical mc":
        run = [
            option("--steps", ["100", "1000", "0", "-1", "1e30"]),
            option("--replicas", ["1", "2", "0", "-3"]),
            option("--burn-in", ["0", "10", "-1"]),
            option("--seed", ["0", "7", "-1"]),
        ]
        return command(["classical", "mc", "--json", "--quiet"], CLASSICAL_MODEL + run)
    if name == "quantum solve":
        return command(["quantum", "solve", "--json"], QUANTUM_MODEL)
    if name == "quantum spectrum":
        sizes = [option("--n", ["2", "3", "4", "-1", "0", "1", "100", "nan", "x"])]
        sizes += [option("--up", ["0", "1", "2", "9", "-1", "nan"])]
        sizes += [option("--delta", ["0", "1", "-1"]), option("--j", ["1", "0", "2"])]
        return command(["quantum", "spectrum", "--json"], sizes)
    return st.tuples(
        st.sampled_from(SWEEP_FILES),
        st.sampled_from(
            [
                [],
                ["--workers", "0"],
                ["--workers", "-1"],
                ["--seed", "-5"],
                ["--seed", "nan"],
                ["--out", "table.txt"],
                ["--x", "tl"],
            ]
        ),
    ).map(
        lambda case: ["sweep", "@CONFIG", "--no-cache", "--quiet", "--json", *case[0:1], *case[1]]
    )


def registered_commands():
    parser = build_parser()
    top = next(a for a in parser._actions if a.dest == "command").choices
    found = []
    for group in ("classical", "quantum"):
        if group in top:
            sub = next(a for a in top[group]._actions if a.dest == f"{group}_command").choices
            found += [f"{group} {name}" for name in sub if name in ("solve", "mc", "spectrum")]
    return found + (["sweep"] if "sweep" in top else [])


COMMANDS = registered_commands()


def _child(argv, connection):
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(stdout), redirect_stderr(stderr):
            try:
                status = main(argv)
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException as error:  # report, never hide, whatever escaped main()
        connection.send(("raised", f"{type(error).__name__}: {error}", stderr.getvalue()))
        return
    connection.send((status, stdout.getvalue(), stderr.getvalue()))


def run_bounded(argv):
    """Run ``main(argv)`` in a forked child; (status, stdout, stderr), or fail on a hang."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(argv, sender))
    child.start()
    ready = receiver.poll(CASE_TIMEOUT)
    outcome = receiver.recv() if ready else None
    child.join(timeout=5)
    if child.is_alive():
        child.kill()
        child.join()
    assert outcome is not None, f"hang (> {CASE_TIMEOUT} s): exactspin {' '.join(argv)}"
    return outcome


def strict_json(text):
    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def check(argv, tmp_path):
    argv = list(argv)
    if "@CONFIG" in argv:
        config = tmp_path / "sweep.toml"
        config.write_bytes(argv[argv.index("@CONFIG") + 4].encode("utf-8", "surrogatepass"))
        del argv[argv.index("@CONFIG") + 4]
        argv[argv.index("@CONFIG")] = str(config)
    status, out, err = run_bounded(argv)
    shown = "exactspin " + " ".join(map(repr, argv))
    assert status != "raised", f"{shown} raised {out}"
    assert "Traceback" not in err, f"{shown} printed a traceback:\n{err}"
    if status == 0:
        try:
            strict_json(out)
        except ValueError as error:
            pytest.fail(f"{shown} exit 0 without strict JSON ({error}): {out[:300]!r}")
    else:
        assert status == 2, f"{shown} exit {status}: {err}"
        assert err.count("\n") == 1 and err.endswith("\n"), f"{shown} stderr not one line: {err!r}"
    return status


@pytest.fixture(scope="module", autouse=True)
def warm_up():
    """Import every command and compile the kernels once, so children start fast."""
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    if "classical mc" in COMMANDS:
        run_bounded(["classical", "mc", "--steps", "100", "--replicas", "1", "--json", "--quiet"])


def hostile_test(examples):
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def test(tmp_path, data):
        name = data.draw(st.sampled_from(COMMANDS), label="command")
        check(data.draw(strategy_for(name), label="argv"), tmp_path)

    return test


test_hostile_arguments_exit_0_with_json_or_2_with_one_line = hostile_test(60)
test_many_hostile_arguments = pytest.mark.slow(hostile_test(600))


@pytest.mark.parametrize(
    "argv",
    [
        ["quantum", "solve", "--nu", "nan", "--json"],
        pytest.param(
            ["quantum", "spectrum", "--n", "4", "--up", "9", "--json"], marks=pytest.mark.slow
        ),
        pytest.param(
            ["classical", "mc", "--steps", "-1", "--json", "--quiet"], marks=pytest.mark.slow
        ),
    ],
)
def test_real_processes_refuse_hostile_input_in_one_line(argv):
    command_name = " ".join(argv[:2])
    if command_name not in COMMANDS:
        pytest.skip(f"{command_name} is not registered")
    done = subprocess.run(
        [sys.executable, "-m", "exactspin.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NUMBA_NUM_THREADS": "1"},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["classical", "mc", "--steps", "1e30", "--json", "--quiet"],
        ["classical", "mc", "--steps", "100", "--replicas", "1000000000", "--json", "--quiet"],
    ],
)
def test_monte_carlo_refuses_runs_it_cannot_finish(argv, tmp_path):
    """Found by hand to run for minutes; now refused up front (step cap, memory estimate)."""
    assert check(argv, tmp_path) == 2
