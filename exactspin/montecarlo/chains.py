"""One independent unit of a Monte Carlo run: a single chain, or a word of 64 multispin replicas.

Both offer the same :meth:`advance`, which runs the numba kernel for a number of steps and
returns what it counted as a :class:`Segment`: per site and neighbour, the net aligned flips
(sum of s_i s_j before each accepted flip of i) summed over the unit's replicas. Turning segments
into batches, currents and error bars happens in :mod:`exactspin.montecarlo.batches` and
:mod:`exactspin.montecarlo.simulation`. Units never share state, so they can run on any thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo.kernel import (
    NEIGHBOURHOODS,
    acceptance_table,
    alignment_weights,
    configuration_entries,
    neighbour_table,
    run_chain,
)
from exactspin.montecarlo.multispin import WORD_BITS, initial_words, run_word, word_tables
from exactspin.montecarlo.rng import generator_state

#: Most steps of one kernel call of a single chain: its int32 counters stay below 2^31, and a
#: stop request is seen within one call (tens of milliseconds).
CHAIN_CHUNK_STEPS = 2**24
#: Most steps of one kernel call of a word: 64 replicas x 2^22 steps stays below 2^31 per site.
WORD_CHUNK_STEPS = 2**22


@dataclass(frozen=True)
class Segment:
    """What a unit counted over some steps, summed over its replicas.

    Attributes
    ----------
    aligned : (N, 2) int64
        Net aligned flips of site i with its left (column 0) and right (column 1) neighbour.
    pair_sums : (P,) int64
        Sum over samples and replicas of s_a s_b.
    samples : int
        Pair samples taken (each over all the unit's replicas).
    """

    aligned: np.ndarray
    pair_sums: np.ndarray
    samples: int


def initial_entries(model: ClassicalModel, sequence: np.random.SeedSequence) -> np.ndarray:
    """A uniformly random configuration (spins, and demons on CCA bulk sites) as table entries.

    Uniform over all states is the default initial distribution of the exact solver, so for CCA
    the replicas land in each closed class with probability proportional to its size.
    """
    generator = np.random.default_rng(sequence)
    occupations = generator.integers(0, 2, model.sites)
    demons = np.zeros(model.sites, dtype=np.int64)
    demon_sites = list(model.demon_sites)
    if demon_sites:
        demons[demon_sites] = generator.integers(0, 4, len(demon_sites))
    return configuration_entries(model, occupations, demons)


def _pair_array(pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


class SingleChain:
    """One random-sequential chain (:func:`~exactspin.montecarlo.kernel.run_chain`).

    Its streams are the two children of ``sequence``: the first draws the initial state, the
    second seeds xoshiro256++.
    """

    replicas = 1
    chunk_steps = CHAIN_CHUNK_STEPS

    def __init__(
        self,
        model: ClassicalModel,
        sequence: np.random.SeedSequence,
        pairs: Sequence[tuple[int, int]],
    ) -> None:
        start_sequence, stream_sequence = sequence.spawn(2)
        self.sites = model.sites
        self.entries = initial_entries(model, start_sequence)
        self.generator = generator_state(stream_sequence)
        self.table = acceptance_table(model)
        self.neighbours = neighbour_table(model.sites)
        self.pairs = _pair_array(pairs)
        self.flips = np.zeros(model.sites * NEIGHBOURHOODS, dtype=np.int32)
        self.right_weight, self.left_weight = alignment_weights()

    def advance(self, steps: int) -> Segment:
        """Run ``steps`` (at most :attr:`chunk_steps`) steps and return what they counted."""
        pair_sums = np.zeros(len(self.pairs), dtype=np.int64)
        self.flips[:] = 0
        interval = self.sites if len(self.pairs) else max(steps, 1)
        samples = run_chain(
            steps,
            interval,
            self.generator,
            self.entries,
            self.table,
            self.neighbours,
            self.flips,
            self.pairs,
            pair_sums,
        )
        flips = self.flips.reshape(self.sites, NEIGHBOURHOODS).astype(np.int64)
        aligned = np.column_stack([flips @ self.left_weight, flips @ self.right_weight])
        return Segment(aligned, pair_sums, int(samples))


class MultispinWord:
    """64 replicas in the bits of one word (:func:`~exactspin.montecarlo.multispin.run_word`).

    Streams as for :class:`SingleChain`: the first child of ``sequence`` draws the 64 initial
    states, the second seeds the word's xoshiro256++ generator.
    """

    replicas = WORD_BITS
    chunk_steps = WORD_CHUNK_STEPS

    def __init__(
        self,
        model: ClassicalModel,
        sequence: np.random.SeedSequence,
        pairs: Sequence[tuple[int, int]],
    ) -> None:
        start_sequence, stream_sequence = sequence.spawn(2)
        self.sites = model.sites
        self.spins, self.demon_low, self.demon_high = initial_words(model, start_sequence)
        self.generator = generator_state(stream_sequence)
        self.tables = word_tables(model)
        self.pairs = _pair_array(pairs)
        self.counters = np.zeros((model.sites, 3), dtype=np.int32)

    def advance(self, steps: int) -> Segment:
        """Run ``steps`` (at most :attr:`chunk_steps`) steps of all 64 replicas."""
        pair_sums = np.zeros(len(self.pairs), dtype=np.int64)
        self.counters[:] = 0
        interval = self.sites if len(self.pairs) else max(steps, 1)
        tables = self.tables
        samples = run_word(
            steps,
            interval,
            self.generator,
            self.spins,
            self.demon_low,
            self.demon_high,
            tables.site_class,
            tables.kind,
            tables.neighbours,
            tables.certain,
            tables.thresholds,
            tables.demon_accept,
            tables.demon_low_new,
            tables.demon_high_new,
            self.counters,
            self.pairs,
            pair_sums,
        )
        counters = self.counters.astype(np.int64)
        aligned = counters[:, :1] - 2 * counters[:, 1:]
        return Segment(aligned, pair_sums, int(samples))
