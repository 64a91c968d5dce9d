"""Hostile and unusual input to ``crosscheck`` and ``reference export``.

Every case here was a reproducing command of a defect: a pass without comparing anything, a
traceback where one line is promised, or an input the format should accept. Expected values come
from the paper (Eqs. 13-15 for the three-spin Q2R ring), from the Gibbs state (Redfield at equal
temperatures) and from the one-magnon band of Eq. 22, never from the code under test.
"""

import json
import math
import os
import subprocess
import sys

import pytest

from exactspin.cli.main import main
from exactspin.reference import crosscheck as crosscheck_module
from exactspin.reference.io import ReferenceInputError, read_rows

#: Three-spin Q2R ring (N_U = 1, N_D = 0, J = 1) at T_L = 2, T_R = 1: Eqs. 13-15 of the paper.
J, BETA_L, BETA_R = 1.0, 1 / 2.0, 1 / 1.0
_D = 3 * math.cosh(2 * J * (BETA_R - BETA_L)) + math.exp(2 * J * (BETA_L + BETA_R))
LEFT = J * math.sinh(2 * J * (BETA_R - BETA_L)) / _D
UPPER = J / 3 * math.sinh(2 * J * (BETA_R - BETA_L)) / _D
LOWER = -2 * J / 3 * math.sinh(2 * J * (BETA_R - BETA_L)) / _D
#: The issue's non-unique sector: 8 sites, 4 up, Delta = 0.
NON_UNIQUE_CSV = "model,nu,nd,up,delta,left_bath_current\nquantum,3,3,4,0,0.1\n"
THREE_SPINS = {"model": "classical", "nu": 1, "nd": 0, "j1": 1.0, "j2": 1.0, "tl": 2.0, "tr": 1.0}


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _json_file(tmp_path, document, name="rows.json"):
    return _write(tmp_path, name, json.dumps(document, indent=1))


def _run(capsys, argv):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _report(capsys, argv):
    status, out, err = _run(capsys, [*argv, "--json"])
    return status, json.loads(out), err


# --- passing without comparing anything -------------------------------------------------------


def test_the_rows_list_is_found_by_the_json_parser_not_by_a_pattern(tmp_path, capsys):
    path = _json_file(
        tmp_path, {"notes": {"rows": []}, "rows": [{**THREE_SPINS, "left_bath_current": 0.1}]}
    )
    status, report, _ = _report(capsys, ["crosscheck", path])
    assert (status, report["compared"], report["failed"]) == (1, 1, 1)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty_list.json", "[]"),
        ("empty_rows.json", '{"schema_version": 1, "rows": []}'),
        ("header_only.csv", "model,nu,left_bath_current\n"),
        ("blank_rows.csv", "model,nu,left_bath_current\n\n , ,\n"),
    ],
)
def test_zero_comparisons_is_a_failure(tmp_path, capsys, name, text):
    status, _, err = _run(capsys, ["crosscheck", _write(tmp_path, name, text)])
    assert status == 1
    assert "no values compared" in err


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--atol", "inf"),
        ("--atol", "-1e-9"),
        ("--rtol", "nan"),
        ("--rtol", "-0.1"),
        ("--sigmas", "0"),
        ("--sigmas", "inf"),
        ("--sigmas", "nan"),
        ("--sigmas", "-5"),
    ],
)
def test_tolerances_must_be_finite_and_in_range(tmp_path, capsys, flag, value):
    path = _json_file(tmp_path, [{**THREE_SPINS, "left_bath_current": 0.1}])
    status, out, err = _run(capsys, ["crosscheck", path, f"{flag}={value}"])
    assert status == 2 and out == ""
    assert f"parameter '{flag[2:]}'" in err and len(err.strip().splitlines()) == 1


# --- values against the paper ---------------------------------------------------------------


def test_the_three_spin_ring_matches_eqs_13_to_15(tmp_path, capsys):
    row = {
        **THREE_SPINS,
        "left_bath_current": LEFT,
        "upper_branch_current": UPPER,
        "lower_branch_current": LOWER,
    }
    status, report, _ = _report(capsys, ["crosscheck", _json_file(tmp_path, [row])])
    assert status == 0
    assert [r["verdict"] for r in report["rows"]] == ["pass"] * 3


