"""Benchmark of the Monte Carlo kernel: ns per spin update, parallel throughput, compile time.

Run ``python benchmarks/bench_montecarlo.py`` on a quiet machine. Every timing is the median of
``--repeats`` runs. Rings: the paper's Fig. 5 parameters (Q2R, J1 = 2, J2 = 1.9, T_L = 2,
T_R = 0.1) at N_S = 7 (N_U = 2, N_D = 3) and N_S = 1002 (N_U = N_D = 500).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate
from exactspin.montecarlo.chains import initial_entries
from exactspin.montecarlo.kernel import (
    NEIGHBOURHOODS,
    acceptance_table,
    neighbour_table,
    run_chain,
)
from exactspin.montecarlo.rng import generator_state, next_word, replica_seeds, scale_word

RINGS = {7: (2, 3), 1002: (500, 500)}

COMPILE_PROBE = (
    "import time; t = time.perf_counter();"
    "from exactspin.classical.model import ClassicalModel;"
    "from exactspin.montecarlo import simulate;"
    "simulate(ClassicalModel.from_parameters(), 1000, replicas=1);"
    "print(time.perf_counter() - t)"
)


@numba.njit(cache=True)
def _generator_only(steps, generator, count):
    """The kernel's random-number work alone: one xoshiro256++ word and its 128-bit split."""
    s0, s1, s2, s3 = generator[0], generator[1], generator[2], generator[3]
    checksum = np.uint64(0)
    for _ in range(steps):
        word, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
        site, fraction = scale_word(word, count)
        checksum += site ^ fraction
    return checksum


def generator_ns_per_step(steps: int, repeats: int, sites: int) -> float:
    """Median ns per step of :func:`_generator_only`: the floor under any update on this core."""
    generator = generator_state(replica_seeds(0, 1)[0])
    _generator_only(1000, generator, np.uint64(sites))
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        _generator_only(steps, generator, np.uint64(sites))
        timings.append((time.perf_counter() - started) / steps * 1e9)
    return statistics.median(timings)


def kernel_ns_per_update(model: ClassicalModel, steps: int, repeats: int) -> float:
    """Median ns per update of one chain calling the kernel directly (no bookkeeping)."""
    sequence = replica_seeds(0, 1)[0]
    entries = initial_entries(model, sequence)
    generator = generator_state(sequence)
    table, neighbours = acceptance_table(model), neighbour_table(model.sites)
    flips = np.zeros(model.sites * NEIGHBOURHOODS, dtype=np.int32)
    pairs, sums = np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    arguments = (generator, entries, table, neighbours, flips, pairs, sums)
    run_chain(1000, 1000, *arguments)
    timings = []
    for _ in range(repeats):
        flips[:] = 0
        started = time.perf_counter()
        run_chain(steps, steps, *arguments)
        timings.append((time.perf_counter() - started) / steps * 1e9)
    return statistics.median(timings)


def simulate_ns_per_update(model, steps, replicas, workers) -> float:
    """Wall ns per update (all replicas) of one :func:`simulate` run without burn-in."""
    result = simulate(model, steps, replicas=replicas, workers=workers, burn_in=0)
    return 1e9 / result.updates_per_second


def parallel_speedups(model, steps, repeats) -> tuple[float, float, list[float]]:
    """(median ns of one chain, median ns of two chains on two workers, per-repeat speed-ups).

    The one- and two-chain runs alternate, so each speed-up compares runs taken side by side and a
    busy spell on the machine spoils one ratio instead of one whole column.
    """
    one, two = [], []
    for _ in range(repeats):
        one.append(simulate_ns_per_update(model, steps, 1, 1))
        two.append(simulate_ns_per_update(model, steps, 2, 2))
    speedups = [a / b for a, b in zip(one, two, strict=True)]
    return statistics.median(one), statistics.median(two), speedups


def compile_seconds(cache_directory: str) -> float:
    """Seconds to import and run a tiny simulation in a fresh interpreter using this cache."""
    environment = dict(os.environ, NUMBA_CACHE_DIR=cache_directory)
    output = subprocess.run(
        [sys.executable, "-c", COMPILE_PROBE],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=float, default=1e8, help="steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    steps = int(args.steps)
    rows = []
    for sites, (nu, nd) in RINGS.items():
        model = ClassicalModel.from_parameters(nu=nu, nd=nd)
        kernel = kernel_ns_per_update(model, steps, args.repeats)
        generator_floor = generator_ns_per_step(steps, args.repeats, sites)
        one, two, speedups = parallel_speedups(model, steps, args.repeats)
        rows.append((sites, generator_floor, kernel, one, two, speedups))
    with tempfile.TemporaryDirectory() as cache:
        cold = compile_seconds(cache)
        warm = statistics.median(compile_seconds(cache) for _ in range(3))

    print(f"steps per timing: {steps:.3g}, median of {args.repeats}")
    print(
        f"{'N_S':>6} {'generator ns':>13} {'kernel ns/upd':>14} {'simulate 1 chain':>17} "
        f"{'2 chains/2 cores':>17} {'speed-up (median, range)':>25}"
    )
    for sites, generator_floor, kernel, one, two, speedups in rows:
        spread = f"{statistics.median(speedups):.2f}x ({min(speedups):.2f}-{max(speedups):.2f})"
        print(
            f"{sites:>6} {generator_floor:>13.2f} {kernel:>14.2f} {one:>17.2f} {two:>17.2f} "
            f"{spread:>25}"
        )
    print(f"first call incl. import, cold cache (numba compile): {cold:.2f} s")
    print(f"first call incl. import, warm cache (cache=True):    {warm:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
