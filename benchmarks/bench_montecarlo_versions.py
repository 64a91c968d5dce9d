"""Two checkouts' Monte Carlo kernels side by side: single chain and multispin word.

Run ``python benchmarks/bench_montecarlo_versions.py --baseline PATH`` with PATH a checkout of
the code to compare against (for example a worktree of the main branch); without it only this
checkout is timed. Rings: the paper's Fig. 5 parameters (Q2R, J1 = 2, J2 = 1.9, T_L = 2,
T_R = 0.1) at N_S = 7 (N_U = 2, N_D = 3), 1002 (the README's ring) and 100002, as
``bench_montecarlo.py``; with ``--dynamics cca`` the same rings with CCA bulk sites (J1 = 2,
J2 = 1, mu = 4: demon quanta 2 and 1).

Each repeat runs one fresh interpreter per checkout (the order alternates), and each interpreter
times its single chain and its word back to back, so every ratio compares runs taken side by
side. Times are the CPU time of the timing thread (``time.thread_time``), so on a shared machine
the other processes' time slices do not count; their use of caches and memory bandwidth still
does, so only ratios mean anything. The table gives the median and range over the repeats of:
ns per chain update and per word step (all 64 replicas advance); the word step over the same
checkout's chain step; the word's replica-updates per second over the baseline's single chain
(64 x baseline chain ns / word ns, paired by repeat); and the word step over the baseline's
chain step (the burn-in latency the issue asks to keep).

``--filed PATH`` adds the single-chain kernel of a checkout from before the multispin work (the
"today" of the Monte Carlo issue: commit 220e8f0), timed in the same repeats through the
ring kernel API it already had (``kernel.run_chain``), and two columns against it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

RINGS = {7: (2, 3), 1002: (500, 500), 100002: (50000, 50000)}
HERE = Path(__file__).resolve().parents[1]


def time_unit(unit, steps: int) -> float:
    """CPU ns per kernel step of a chain or a word over ``steps`` steps."""
    started = time.thread_time()
    done = 0
    while done < steps:
        chunk = min(unit.chunk_steps, steps - done)
        unit.advance(chunk)
        done += chunk
    return (time.thread_time() - started) / steps * 1e9


CCA = {"dynamics": "cca", "mu": 4.0, "j1": 2.0, "j2": 1.0}


def worker(sites: int, steps: int, dynamics: str) -> None:
    """Time this interpreter's checkout once and print {"chain": ns, "word": ns}."""
    from exactspin.classical.model import ClassicalModel
    from exactspin.montecarlo.chains import MultispinWord, SingleChain
    from exactspin.montecarlo.rng import replica_seeds

    nu, nd = RINGS[sites]
    extra = CCA if dynamics == "cca" else {}
    model = ClassicalModel.from_parameters(nu=nu, nd=nd, **extra)
    sequence = replica_seeds(0, 1)[0]
    chain = SingleChain(model, sequence, ())
    word = MultispinWord(model, sequence, ())
    time_unit(chain, 100_000)  # compile or load the kernels, warm the caches
    time_unit(word, 100_000)
    chain_ns = time_unit(chain, steps)
    word_ns = time_unit(word, max(steps // 4, 100_000))
    print(json.dumps({"chain": chain_ns, "word": word_ns}))


def legacy_worker(sites: int, steps: int) -> None:
    """Time ``kernel.run_chain`` of this interpreter's checkout (the API it has had since the
    first round) and print {"chain": ns}."""
    import numpy as np

    from exactspin.classical.model import ClassicalModel
    from exactspin.montecarlo import kernel

    nu, nd = RINGS[sites]
    model = ClassicalModel.from_parameters(nu=nu, nd=nd)
    generator = np.random.SeedSequence(0).generate_state(4, np.uint64)
    occupations = np.random.default_rng(0).integers(0, 2, model.sites)
    entries = kernel.configuration_entries(model, occupations, np.zeros(model.sites, dtype=int))
    table = kernel.acceptance_table(model)
    neighbours = kernel.neighbour_table(model.sites)
    flips = np.zeros(8 * model.sites, dtype=np.int32)
    pairs = np.zeros((0, 2), dtype=np.int64)
    sums = np.zeros(0, dtype=np.int64)

    def advance(count):
        flips[:] = 0
        kernel.run_chain(count, count, generator, entries, table, neighbours, flips, pairs, sums)

    chain = SimpleNamespace(chunk_steps=2**24, advance=advance)
    time_unit(chain, 100_000)
    print(json.dumps({"chain": time_unit(chain, steps)}))


def run_worker(
    checkout: Path, cache: str, sites: int, steps: int, dynamics: str, legacy: bool = False
) -> dict[str, float]:
    """One worker interpreter on ``checkout``; its numba cache in ``cache`` (not the checkout)."""
    environment = dict(os.environ, PYTHONPATH=str(checkout), NUMBA_CACHE_DIR=cache)
    environment.setdefault("OPENBLAS_NUM_THREADS", "1")
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--legacy-worker" if legacy else "--worker",
            str(sites),
            "--steps",
            str(steps),
            "--dynamics",
            dynamics,
        ],  # fmt: skip
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="checkout to compare against")
    parser.add_argument("--steps", type=float, default=4e6, help="chain steps per timing")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--dynamics", choices=("q2r", "cca"), default="q2r")
    parser.add_argument("--filed", type=Path, help="checkout whose single chain the issue set")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--legacy-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    steps = int(args.steps)
    if args.worker is not None:
        worker(args.worker, steps, args.dynamics)
        return
    if args.legacy_worker is not None:
        legacy_worker(args.legacy_worker, steps)
        return
    if args.filed is not None and args.dynamics != "q2r":
        parser.error("--filed times the Q2R ring chain only (the kernel the issue measured)")
    checkouts = {"this": HERE}
    if args.baseline is not None:
        checkouts = {"baseline": args.baseline.resolve(), "this": HERE}
    print(
        f"{args.dynamics} rings; chain steps per timing: {steps:.3g}; median (range) over "
        f"{args.repeats} repeats"
    )
    print("checkouts: " + ", ".join(f"{name} = {path}" for name, path in checkouts.items()))
    caches = {name: tempfile.mkdtemp(prefix=f"numba-{name}-") for name in checkouts}
    filed_cache = tempfile.mkdtemp(prefix="numba-filed-")
    header = (
        f"{'N_S':>7} {'checkout':>9} {'chain ns':>9} {'word ns':>9} {'word / own chain':>18}"
        f" {'replica-upd/s vs base chain':>28} {'word / base chain':>18}"
    )
    print(header)
    for sites in RINGS:
        timings: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
        filed: list[float] = []
        for repeat in range(args.repeats):
            order = list(checkouts) if repeat % 2 == 0 else list(reversed(checkouts))
            for name in order:
                timings[name].append(
                    run_worker(checkouts[name], caches[name], sites, steps, args.dynamics)
                )
            if args.filed is not None:
                filed.append(
                    run_worker(args.filed.resolve(), filed_cache, sites, steps, "q2r", True)[
                        "chain"
                    ]
                )
        base = timings["baseline" if "baseline" in timings else "this"]
        for name, runs in timings.items():
            chain = [run["chain"] for run in runs]
            word = [run["word"] for run in runs]
            own = [w / c for w, c in zip(word, chain, strict=True)]
            base_chain = [run["chain"] for run in base]
            throughput = [64 * c / w for c, w in zip(base_chain, word, strict=True)]
            latency = [w / c for w, c in zip(word, base_chain, strict=True)]
            print(
                f"{sites:>7} {name:>9} {statistics.median(chain):>9.2f} "
                f"{statistics.median(word):>9.2f} {spread(own):>18} {spread(throughput):>28} "
                f"{spread(latency):>18}"
            )
            if filed:
                versus = [64 * c / w for c, w in zip(filed, word, strict=True)]
                late = [w / c for w, c in zip(word, filed, strict=True)]
                print(
                    f"{'':>7} {name:>9} against the filed chain ({statistics.median(filed):.2f} "
                    f"ns): replica-upd/s {spread(versus)}, word step {spread(late)}"
                )


if __name__ == "__main__":
    main()
