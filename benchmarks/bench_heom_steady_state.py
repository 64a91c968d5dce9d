"""Wall time, CPU time and peak memory of the HEOM steady state: GMRES (ours) against QuTiP's LU.

Run: ``python benchmarks/bench_heom_steady_state.py [--only LABEL ...] [--lu-timeout S]``.
Each (case, method) runs in a fresh child process, so the peak resident memory (getrusage)
belongs to that solve alone (it includes QuTiP's construction of the hierarchy, common to both
methods). Methods: ``krylov`` (:func:`exactspin.quantum.heom_steady.krylov_steady_state`) and
``lu`` (QuTiP's ``HEOMSolver.steady_state(use_mkl=False)``, SciPy's SuperLU), the latter with a
timeout: a case where it does not finish is reported as such. On a shared machine compare CPU
times, not wall times. BLAS threads are pinned to one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

#: (label, ring keywords, fit terms, depth, methods). "d5": the 5-site ring with 1 up spin.
CASES = (
    ("d5 depth 2, 4 terms", dict(nu=2, nd=1, up=1), 4, 2, ("krylov", "lu")),
    ("d5 depth 3, 4 terms", dict(nu=2, nd=1, up=1), 4, 3, ("krylov", "lu")),
    ("paper depth 1, 20 terms", dict(nu=2, nd=1, up=3), 20, 1, ("krylov", "lu")),
    ("paper depth 2, 4 terms", dict(nu=2, nd=1, up=3), 4, 2, ("krylov", "lu")),
    ("paper depth 2, 8 terms", dict(nu=2, nd=1, up=3), 8, 2, ("krylov", "lu")),
    ("paper depth 2, 20 terms", dict(nu=2, nd=1, up=3), 20, 2, ("krylov",)),
    ("paper depth 2, 28 terms", dict(nu=2, nd=1, up=3), 28, 2, ("krylov",)),
    ("paper depth 3, 12 terms", dict(nu=2, nd=1, up=3), 12, 3, ("krylov",)),
)

CHILD = """
import json, resource, sys, time
from exactspin.quantum import QuantumModel
from exactspin.quantum.heom import fit_bath, heom_point
ring, terms, depth, method = json.loads(sys.argv[1])
model = QuantumModel.from_parameters(**ring, delta=0.5, gamma=1e-3)
fits = tuple(fit_bath(t, model.coupling, model.cutoff, terms, tag)
             for t, tag in zip(model.bath_temperatures, ("left", "right")))
start, cpu = time.perf_counter(), time.process_time()
point = heom_point(model, depth, fits, method=method)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"ados": point.ados, "unknowns": point.ados * model.dimension ** 2,
    "seconds": elapsed, "cpu": cpu, "solve_seconds": point.solve["seconds"],
    "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "estimate_bytes": point.solve.get("memory_estimate"),
    "iterations": point.solve.get("iterations"), "solve_error": point.solve_error,
    "currents": list(point.currents())}))
"""


def measure(ring: dict, terms: int, depth: int, method: str, timeout: float) -> dict:
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps([ring, terms, depth, method])],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
            cwd=root,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="labels (substrings) to run")
    parser.add_argument("--lu-timeout", type=float, default=600.0)
    parser.add_argument("--timeout", type=float, default=1500.0)
    args = parser.parse_args(argv)
    print(
        "| case | method | ADOs | unknowns | wall s | CPU s | solve s | peak MB | estimate MB "
        "| GMRES its | solve error |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, ring, terms, depth, methods in CASES:
        if args.only and not any(part in label for part in args.only):
            continue
        for method in methods:
            timeout = args.lu_timeout if method == "lu" else args.timeout
            row = measure(ring, terms, depth, method, timeout)
            if "timeout" in row:
                print(f"| {label} | {method} | | | > {timeout:.0f} (timed out) | | | | | | |")
                continue
            if "error" in row:
                print(f"| {label} | {method} | error: {row['error']} |")
                continue
            estimate = row["estimate_bytes"]
            print(
                f"| {label} | {method} | {row['ados']} | {row['unknowns']} | "
                f"{row['seconds']:.1f} | {row['cpu']:.1f} | {row['solve_seconds']:.1f} | "
                f"{row['peak_bytes'] / 1e6:.0f} | "
                f"{'-' if estimate is None else f'{estimate / 1e6:.0f}'} | "
                f"{row['iterations'] or '-'} | {row['solve_error']:.1e} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
