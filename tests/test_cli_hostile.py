"""Hostile command lines: every command either answers (exit 0, strict JSON) or refuses.

Random and hostile arguments (NaN, infinities, negative and huge sizes, non-numbers, more up
spins than sites, unknown dynamics, mu <= 0) are fed to every registered command. Each case
must end, within a time bound, with exit 0 and one strict JSON document on stdout, or with
exit 2 and exactly one line on stderr; never a traceback, another status, or a hang.

Each in-process case runs in a forked child (the parent has already imported the commands and
compiled the Monte Carlo kernel), so a hang can be stopped and reported; a few cases also run as
real subprocesses. A small fixed-seed sample runs in CI; ``-m slow`` runs many more. An answer
with exit 0 is also held to Kirchhoff's law when it carries the three currents (I_L = I_U - I_D):
a violation counts as *silent-wrong*. The tally (inputs tried, exits 0 / 2, tracebacks, hangs,
silent-wrong) is printed at the end of the pytest run (``HOSTILE_TALLY``, see conftest.py);
when a case fails, hypothesis replays it while shrinking, so that tally counts replays too.

The reproducing commands of the hardening issue follow the random cases: each failed (hang,
traceback, exit 0 with nothing useful) before its fix.
"""

from __future__ import annotations

import io
import json
import math
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactspin.cli.main import build_parser, main

#: Seconds one case may take before it counts as a hang.
CASE_TIMEOUT = 20.0

#: Outcomes of every case run in this session, printed by conftest.pytest_terminal_summary.
HOSTILE_TALLY: Counter = Counter()

#: Kirchhoff's law I_L = I_U - I_D must hold to this fraction of the largest current in an answer.
KIRCHHOFF_RTOL = 1e-6

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


