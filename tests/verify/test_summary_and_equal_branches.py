"""The report's summary counts every verdict on its own; the equal-branch claim is split from
Fig. 7's point, each with numbers that can be checked against the exact solver."""

import pytest

from verify.checks import CLAIM, CROSSCHECK, CheckResult
from verify.render import summarize, summary_line


def _result(name, kind, verdict):
    return CheckResult(name, kind, "statement", "numbers", "convention", verdict, "why")


def test_the_console_line_counts_each_verdict_and_names_the_claims_not_reproduced():
    """It used to fold 'reproduced' and 'depends on convention' into one 'passed' count and
    never show the claims the paper gets wrong."""
    checks = [
        _result("a", CROSSCHECK, "passed"),
        _result("b", CROSSCHECK, "failed"),
        _result("c", CLAIM, "reproduced"),
        _result("d", CLAIM, "depends on convention"),
        _result("e", CLAIM, "not reproduced"),
        _result("f", CLAIM, "not reproduced"),
        _result("g", CLAIM, "undetermined"),
    ]
    line = summary_line(summarize(checks, []))
    assert "cross-checks (2): 1 passed, 1 failed" in line
    assert (
        "claims (5): 1 reproduced, 1 depends on convention, 2 not reproduced, 1 undetermined"
    ) in line
    assert "not reproduced: e, f" in line and "failed: b" in line


@pytest.fixture(scope="module")
def equal_branches():
    from verify.claims_classical import cm_with_equal_branches

    return cm_with_equal_branches(quick=True)


def test_cm_with_equal_branches_is_possible_for_every_tested_size(equal_branches):
    assert equal_branches.verdict == "reproduced"
    sizes = [scan["size"] for scan in equal_branches.data["scans"]]
    assert sizes == [1, 2, 3]
    assert all(scan["circulating_j2"] for scan in equal_branches.data["scans"])


def test_the_reported_regime_boundaries_are_zeros_of_a_branch_current(equal_branches):
    """Each refined boundary is where the named branch current changes sign (solver evaluated
    1e-4 on each side), so the numbers in the report are not grid spacings."""
    from exactspin.classical import solve
    from exactspin.classical.model import ClassicalModel

    attribute = {"I_U": "upper_branch_current", "I_D": "lower_branch_current"}
    for scan in equal_branches.data["scans"]:
        assert len(scan["boundaries"]) == 2
        for boundary in scan["boundaries"]:
            size, j2 = scan["size"], boundary["j2"]
            below, above = (
                getattr(
                    solve(ClassicalModel.from_parameters(nu=size, nd=size, j2=value)),
                    attribute[boundary["current"]],
                )
                for value in (j2 - 1e-4, j2 + 1e-4)
            )
            assert below * above < 0


def test_fig7_point_lies_in_the_parallel_window_of_the_one_one_ring():
    from verify.claims_classical import cm_fig7_parameters

    result = cm_fig7_parameters(quick=True)
    assert result.verdict == "not reproduced"
    low, high = (b["j2"] for b in result.data["scan"]["boundaries"])
    assert low < 1.9 < high
    assert result.data["at_fig7_parameters"]["circulation"] == "parallel"
