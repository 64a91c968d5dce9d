"""The reproducing commands of issues 10 and 12 for ``exactspin quantum solve``.

A label the solve cannot resolve is "undetermined" with a reason on stderr and exit status 2;
bad input is one line on stderr and exit status 2. Reference values: test_null_space.py.
"""

from __future__ import annotations

import importlib
import json

import pytest

from exactspin.cli.main import main

steady_state_module = importlib.import_module("exactspin.quantum.steady_state")


def run(capsys, *arguments):
    status = main(["quantum", "solve", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_json(capsys, *arguments):
    status, out, err = run(capsys, *arguments, "--json")
    return status, json.loads(out), err


def test_low_temperature_zero_frequency_prints_the_60_digit_currents(capsys):
    status, result, err = run_json(
        capsys,
        "--nu",
        "2",
        "--nd",
        "1",
        "--up",
        "3",
        "--delta",
        "2.1",
        "--tl",
        "0.3",
        "--tr",
        "0.1",
        "--zero-frequency",
        "zero",
    )
    assert status == 0
    assert result["upper_branch_current"] == pytest.approx(3.3781218607680176e-03, rel=1e-9)
    assert result["steady_state_dimension"] == 1
    assert result["steady_state_dimension_certified"] is True
    assert "not positive" in err  # the 60-digit rho has eigenvalue -1.4e-11


def test_equal_low_temperatures_are_undetermined_with_exit_2(capsys):
    status, result, err = run_json(capsys, "--tl", "0.05", "--tr", "0.05")
    assert status == 2
    assert result["circulation"] == "undetermined"
    assert result["undetermined_reasons"]
    assert "within its error bound" in err
    assert abs(result["upper_branch_current"]) <= result["upper_branch_current_bound"]


def test_huge_anisotropy_is_undetermined_with_exit_2(capsys):
    status, result, _ = run_json(capsys, "--delta", "1e8")
    assert status == 2
    assert result["circulation"] == "undetermined"


@pytest.mark.parametrize(
    "flag, value", [("--delta", "1e300"), ("--tr", "1e300"), ("--delta", "nan")]
)
def test_overflowing_parameters_are_one_line_errors(capsys, flag, value):
    status, out, err = run(capsys, flag, value)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and f"'{flag[2:]}'" in err


def test_strong_coupling_warns_on_stderr(capsys):
    _, _, err = run_json(capsys, "--gamma", "1e10")
    assert "Born-Markov" in err
    assert "not positive" in err


def test_large_degenerate_sector_is_refused_before_allocating(capsys):
    status, out, err = run(capsys, "--nu", "5", "--nd", "5", "--up", "6")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "GiB" in err


def test_non_unique_iterative_solve_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(steady_state_module, "MAXIMUM_RESTARTS", 5)
    status, out, err = run(
        capsys, "--nu", "3", "--nd", "1", "--up", "4", "--delta", "0", "--method", "iterative"
    )
    assert status == 2 and out == ""
    assert err.count("\n") == 1


@pytest.mark.slow
def test_issue_10_non_unique_iterative_command(capsys):
    status, out, err = run(capsys, "--nu", "3", "--nd", "3", "--up", "4", "--delta", "0")
    assert status == 2 and out == ""
    assert err.count("\n") == 1


def test_unresolved_lamb_shift_is_one_undetermined_line_and_exit_2(capsys):
    # At omega_c = 1e6 the principal-value quadrature's own error estimate (~7e1) exceeds the
    # stated accuracy 1e-10 x omega_c: no traceback, no raw IntegrationWarning, exit 2.
    status, out, err = run(
        capsys, "--equation", "redfield-lamb-shift", "--delta", "0.5", "--omega-c", "1e6"
    )
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "undetermined" in lines[0] and "quadrature error estimate" in lines[0]
    assert "omega_c" in lines[0]
    assert "IntegrationWarning" not in err and "Traceback" not in err


def test_unresolved_lamb_shift_is_an_unresolved_error_without_warnings():
    import warnings

    from exactspin.quantum.lamb_shift import lamb_shift
    from exactspin.validation import UnresolvedError

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UnresolvedError, match="quadrature error estimate"):
            lamb_shift(0.2107711542984938, 2.0, 1e6)


JUNCTION = str(
    __import__("pathlib").Path(__file__).resolve().parents[2]
    / "examples"
    / "networks"
    / "junction_quantum.toml"
)


@pytest.mark.parametrize("equation", ["global-lindblad", "local-lindblad"])
def test_ring_currents_vanishing_by_construction_are_parallel_with_exit_0(capsys, equation):
    # Both equations make I_U = I_D = 0 identically (equation_note says why): no circulation,
    # not "undetermined" with "sign not resolved" warnings.
    status, result, err = run_json(capsys, "--equation", equation)
    assert status == 0, err
    assert result["circulation"] == "parallel"
    assert result["undetermined_reasons"] == []
    assert "sign is not resolved" not in err
    assert "vanish" in result["equation_note"]
    for name in ("upper_branch_current", "lower_branch_current"):
        assert abs(result[name]) <= result[name + "_bound"]


@pytest.mark.parametrize("equation", ["global-lindblad", "local-lindblad"])
def test_network_currents_vanishing_by_construction_are_none_with_exit_0(capsys, equation):
    status, result, err = run_json(capsys, "--equation", equation, "--network", JUNCTION)
    assert status == 0, err
    assert [cycle["circulation"] for cycle in result["cycles"]] == ["none", "none"]
    assert "vanish" in result["equation_note"]
    assert "not resolved" not in err


def test_global_lindblad_ring_ratio_is_zero_when_the_bath_current_is_resolved(capsys):
    status, result, _ = run_json(capsys, "--equation", "global-lindblad")
    assert abs(result["left_bath_current"]) > result["left_bath_current_bound"]
    assert result["magnification_ratio"] == 0.0


CHECK_KEYS = ("equation", "positive", "kirchhoff_error", "bath_balance_error", "equation_note")


@pytest.mark.parametrize("network", [False, True])
def test_plain_redfield_json_reports_the_equation_checks(capsys, network):
    arguments = ("--network", JUNCTION) if network else ()
    status, result, _ = run_json(capsys, *arguments)
    for key in CHECK_KEYS:
        assert key in result, key
    assert result["equation"] == "redfield"
    assert result["positive"] is True
    # Eq. 26's dissipator is a commutator with the bath's sz: Kirchhoff and the energy
    # balance hold to the error bounds of the currents.
    bounds = (
        sum(result["bath_current_errors"])
        if network
        else result["left_bath_current_bound"] + result["right_bath_current_bound"]
    )
    assert abs(result["bath_balance_error"]) <= bounds
    if network:
        assert len(result["kirchhoff_errors"]) == len(result["site_magnetization"])
    else:
        kirchhoff_bound = (
            result["left_bath_current_bound"]
            + result["upper_branch_current_bound"]
            + result["lower_branch_current_bound"]
        )
        assert abs(result["kirchhoff_error"]) <= kirchhoff_bound


def test_help_names_the_chosen_equation_not_only_redfield(capsys):
    with pytest.raises(SystemExit):
        main(["quantum", "solve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Solve the Redfield master equation (Eq. 26)" not in text
    assert "master equation chosen by --equation" in text


def test_network_text_labels_every_bath_and_bond(capsys):
    status, out, _ = run(capsys, "--network", JUNCTION)
    assert status == 0
    names = [line.split("  ")[0] for line in out.splitlines()]
    assert "bath 1 (site 1, T=2)" in names and "bath 2 (site 6, T=0.5)" in names
    assert [name for name in names if name.startswith("bond ")] == [
        "bond 1 [1->2]",
        "bond 2 [2->3]",
        "bond 3 [3->6]",
        "bond 4 [1->4]",
        "bond 5 [4->6]",
        "bond 6 [1->5]",
        "bond 7 [5->6]",
    ]
    assert "bath_currents" not in names and "bond_currents" not in names


def test_elapsed_ticker_without_an_estimate_prints_elapsed_time_only(capsys):
    import time

    from exactspin.cli.progress import elapsed_ticker

    with elapsed_ticker("quantum solve", None, interval=0.02):
        time.sleep(0.15)
    lines = capsys.readouterr().err.splitlines()
    assert lines and all(line.startswith("quantum solve: ") for line in lines)
    assert all(line.endswith(" s elapsed") for line in lines)


@pytest.mark.parametrize(("equation", "ticking"), [("ule-lamb-shift", True), ("ule", False)])
def test_lamb_shift_equations_run_under_the_elapsed_ticker(capsys, monkeypatch, equation, ticking):
    from contextlib import contextmanager

    quantum_solve = importlib.import_module("exactspin.cli.quantum_solve")
    seen = []

    @contextmanager
    def recorder(label, expected_seconds, enabled=True, interval=10.0):
        seen.append((label, enabled))
        yield

    monkeypatch.setattr(quantum_solve, "elapsed_ticker", recorder)
    status, _, _ = run(capsys, "--equation", equation)
    assert status == 0
    assert seen == [(f"quantum solve --equation {equation}", ticking)]


def test_local_lindblad_ratio_is_not_applicable_rather_than_undetermined(capsys):
    status, out, _ = run(capsys, "--equation", "local-lindblad")
    assert status == 0
    row = next(line for line in out.splitlines() if line.startswith("magnification_ratio"))
    assert "n/a" in row and "undetermined" not in row
