"""Write the committed HEOM reference results (verify/data/heom/*.json).

Run only on purpose (HEOM is expensive): ``python -m verify.heom_reference DELTA GAMMA``.
Each file carries the model parameters, the method, the versions and the convergence table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from exactspin.quantum import QuantumModel
from exactspin.quantum.heom import heom_solve

DATA = Path(__file__).parent / "data" / "heom"


def reference_path(delta: float, gamma: float) -> Path:
    """Where the reference of the paper's 5(3 up 2 down) ring at (Delta, gamma) lives."""
    return DATA / f"ring_5_3up_delta{delta:+.2f}_gamma{gamma:.0e}.json"


def write_reference(delta: float, gamma: float, depths=(1, 2), terms=(8,)) -> Path:
    """Solve with HEOM and write the JSON; returns the path."""
    model = QuantumModel.from_parameters(nu=2, nd=1, up=3, delta=delta, gamma=gamma)
    solution = heom_solve(
        model, depths=depths, terms=terms, progress=lambda line: print(line, file=sys.stderr)
    )
    path = reference_path(delta, gamma)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(solution.to_dict(), indent=2, allow_nan=True) + "\n")
    return path


if __name__ == "__main__":
    print(write_reference(float(sys.argv[1]), float(sys.argv[2])))
