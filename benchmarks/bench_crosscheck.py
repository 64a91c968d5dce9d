"""Reading and cross-checking N rows of cheap classical points: parse time vs total time.

Run: ``python benchmarks/bench_crosscheck.py [--rows 5000 10000 20000] [--source DIR]``.
``--source`` points at another checkout (e.g. an older commit unpacked with ``git archive``) so
that two versions run side by side on the same files; compare the ratios, not the seconds (the
machine is shared). Each measurement runs in a fresh child process so the peak resident memory
(getrusage) belongs to it alone: that of the crosscheck command, its output going to /dev/null
and the size limit lifted through its environment variable. The rows repeat a few distinct
parameter points (as Monte Carlo replicas do), so the solves are few and the parsing is what
scales; ``--distinct 0`` makes every row its own point instead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

#: Distinct parameter points by default (cheap 3-site Q2R rings at several left temperatures).
DISTINCT_POINTS = 20

CHILD = """
import contextlib, json, os, resource, sys, time
from exactspin.cli.main import main
from exactspin.reference.io import read_rows
path = sys.argv[1]
start = time.perf_counter()
with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
    status = main(["crosscheck", path])
total = time.perf_counter() - start
# Peak memory of the crosscheck alone (read_rows below holds every row on purpose).
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
count = len(list(read_rows(path)))
parsed = time.perf_counter() - start
print(json.dumps({"rows": count, "parse_seconds": parsed, "crosscheck_seconds": total,
    "status": status, "peak_bytes": peak}))
"""


def write_rows(directory: str, count: int, kind: str, distinct: int = DISTINCT_POINTS) -> str:
    """A JSON reference document (indented like ``reference export``) or a CSV of ``count`` rows."""
    rows = [
        {
            "model": "classical",
            "nu": 1,
            "nd": 0,
            "tl": 2.0 + index % distinct / distinct,
            "left_bath_current": 0.01,
        }
        for index in range(count)
    ]
    path = os.path.join(directory, f"rows_{count}_{distinct}.{kind}")
    with open(path, "w", encoding="utf-8") as handle:
        if kind == "json":
            json.dump({"schema_version": 1, "rows": rows}, handle, indent=1)
        else:
            handle.write("model,nu,nd,tl,left_bath_current\n")
            for row in rows:
                handle.write(f"classical,1,0,{row['tl']!r},0.01\n")
    return path


def measure(path: str, source: str | None) -> dict:
    """Run the child on ``path`` with ``source`` first on the import path.

    The child runs in the file's directory: ``python -c`` puts the working directory first on
    the import path, which would shadow ``source`` when run from a checkout.
    """
    environment = dict(
        os.environ, OPENBLAS_NUM_THREADS="1", EXACTSPIN_CROSSCHECK_MAX_BYTES=str(2**40)
    )
    if source:
        environment["PYTHONPATH"] = os.path.abspath(source)
    output = subprocess.run(
        [sys.executable, "-c", CHILD, path],
        capture_output=True,
        text=True,
        env=environment,
        cwd=os.path.dirname(path),
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5000, 10000, 20000])
    parser.add_argument("--kinds", nargs="+", default=["json", "csv"])
    parser.add_argument(
        "--distinct",
        type=int,
        default=DISTINCT_POINTS,
        help="distinct parameter points among the rows (0: every row its own point)",
    )
    parser.add_argument("--source", help="checkout to import exactspin from (default: installed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        print(
            f"{'kind':<5} {'rows':>7} {'parse s':>9} {'total s':>9} {'parse/total':>11} {'MB':>7}"
        )
        for kind in args.kinds:
            for count in args.rows:
                distinct = args.distinct or count
                result = measure(write_rows(directory, count, kind, distinct), args.source)
                print(
                    f"{kind:<5} {count:>7} {result['parse_seconds']:>9.2f} "
                    f"{result['crosscheck_seconds']:>9.2f} "
                    f"{result['parse_seconds'] / result['crosscheck_seconds']:>11.2f} "
                    f"{result['peak_bytes'] / 1e6:>7.0f}"
                )


if __name__ == "__main__":
    main()
