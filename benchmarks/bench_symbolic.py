"""Wall time and peak memory of the symbolic steady state, ring by ring, to find the frontier.

Usage: ``python benchmarks/bench_symbolic.py [--max-sites 5] [--couplings symmetric ...]
[--method fraction-free|modular|both]``, or ``--frontier [--frontier-max-sites 7]`` for the
symbolic frontier table: the modular route on the largest rings, seconds now next to the
seconds of the modular route before the series engine (:data:`BEFORE_SERIES_ENGINE`).
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

#: Seconds of ``derive_modular`` before the series engine (one evaluation per point by
#: Gauss-Jordan, Pade through values, Wang lifting; commit becc076), same shared 2-core
#: machine. None: not reached (the estimate in the comment).
BEFORE_SERIES_ENGINE = {
    ("q2r", "positive", 1, 1): 0.34,
    ("q2r", "positive", 2, 1): 4.09,
    ("q2r", "upper_stronger", 2, 2): 36.4,  # one ordering; positive runs two
    ("q2r", "positive", 2, 2): None,  # minutes (README: 60-100 x N_S = 5)
    ("q2r", "upper_stronger", 3, 2): None,  # estimated 1-1.5 h per ordering
    ("q2r", "positive", 3, 2): None,  # estimated 2-3 h
    ("cca", "exact", 1, 0): 0.27,
    ("cca", "exact", 2, 0): 53.9,
    ("cca", "exact", 1, 1): None,  # not finished within the 20 min budget of the run
    ("cca", "exact", 3, 0): None,
}

#: The frontier table's rows: (dynamics, couplings, N_U, N_D), smallest first.
FRONTIER = [
    ("q2r", "positive", 1, 1),
    ("q2r", "positive", 2, 1),
    ("q2r", "upper_stronger", 2, 2),
    ("q2r", "positive", 2, 2),
    ("q2r", "upper_stronger", 3, 2),
    ("q2r", "positive", 3, 2),
    ("cca", "exact", 1, 0),
    ("cca", "exact", 2, 0),
    ("cca", "exact", 1, 1),
    ("cca", "exact", 3, 0),
]


def frontier(max_sites: int) -> None:
    """The symbolic frontier table: modular seconds now and before, the estimate, the size."""
    from exactspin.classical.symbolic_modular import probe
    from exactspin.classical.symbolic_modular_cost import estimate

    print(
        f"{'dyn':>4} {'couplings':>15} {'N_U':>3} {'N_D':>3} {'N_S':>3} {'deg D':>5} "
        f"{'terms':>7} {'expected s':>10} {'seconds':>9} {'before s':>9}",
        flush=True,
    )
    for dynamics, couplings, nu, nd in FRONTIER:
        if nu + nd + 2 > max_sites:
            continue
        if dynamics == "cca":
            model = SymbolicModel(Ring(nu, nd), "cca", "exact", **CCA_POINT)
        else:
            model = SymbolicModel(Ring(nu, nd), "q2r", couplings)
        start = time.perf_counter()
        cost = estimate(probe(model))
        solution = derive_modular(model)
        text = solution.to_dict()
        seconds = time.perf_counter() - start
        del text
        before = BEFORE_SERIES_ENGINE.get((dynamics, couplings, nu, nd))
        degree = max((b for _, b in cost.shapes[0].totals), default=0)
        print(
            f"{dynamics:>4} {couplings:>15} {nu:>3} {nd:>3} {nu + nd + 2:>3} {degree:>5} "
            f"{cost.terms:>7} {cost.expected_seconds:>10.1f} {seconds:>9.2f} "
            f"{'not reached' if before is None else f'{before:.2f}':>9}",
            flush=True,
        )


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
    parser.add_argument("--frontier", action="store_true", help="the symbolic frontier table")
    parser.add_argument("--frontier-max-sites", type=int, default=7)
    parser.add_argument(
        "--method", choices=["fraction-free", "modular", "both"], default="fraction-free"
    )
    arguments = parser.parse_args()
    if arguments.frontier:
        frontier(arguments.frontier_max_sites)
        return
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
