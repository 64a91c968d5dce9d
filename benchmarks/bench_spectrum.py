"""Benchmark of the exact spectra: wall time per sector (N_S, up) of the symbolic derivation.

Run ``python benchmarks/bench_spectrum.py [--max-sites 6]`` on a quiet machine. Each sector is
derived from scratch (caches cleared): symmetry blocks, characteristic polynomials, factoring
over Q(2 cos(2 pi / N_S)), radicals. Prints the time, the largest irreducible factor degree
(closed forms exist up to 4), the number of generic levels, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time

from exactspin.quantum import spectrum
from exactspin.validation import ResourceError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-sites", type=int, default=6)
    parser.add_argument("--min-sites", type=int, default=2)
    args = parser.parse_args()
    print(f"{'N_S':>4} {'up':>3} {'seconds':>9} {'max degree':>10} {'levels':>7}")
    total = 0.0
    for sites in range(args.min_sites, args.max_sites + 1):
        # Sectors up and N_S - up are related by particle-hole symmetry; both are timed.
        for up in range(sites + 1):
            spectrum.block_factors.cache_clear()
            spectrum._exact_spectrum.cache_clear()
            start = time.perf_counter()
            try:
                degree = spectrum.largest_factor_degree(sites, up)
                levels = (
                    str(len(spectrum.exact_levels(sites, up).levels))
                    if degree <= spectrum.MAX_SOLVABLE_DEGREE
                    else "none"
                )
            except ResourceError:
                degree, levels = -1, "too big"
            elapsed = time.perf_counter() - start
            total += elapsed
            print(f"{sites:>4} {up:>3} {elapsed:>9.2f} {degree:>10} {levels:>7}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {total:.1f} s, peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