def test_continuous_time_rows_are_n_s_times_per_attempt(tmp_path, capsys):
    """Continuous time = N_S x per attempt (DESIGN, time unit); N_S = 3 here."""
    rows = [
        {**THREE_SPINS, "unit": "continuous", "left_bath_current": 3 * LEFT},
        {**THREE_SPINS, "unit": "per_attempt", "left_bath_current": LEFT},
        {**THREE_SPINS, "left_bath_current": LEFT},
    ]
    status, report, _ = _report(capsys, ["crosscheck", _json_file(tmp_path, rows)])
    assert status == 0
    assert [r["unit"] for r in report["rows"]] == ["continuous", "per_attempt", "per_attempt"]


def test_quantum_rows_have_no_per_attempt_unit(tmp_path, capsys):
    path = _write(tmp_path, "q.csv", "model,up,unit,left_bath_current\nquantum,3,per_attempt,0.1\n")
    status, _, err = _run(capsys, ["crosscheck", path])
    assert status == 2 and f"{path}:2:3: unit" in err


@pytest.mark.parametrize(
    ("factor", "hint"),
    [
        (-1.0, "ratio theirs/ours = -1: sign convention?"),
        (3.0, "ratio theirs/ours = N_S = 3: continuous-time unit? use unit=continuous"),
        (2.0, "ratio theirs/ours = 2:"),
    ],
)
def test_a_convention_factor_gets_a_hint(tmp_path, capsys, factor, hint):
    path = _json_file(tmp_path, [{**THREE_SPINS, "left_bath_current": factor * LEFT}])
    status, report, _ = _report(capsys, ["crosscheck", path])
    (row,) = report["rows"]
    assert status == 1 and row["verdict"] == "FAIL"
    assert row["hint"].startswith(hint)
    status, out, _ = _run(capsys, ["crosscheck", path])
    assert f"hint: {hint}" in out


def test_a_unit_marked_continuous_on_per_attempt_values_gets_the_reverse_hint(tmp_path, capsys):
    row = {**THREE_SPINS, "unit": "continuous", "left_bath_current": LEFT}
    _, report, _ = _report(capsys, ["crosscheck", _json_file(tmp_path, [row])])
    assert report["rows"][0]["hint"].startswith("ratio theirs/ours = 1/N_S = 1/3: per-attempt")


def test_an_unexplained_deviation_gets_no_hint(tmp_path, capsys):
    path = _json_file(tmp_path, [{**THREE_SPINS, "left_bath_current": 1.37 * LEFT}])
    _, report, _ = _report(capsys, ["crosscheck", path])
    assert report["rows"][0]["hint"] is None


def test_every_parameter_used_is_echoed_defaults_included(tmp_path, capsys):
    rows = [
        {"model": "quantum", "nu": 2, "nd": 1, "up": 3, "delta": 0.5, "trace": 1.0},
        {"model": "classical", "nu": 1, "nd": 0, "left_bath_current": 0.1},
    ]
    _, report, _ = _report(capsys, ["crosscheck", _json_file(tmp_path, rows)])
    quantum, classical = (r["parameters"] for r in report["rows"])
    assert quantum["zero_frequency"] == "limit"
    assert {"j", "tl", "tr", "gamma", "omega_c"} <= quantum.keys()
    assert classical == {
        "nu": 1,
        "nd": 0,
        "j1": 2.0,
        "j2": 1.9,
        "tl": 2.0,
        "tr": 0.1,
        "dynamics": "q2r",
    }


# --- list-valued observables and spectra ----------------------------------------------------


def test_bond_currents_are_compared_element_by_element(tmp_path, capsys):
    """Bonds (1,2), (2,3) carry I_U, bond (3,1) carries I_D (clockwise, Eq. 9)."""
    good = [UPPER, UPPER, LOWER]
    bad = [UPPER, UPPER * (1 + 1e-3), LOWER]
    rows = [{**THREE_SPINS, "bond_currents": good}, {**THREE_SPINS, "bond_currents": bad}]
    status, report, _ = _report(capsys, ["crosscheck", _json_file(tmp_path, rows)])
    assert status == 1
    assert [(r["observable"], r["verdict"]) for r in report["rows"]] == [
        ("bond_currents[1]", "pass"),
        ("bond_currents[2]", "pass"),
        ("bond_currents[3]", "pass"),
        ("bond_currents[1]", "pass"),
        ("bond_currents[2]", "FAIL"),
        ("bond_currents[3]", "pass"),
    ]


