"""The committed HEOM references (verify/data/heom/*.json): where they live, how to redo them.

The report replays these files; it recomputes them only when asked (``exactspin report
--recompute-heom``, or ``python -m verify.heom_reference [DELTA GAMMA]`` for one point or, without
arguments, the whole grid). Each file carries the model parameters, the method, the versions, the
fits and the convergence table (:meth:`exactspin.quantum.heom.HeomSolution.to_dict`).

Protocol of the committed references (:func:`exactspin.quantum.heom.heom_solve` with
depths :data:`REFERENCE_DEPTHS` and fit terms :data:`REFERENCE_TERMS`, tolerance 1e-3): depths
1, 2, 3 at the 12-term fits (44 exponents; depth 3 is 16215 ADOs, 1.6e6 unknowns, the deepest
affordable: ~2 GB and 1-3 min of GMRES on the shared machine), the depth-2 -> 3 step below
1e-3 at every point (8.5e-4 at the worst, Delta = -1, gamma = 1e-2; ~1e-5 at gamma = 1e-3),
then the fit terms raised 12 -> 20 -> 28 (-> 32) at depth 2 until a step is below 1e-3 (the
20-term fit's own error, ~2e-3, sets the 20 -> 28 step). Steady states by GMRES with the
tier block-ILU(0) preconditioner (:mod:`exactspin.quantum.heom_steady`), each with its residual
and solve error (<= 1e-8) in the table. Each reference's error estimate (``current_threshold``)
is the largest of the depth step, the terms step, the fit error and the solve error; the
grid point takes 2-4 min, one point at a time. At gamma = 1e-4 the depth-1 -> 2 step is
1.5e-4 (Delta = 0.5: depth 2 is the deepest taken and the terms are raised at depth 1, under a
minute) to 1.3e-3 (Delta = -1 and 2.1: depth 3 is taken, its step <= 2e-7).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from exactspin.quantum import QuantumModel
from exactspin.quantum.heom import heom_solve

DATA = Path(__file__).parent / "data" / "heom"
#: The verdict grid of issue 11: the paper's 5(3 up 2 down) ring, T_L = 2, T_R = 1.
DELTAS = (-1.0, 0.5, 2.1)
GAMMAS = (1e-2, 1e-3, 1e-4)
#: Hierarchy depths and AAA fit terms of the committed references.
REFERENCE_DEPTHS = (1, 2, 3)
REFERENCE_TERMS = (12, 20, 28, 32)


def reference_path(delta: float, gamma: float) -> Path:
    """Where the reference of the paper's 5(3 up 2 down) ring at (Delta, gamma) lives."""
    return DATA / f"ring_5_3up_delta{delta:+.2f}_gamma{gamma:.0e}.json"


def write_reference(
    delta: float,
    gamma: float,
    depths: tuple[int, ...] = REFERENCE_DEPTHS,
    terms: tuple[int, ...] = REFERENCE_TERMS,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Solve with HEOM and write the JSON; returns the path."""
    model = QuantumModel.from_parameters(nu=2, nd=1, up=3, delta=delta, gamma=gamma)
    solution = heom_solve(model, depths=depths, terms=terms, progress=progress)
    path = reference_path(delta, gamma)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(solution.to_dict(), indent=2, allow_nan=True) + "\n")
    return path


def write_all(progress: Callable[[str], None] | None = None) -> list[Path]:
    """Recompute every reference of the grid (DELTAS x GAMMAS)."""
    paths = []
    for gamma in GAMMAS:
        for delta in DELTAS:
            if progress:
                progress(f"heom reference: Delta = {delta}, gamma = {gamma}")
            paths.append(write_reference(delta, gamma, progress=progress))
    return paths


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(write_reference(float(sys.argv[1]), float(sys.argv[2]), progress=_stderr))
    else:
        for written in write_all(progress=_stderr):
            print(written)
