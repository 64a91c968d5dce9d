"""Wall time and peak memory of the exact classical steady state, Q2R N_S = 14..20 and CCA.

Run: ``python benchmarks/bench_steady_state.py [--quick]``. Each size runs in a fresh child
process so the peak resident memory (getrusage) belongs to that solve alone. BLAS threads are
pinned to one: the Krylov solver's vector operations are too small to gain from threads and
lose badly to contention on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

#: (label, model keywords): Fig. 5 couplings for Q2R, Fig. 8 couplings for CCA.
CASES = (
    ("q2r N_S=14", dict(nu=6, nd=6)),
    ("q2r N_S=16", dict(nu=7, nd=7)),
    ("q2r N_S=18", dict(nu=8, nd=8)),
    ("q2r N_S=20", dict(nu=9, nd=9)),
    ("cca N_S=7 mu=4", dict(nu=2, nd=3, j2=1.0, dynamics="cca", mu=4.0)),
    ("cca N_S=7 mu=2", dict(nu=2, nd=3, j2=1.0, dynamics="cca", mu=2.0)),
    ("cca N_S=8 mu=4", dict(nu=3, nd=3, j2=1.0, dynamics="cca", mu=4.0)),
)

CHILD = """
import json, resource, sys, time
from exactspin.classical import ClassicalModel, solve
from exactspin.classical.resources import estimated_memory_bytes
model = ClassicalModel.from_parameters(**json.loads(sys.argv[1]))
start = time.perf_counter()
solution = solve(model)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"states": model.state_count, "seconds": elapsed, "peak_bytes": peak,
    "estimate_bytes": estimated_memory_bytes(model), "method": solution.steady_state.method,
    "classes": solution.closed_classes, "residual": solution.steady_state.residual}))
"""


def measure(keywords: dict) -> dict:
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    output = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(keywords)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    ).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the two smallest Q2R rings")
    args = parser.parse_args()
    cases = CASES[:2] if args.quick else CASES
    print(
        f"{'case':<16} {'states':>9} {'classes':>7} {'method':>9} {'wall s':>8} "
        f"{'peak MiB':>9} {'estimate MiB':>12} {'residual':>9}"
    )
    for label, keywords in cases:
        row = measure(keywords)
        print(
            f"{label:<16} {row['states']:>9} {row['classes']:>7} {row['method']:>9} "
            f"{row['seconds']:>8.2f} {row['peak_bytes'] / 2**20:>9.0f} "
            f"{row['estimate_bytes'] / 2**20:>12.0f} {row['residual']:>9.1e}",
            flush=True,
        )


if __name__ == "__main__":
    main()
