"""The report's vocabulary: verdicts, row comparisons in relative terms and in sigmas."""

import math

import pytest

from verify.checks import CheckResult, compare_row, relative_difference, rows_verdict, sigma_row


def test_relative_difference_uses_the_larger_magnitude_or_the_scale():
    assert relative_difference(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert relative_difference(0.0, 1e-12, scale=1.0) == pytest.approx(1e-12)
    assert relative_difference(0.0, 0.0) == 0.0


def test_sigma_rows_pass_below_five_standard_errors():
    assert sigma_row("a", 1.0, 1.04, 0.01).verdict == "passed"
    assert sigma_row("b", 1.0, 1.06, 0.01).verdict == "failed"
    assert math.isinf(sigma_row("c", 1.0, 1.1, 0.0).difference)


def test_a_check_fails_when_any_row_fails_and_unknown_verdicts_are_refused():
    rows = [compare_row("x", 1.0, 1.0, 1e-9), compare_row("y", 1.0, 2.0, 1e-9)]
    assert rows_verdict(rows) == "failed"
    assert rows_verdict(rows[:1]) == "passed"
    with pytest.raises(ValueError):
        CheckResult("n", "claim", "s", "", "", "probably")


def test_missing_engine_counts_as_failure_but_missing_qutip_does_not():
    missing = CheckResult("n", "claim", "s", "", "", "not run", "engine missing: x")
    optional = CheckResult("n", "claim", "s", "", "", "not run", "qutip not importable")
    assert missing.is_failure and not optional.is_failure
