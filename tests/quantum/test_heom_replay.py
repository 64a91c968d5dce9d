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
