"""The stiff suite: low-temperature rings, time, peak memory and the achieved error bound.

Run: ``python benchmarks/bench_stiff.py [--compare-with OLD_CHECKOUT] [--timeout S]``. The points
are the paper's Fig. 8 ring (CCA, N_U = 2, N_D = 3, J1 = 2, J2 = 1, mu = 4; 131072 states) at the
low temperatures where it finds magnification, and the Fig. 5 Q2R ring down to T = 0.05 |J|.
Each case runs in a child process (see :mod:`bench_steady_state`); an old checkout that hangs
shows as a timeout.
"""

from __future__ import annotations

import argparse

from bench_steady_state import describe, measure

FIG8 = dict(nu=2, nd=3, j1=2.0, j2=1.0, dynamics="cca", mu=4.0)

CASES = (
    ("fig8 2/0.1", dict(FIG8, tl=2.0, tr=0.1)),
    ("fig8 0.3/0.15", dict(FIG8, tl=0.3, tr=0.15)),
    ("fig8 0.2/0.1", dict(FIG8, tl=0.2, tr=0.1)),
    ("fig5 q2r 0.2/0.1", dict(nu=2, nd=3, tl=0.2, tr=0.1)),
    ("q2r N_S=16 0.2/0.1", dict(nu=7, nd=7, tl=0.2, tr=0.1)),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--compare-with", help="root of another checkout to run side by side")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per case")
    args = parser.parse_args()
    header = (
        f"{'case':<19} {'states':>8} {'method':>16} {'wall s':>7} {'cpu s':>7} {'peak MiB':>8} "
        f"{'est MiB':>8} {'rel bnd':>8}"
    )
    print(header + ("  | old: same columns, old/new cpu" if args.compare_with else ""))
    for label, keywords in CASES:
        new = measure(keywords, timeout=args.timeout)
        line = f"{label:<19} {new.get('states', ''):>8} {describe(new)}"
        if args.compare_with:
            old = measure(keywords, args.compare_with, args.timeout)
            ratio = f"{old['cpu'] / new['cpu']:.2f}" if "cpu" in old and "cpu" in new else "-"
            line += f"  | {describe(old)} {ratio:>5}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