def test_a_list_of_the_wrong_length_fails(tmp_path, capsys):
    path = _json_file(tmp_path, [{**THREE_SPINS, "bond_currents": [UPPER, UPPER]}])
    status, report, _ = _report(capsys, ["crosscheck", path])
    (row,) = report["rows"]
    assert status == 1 and row["verdict"] == "FAIL" and "2 values given" in row["reason"]


def test_level_populations_at_equal_temperatures_are_the_gibbs_state(tmp_path, capsys):
    """At T_L = T_R = T the Redfield steady state is exp(-H/T)/Z: a level of energy E and
    degeneracy g holds g exp(-E/T)/Z. The levels come from the CSV cell as JSON arrays."""
    temperature = 1.5
    energies, degeneracies = _distinct_levels(_one_magnon_levels(5))
    weights = [g * math.exp(-e / temperature) for e, g in zip(energies, degeneracies, strict=True)]
    populations = [w / sum(weights) for w in weights]
    path = _write(
        tmp_path,
        "gibbs.csv",
        "model,nu,nd,up,delta,tl,tr,level_energies,level_populations\n"
        f'quantum,2,1,1,0.3,{temperature},{temperature},"{energies}","{populations}"\n',
    )
    status, report, _ = _report(capsys, ["crosscheck", path])
    assert status == 0, report
    assert len(report["rows"]) == 2 * len(energies)


def _one_magnon_levels(sites, exchange=1.0):
    """One up spin on a ring: Pauli-matrix hopping 2J (s+s- + h.c.), E_k = 4 J cos(2 pi k / N_S);
    the Delta term needs two neighbouring up spins, so it does not enter."""
    return sorted(4 * exchange * math.cos(2 * math.pi * k / sites) for k in range(sites))


def _distinct_levels(levels):
    energies, counts = [], []
    for level in levels:
        if energies and abs(level - energies[-1]) < 1e-9:
            counts[-1] += 1
        else:
            energies.append(level)
            counts.append(1)
    return energies, counts


def test_spectra_of_a_reference_document_are_checked_with_multiplicity(tmp_path, capsys):
    levels = _one_magnon_levels(5)
    entry = {"nu": 2, "nd": 1, "up": 1, "j": 1.0, "delta": 0.7, "levels": levels}
    path = _json_file(tmp_path, {"schema_version": 1, "rows": [], "spectra": [entry]})
    status, report, _ = _report(capsys, ["crosscheck", path])
    assert status == 0 and report["compared"] == 5

    # Same set of distinct energies, wrong multiplicities: a doublet replaced by a singlet.
    entry["levels"] = [levels[0], levels[2], levels[3], levels[4], levels[4]]
    path = _json_file(tmp_path, {"schema_version": 1, "spectra": [entry]})
    status, report, _ = _report(capsys, ["crosscheck", path])
    assert status == 1 and report["failed"] >= 1


def test_a_spectrum_entry_outside_its_ring_is_located(tmp_path, capsys):
    entry = {"nu": 1, "nd": 0, "up": 7, "levels": [0.0]}
    path = _write(tmp_path, "s.json", '{"spectra": [\n ' + json.dumps(entry) + "]}")
    status, _, err = _run(capsys, ["crosscheck", path])
    assert status == 2 and f"{path}:2:" in err and "'up'" in err


# --- undetermined values ----------------------------------------------------------------------


def test_a_non_unique_steady_state_is_undetermined_never_a_pass(tmp_path, capsys):
    """6 sites, 4 up, Delta = 0: the generator's null space is degenerate (DESIGN)."""
    row = {"model": "quantum", "nu": 2, "nd": 2, "up": 4, "delta": 0.0, "left_bath_current": 0.0}
    path = _json_file(tmp_path, [row])
    status, report, err = _report(capsys, ["crosscheck", path])
    (comparison,) = report["rows"]
    assert status == 1 and comparison["verdict"] == "undetermined"
    assert "not unique" in comparison["reason"] and "not unique" in err
    assert report["undetermined"] == 1


