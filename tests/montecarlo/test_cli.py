"""``exactspin classical mc`` prints the currents with error bars; bad input exits 2."""

import json
from pathlib import Path

import pytest

from exactspin.cli.main import main

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


def test_json_output_has_every_current_with_its_error(capsys):
    status = main(
        ["classical", "mc", "--steps", "2e5", "--seed", "3", "--pair", "2", "3", "--json"]
    )
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    for name in CURRENTS:
        assert isinstance(payload[name], float) and payload[name + "_stderr"] > 0
    assert payload["parameters"] == {
        "nu": 2,
        "nd": 3,
        "j1": 2.0,
        "j2": 1.9,
        "tl": 2.0,
        "tr": 0.1,
        "dynamics": "q2r",
        "mu": None,
    }
    assert payload["circulation"] in ("clockwise", "anticlockwise", "parallel")
    assert payload["circulation_significance_stderr"] == 3.0
    assert payload["correlations"][0]["sites"] == [2, 3]
    assert payload["steps"] == 200_000 and payload["batches"] == 20
    assert "equilibrated" in payload["equilibration"]
    assert payload["updates_per_second"] > 0


def test_table_output_is_quiet_and_readable(capsys):
    status = main(["classical", "mc", "--steps", "1e5", "--quiet", "--nu", "1", "--nd", "0"])
    assert status == 0
    captured = capsys.readouterr()
    assert "left_bath_current" in captured.out and "+-" in captured.out
    assert captured.err == ""


def test_bad_steps_exit_2_with_one_line(capsys):
    assert main(["classical", "mc", "--steps", "many", "--quiet"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "'steps'" in error


def test_cca_without_mu_exits_2(capsys):
    assert main(["classical", "mc", "--dynamics", "cca", "--quiet"]) == 2
    assert "'mu'" in capsys.readouterr().err


def test_multispin_json_counts_replica_updates(capsys):
    status = main(["classical", "mc", "--steps", "1e5", "--replicas", "128", "--json"])
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["method"] == "multispin" and payload["replicas"] == 128
    # Replica-updates: every replica's burn-in and measured steps, per second of the run.
    assert payload["updates_per_second"] == pytest.approx(
        128 * (100_000 + 20_000) / payload["wall_time"]
    )


def test_replicas_between_words_exit_2_naming_the_rule(capsys):
    assert main(["classical", "mc", "--replicas", "100", "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "'replicas'" in error and "multiple of 64" in error


def test_an_undetermined_run_warns_on_one_line_and_exits_2(capsys):
    status = main(["classical", "mc", "--nu", "500", "--nd", "500", "--steps", "1e3", "--json"])
    assert status == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["equilibration"]["equilibrated"] is None
    assert captured.err.count("\n") == 1 and "undetermined" in captured.err


def test_continuous_unit_option(capsys):
    assert main(["classical", "mc", "--steps", "2e5", "--unit", "continuous", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] == "continuous"


TRIANGLE = Path(__file__).resolve().parents[2] / "examples" / "networks" / "triangle.toml"


@pytest.mark.parametrize(
    ("option", "values"),
    [
        ("--replicas", ["0", "-64", "65", "1.5", "nan", "abc"]),
        ("--steps", ["0", "-5", "nan", "1e16", "2.5", "abc"]),
    ],
)
def test_every_bad_value_of_a_parameter_gets_its_one_message(capsys, option, values):
    """Whatever the bad value (too small, negative, not whole, not a number), the message
    states the same, true allowed range, on the ring and on a network."""
    for network in ([], ["--network", str(TRIANGLE)]):
        messages = set()
        for value in values:
            assert main(["classical", "mc", *network, option, value, "--quiet"]) == 2
            error = capsys.readouterr().err
            assert error.count("\n") == 1
            messages.add(error.split(": must be ", 1)[1])
        assert len(messages) == 1, messages
        (message,) = messages
        if option == "--steps":
            assert "[20, 1000000000000000]" in message
        else:
            assert "1..63" in message and "multiple of 64" in message


def test_ring_and_network_json_both_carry_bond_current_errors(capsys):
    """One key for the bond errors on both kinds of run; the ring keeps its old key too."""
    main(["classical", "mc", "--nu", "1", "--nd", "1", "--steps", "2e4", "--json"])
    ring = json.loads(capsys.readouterr().out)
    assert ring["bond_current_errors"] == ring["bond_currents_stderr"]
    assert len(ring["bond_current_errors"]) == len(ring["bond_currents"]) == 4
    main(["classical", "mc", "--network", str(TRIANGLE), "--steps", "2e4", "--json"])
    network = json.loads(capsys.readouterr().out)
    assert len(network["bond_current_errors"]) == len(network["bond_currents"])
