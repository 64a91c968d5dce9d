"""The report replays committed HEOM references and refuses ones made for other parameters."""

import pytest

from exactspin.quantum import QuantumModel
from verify.claims_equations import DELTAS, GAMMAS, ReferenceMismatch, load_reference
from verify.heom_reference import reference_path


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("delta", DELTAS)
def test_committed_references_carry_their_parameters_and_versions(delta, gamma):
    stored = load_reference(QuantumModel.from_parameters(delta=delta, gamma=gamma))
    assert stored["parameters"]["delta"] == delta
    assert stored["parameters"]["gamma"] == gamma
    rows = stored["convergence_table"]
    assert all(0 < row["fit_current_error"] < 1 for row in rows)
    # a reference is never called converged while its fit alone moves the currents more
    assert not stored["converged"] or rows[-1]["fit_current_error"] < stored["tolerance"]
    assert {"exactspin", "qutip"} <= set(stored["versions"])
    assert stored["convergence_table"]
    assert abs(stored["bath_balance_error"]) < 1e-9 * abs(stored["left_bath_current"])


def test_replay_fails_loudly_when_parameters_differ():
    asked = QuantumModel.from_parameters(delta=0.5, gamma=0.01, tl=1.5)
    with pytest.raises(ReferenceMismatch, match="parameters"):
        load_reference(asked, reference_path(0.5, 0.01))


def test_replay_fails_loudly_when_no_reference_exists():
    with pytest.raises(ReferenceMismatch, match="no HEOM reference"):
        load_reference(QuantumModel.from_parameters(delta=0.123, gamma=0.01))


def test_report_flag_recomputes_the_references_before_the_checks(monkeypatch, tmp_path):
    """--recompute-heom reaches verify.run.main, which rewrites the references first."""
    import argparse

    from exactspin.cli import report
    from verify import heom_reference, run

    calls = []
    monkeypatch.setattr(heom_reference, "write_all", lambda progress=None: calls.append("heom"))
    monkeypatch.setattr(run, "run_all", lambda *a, **k: calls.append("checks") or [])
    monkeypatch.setattr("verify.render.write_report", lambda *a, **k: {})
    monkeypatch.setattr("verify.render.summary_line", lambda summary: "")
    parser = argparse.ArgumentParser()
    report.register(parser.add_subparsers())
    args = parser.parse_args(["report", "--recompute-heom", "--out", str(tmp_path)])
    assert args.handler(args) == 0
    assert calls == ["heom", "checks"]
    args = parser.parse_args(["report", "--out", str(tmp_path)])
    calls.clear()
    args.handler(args)
    assert calls == ["checks"]


def test_verdicts_follow_the_convergence_of_the_references(monkeypatch):
    """Converged references decide (the committed ones: plain Redfield is resolved-worse than
    Redfield with the Lamb shift and W(0) = T); the same references marked unconverged leave
    every HEOM claim undetermined."""
    import math

    from verify import claims_equations
    from verify.checks import NOT_REPRODUCED, UNDETERMINED

    checks = (
        claims_equations.master_equations_against_heom,
        claims_equations.heom_cm_for_positive_delta,
        claims_equations.heom_lindblad_branch_currents,
    )
    claims_equations._comparison.cache_clear()
    decided = claims_equations.master_equations_against_heom(True)
    assert decided.verdict == NOT_REPRODUCED
    assert "closest redfield-lamb-shift W(0)=limit" in decided.numbers
    assert all(check(True).verdict != UNDETERMINED for check in checks)
    original = claims_equations.load_reference

    def unconverged(model, path=None):
        stored = dict(original(model, path))
        stored.update(converged=False, current_threshold=math.inf, circulation="undetermined")
        return stored

    monkeypatch.setattr(claims_equations, "load_reference", unconverged)
    claims_equations._comparison.cache_clear()
    try:
        assert all(check(True).verdict == UNDETERMINED for check in checks)
    finally:
        claims_equations._comparison.cache_clear()
