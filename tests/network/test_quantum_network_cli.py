"""``quantum solve --network`` and ``quantum spectrum --network``: vocabulary, refusals, spectra."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from exactspin.cli.main import main
from exactspin.network import inhomogeneous_field_ring, quantum_ring, write_network
from exactspin.quantum import QuantumModel, solve
from exactspin.quantum.network_spectrum import numeric_spectrum
from exactspin.quantum.spectrum import exact_levels

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "networks"
KEYS = (
    "network",
    "parameters",
    "bath_currents",
    "bath_current_errors",
    "error_kind",
    "site_currents",
    "bond_currents",
    "site_magnetization",
    "cycles",
    "unit",
)


def run_json(capsys, *arguments):
    status = main(list(arguments))
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_solve_network_prints_the_network_vocabulary(capsys):
    path = EXAMPLES / "field_ring.toml"
    status, result, _ = run_json(capsys, "quantum", "solve", "--network", str(path), "--json")
    assert status == 0
    for key in KEYS:
        assert key in result
    assert "field_currents" in result
    network = result["network"]
    assert len(result["bath_currents"]) == len(network["baths"])
    assert len(result["site_magnetization"]) == network["sites"]
    assert result["parameters"]["gamma"] == 0.01
    assert result["parameters"]["equation"] == "redfield"
    entry = result["site_currents"][0]
    assert set(entry) == {"site", "from_bond", "to_bond", "current", "error"}
    assert result["cycles"][0]["circulation"] in ("along", "against", "none")


def test_gamma_and_zero_frequency_apply_to_a_network(capsys, tmp_path):
    path = tmp_path / "ring.toml"
    write_network(quantum_ring(delta=0.7), path)
    arguments = ("--gamma", "0.02", "--zero-frequency", "zero", "--omega-c", "5")
    status, result, _ = run_json(
        capsys, "quantum", "solve", "--network", str(path), *arguments, "--json"
    )
    assert status == 0
    expected = solve(
        QuantumModel.from_network(quantum_ring(delta=0.7), 0.02, 5.0, zero_frequency="zero")
    )
    assert result["bath_currents"] == list(expected.bath_currents)
    assert result["parameters"]["zero_frequency"] == "zero"
    assert result["parameters"]["omega_c"] == 5.0


@pytest.mark.parametrize("flag, value", [("--nu", "3"), ("--delta", "0.5"), ("--tl", "2")])
def test_ring_flags_with_a_network_are_refused_by_name(capsys, flag, value):
    path = EXAMPLES / "field_ring.toml"
    status = main(["quantum", "solve", "--network", str(path), flag, value])
    assert status == 2
    error = capsys.readouterr().err
    assert flag in error and error.count("\n") == 1


def test_ring_flags_at_their_default_values_are_still_refused(capsys):
    status = main(["quantum", "solve", "--network", str(EXAMPLES / "field_ring.toml"), "--up", "3"])
    assert status == 2
    assert "--up" in capsys.readouterr().err


def test_other_equations_run_on_a_network(capsys):
    path = EXAMPLES / "field_ring.toml"
    status, result, _ = run_json(
        capsys, "quantum", "solve", "--network", str(path), "--equation", "ule", "--json"
    )
    assert result["parameters"]["equation"] == "ule"
    assert len(result["kirchhoff_errors"]) == result["network"]["sites"]
    assert "Kirchhoff" in result["equation_note"]
    assert abs(result["bath_balance_error"]) <= sum(result["bath_current_errors"])
    assert status == 0


def test_a_classical_network_is_refused_by_quantum_solve(capsys):
    status = main(["quantum", "solve", "--network", str(EXAMPLES / "junction.toml")])
    assert status == 2
    assert "bonds" in capsys.readouterr().err


def test_ring_flags_without_network_are_unchanged(capsys):
    status, result, _ = run_json(capsys, "quantum", "solve", "--delta", "0.7", "--json")
    today = solve(QuantumModel.from_parameters(delta=0.7))
    assert result["left_bath_current"] == today.left_bath_current
    assert result["pair"] == [2, 3]
    assert status == 0


# ----------------------------------------------------------------- spectra
@pytest.mark.parametrize("nu, nd, up, delta", [(2, 1, 2, 0.5), (2, 2, 3, -0.8), (3, 1, 2, 1.3)])
def test_numeric_multiplicities_of_a_ring_network_equal_the_closed_forms(nu, nd, up, delta):
    """The momentum-block closed forms are an independent oracle for the numeric grouping."""
    network = quantum_ring(nu, nd, up, 1.0, delta)
    numeric = numeric_spectrum(network)
    exact = exact_levels(network.sites, up).numeric_levels("1", str(delta), 20)
    pairs = sorted((float(value), level.multiplicity) for value, level in exact)
    merged: list[list[float]] = []
    for value, multiplicity in pairs:  # levels equal at this Delta merge (as the CLI does)
        if merged and abs(value - merged[-1][0]) < 1e-12:
            merged[-1][1] += multiplicity
        else:
            merged.append([value, multiplicity])
    assert [m for _, m in merged] == list(numeric.multiplicities)
    np.testing.assert_allclose(numeric.energies, [v for v, _ in merged], rtol=0, atol=1e-12)


def test_a_field_splits_the_momentum_pairs():
    uniform = numeric_spectrum(quantum_ring(2, 1, 2, 1.0, 0.5))
    field = numeric_spectrum(inhomogeneous_field_ring())
    assert max(uniform.multiplicities) == 2
    assert field.multiplicities == (1,) * field.dimension
    assert uniform.dimension == field.dimension == 10


def test_spectrum_network_cli_prints_levels_and_the_tolerance(capsys):
    path = EXAMPLES / "junction_quantum.toml"
    status, result, _ = run_json(capsys, "quantum", "spectrum", "--network", str(path), "--json")
    assert status == 0
    assert sum(level["multiplicity"] for level in result["distinct_levels"]) == result["dimension"]
    assert result["dimension"] == 20
    assert result["degeneracy_tolerance"] > 0


def test_spectrum_network_refuses_ring_flags(capsys):
    path = EXAMPLES / "junction_quantum.toml"
    status = main(["quantum", "spectrum", "--network", str(path), "--n", "6", "--digits", "5"])
    assert status == 2
    error = capsys.readouterr().err
    assert "--n" in error and "--digits" in error


def test_spectrum_without_network_still_needs_n_and_up(capsys):
    assert main(["quantum", "spectrum", "--n", "5"]) == 2
    assert "up" in capsys.readouterr().err
