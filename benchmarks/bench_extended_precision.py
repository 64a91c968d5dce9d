"""Cost of the extended-precision (ball arithmetic) steady state relative to double precision.

Usage: python benchmarks/bench_extended_precision.py [--repeats 3]
Runs each sector with precision="double" and precision="extended" side by side, alternating,
and prints the ratio of the median wall times (ratios, not absolute times, are comparable on a
shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import time

from exactspin.quantum import QuantumModel, steady_state

#: (N_U, N_D, up) -> sector dimension 10, 15, 20.
SECTORS = ((2, 1, 3), (3, 1, 2), (3, 1, 3))


def timed(model: QuantumModel, precision: str) -> tuple[float, int]:
    start = time.perf_counter()
    state = steady_state(model, method="dense", precision=precision)
    return time.perf_counter() - start, state.precision_digits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for nu, nd, up in SECTORS:
        model = QuantumModel.from_parameters(
            nu=nu, nd=nd, up=up, delta=2.1, tl=0.3, tr=0.1, zero_frequency="zero"
        )
        times = {"double": [], "extended": []}
        digits = {}
        for _ in range(args.repeats):
            for precision in times:
                elapsed, digits[precision] = timed(model, precision)
                times[precision].append(elapsed)
        double = statistics.median(times["double"])
        extended = statistics.median(times["extended"])
        print(
            f"d={model.dimension:3d}  extended ({digits['extended']} digits) / double = "
            f"{extended / double:8.1f}"
        )


if __name__ == "__main__":
    main()
