"""Wall time and peak memory of the Redfield steady state: ours (sector) vs QuTiP (full space).

Usage: python benchmarks/bench_redfield.py [--skip-qutip] [--sizes 5 6 8 10 12]
QuTiP builds the non-secular Bloch-Redfield tensor in the full 2^N space and takes the sector
block's null vector; we solve in the sector (dense up to d = 40, matrix-free above).
"""

from __future__ import annotations

import argparse
import math
import resource
import time
import tracemalloc

from exactspin.quantum import QuantumModel, solve

#: (N_U, N_D) for each ring size; sector with N_S // 2 up spins (the largest).
RINGS = {5: (2, 1), 6: (3, 1), 8: (4, 2), 10: (5, 3), 12: (6, 4)}


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def ours(sites: int) -> None:
    nu, nd = RINGS[sites]
    up = (sites + 1) // 2
    model = QuantumModel.from_parameters(nu=nu, nd=nd, up=up, delta=0.5, zero_frequency="zero")
    tracemalloc.start()
    start = time.perf_counter()
    solution = solve(model)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    state = solution.steady_state
    print(
        f"exactspin  N_S={sites:2d} up={up} d={math.comb(sites, up):4d} method={state.method:9s} "
        f"time={elapsed:8.2f} s  numpy peak={peak / 1024**3:6.3f} GiB  rss={peak_rss_gib():6.3f} "
        f"GiB  iterations={state.iterations}  residual={state.residual:.1e}  "
        f"I_L={solution.left_bath_current:.6e}",
        flush=True,
    )


def qutip_full(sites: int) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "quantum"))
    from test_qutip_redfield import qutip_steady_state

    nu, nd = RINGS[sites]
    up = (sites + 1) // 2
    model = QuantumModel.from_parameters(nu=nu, nd=nd, up=up, delta=0.5, zero_frequency="zero")
    start = time.perf_counter()
    _, left_current, _ = qutip_steady_state(model)
    elapsed = time.perf_counter() - start
    print(
        f"qutip      N_S={sites:2d} full space 2^{sites}        time={elapsed:8.2f} s  "
        f"rss={peak_rss_gib():6.3f} GiB  I_L={left_current:.6e}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 6, 8, 10, 12])
    parser.add_argument("--skip-qutip", action="store_true")
    args = parser.parse_args()
    for sites in args.sizes:
        ours(sites)
        if sites <= 6 and not args.skip_qutip:
            qutip_full(sites)


if __name__ == "__main__":
    main()
