"""The numbers exactspin 0.1.0 gave at every point the report draws still come out.

``tests/data/golden_v1.json`` was written by ``tests/data/make_golden.py`` at the commit it names,
before the model was turned into data (the spin-network refactor); it carries every entry's
parameters, so this file only rebuilds each model and compares. Exact engines: within 1e-12 of the
point's current scale (the gross energy flux for classical rings, gamma max(T) max(|J|, |Delta|) for
quantum ones). Monte Carlo: within 5 combined standard errors (a new random stream is allowed).
Every entry replays in CI (about 20 s).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.classical.solution import solve as solve_classical
from exactspin.montecarlo import simulate
from exactspin.quantum import QuantumModel
from exactspin.quantum import solve as solve_quantum

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_v1.json").read_text())
RELATIVE = 1e-12
CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


def _entries(engine: str) -> list:
    chosen = [e for e in GOLDEN["entries"] if e["engine"] == engine]
    return [pytest.param(entry, id=f"{engine}-{index}") for index, entry in enumerate(chosen)]


def test_golden_file_carries_its_provenance():
    assert GOLDEN["schema"] == "exactspin-golden"
    assert GOLDEN["schema_version"] == 1
    assert GOLDEN["exactspin_version"] and len(GOLDEN["commit"]) == 40
    engines = {e["engine"] for e in GOLDEN["entries"]}
    assert engines == {"classical", "quantum", "montecarlo"}


def _assert_currents(entry: dict, solution) -> None:
    tolerance = RELATIVE * entry["current_scale"]
    for key in CURRENTS:
        old = entry["values"][key]
        new = float(getattr(solution, key))
        assert abs(new - old) <= tolerance, (key, old, new, tolerance)


@pytest.mark.parametrize("entry", _entries("classical"))
def test_exact_classical_steady_state_replays(entry):
    solution = solve_classical(ClassicalModel.from_parameters(**entry["parameters"]))
    _assert_currents(entry, solution)
    tolerance = RELATIVE * entry["current_scale"]
    for old, new in zip(entry["bond_currents"], solution.bond_currents, strict=True):
        assert abs(new - old) <= tolerance


@pytest.mark.parametrize("entry", _entries("quantum"))
def test_redfield_steady_state_replays(entry):
    solution = solve_quantum(QuantumModel.from_parameters(**entry["parameters"]))
    _assert_currents(entry, solution)
    for old, new in zip(entry["site_magnetization"], solution.site_magnetization, strict=True):
        assert abs(new - old) <= 1e-10, (old, new)
    old_ratio = entry["values"]["magnification_ratio"]
    if not math.isnan(old_ratio):
        assert solution.magnification_ratio == pytest.approx(old_ratio, rel=1e-8)


@pytest.mark.parametrize("entry", _entries("montecarlo"))
def test_monte_carlo_replays_within_five_standard_errors(entry):
    model = ClassicalModel.from_parameters(**entry["parameters"])
    result = simulate(model, steps=entry["steps"], seed=entry["seed"], workers=1)
    for key in ("left_bath_current", "upper_branch_current", "lower_branch_current"):
        old, old_error = entry["values"][key], entry["values"][key + "_stderr"]
        new, new_error = getattr(result, key), getattr(result, key + "_stderr")
        assert abs(new - old) < 5 * math.hypot(old_error, new_error), (key, old, new)
