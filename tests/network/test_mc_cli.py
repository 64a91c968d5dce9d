"""``exactspin classical mc --network FILE``: the network vocabulary, honest exits, bad input."""

import json
from pathlib import Path

import pytest

from exactspin.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "networks"


def test_json_carries_the_network_vocabulary(capsys):
    status = main(
        ["classical", "mc", "--network", str(EXAMPLES / "three_baths.toml"), "--steps", "4e5",
         "--seed", "2", "--pair", "1", "2", "--json"]
    )  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert status == 0
    assert payload["network"]["sites"] == 6 and payload["network"]["dynamics"] == "q2r"
    assert len(payload["bath_currents"]) == len(payload["bath_current_errors"]) == 3
    assert len(payload["bond_currents"]) == len(payload["bond_current_errors"]) == 6
    assert payload["error_kind"] == "standard_error"
    assert abs(sum(payload["bath_currents"])) < 5 * sum(payload["bath_current_errors"])
    assert payload["cycles"][0]["circulation"] in ("along", "against", "none")
    for cycle in payload["cycles"]:
        if cycle["circulation"] not in ("along", "against"):
            assert cycle["limiting_bond"] is None and cycle["circulating_current_stderr"] is None
    assert payload["parameters"]["steps"] == 400_000
    assert payload["correlations"][0]["sites"] == [1, 2]
    assert payload["unit"] == "step"


def test_a_circulating_current_carries_its_limiting_bonds_error_bar(capsys):
    """On the paper's ring (Fig. 5 parameters) the lower branch circulates: the circulating
    current is the smallest oriented bond current, with that bond's standard error. Bonds in
    series carry the same current up to the energy stored between them over the run, so their
    estimates agree far within their errors and choosing among them adds no error."""
    arguments = ["classical", "mc", "--network", str(EXAMPLES / "paper_ring.toml"), "--steps",
                 "4e5", "--seed", "2"]  # fmt: skip
    assert main([*arguments, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    (cycle,) = payload["cycles"]
    currents, errors = payload["bond_currents"], payload["bond_current_errors"]
    assert cycle["circulation"] == "along"
    bond = cycle["limiting_bond"]
    assert cycle["circulating_current"] == currents[bond] == min(currents)
    assert cycle["circulating_current_stderr"] == errors[bond]
    for branch in (currents[:3], currents[3:]):  # bonds 1-4 and 4-1 (baths at sites 1 and 4)
        assert max(branch) - min(branch) < 0.1 * min(errors)
    assert main(arguments) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("cycle"))
    shown, shown_error = row.split("along (")[1].rstrip(")").split(" +- ")
    assert abs(float(shown) - currents[bond]) <= 0.1 * errors[bond]
    assert abs(float(shown_error) - errors[bond]) <= 0.05 * errors[bond]


def test_a_silent_bond_exits_2_with_a_bound(tmp_path, capsys):
    path = tmp_path / "frozen.toml"
    path.write_text(
        "sites = 4\nbonds = [[1, 2, 1.0], [2, 3, 2.0], [3, 4, 1.0]]\nbaths = [[1, 2.0], [4, 0.5]]\n"
    )
    status = main(["classical", "mc", "--network", str(path), "--steps", "2e4", "--json"])
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert status == 2
    assert payload["bond_current_errors"][1] is None and payload["bond_current_bounds"][1] > 0
    assert "no events" in captured.err


def test_table_output_names_baths_and_bonds(capsys):
    status = main(
        ["classical", "mc", "--network", str(EXAMPLES / "junction.toml"), "--steps", "2e5",
         "--quiet"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert status in (0, 2)
    assert "bath 1 (site 1, T=2)" in out and "bond 7 [5->6]" in out and "cycle" in out


@pytest.mark.parametrize(
    "extra, name",
    [(["--nu", "3"], "--nu"), (["--nu", "2"], "--nu"), (["--burn-in", "auto"], "burn_in"),
     (["--replicas", "64"], "replicas")],
)  # fmt: skip
def test_options_that_do_not_apply_exit_2_naming_them(extra, name, capsys):
    status = main(
        ["classical", "mc", "--network", str(EXAMPLES / "junction.toml"), "--steps", "1e4", *extra]
    )
    assert status == 2
    assert name in capsys.readouterr().err


def test_a_quantum_network_is_refused(capsys):
    status = main(
        ["classical", "mc", "--network", str(EXAMPLES / "junction_quantum.toml"), "--steps", "1e4"]
    )
    assert status == 2
    assert "bonds" in capsys.readouterr().err


def test_a_target_error_runs_until_every_current_reaches_it(capsys):
    status = main(
        ["classical", "mc", "--network", str(EXAMPLES / "junction.toml"), "--steps", "2e7",
         "--target-stderr", "0.05", "--replicas", "8", "--json"]
    )  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert status == 0 and payload["stop_reason"] == "target reached"
    assert payload["target_stderr"] == 0.05
    for value, error in zip(payload["bond_currents"], payload["bond_current_errors"], strict=True):
        assert error <= 0.05 * abs(value)
    assert payload["steps"] + payload["burn_in"] <= 2e7
