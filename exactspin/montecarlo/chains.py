"""One independent unit of a Monte Carlo run: a single chain, or a word of 64 multispin replicas.

Both run on any classical network (a :class:`~exactspin.montecarlo.lattice.Lattice`; the ring is
one) and offer the same :meth:`advance`, which runs the numba kernel for a number of steps and
returns what it counted as a :class:`Segment`: per bond end and per field, the net aligned flips
(sum of s_i s_j before each accepted flip of i) summed over the unit's replicas. Turning segments
into batches, currents and error bars happens in :mod:`exactspin.montecarlo.batches` and
:mod:`exactspin.montecarlo.simulation`. Units never share state, so they can run on any thread.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import network_kernel, network_multispin
from exactspin.montecarlo.halfwords import word_generator_state
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.multispin import WORD_BITS
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
    bond_aligned : (B, 2) int64
        Net aligned flips of bond b's first (column 0) and second (column 1) site with the
        other end: 2 J_b times it is the energy those flips moved into the bond (Eq. 8).
    field_aligned : (F,) int64
        Net aligned flips of each field's site with the ghost down spin (energy 2 (-h) times it
        moved into the field term).
    pair_sums : (P,) int64
        Sum over samples and replicas of s_a s_b.
    samples : int
        Pair samples taken (each over all the unit's replicas).
    """

    bond_aligned: np.ndarray
    field_aligned: np.ndarray
    pair_sums: np.ndarray
    samples: int


def as_lattice(model: ClassicalModel | Lattice) -> Lattice:
    """The lattice of a ring model (a lattice is returned as it is)."""
    return model if isinstance(model, Lattice) else Lattice.from_model(model)


def initial_state(
    lattice: Lattice, sequence: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray]:
    """A uniformly random configuration: (occupations, demons on the CCA sites).

    Uniform over all states is the default initial distribution of the exact solver, so for CCA
    the replicas land in each closed class with probability proportional to its size.
    """
    generator = np.random.default_rng(sequence)
    occupations = generator.integers(0, 2, lattice.sites)
    demons = np.zeros(lattice.sites, dtype=np.int64)
    demon_sites = lattice.demon_sites
    if len(demon_sites):
        demons[demon_sites] = generator.integers(0, 4, len(demon_sites))
    return occupations, demons


#: Kernel tables per lattice, shared by every unit of a run (read-only for the kernels).
_CHAIN_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_WORD_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def shared_chain_tables(lattice: Lattice):
    """(tables, table, links) of the chain kernel for ``lattice``, built once."""
    if lattice not in _CHAIN_TABLES:
        tables = network_kernel.chain_tables(lattice)
        _CHAIN_TABLES[lattice] = (tables, *network_kernel.kernel_arrays(tables))
    return _CHAIN_TABLES[lattice]


def shared_word_tables(lattice: Lattice):
    """The word kernel's tables for ``lattice``, built once."""
    if lattice not in _WORD_TABLES:
        _WORD_TABLES[lattice] = network_multispin.word_tables(lattice)
    return _WORD_TABLES[lattice]


def _pair_array(pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _segment(slots, aligned: np.ndarray, pair_sums: np.ndarray, samples: int) -> Segment:
    return Segment(aligned[slots.bond_slots], aligned[slots.field_slots], pair_sums, int(samples))


class SingleChain:
    """One random-sequential chain (:mod:`~exactspin.montecarlo.network_kernel`).

    Its streams are the two children of ``sequence``: the first draws the initial state, the
    second seeds xoshiro256++.
    """

    replicas = 1
    chunk_steps = CHAIN_CHUNK_STEPS

    def __init__(
        self,
        model: ClassicalModel | Lattice,
        sequence: np.random.SeedSequence,
        pairs: Sequence[tuple[int, int]],
    ) -> None:
        lattice = as_lattice(model)
        start_sequence, stream_sequence = sequence.spawn(2)
        self.tables, self.table, self.links = shared_chain_tables(lattice)
        self.entries = network_kernel.entries_of(
            self.tables, *initial_state(lattice, start_sequence)
        )
        self.generator = generator_state(stream_sequence)
        self.sites = lattice.sites
        self.kernel = network_kernel.chain_kernel(self.tables)
        self.pairs = _pair_array(pairs)
        self.counts = np.zeros(network_kernel.counter_count(self.tables), dtype=np.int32)

    def advance(self, steps: int) -> Segment:
        """Run ``steps`` (at most :attr:`chunk_steps`) steps and return what they counted."""
        pair_sums = np.zeros(len(self.pairs), dtype=np.int64)
        self.counts[:] = 0
        interval = self.sites if len(self.pairs) else max(steps, 1)
        samples = self.kernel(
            steps,
            interval,
            self.generator,
            self.entries,
            self.table,
            self.links,
            self.counts,
            self.pairs,
            pair_sums,
        )
        aligned = network_kernel.slot_alignments(self.tables, self.counts)
        return _segment(self.tables.slots, aligned, pair_sums, samples)


class MultispinWord:
    """64 replicas in the bits of one word (:mod:`~exactspin.montecarlo.network_multispin`).

    Streams as for :class:`SingleChain`: the first child of ``sequence`` draws the 64 initial
    states, the second seeds the word's xoshiro256++ generator.
    """

    replicas = WORD_BITS
    chunk_steps = WORD_CHUNK_STEPS

    def __init__(
        self,
        model: ClassicalModel | Lattice,
        sequence: np.random.SeedSequence,
        pairs: Sequence[tuple[int, int]],
    ) -> None:
        lattice = as_lattice(model)
        start_sequence, stream_sequence = sequence.spawn(2)
        self.sites = lattice.sites
        self.spins, self.demon_low, self.demon_high = network_multispin.initial_words(
            lattice, start_sequence
        )
        self.generator = word_generator_state(stream_sequence)
        self.tables = shared_word_tables(lattice)
        self.pairs = _pair_array(pairs)
        self.counters = np.zeros(network_multispin.counter_count(self.tables), dtype=np.int32)

    def advance(self, steps: int) -> Segment:
        """Run ``steps`` (at most :attr:`chunk_steps`) steps of all 64 replicas."""
        pair_sums = np.zeros(len(self.pairs), dtype=np.int64)
        self.counters[:] = 0
        interval = self.sites if len(self.pairs) else max(steps, 1)
        samples = network_multispin.advance_word(
            self.tables,
            steps,
            interval,
            self.generator,
            self.spins,
            self.demon_low,
            self.demon_high,
            self.counters,
            self.pairs,
            pair_sums,
        )
        aligned = network_multispin.slot_alignments(self.tables, self.counters)
        return _segment(self.tables.slots, aligned, pair_sums, samples)
