"""Wall time and peak memory of the symbolic steady state, ring by ring, to find the frontier.

Usage: ``python benchmarks/bench_symbolic.py [--max-sites 5] [--couplings symmetric ...]
[--method fraction-free|modular|both]``, or ``--frontier [--frontier-max-sites 7]`` for the
symbolic frontier table: the modular route on the largest rings in fresh child processes, CPU
seconds now and, with ``--compare-with OLD_CHECKOUT`` (``git archive <commit> | tar -x -C
/tmp/old``), of that checkout's ``derive_modular`` right after, with their ratio.
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

#: One frontier case in a child process: CPU seconds of derive_modular and the JSON text.
_CHILD = """
import json, sys, time
from exactspin.classical.symbolic_model import SymbolicModel
from exactspin.classical.symbolic_modular import derive_modular
from exactspin.ring import Ring
dynamics, couplings, nu, nd = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if dynamics == "cca":
    model = SymbolicModel(Ring(nu, nd), "cca", "exact", 2, 1, 4)
else:
    model = SymbolicModel(Ring(nu, nd), "q2r", couplings)
wall, cpu = time.perf_counter(), time.process_time()
derive_modular(model)
seconds = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
import exactspin
print(json.dumps({**seconds, "package": exactspin.__file__}))
"""


def _child(case, root: str | None, timeout: float) -> dict | None:
    """CPU and wall seconds of one case run by the package under ``root`` (None: this one)."""
    import json
    import os
    import subprocess
    import sys

    # The child runs in the checkout's root: ``python -c`` puts the working directory first
    # on sys.path, ahead of PYTHONPATH and of any installed copy.
    root = root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=root)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *map(str, case)],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.splitlines()[-1])


def frontier(max_sites: int, compare_with: str | None, timeout: float) -> None:
    """The symbolic frontier table: modular CPU seconds now (and of another checkout), the
    estimate, the size. Each case runs in a fresh child, new then old, so the two columns
    come from the same minutes of a shared machine; ratios of CPU time are the comparable
    numbers. An old run past ``timeout`` is reported as ">timeout", and larger rings of the same
    dynamics are then not tried with the old code."""
    from exactspin.classical.symbolic_modular import probe
    from exactspin.classical.symbolic_modular_cost import estimate

    print(
        f"{'dyn':>4} {'couplings':>15} {'N_U':>3} {'N_D':>3} {'N_S':>3} {'deg D':>5} "
        f"{'terms':>7} {'expected s':>10} {'cpu s':>8} {'wall s':>8}"
        + (f" {'old cpu s':>10} {'old/new':>8}" if compare_with else ""),
        flush=True,
    )
    gave_up: set[str] = set()
    for dynamics, couplings, nu, nd in FRONTIER:
        if nu + nd + 2 > max_sites:
            continue
        if dynamics == "cca":
            model = SymbolicModel(Ring(nu, nd), "cca", "exact", **CCA_POINT)
        else:
            model = SymbolicModel(Ring(nu, nd), "q2r", couplings)
        cost = estimate(probe(model))
        case = (dynamics, couplings, nu, nd)
        new = _child(case, None, timeout)
        degree = max((b for _, b in cost.shapes[0].totals), default=0)
        line = (
            f"{dynamics:>4} {couplings:>15} {nu:>3} {nd:>3} {nu + nd + 2:>3} {degree:>5} "
            f"{cost.terms:>7} {cost.expected_seconds:>10.1f} "
            + (f"{new['cpu']:>8.2f} {new['wall']:>8.2f}" if new else f"{'>timeout':>17}")
        )
        if compare_with and dynamics in gave_up:
            # A smaller ring of this dynamics already ran past the timeout: so would this one.
            line += f" {'>' + format(timeout, 'g'):>10} {'':>8}"
        elif compare_with:
            old = _child(case, compare_with, timeout)
            if old is None:
                gave_up.add(dynamics)
                bound = f">{timeout / new['cpu']:.0f}" if new else ""
                line += f" {'>' + format(timeout, 'g'):>10} {bound:>8}"
            else:
                ratio = f"{old['cpu'] / new['cpu']:.1f}" if new else ""
                line += f" {old['cpu']:>10.2f} {ratio:>8}"
        print(line, flush=True)


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
    parser.add_argument("--compare-with", help="frontier: root of another checkout, side by side")
    parser.add_argument("--timeout", type=float, default=900, help="frontier: seconds per run")
    parser.add_argument(
        "--method", choices=["fraction-free", "modular", "both"], default="fraction-free"
    )
    arguments = parser.parse_args()
    if arguments.frontier:
        frontier(arguments.frontier_max_sites, arguments.compare_with, arguments.timeout)
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