def test_an_error_raised_by_the_solver_is_undetermined_with_its_location(
    tmp_path, capsys, monkeypatch
):
    from exactspin import quantum
    from exactspin.quantum.steady_state import NonUniqueSteadyStateError

    def refuse(model, *args, **kwargs):
        raise NonUniqueSteadyStateError(2, model)

    path = _write(tmp_path, "q.csv", NON_UNIQUE_CSV)
    crosscheck_module.observable_shapes("quantum")  # learned before the solver is replaced
    monkeypatch.setattr(quantum, "solve", refuse)
    status, out, err = _run(capsys, ["crosscheck", path])
    assert status == 1
    assert "undetermined" in out and "Traceback" not in err
    assert f"{path}:2:6: 1 value(s) undetermined: NonUniqueSteadyStateError" in err


@pytest.mark.slow
def test_the_iterative_non_unique_sector_is_undetermined(tmp_path, capsys):
    """The issue's command: 8 sites, 4 up, Delta = 0, solved by the iterative method."""
    path = _write(tmp_path, "q.csv", NON_UNIQUE_CSV)
    status, out, err = _run(capsys, ["crosscheck", path])
    assert status == 1 and "undetermined" in out and "not unique" in err


def test_a_memory_refusal_is_undetermined_and_located(tmp_path, capsys):
    path = _write(tmp_path, "big.csv", "model,nu,nd,left_bath_current\nclassical,30,30,0.1\n")
    status, out, err = _run(capsys, ["crosscheck", path])
    assert status == 1 and "Traceback" not in err
    assert f"{path}:2:4: 1 value(s) undetermined: ResourceError" in err
    assert "GiB" in out


def test_an_undefined_value_of_ours_is_undetermined(tmp_path, capsys):
    """At T_L = T_R the magnification ratio is undefined (|I_L| below the threshold)."""
    row = {**THREE_SPINS, "tl": 1.0, "tr": 1.0, "magnification_ratio": 1.0}
    status, report, _ = _report(capsys, ["crosscheck", _json_file(tmp_path, [row])])
    assert status == 1 and report["rows"][0]["verdict"] == "undetermined"


# --- unreadable input: one located line, exit 2 --------------------------------------------


DEEP = "[" * 100_000 + "]" * 100_000
#: An integer too large for a float (400 digits), below Python's 4300-digit conversion limit.
HUGE = "9" * 400
CLASSICAL = '[{"model": "classical", '


@pytest.mark.parametrize(
    ("name", "text", "line", "column"),
    [
        ("deep.json", DEEP, 1, 2),
        ("deep_row.json", CLASSICAL + '\n "note": ' + DEEP + "}]", 2, 10),
        ("digits.json", CLASSICAL + '"nu": ' + "1" * 5000 + "}]", 1, 31),
        ("digits_value.json", CLASSICAL + '"tl": 1, "left_bath_current": ' + HUGE + "}]", 1, 34),
        ("repeated.json", CLASSICAL + '"nu": 1,\n "nu": 2, "left_bath_current": 1}]', 2, 2),
        ("trailing.json", CLASSICAL + '"left_bath_current": 1}]\n]', 2, 1),
        ("rows_object.json", '{"rows": {"model": "classical"}}', 1, 10),
        ("version.json", '{"schema_version": 7, "rows": []}', 1, 20),
        (
            "negative_stderr.csv",
            "model,left_bath_current,left_bath_current_stderr\nclassical,0.1,-1\n",
            2,
            3,
        ),
        ("digits.csv", "model,nu,left_bath_current\nclassical," + "1" * 5000 + ",0.1\n", 2, 2),
        ("bad_list.csv", 'model,bond_currents\nclassical,"[0.1, true]"\n', 2, 2),
        ("shape.json", CLASSICAL + '\n "bond_currents": 0.1}]', 2, 2),
        ("unknown.json", CLASSICAL + '\n "left_bath_currents": 0.1}]', 2, 2),
    ],
)
def test_unreadable_input_is_one_located_line(tmp_path, capsys, name, text, line, column):
    """Located at the value when the JSON decoder rejects it, else at the row's key."""
    path = _write(tmp_path, name, text)
    status, out, err = _run(capsys, ["crosscheck", path])
    assert status == 2 and out == ""
    assert err.startswith(f"exactspin: error: {path}:{line}:{column}:"), err
    assert len(err.strip().splitlines()) == 1


