"""Measured / expected time of symbolic derivations: how good the refusal model of derive is.

Usage: ``python benchmarks/bench_symbolic_cost.py [--max-seconds 60]``. For each ring of a fixed
list (smallest first) it derives the steady state, renders it as JSON (what the command prints),
and prints states, expected seconds (``exactspin.classical.symbolic_cost``), measured seconds and
their ratio. Rings expected to exceed ``--max-seconds`` are listed with their estimate only. Run
it on an idle machine to refit ``SECONDS_MODEL``; on a shared one only the ratios between rows
mean anything.
"""

from __future__ import annotations

import argparse
import time

from exactspin.classical.symbolic import derive
from exactspin.classical.symbolic_cost import estimate
from exactspin.classical.symbolic_model import SymbolicModel
from exactspin.ring import Ring

#: (N_U, N_D, dynamics, couplings, J1, J2, mu), smallest first.
CASES = (
    (1, 0, "q2r", "symmetric", None, None, None),
    (1, 1, "q2r", "symmetric", None, None, None),
    (2, 1, "q2r", "symmetric", None, None, None),
    (2, 2, "q2r", "symmetric", None, None, None),
    (1, 0, "q2r", "exact", "21/20", "1", None),
    (2, 2, "q2r", "exact", "21/20", "1", None),
    (1, 1, "q2r", "positive", None, None, None),
    (2, 1, "q2r", "positive", None, None, None),
    (1, 0, "cca", "exact", "2", "1", "4"),
    (3, 2, "q2r", "symmetric", None, None, None),
    (3, 3, "q2r", "symmetric", None, None, None),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=60.0)
    limit = parser.parse_args().max_seconds
    print(f"{'ring':<34} {'states':>6} {'expected s':>11} {'measured s':>11} {'ratio':>7}")
    for nu, nd, dynamics, couplings, j1, j2, mu in CASES:
        model = SymbolicModel(Ring(nu, nd), dynamics, couplings, j1, j2, mu)
        cost = estimate(model)
        name = f"N_U={nu} N_D={nd} {dynamics} {couplings}" + (f" {j1},{j2}" if j1 else "")
        if cost.expected_seconds > limit:
            print(f"{name:<34} {cost.states:>6} {cost.expected_seconds:>11.3g} {'skipped':>11}")
            continue
        start = time.perf_counter()
        derive(model).to_dict()
        measured = time.perf_counter() - start
        ratio = measured / cost.expected_seconds
        print(
            f"{name:<34} {cost.states:>6} {cost.expected_seconds:>11.3g} {measured:>11.3g} "
            f"{ratio:>7.2f}"
        )


if __name__ == "__main__":
    main()
