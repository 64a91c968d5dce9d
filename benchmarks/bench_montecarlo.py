"""Benchmark of the Monte Carlo kernels side by side: C reference, single chain, multispin word.

Run ``python benchmarks/bench_montecarlo.py``. Rings: the paper's Fig. 5 parameters (Q2R,
J1 = 2, J2 = 1.9, T_L = 2, T_R = 0.1) at N_S = 7 (N_U = 2, N_D = 3), 1002 (the README's ring)
and 100002. Each repeat times the plain C reference (``reference_chain.c``, compiled here with
gcc -O2), the single-chain kernel and the multispin kernel one after the other, so each ratio
compares runs taken side by side and a busy spell spoils one ratio rather than a column; the
table gives the median ratio and its range over the repeats. On a shared machine only the
ratios mean anything.

Columns: ns per update of the C reference and of the single chain, their ratio; ns per step of
one multispin word (all 64 replicas advance), the word's replica-updates per second over the
single chain's updates per second, and the word's step latency over the chain's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo.chains import MultispinWord, SingleChain
from exactspin.montecarlo.rng import replica_seeds

RINGS = {7: (2, 3), 1002: (500, 500), 100002: (50000, 50000)}
SOURCE = Path(__file__).with_name("reference_chain.c")

COMPILE_PROBE = (
    "import time; t = time.perf_counter();"
    "from exactspin.classical.model import ClassicalModel;"
    "from exactspin.montecarlo import simulate;"
    "simulate(ClassicalModel.from_parameters(), 1000, replicas=1);"
    "simulate(ClassicalModel.from_parameters(), 1000, replicas=64);"
    "print(time.perf_counter() - t)"
)


def compile_reference(directory: str) -> str:
    """Path of the C reference built with ``gcc -O2``."""
    binary = os.path.join(directory, "reference_chain")
    subprocess.run(["gcc", "-O2", "-o", binary, str(SOURCE), "-lm"], check=True)
    return binary


def reference_ns(binary: str, nu: int, nd: int, steps: int) -> float:
    output = subprocess.run(
        [binary, str(nu), str(nd), str(steps)], check=True, capture_output=True, text=True
    ).stdout
    return float(output.split()[0])


def unit_ns(unit, steps: int) -> float:
    """ns per kernel step of a chain or a word, over ``steps`` steps in kernel-sized chunks."""
    started = time.perf_counter()
    done = 0
    while done < steps:
        chunk = min(unit.chunk_steps, steps - done)
        unit.advance(chunk)
        done += chunk
    return (time.perf_counter() - started) / steps * 1e9


def compile_seconds(cache_directory: str) -> float:
    """Seconds to import and run two tiny simulations in a fresh interpreter using this cache."""
    environment = dict(os.environ, NUMBA_CACHE_DIR=cache_directory)
    output = subprocess.run(
        [sys.executable, "-c", COMPILE_PROBE],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=float, default=5e7, help="chain steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    steps = int(args.steps)
    if shutil.which("gcc") is None:
        raise SystemExit("gcc is needed for the C reference")
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        binary = compile_reference(directory)
        for sites, (nu, nd) in RINGS.items():
            model = ClassicalModel.from_parameters(nu=nu, nd=nd)
            sequence = replica_seeds(0, 1)[0]
            chain = SingleChain(model, sequence, ())
            word = MultispinWord(model, sequence, ())
            unit_ns(chain, 10_000)
            unit_ns(word, 10_000)
            # A word step advances 64 replicas: time fewer of them for the same wall time.
            word_steps = max(steps // 8, 10_000)
            timings = {"c": [], "chain": [], "word": []}
            for _ in range(args.repeats):
                timings["c"].append(reference_ns(binary, nu, nd, steps))
                timings["chain"].append(unit_ns(chain, steps))
                timings["word"].append(unit_ns(word, word_steps))
            c, one, many = (np.array(timings[k]) for k in ("c", "chain", "word"))
            rows.append((sites, c, one, many))
        with tempfile.TemporaryDirectory() as cache:
            cold = compile_seconds(cache)
            warm = statistics.median(compile_seconds(cache) for _ in range(3))

    print(f"chain steps per timing: {steps:.3g}; median (range) over {args.repeats} repeats")
    header = (
        f"{'N_S':>7} {'C ns/upd':>9} {'chain ns/upd':>13} {'chain / C':>18} "
        f"{'word ns/step':>13} {'replica-upd/s vs chain':>23} {'word / chain step':>19}"
    )
    print(header)
    for sites, c, one, many in rows:
        print(
            f"{sites:>7} {np.median(c):>9.2f} {np.median(one):>13.2f} "
            f"{spread(list(one / c)):>18} {np.median(many):>13.2f} "
            f"{spread(list(64 * one / many)):>23} {spread(list(many / one)):>19}"
        )
    print(f"first calls incl. import, cold cache (numba compile): {cold:.2f} s")
    print(f"first calls incl. import, warm cache (cache=True):    {warm:.2f} s")


if __name__ == "__main__":
    main()
