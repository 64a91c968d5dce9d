"""Wall time, CPU time and peak memory of the exact classical solve: Q2R 2^16..2^22 and CCA.

Run: ``python benchmarks/bench_steady_state.py [--quick] [--only LABEL ...] [--repeat N]
[--compare-with OLD_CHECKOUT] [--cli]``. Each case runs in a fresh child process so the peak
resident memory (getrusage) belongs to that solve alone. With ``--compare-with`` every case also
runs against the ``exactspin`` package of another checkout (e.g. ``mkdir /tmp/old && git archive
<commit> | tar -x -C /tmp/old``; run it once first so its numba cache is compiled),
interleaved new, old, new, old, ... ``--repeat`` times, and the table gives the median of each and
the old/new ratios of CPU and wall time (median of the interleaved pairs' ratios, with their
spread [min-max]) and of the peak memory: on a shared machine ratios of CPU time from
interleaved runs, not wall times, are the comparable numbers. BLAS threads are pinned to one.
With ``--cli`` each case is the whole command ``python -m exactspin classical solve ... --json``
instead (interpreter start-up and imports included; wall, CPU and peak memory of that process,
from wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

#: (label, model keywords): Fig. 5 couplings for Q2R, Fig. 8 couplings for CCA.
CASES = (
    ("q2r N_S=16", dict(nu=7, nd=7)),
    ("q2r N_S=18", dict(nu=8, nd=8)),
    ("q2r N_S=20", dict(nu=9, nd=9)),
    ("q2r N_S=22", dict(nu=10, nd=10)),
    ("cca N_S=7 mu=4", dict(nu=2, nd=3, j2=1.0, dynamics="cca", mu=4.0)),
    ("cca N_S=7 mu=2", dict(nu=2, nd=3, j2=1.0, dynamics="cca", mu=2.0)),
    # The stiff Fig. 8 points (CCA, 131072 states) at the temperatures of its magnification.
    ("fig8 0.3/0.15", dict(nu=2, nd=3, j2=1.0, dynamics="cca", mu=4.0, tl=0.3, tr=0.15)),
    ("fig8 0.2/0.1", dict(nu=2, nd=3, j2=1.0, dynamics="cca", mu=4.0, tl=0.2, tr=0.1)),
)

CHILD = """
import json, resource, sys, time
from exactspin.classical import ClassicalModel, solve
from exactspin.classical.resources import estimated_memory_bytes
model = ClassicalModel.from_parameters(**json.loads(sys.argv[1]))
start, cpu = time.perf_counter(), time.process_time()
solution = solve(model)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
bound = getattr(solution, "relative_error_bound", None)
print(json.dumps({"states": model.state_count, "seconds": elapsed, "cpu": cpu,
    "peak_bytes": peak, "estimate_bytes": estimated_memory_bytes(model),
    "method": solution.steady_state.method, "classes": solution.closed_classes,
    "bound": bound if bound is None or bound < float("inf") else None}))
"""


def measure(keywords: dict, package_root: str | None = None, timeout: float = 1200) -> dict:
    """Run one case in a child process (with ``package_root`` first on the path, if given)."""
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if package_root is not None:
        environment["PYTHONPATH"] = package_root
    # ``python -c`` puts the working directory first on sys.path: run in the package's root.
    root = package_root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        result = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(keywords)],
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
            cwd=root,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout {timeout:.0f} s"}
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["?"]
        return {"error": lines[-1][:60]}
    return json.loads(result.stdout)


def measure_cli(keywords: dict, package_root: str | None = None, timeout: float = 1200) -> dict:
    """Run ``exactspin classical solve`` for one case as its own process: wall, CPU, peak."""
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if package_root is not None:
        environment["PYTHONPATH"] = package_root
    root = package_root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    command = [sys.executable, "-m", "exactspin", "classical", "solve", "--json"]
    for name, value in keywords.items():
        command += [f"--{name}", str(value)]
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.DEVNULL, env=environment, cwd=root
        )
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                return {"error": f"timeout {timeout:.0f} s"}
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            return {"error": f"exit status {process.returncode}"}
        output.seek(0)
        payload = json.loads(output.read())
    bound = payload.get("relative_error_bound")
    return {
        "states": sum(payload.get("class_sizes", [])) or "cli",
        "seconds": elapsed,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_bytes": usage.ru_maxrss * 1024,
        "estimate_bytes": 0,
        "method": payload.get("method", "cli"),
        "classes": payload.get("closed_classes"),
        "bound": bound if isinstance(bound, float) and bound < float("inf") else None,
    }


def describe(row: dict) -> str:
    if "error" in row:
        return f"{row['error']:<62}"
    bound = "-" if row["bound"] is None else f"{row['bound']:.1e}"
    estimate = f"{row['estimate_bytes'] / 2**20:.0f}" if row["estimate_bytes"] else "-"
    return (
        f"{row['method']:>16} {row['seconds']:>7.2f} {row['cpu']:>7.2f} "
        f"{row['peak_bytes'] / 2**20:>8.0f} {estimate:>8} {bound:>8}"
    )


def median_row(rows: list[dict]) -> dict:
    """The run of median CPU time (rows that failed are kept only when all failed)."""
    good = sorted((row for row in rows if "cpu" in row), key=lambda row: row["cpu"])
    if not good:
        return rows[0]
    middle = dict(good[len(good) // 2])
    middle["peak_bytes"] = max(row["peak_bytes"] for row in good)
    return middle


def ratio(old: dict, new: dict, key: str) -> str:
    return f"{old[key] / new[key]:.2f}" if key in old and key in new else "-"


def paired_ratios(olds: list[dict], news: list[dict], key: str) -> str:
    """Median of old/new over the interleaved pairs, with their spread [min-max]."""
    values = sorted(
        old[key] / new[key]
        for old, new in zip(olds, news, strict=True)
        if key in old and key in new
    )
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{values[len(values) // 2]:.2f} [{values[0]:.2f}-{values[-1]:.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the two smallest Q2R rings")
    parser.add_argument("--only", nargs="+", help="run only the cases with these labels")
    parser.add_argument("--compare-with", help="root of another checkout to run side by side")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs per case")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per case")
    parser.add_argument("--cli", action="store_true", help="time the whole CLI command")
    args = parser.parse_args()
    run = measure_cli if args.cli else measure
    cases = CASES[:2] if args.quick else CASES
    if args.only:
        cases = tuple(case for case in cases if case[0] in args.only)
    header = (
        f"{'case':<15} {'states':>8} {'method':>16} {'wall s':>7} {'cpu s':>7} {'peak MiB':>8} "
        f"{'est MiB':>8} {'rel bnd':>8}"
    )
    print(header + ("  | old: same columns | old/new cpu, peak" if args.compare_with else ""))
    for label, keywords in cases:
        news, olds = [], []
        for _ in range(max(1, args.repeat)):
            news.append(run(keywords, timeout=args.timeout))
            if args.compare_with:
                olds.append(run(keywords, args.compare_with, args.timeout))
        new = median_row(news)
        line = f"{label:<15} {new.get('states', ''):>8} {describe(new)}"
        if args.compare_with:
            old = median_row(olds)
            line += (
                f"  | {describe(old)} | cpu {paired_ratios(olds, news, 'cpu')} "
                f"wall {paired_ratios(olds, news, 'seconds')} "
                f"peak {ratio(old, new, 'peak_bytes')}"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
