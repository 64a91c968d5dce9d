"""Write ``golden_v2.json``: the numbers exactspin 0.1.0 gives at every point the report draws.

``golden_v1.json`` holds the same points from commit 0b775fa, made in another environment.

Run once, from the repository root, with the code the file is meant to pin
(``python tests/data/make_golden.py``). The file carries, per entry, the engine, the parameters
(CLI names), the method and the values; ``tests/test_golden.py`` replays it. It is data: the replay
never imports this script.

Classical entries carry ``current_scale``, the gross energy flux through the branches (the
scale the circulation threshold is relative to): the replay compares at 1e-12 of it, since a
current far below it (e.g. at T_L = T_R) is zero to within any double-precision solve.

Points: every exact point of the classical figure panels (``verify.figures_classical.PANELS``) up
to 2^14 states, every row of ``exactspin reference export``, the Fig. 10 sweeps of both
zero-frequency conventions, and a few seeded Monte Carlo runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from exactspin import __version__
from exactspin.classical.model import ClassicalModel
from exactspin.classical.solution import CIRCULATION_RELATIVE_THRESHOLD
from exactspin.classical.solution import solve as solve_classical
from exactspin.montecarlo import simulate
from exactspin.quantum import QuantumModel
from exactspin.quantum import solve as solve_quantum
from exactspin.reference.export import build_reference
from verify.crosschecks_quantum import quantum_parameters
from verify.figures_classical import PANELS

CLASSICAL_KEYS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)
QUANTUM_KEYS = CLASSICAL_KEYS + ("magnification_ratio", "ergotropy_sector", "min_eigenvalue")
STATE_LIMIT = 2**14
MONTE_CARLO = (
    (dict(nu=1, nd=0, j1=1.0, j2=1.0, tl=2.0, tr=1.0), 10**7, 11),
    (dict(nu=2, nd=3, j1=2.0, j2=1.9, tl=2.0, tr=0.1), 2 * 10**7, 12),
    (dict(nu=2, nd=3, j1=2.0, j2=1.9, tl=6.0, tr=0.1), 2 * 10**7, 13),
    (dict(nu=3, nd=2, j1=2.0, j2=1.0, tl=2.0, tr=0.1, dynamics="cca", mu=4.0), 2 * 10**7, 14),
    (dict(nu=1, nd=1, j1=2.0, j2=1.9, tl=2.0, tr=0.1), 10**7, 15),
)


def _classical_entry(parameters: dict, method: str) -> dict | None:
    model = ClassicalModel.from_parameters(**parameters)
    if model.state_count > STATE_LIMIT:
        return None
    try:
        solution = solve_classical(model)
    except ArithmeticError:
        return None
    return {
        "engine": "classical",
        "method": method,
        "parameters": model.parameters(),
        "values": {key: float(getattr(solution, key)) for key in CLASSICAL_KEYS},
        "bond_currents": [float(x) for x in solution.bond_currents],
        "circulation": solution.circulation,
        "current_scale": float(solution.circulation_threshold / CIRCULATION_RELATIVE_THRESHOLD),
    }


def _panel_points() -> list[dict]:
    points = []
    for panel in PANELS:
        series = panel.series or (("", {}),)
        for _, overrides in series:
            for value in panel.values:
                parameters = {**panel.parameters, **overrides}
                parameters[panel.variable] = (
                    int(value) if panel.variable in ("nu", "nd") else float(value)
                )
                points.append(parameters)
    return points


def _quantum_entry(parameters: dict) -> dict | None:
    solution = solve_quantum(QuantumModel.from_parameters(**parameters))
    if solution.steady_state_dimension != 1:
        return None
    return {
        "engine": "quantum",
        "method": "redfield",
        "parameters": solution.model.parameters(),
        "values": {key: float(getattr(solution, key)) for key in QUANTUM_KEYS},
        "site_magnetization": [float(x) for x in solution.site_magnetization],
        "circulation": solution.circulation,
        # gamma max(T) max(|J|, |Delta|), the natural size of the quantum currents.
        "current_scale": float(
            parameters["gamma"]
            * max(parameters["tl"], parameters["tr"])
            * max(abs(parameters["j"]), abs(parameters["delta"]))
        ),
    }


def _quantum_points() -> list[dict]:
    deltas = np.round(np.linspace(-4.0, 4.0, 81), 10)
    points = []
    for convention in ("limit", "zero"):
        for overrides in ({}, {"up": 2}, {"nu": 3, "nd": 1, "up": 4}):
            for delta in deltas:
                if overrides.get("up") == 4 and delta == 0.0:
                    continue
                points.append(
                    quantum_parameters(**overrides, delta=float(delta), zero_frequency=convention)
                )
        for tl in np.round(np.geomspace(1.05, 50.0, 30), 8):
            points.append(quantum_parameters(delta=2.1, tl=float(tl), zero_frequency=convention))
    return points


def _monte_carlo_entry(parameters: dict, steps: int, seed: int) -> dict:
    model = ClassicalModel.from_parameters(**parameters)
    result = simulate(model, steps=steps, seed=seed, workers=1)
    values = {}
    for key in ("left_bath_current", "upper_branch_current", "lower_branch_current"):
        values[key] = float(getattr(result, key))
        values[key + "_stderr"] = float(getattr(result, key + "_stderr"))
    return {
        "engine": "montecarlo",
        "method": "random-sequential Monte Carlo, batch means",
        "parameters": model.parameters(),
        "steps": steps,
        "seed": seed,
        "values": values,
    }


def environment() -> dict[str, str]:
    """The numerical libraries and the processor the values were computed with (LAPACK
    rounding differs between builds, and OpenBLAS picks its kernels by CPU at run time, so an
    exact replay at 1e-12 is promised only in the same environment)."""
    import platform

    import scipy

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "machine": platform.machine(),
        "processor": processor(),
    }


def processor() -> str:
    """Vendor, family and model of the first CPU (Linux /proc/cpuinfo), else
    ``platform.processor()``."""
    import platform

    try:
        lines = Path("/proc/cpuinfo").read_text().split("\n\n")[0].splitlines()
    except OSError:
        return platform.processor()
    fields = dict(line.partition(":")[::2] for line in lines)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    return " ".join(fields.get(key, "?") for key in ("vendor_id", "cpu family", "model"))


def main(path: Path) -> None:
    entries = []
    seen = set()
    for parameters in _panel_points():
        key = json.dumps(parameters, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        entry = _classical_entry(parameters, "numeric exact")
        if entry is not None:
            entries.append(entry)
    reference = build_reference()
    for row in reference["rows"]:
        if row["model"] != "classical":
            continue
        parameters = {k: row[k] for k in ("nu", "nd", "j1", "j2", "tl", "tr", "dynamics")}
        if "mu" in row:
            parameters["mu"] = row["mu"]
        entry = _classical_entry(parameters, "numeric exact (reference export row)")
        if entry is not None:
            entry["exact_decimal"] = row.get("exact_decimal", {})
            entries.append(entry)
    for parameters in _quantum_points():
        entry = _quantum_entry(parameters)
        if entry is not None:
            entries.append(entry)
    for parameters, steps, seed in MONTE_CARLO:
        entries.append(_monte_carlo_entry(parameters, steps, seed))
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    document = {
        "schema": "exactspin-golden",
        "schema_version": 1,
        "exactspin_version": __version__,
        "commit": commit,
        "units": reference["units"],
        "environment": environment(),
        "entries": entries,
    }
    path.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{len(entries)} entries -> {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("golden_v2.json"))
