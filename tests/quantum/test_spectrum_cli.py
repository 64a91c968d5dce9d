"""The ``exactspin quantum spectrum`` command: symbolic and numeric output, bad input."""

from __future__ import annotations

import json

import mpmath
import pytest

from exactspin.cli.main import main


def run(capsys, *arguments: str) -> tuple[int, str, str]:
    status = main(["quantum", "spectrum", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_symbolic_json_lists_closed_forms_with_multiplicities(capsys):
    status, out, _ = run(capsys, "--n", "5", "--up", "3", "--json")
    payload = json.loads(out)
    assert status == 0
    assert payload["parameters"] == {"n": 5, "up": 3, "j": "J", "delta": "Delta"}
    assert payload["dimension"] == 10
    assert sorted(level["multiplicity"] for level in payload["levels"]) == [1, 1, 2, 2, 2, 2]
    assert all("Delta" in level["closed_form"] for level in payload["levels"])


def test_numeric_json_gives_thirty_digit_strings_and_floats(capsys):
    status, out, _ = run(capsys, "--n", "5", "--up", "3", "--delta", "0", "--json")
    payload = json.loads(out)
    assert status == 0 and payload["digits"] == 30
    values = [mpmath.mpf(level["value"]) for level in payload["levels"]]
    assert values == sorted(values)
    for level in payload["levels"]:
        assert abs(float(mpmath.mpf(level["value"])) - level["float"]) < 1e-12
    # J = 1, Delta = 0: the lowest level is -1 - sqrt(5) - ... = -(3 + sqrt(5)) (k = 1, 4).
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(payload["levels"][0]["value"]) + 3 + mpmath.sqrt(5)) < 1e-28
    # E4 and E5 meet at Delta = 0 (Fig. 11a): five distinct levels, one of them fourfold.
    assert [level["multiplicity"] for level in payload["distinct_levels"]] == [2, 1, 2, 4, 1]


def test_latex_is_an_align_environment(capsys):
    status, out, _ = run(capsys, "--n", "4", "--up", "2", "--latex")
    assert status == 0
    assert out.startswith("\\begin{align*}") and out.rstrip().endswith("\\end{align*}")
    assert out.count("E_{") == 4


def test_text_output_with_numeric_exchange(capsys):
    status, out, _ = run(capsys, "--n", "3", "--up", "1", "--j", "2")
    assert status == 0
    assert "3 sites, 1 up" in out and "Delta" not in out.split("\n", 1)[1]


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        (("--n", "1", "--up", "0"), "'n'"),
        (("--n", "5", "--up", "6"), "'up'"),
        (("--n", "5", "--up", "x"), "'up'"),
        (("--n", "5", "--up", "2", "--j", "inf", "--delta", "1"), "'j'"),
        (("--n", "5", "--up", "2", "--delta", "nan"), "'delta'"),
        (("--n", "5", "--up", "2", "--delta", "1", "--latex"), "'latex'"),
    ],
)
def test_bad_input_is_one_line_and_exit_two(capsys, arguments, parameter):
    status, out, err = run(capsys, *arguments)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and parameter in err
