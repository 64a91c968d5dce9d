"""The ring before and after the network kernels, side by side (same machine, same run).

Run ``python benchmarks/bench_montecarlo_network.py``. "Before" is today's ring-only kernels
(:func:`exactspin.montecarlo.kernel.run_chain` and :func:`exactspin.montecarlo.multispin.run_word`;
the ring word kernel has since been specialised, see ``bench_montecarlo_versions.py``);
"after" is what :func:`exactspin.montecarlo.simulate` now runs on the ring: the
network chain kernel (:mod:`exactspin.montecarlo.network_kernel`) and the network word kernel
(:mod:`exactspin.montecarlo.network_multispin`), fed by neighbour lists. Both advance the same
chain (same random words, same thresholds). Each repeat times before and after back to back,
alternating which goes first, so each ratio compares runs taken side by side; the table gives
the median ratio after / before and its range. Rings: the paper's Fig. 5 parameters (Q2R,
J1 = 2, J2 = 1.9, T_L = 2, T_R = 0.1) at N_S = 7, 1002 and 100002. Also: one multispin word step
(64 replicas advance) over one chain step, both after.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import network_kernel as chain
from exactspin.montecarlo import network_multispin as words
from exactspin.montecarlo.halfwords import word_generator_state
from exactspin.montecarlo.kernel import (
    NEIGHBOURHOODS,
    acceptance_table,
    configuration_entries,
    neighbour_table,
    run_chain,
)
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.multispin import initial_words, run_word, word_tables
from exactspin.montecarlo.rng import generator_state, replica_seeds

RINGS = {7: (2, 3), 1002: (500, 500), 100002: (50000, 50000)}
NO_PAIRS = np.zeros((0, 2), dtype=np.int64)
NO_SUMS = np.zeros(0, dtype=np.int64)


def _timed(function, *arguments) -> float:
    started = time.perf_counter()
    function(*arguments)
    return time.perf_counter() - started


def chain_runners(model: ClassicalModel, steps: int):
    """(before, after): callables running ``steps`` chain steps from the same state."""
    sites = model.sites
    occupations = np.random.default_rng(0).integers(0, 2, sites)
    demons = np.zeros(sites, dtype=np.int64)
    old_entries = configuration_entries(model, occupations, demons)
    old = (acceptance_table(model), neighbour_table(sites))
    old_flips = np.zeros(sites * NEIGHBOURHOODS, dtype=np.int32)
    old_generator = generator_state(replica_seeds(0, 1)[0])
    tables = chain.chain_tables(Lattice.from_model(model))
    entries = chain.entries_of(tables, occupations, demons)
    table, links = chain.kernel_arrays(tables)
    counts = np.zeros(chain.counter_count(tables), dtype=np.int32)
    generator = old_generator.copy()
    kernel = chain.chain_kernel(tables)

    def before():
        old_flips[:] = 0
        run_chain(steps, steps, old_generator, old_entries, *old, old_flips, NO_PAIRS, NO_SUMS)

    def after():
        counts[:] = 0
        kernel(steps, steps, generator, entries, table, links, counts, NO_PAIRS, NO_SUMS)

    return before, after


def word_runners(model: ClassicalModel, steps: int):
    """(before, after) for one multispin word."""
    sequence = replica_seeds(0, 1)[0]
    spins, low, high = initial_words(model, sequence)
    old = word_tables(model)
    counters = np.zeros((model.sites, 3), dtype=np.int32)
    old_generator = word_generator_state(sequence)
    tables = words.word_tables(Lattice.from_model(model))
    state = [np.append(plane, np.uint64(0)) for plane in (spins, low, high)]
    generator = old_generator.copy()
    new_counters = np.zeros(words.counter_count(tables), dtype=np.int32)

    def before():
        counters[:] = 0
        run_word(
            steps, steps, old_generator, spins, low, high, old.site_class, old.kind,
            old.neighbours, old.certain, old.thresholds, old.demon_accept, old.demon_low_new,
            old.demon_high_new, counters, NO_PAIRS, NO_SUMS,
        )  # fmt: skip

    def after():
        new_counters[:] = 0
        words.advance_word(tables, steps, steps, generator, *state, new_counters, NO_PAIRS,
                           NO_SUMS)  # fmt: skip

    return before, after


def side_by_side(before, after, repeats: int) -> tuple[list[float], list[float]]:
    """Seconds of before and after per repeat, alternating which runs first."""
    before()
    after()
    first, second = [], []
    for repeat in range(repeats):
        if repeat % 2:
            second.append(_timed(after))
            first.append(_timed(before))
        else:
            first.append(_timed(before))
            second.append(_timed(after))
    return first, second


def spread(values) -> str:
    values = list(values)
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=float, default=2e7, help="chain steps per timing")
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--sizes", default="7,1002,100002")
    args = parser.parse_args()
    steps = int(args.steps)
    word_steps = max(steps // 8, 10_000)
    print(f"chain steps per timing {steps:.3g}, word steps {word_steps:.3g}; "
          f"median (range) over {args.repeats} repeats; ratio = after / before")  # fmt: skip
    print(f"{'N_S':>7} {'chain ns before':>16} {'after':>7} {'ratio':>18} "
          f"{'word ns before':>15} {'after':>7} {'ratio':>18} {'word/chain step':>18}")  # fmt: skip
    for sites in (int(s) for s in args.sizes.split(",")):
        nu, nd = RINGS[sites]
        model = ClassicalModel.from_parameters(nu=nu, nd=nd)
        c_before, c_after = side_by_side(*chain_runners(model, steps), args.repeats)
        w_before, w_after = side_by_side(*word_runners(model, word_steps), args.repeats)
        cb, ca = np.array(c_before) / steps * 1e9, np.array(c_after) / steps * 1e9
        wb, wa = np.array(w_before) / word_steps * 1e9, np.array(w_after) / word_steps * 1e9
        print(
            f"{sites:>7} {np.median(cb):>16.2f} {np.median(ca):>7.2f} {spread(ca / cb):>18} "
            f"{np.median(wb):>15.2f} {np.median(wa):>7.2f} {spread(wa / wb):>18} "
            f"{spread(wa / ca):>18}"
        )


if __name__ == "__main__":
    main()
