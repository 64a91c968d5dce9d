"""The report replays committed HEOM references and refuses ones made for other parameters."""

import pytest

from exactspin.quantum import QuantumModel
from verify.claims_equations import DELTAS, ReferenceMismatch, load_reference
from verify.heom_reference import reference_path


@pytest.mark.parametrize("delta", DELTAS)
def test_committed_references_carry_their_parameters_and_versions(delta):
    stored = load_reference(QuantumModel.from_parameters(delta=delta, gamma=0.01))
    assert stored["parameters"]["delta"] == delta
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