def test_a_key_is_located_at_the_key_not_at_an_equal_string(tmp_path):
    text = '[{"model": "classical", "label": "nu",\n  "nu": "x", "left_bath_current": 1}]'
    with pytest.raises(ReferenceInputError) as raised:
        read_rows(_write(tmp_path, "label.json", text))
    assert (raised.value.line, raised.value.column) == (2, 3)


# --- formats the reader should accept -------------------------------------------------------


def test_a_csv_with_a_utf8_byte_order_mark_is_read(tmp_path, capsys):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "\ufeffmodel,nu,nd,j1,j2,tl,tr,left_bath_current\n"
        f"classical,1,0,1,1,2,1,{LEFT!r}\n".encode()
    )
    status, report, _ = _report(capsys, ["crosscheck", str(path)])
    assert status == 0 and report["compared"] == 1


def test_a_mixed_csv_leaves_the_other_models_cells_empty(tmp_path, capsys):
    path = _write(
        tmp_path,
        "mixed.csv",
        "model,nu,nd,j1,j2,tl,tr,up,delta,left_bath_current,trace\n"
        f"classical,1,0,1,1,2,1,,,{LEFT!r},\n"
        "quantum,2,1,,,,,3,0.5,,1.0\n",
    )
    status, report, _ = _report(capsys, ["crosscheck", path])
    assert status == 0 and [r["model"] for r in report["rows"]] == ["classical", "quantum"]


def test_a_filled_cell_of_the_other_model_is_still_an_error(tmp_path, capsys):
    path = _write(tmp_path, "m.csv", "model,nu,up,left_bath_current\nclassical,1,3,0.1\n")
    status, _, err = _run(capsys, ["crosscheck", path])
    assert status == 2 and f"{path}:2:3: up: not a parameter of the classical model" in err


# --- size, streaming, caching -----------------------------------------------------------------


def test_a_file_above_the_size_limit_is_refused_with_size_and_limit(tmp_path, capsys, monkeypatch):
    path = _json_file(tmp_path, [{**THREE_SPINS, "left_bath_current": LEFT}] * 20)
    size = os.path.getsize(path)
    status, _, err = _run(capsys, ["crosscheck", path, "--max-bytes", str(size - 1)])
    assert status == 2 and f"{size} bytes" in err and f"limit of {size - 1} bytes" in err
    monkeypatch.setenv("EXACTSPIN_CROSSCHECK_MAX_BYTES", str(size - 1))
    assert _run(capsys, ["crosscheck", path])[0] == 2
    assert _run(capsys, ["crosscheck", path, "--max-bytes", str(size)])[0] == 0
    monkeypatch.setenv("EXACTSPIN_CROSSCHECK_MAX_BYTES", "lots")
    status, _, err = _run(capsys, ["crosscheck", path])
    assert status == 2 and "EXACTSPIN_CROSSCHECK_MAX_BYTES" in err


def test_identical_points_are_solved_once(tmp_path, capsys, monkeypatch):
    """Spelled differently (2 vs 2.0, a default given or omitted), the point is the same."""
    calls = []
    solution_values = crosscheck_module.solution_values
    monkeypatch.setattr(
        crosscheck_module,
        "solution_values",
        lambda point: calls.append(point.key) or solution_values(point),
    )
    rows = [
        {"model": "classical", "nu": 1, "nd": 0, "tr": 0.1, "left_bath_current": 0.1},
        {"model": "classical", "nu": 1.0, "nd": 0, "left_bath_current": 0.1},
        {"model": "classical", "nu": 1, "nd": 0, "dynamics": "Q2R", "left_bath_current": 0.1},
    ] * 10
    crosscheck_module.observable_shapes("classical")
    status, report, _ = _report(capsys, ["crosscheck", _json_file(tmp_path, rows)])
    assert report["compared"] == 30 and len(calls) == 1


def test_invalid_rows_are_reported_before_anything_is_solved(tmp_path, capsys, monkeypatch):
    crosscheck_module.observable_shapes("classical")
    monkeypatch.setattr(crosscheck_module, "solution_values", pytest.fail)
    text = "model,nu,nd,left_bath_current\nclassical,1,0,0.1\nclassical,1,x,0.1\n"
    path = _write(tmp_path, "late.csv", text)
    status, out, err = _run(capsys, ["crosscheck", path])
    assert status == 2 and out == "" and f"{path}:3:3:" in err