def run_bounded(argv, timeout=CASE_TIMEOUT):
    """Run ``main(argv)`` in a forked child; (status, stdout, stderr), or fail on a hang."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(argv, sender))
    child.start()
    ready = receiver.poll(timeout)
    outcome = receiver.recv() if ready else None
    child.join(timeout=5)
    if child.is_alive():
        child.kill()
        child.join()
    HOSTILE_TALLY["inputs tried"] += 1
    if outcome is None:
        HOSTILE_TALLY["hangs"] += 1
    elif outcome[0] == "raised" or "Traceback" in outcome[2]:
        HOSTILE_TALLY["tracebacks"] += 1
    else:
        HOSTILE_TALLY[f"exit {outcome[0]}"] += 1
    assert outcome is not None, f"hang (> {timeout} s): exactspin {' '.join(argv)}"
    return outcome


def kirchhoff_violation(payload):
    """Kirchhoff residual |I_L - (I_U - I_D)| over its allowance, of the first dict in ``payload``
    holding the three currents (None when there is none); > 1 is a violation.

    The allowance is KIRCHHOFF_RTOL of the largest current for exact answers, or the resolution
    the answer states (``circulation_threshold``/``current_threshold``: at T_L = T_R the currents
    are round-off, ~1e-49, below a stated 1e-43); a Monte Carlo answer (with ``*_stderr``
    fields) conserves energy only up to the energy stored in the bonds at the end of the run, so
    it is allowed 5 combined standard errors as well.
    """
    names = ("left_bath_current", "upper_branch_current", "lower_branch_current")
    if isinstance(payload, dict):
        values = [payload.get(name) for name in names]
        if all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
            left, upper, lower = values
            errors = [payload.get(f"{name}_stderr") for name in names]
            spread = math.sqrt(sum(e * e for e in errors if isinstance(e, (int, float))))
            stated = [payload.get(k) for k in ("circulation_threshold", "current_threshold")]
            resolution = max([t for t in stated if isinstance(t, (int, float))], default=0.0)
            allowance = max(KIRCHHOFF_RTOL * max(map(abs, values)), 5 * spread, resolution)
            residual = abs(left - (upper - lower))
            return residual / allowance if allowance > 0 else (math.inf if residual else 0.0)
        children = payload.values()
    elif isinstance(payload, list):
        children = payload
    else:
        return None
    for child in children:
        found = kirchhoff_violation(child)
        if found is not None:
            return found
    return None


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
            payload = strict_json(out)
        except ValueError as error:
            HOSTILE_TALLY["silent-wrong"] += 1
            pytest.fail(f"{shown} exit 0 without strict JSON ({error}): {out[:300]!r}")
        violation = kirchhoff_violation(payload)
        if violation is not None and violation > 1:
            HOSTILE_TALLY["silent-wrong"] += 1
            pytest.fail(f"{shown} exit 0 breaking Kirchhoff ({violation:.3g} x its allowance)")
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


#: The derivations below took ~1 s of CPU when fixed; a loaded machine gets room, a hang does not.
DERIVE_TIMEOUT = 90.0


def test_derive_text_of_an_exact_coupling_ring_prints_instead_of_simplifying_for_minutes():
    """Printed nothing for > 240 s (sympy simplify in the text printer); --json took 1 s."""
    argv = ["classical", "derive", "--nu", "1", "--nd", "0", "--j1", "21/20", "--j2", "1"]
    status, out, err = run_bounded(argv, timeout=DERIVE_TIMEOUT)
    assert status == 0, err
    assert "I_L =" in out and "I_D =" in out
    assert "expected" in err.splitlines()[0] and "8 states" in err


def test_derive_refuses_an_eight_spin_ring_with_its_estimate_instead_of_running_for_hours():
    """--nu 3 --nd 3 (256 states) was inside the state limit and silent for > 60 s."""
    status, out, err = run_bounded(["classical", "derive", "--nu", "3", "--nd", "3"])
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert "256 states" in err and "expected" in err and "--max-seconds" in err


def test_derive_counts_the_three_spin_chain_before_solving_it():
    """8 states; 20 flips: both nodal spins always may flip (Metropolis, 2 x 8), the bulk spin iff
    its neighbours are opposite (Q2R, Eq. 10: 4 of 8 states)."""
    from exactspin.classical.symbolic_cost import estimate
    from exactspin.classical.symbolic_model import SymbolicModel
    from exactspin.ring import Ring

    cost = estimate(SymbolicModel(Ring(1, 0), "q2r", "symmetric"))
    assert (cost.states, cost.transitions, cost.closed_classes) == (8, 20, 1)


@pytest.mark.parametrize("nu", ["1100", "61"])
def test_exact_solve_refuses_rings_whose_states_cannot_be_numbered(nu):
    """N_S above ~1030 raised OverflowError while formatting the memory estimate."""
    status, _, err = run_bounded(["classical", "solve", "--nu", nu, "--nd", "0", "--json"])
    assert status == 2 and err.count("\n") == 1
    assert "'nu, nd'" in err and "N_S = nu + nd + 2 <= 62" in err


def test_report_refuses_an_output_path_that_is_a_file(tmp_path):
    target = tmp_path / "index.md"
    target.write_text("not a directory")
    status, _, err = run_bounded(["report", "--quick", "--out", str(target)])
    assert status == 2 and "'out'" in err and "existing file" in err


def test_report_refuses_an_output_directory_it_cannot_create():
    status, _, err = run_bounded(["report", "--quick", "--out", "/proc/exactspin-report"])
    assert status == 2 and "'out'" in err and err.count("\n") == 1


def test_report_only_with_a_typo_lists_the_names_instead_of_an_empty_report(tmp_path):
    """Exited 0 with an empty report (and would have overwritten reports/)."""
    out = tmp_path / "partial"
    status, _, err = run_bounded(["report", "--quick", "--only", "fig5z", "--out", str(out)])
    assert status == 2 and "'only'" in err and "cm_fig5_defaults" in err
    assert not out.exists()


def test_a_partial_report_must_name_its_own_output_directory():
    status, _, err = run_bounded(["report", "--quick", "--only", "fig5a"])
    assert status == 2 and "'out'" in err and "--only" in err


def test_every_help_shows_the_defaults():
    """--help showed no defaults."""
    status, out, _ = run_bounded(["classical", "solve", "--help"])
    text = " ".join(out.split())  # argparse wraps to the terminal width
    assert status == 0
    # the parameter specification writes "(default: X)" after the range, as every other option
    assert "(default: 2.0)" in text and "(default: q2r)" in text


class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_stdout_ends_the_command_quietly_in_process():
    stderr = io.StringIO()
    with redirect_stdout(_ClosedPipe()), redirect_stderr(stderr):
        status = main(["classical", "derive", "--json", "--quiet"])
    assert (status, stderr.getvalue()) == (141, "")


def test_json_piped_into_a_reader_that_has_gone_exits_141_without_traceback():
    """Piping JSON into `head` printed a BrokenPipeError traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "exactspin.cli.main", "classical", "derive", "--json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
