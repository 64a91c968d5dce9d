"""Wall time and peak memory of the symbolic steady state, ring by ring, to find the frontier.

Usage: ``python benchmarks/bench_symbolic.py [--max-sites 5] [--couplings symmetric ...]
[--method fraction-free|modular|both]``.
Prints one row per (N_U, N_D, couplings, dynamics, method): states, closed classes, seconds and,
with ``--memory``, the peak traced memory in MiB. ``--method both`` runs the fraction-free and
the modular route side by side and adds their time ratio (compare ratios, not seconds, on a
shared machine).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from exactspin.classical.symbolic import derive
from exactspin.classical.symbolic_model import SymbolicModel
from exactspin.classical.symbolic_modular import derive_modular
from exactspin.ring import Ring

#: CCA at the paper's Fig. 8 point (J1 = 2, J2 = 1, mu = 4).
CCA_POINT = {"upper_coupling": 2, "lower_coupling": 1, "demon_unit": 4}


def rings(max_sites: int) -> list[tuple[int, int]]:
    """Every (N_U, N_D) with N_S <= max_sites, smallest first."""
    return [(nu, total - nu) for total in range(max_sites - 1) for nu in range(total, -1, -1)]


def measure(model: SymbolicModel, memory: bool, function=derive) -> tuple[int, int, float, float]:
    """(states, closed classes, seconds, peak MiB or nan) of one derivation.

    The time comes from an untraced run; tracemalloc slows sympy several-fold, so the peak
    memory (``memory=True``) comes from a second, traced run.
    """
    start = time.perf_counter()
    solution = function(model)
    seconds = time.perf_counter() - start
    peak = float("nan")
    if memory:
        tracemalloc.start()
        function(model)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return len(solution.class_labels), solution.closed_classes, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-sites", type=int, default=5)
    parser.add_argument(
        "--couplings", nargs="+", default=["symmetric", "upper_stronger", "positive"]
    )
    parser.add_argument("--cca-max-sites", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also trace peak memory (slow)")
    parser.add_argument(
        "--method", choices=["fraction-free", "modular", "both"], default="fraction-free"
    )
    arguments = parser.parse_args()
    print(
        f"{'N_U':>3} {'N_D':>3} {'couplings':>15} {'dyn':>4} {'states':>6} "
        f"{'classes':>7} {'method':>13} {'seconds':>9} {'peak MiB':>9} {'ff/modular':>10}",
        flush=True,
    )
    cases = [
        (SymbolicModel(Ring(nu, nd), "q2r", couplings), couplings, "q2r")
        for couplings in arguments.couplings
        for nu, nd in rings(arguments.max_sites)
    ]
    cases += [
        (SymbolicModel(Ring(nu, nd), "cca", "exact", **CCA_POINT), "exact 2,1,mu=4", "cca")
        for nu, nd in rings(arguments.cca_max_sites)
    ]
    methods = {"fraction-free": derive, "modular": derive_modular}
    chosen = list(methods) if arguments.method == "both" else [arguments.method]
    for model, label, dynamics in cases:
        times = {}
        for method in chosen:
            states, classes, seconds, peak = measure(model, arguments.memory, methods[method])
            times[method] = seconds
            ring = model.ring
            ratio = f"{times['fraction-free'] / times['modular']:>10.2f}" if len(times) == 2 else ""
            print(
                f"{ring.upper_spins:>3} {ring.lower_spins:>3} {label:>15} {dynamics:>4} "
                f"{states:>6} {classes:>7} {method:>13} {seconds:>9.2f} {peak:>9.1f} {ratio}",
                flush=True,
            )


if __name__ == "__main__":
    main()
