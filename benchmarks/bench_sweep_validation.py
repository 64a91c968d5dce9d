"""Sweep set-up cost: validation by axes against point by point, and the cost model's accuracy.

Run: ``python benchmarks/bench_sweep_validation.py``. Reports ratios measured side by side in one
process (never absolute times, which depend on the machine's load):

1. checking every point of a 10^4-point classical grid (what validation used to do) against
   building the same :class:`Sweep` (axis-wise validation), and the peak memory (tracemalloc)
   of building a 10^8-point sweep;
2. measured over estimated seconds per point of the cost model, for a few solver sizes.
"""

from __future__ import annotations

import os
import time
import tracemalloc

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from exactspin.sweep import Sweep  # noqa: E402
from exactspin.sweep.estimate import estimate_sweep  # noqa: E402
from exactspin.sweep.runner import run_sweep  # noqa: E402


def axes(count: int) -> dict[str, list[float]]:
    return {
        "tl": [1.0 + 0.01 * i for i in range(count)],
        "tr": [0.1 + 0.01 * i for i in range(count)],
        "j1": [1.0 + 0.01 * i for i in range(count)],
        "j2": [0.5 + 0.01 * i for i in range(count)],
    }


def seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def validation() -> None:
    fixed = {"nu": 2, "nd": 3}
    sweep = Sweep("classical", fixed=fixed, grid=axes(10))
    every_point = seconds(lambda: [sweep.entry.check(p.parameters) for p in sweep.points()])
    by_axes = seconds(lambda: Sweep("classical", fixed=fixed, grid=axes(10)))
    print(f"10^4-point grid: point-by-point / axis-wise validation = {every_point / by_axes:.0f}")
    tracemalloc.start()
    huge = Sweep("classical", fixed=fixed, grid=axes(100))
    estimate_sweep(huge)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"10^8-point grid: {len(huge)} points built and estimated, peak {peak / 2**20:.2f} MiB")


def cost_model() -> None:
    cases = [
        ("classical N_S=7", Sweep("classical", fixed={"nu": 2, "nd": 3}, grid={"tl": [1.0, 2.0]})),
        ("classical N_S=14", Sweep("classical", fixed={"nu": 6, "nd": 6}, grid={"tl": [2.0]})),
        ("mc 10^6 steps", Sweep("mc", fixed={"steps": 10**6}, grid={"tl": [1.0, 2.0]})),
        ("quantum d=20", Sweep("quantum", fixed={"nu": 2, "nd": 2, "up": 3}, grid={"tl": [2.0]})),
    ]
    for label, sweep in cases:
        run_sweep(sweep)  # compile and import once, as a long sweep amortizes
        measured = seconds(lambda sweep=sweep: run_sweep(sweep))
        print(f"{label}: measured / estimated = {measured / estimate_sweep(sweep).seconds:.2f}")


if __name__ == "__main__":
    validation()
    cost_model()