# --- output ---------------------------------------------------------------------------------


def test_a_closed_pipe_ends_crosscheck_quietly(tmp_path):
    path = _json_file(tmp_path, [{**THREE_SPINS, "left_bath_current": LEFT}] * 3)
    process = subprocess.Popen(
        [sys.executable, "-m", "exactspin.cli.main", "crosscheck", path, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before the first byte is written
    err = process.stderr.read().decode()
    assert process.wait() == 141
    assert err == ""


def test_a_closed_pipe_ends_reference_export_quietly(capsys, monkeypatch):
    from exactspin.reference import export

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(export, "build_reference", lambda: {"rows": []})
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["reference", "export"]) == 141


def _refuse_to_build():
    pytest.fail("the output path must be checked before the reference is computed")


def test_export_to_a_path_under_a_file_is_refused_before_computing(tmp_path, capsys, monkeypatch):
    from exactspin.reference import export

    monkeypatch.setattr(export, "build_reference", _refuse_to_build)
    blocker = tmp_path / "file"
    blocker.write_text("")
    for target in (blocker / "out.json", tmp_path):
        status, out, err = _run(capsys, ["reference", "export", "--out", str(target)])
        assert status == 2 and out == ""
        assert "parameter 'out'" in err and len(err.strip().splitlines()) == 1


def test_export_to_a_read_only_directory_is_refused_before_computing(tmp_path, capsys, monkeypatch):
    """As root, permission bits do not stop a write; sysfs refuses new files to everyone."""
    from exactspin.reference import export

    monkeypatch.setattr(export, "build_reference", _refuse_to_build)
    if os.geteuid() == 0:
        if not os.path.isdir("/sys/kernel"):
            pytest.skip("running as root without a sysfs to provide a read-only directory")
        directory = "/sys/kernel"
    else:
        directory = tmp_path / "read_only"
        directory.mkdir()
        directory.chmod(0o555)
    status, out, err = _run(
        capsys, ["reference", "export", "--out", os.path.join(directory, "out.json")]
    )
    assert status == 2 and out == ""
    assert "parameter 'out'" in err and "writable" in err


def test_export_writes_the_file_it_was_asked_for(tmp_path, capsys, monkeypatch):
    from exactspin.reference import export

    monkeypatch.setattr(export, "build_reference", lambda: {"schema_version": 1, "rows": []})
    target = tmp_path / "reference.json"
    assert main(["reference", "export", "--out", str(target)]) == 0
    assert json.loads(target.read_text()) == {"schema_version": 1, "rows": []}


@pytest.mark.parametrize(
    "text",
    [
        '[{"model": "classical", "left_bath\\u005fcurrent": 0.1,\n "nu": 1}]',
        '[{"model": "classical", "exact_decimal": {"nu": "2", "left_bath_current": "1"},\n'
        ' "nu": 1, "left_bath_current": 0.1}]',
        '[{"model": "classical", "note": "\\"nu\\": 3",\n "nu": 1, "left_bath_current": 0.1}]',
    ],
)
def test_keys_are_located_alike_by_the_fast_reader_and_the_member_walker(tmp_path, text):
    """Flat rows are read by the C decoder and a string scan, the others member by member."""
    from exactspin.reference.io import _JsonWalker

    (row,) = read_rows(_write(tmp_path, "keys.json", text))
    walker = _JsonWalker(text, "keys.json")
    values, positions, _ = walker.object_at(1)
    assert row.positions == positions
    assert row.positions["nu"] == (2, 2) and row.parameters == {"nu": 1}
    assert row.observables == {"left_bath_current": 0.1}


def test_a_huge_size_limit_allocates_nothing_up_front(tmp_path, capsys):
    """The limit bounds the reading; it is not a buffer size (read(limit + 1) allocated it)."""
    path = _json_file(tmp_path, [{**THREE_SPINS, "left_bath_current": LEFT}])
    assert _run(capsys, ["crosscheck", path, "--max-bytes", str(2**62)])[0] == 0
