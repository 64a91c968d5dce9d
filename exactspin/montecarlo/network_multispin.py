"""Multispin coding on any classical network: 64 replicas in the bits of one word, any degree.

As in :mod:`~exactspin.montecarlo.multispin` (the ring's word kernel): bit k of ``spins[i]`` is
the spin of site i in replica k; all replicas share the random site sequence and draw
independent acceptance bits. A flip's energy change depends on the site only through its
alignment pattern (bit j set when the site is anti-aligned with slot j's neighbour, slots as in
:mod:`~exactspin.montecarlo.network_kernel`: bonds in bond order, then the field as a bond to a
ghost spin that is always down), dE = 2 sum_j J_j (1 - 2 a_j) (Eq. 3 on a network). Per step the
kernel selects, per replica, the table entry of its pattern by a tree of bitwise multiplexers
(2^K - 1 operations for K slots): Q2R and certain Metropolis flips are one tree, fractional
Metropolis probabilities compare round(p 2^55) with 55-bit uniforms: the top 16 bits of all 64
at once (per-pattern thresholds blended into 64 half-words,
:mod:`~exactspin.montecarlo.halfwords`), then, for replicas that tie, main-stream words most
significant first (one tree per word); CCA demons are two bit planes updated by one tree per
demon level.

Exactly two bonds at every site and no field (every ring) runs the ring's kernel
:func:`~exactspin.montecarlo.multispin.run_word` on these tables, which it reads the same way
(its four pattern masks in registers); other networks run :func:`run_network_word`. Both draw
the same words for the same state, so on a ring both give the same chain. Counters: per site the
accepted flips, and per slot those where the site was anti-aligned with that slot's neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from exactspin.classical.model import DEMON_LEVELS
from exactspin.montecarlo.bits import population_count
from exactspin.montecarlo.halfwords import (
    HALF_BITS,
    LANES,
    POSITION,
    STEPS_PER_CHECK,
    WORD_GENERATOR_WORDS,
    blend_thresholds,
    compare_thresholds,
    ensure_lane_steps,
    next_lane_step,
)
from exactspin.montecarlo.kernel import ALWAYS, THRESHOLD_BITS
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.multispin import CERTAIN, DEMON, METROPOLIS, run_word
from exactspin.montecarlo.network_kernel import (
    MAX_CCA_DEGREE,
    Slots,
    _site_classes,
    flip_outcome,
    slots,
)
from exactspin.montecarlo.rng import next_word, scale_word

_ALL = np.uint64(2**64 - 1)
#: Largest degree (slots per site) of the word kernel: a tree over 2^K patterns per step.
MAX_WORD_DEGREE = 8


@dataclass(frozen=True)
class NetworkWordTables:
    """What the word kernels read besides the state (arrays read-only).

    Attributes
    ----------
    slots : Slots
    site_class : (N,) uint8 (uint32 beyond 256 classes); kind : (C,) uint8
        Class of every site; CERTAIN, METROPOLIS or DEMON per class.
    neighbours : (N, K) uint32
        Slot j's neighbour (the ghost N, whose word stays 0, for fields and padding).
    certain : (C, 2^K) uint64
        All ones where a flip from that pattern is always accepted.
    thresholds : (C, 2^K) uint64
        round(p 2^55) where 0 < p < 1, else 0.
    demon_accept, demon_low_new, demon_high_new : (C, 2^K, 4) uint64
        All ones where a CCA flip from (pattern, demon d) is accepted, and the new demon's bits.
    """

    slots: Slots
    site_class: np.ndarray
    kind: np.ndarray
    neighbours: np.ndarray
    certain: np.ndarray
    thresholds: np.ndarray
    demon_accept: np.ndarray
    demon_low_new: np.ndarray
    demon_high_new: np.ndarray

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if name != "slots":
                getattr(self, name).setflags(write=False)

    @property
    def width(self) -> int:
        return self.neighbours.shape[1]


def word_tables(lattice: Lattice) -> NetworkWordTables:
    """The :class:`NetworkWordTables` of ``lattice``."""
    site_slots = slots(lattice)
    width = site_slots.width
    if width > MAX_WORD_DEGREE:
        from exactspin.validation import ParameterError

        raise ParameterError(
            "replicas",
            f"multispin on a site with {width} bonds and fields",
            f"single chains (replicas < 64), or at most {MAX_WORD_DEGREE} per site",
        )
    if lattice.dynamics == "cca" and width > MAX_CCA_DEGREE:
        from exactspin.validation import ParameterError

        raise ParameterError(
            "bonds", f"a site with {width} bonds and fields", f"at most {MAX_CCA_DEGREE} for CCA"
        )
    classes, representatives = _site_classes(lattice, site_slots)
    temperatures = dict(
        zip(lattice.bath_sites.tolist(), lattice.bath_temperatures.tolist(), strict=True)
    )
    demon_sites = set(lattice.demon_sites.tolist())
    count, patterns = len(representatives), 2**width
    certain = np.zeros((count, patterns), dtype=np.uint64)
    thresholds = np.zeros((count, patterns), dtype=np.uint64)
    shape = (count, patterns, DEMON_LEVELS)
    accept, low, high = (np.zeros(shape, dtype=np.uint64) for _ in range(3))
    kind = np.full(count, CERTAIN, dtype=np.uint8)
    for site_class, site in enumerate(representatives.tolist()):
        couplings = site_slots.couplings[site].tolist()  # padding has J = 0
        temperature = temperatures.get(site)
        has_demon = site in demon_sites
        if has_demon:
            kind[site_class] = DEMON
        for pattern in range(patterns):
            # Spin up; each neighbour up when aligned (bit clear), down when anti-aligned. The
            # energy depends on alignments only, so this covers the spin-down replicas too.
            neighbour_spins = [-1 if (pattern >> j) & 1 else 1 for j in range(width)]
            if has_demon:
                for demon in range(DEMON_LEVELS):
                    probability, after = flip_outcome(
                        couplings, None, lattice.demon_unit, 1, neighbour_spins, demon
                    )
                    if probability == 1.0:
                        accept[site_class, pattern, demon] = _ALL
                        low[site_class, pattern, demon] = _ALL if after & 1 else 0
                        high[site_class, pattern, demon] = _ALL if after & 2 else 0
                continue
            probability, _ = flip_outcome(couplings, temperature, None, 1, neighbour_spins, 0)
            threshold = min(ALWAYS, round(probability * ALWAYS))
            if threshold == ALWAYS:
                certain[site_class, pattern] = _ALL
            elif threshold > 0:
                thresholds[site_class, pattern] = threshold
                kind[site_class] = METROPOLIS
    return NetworkWordTables(
        slots=site_slots,
        site_class=classes.astype(np.uint8 if count <= 2**8 else np.uint32),
        kind=kind,
        neighbours=site_slots.neighbours.astype(np.uint32),
        certain=certain,
        thresholds=thresholds,
        demon_accept=accept,
        demon_low_new=low,
        demon_high_new=high,
    )


def initial_words(
    lattice: Lattice, sequence: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(spins, demon low bits, demon high bits), N + 1 words each (the ghost last, zero).

    64 independent uniformly random states, drawn as
    :func:`~exactspin.montecarlo.multispin.initial_words` draws them on the ring.
    """
    generator = np.random.default_rng(sequence)
    words = lattice.sites + 1
    spins = np.zeros(words, dtype=np.uint64)
    spins[:-1] = generator.integers(0, 2**64, size=lattice.sites, dtype=np.uint64)
    low = np.zeros(words, dtype=np.uint64)
    high = np.zeros(words, dtype=np.uint64)
    demon_sites = lattice.demon_sites
    if len(demon_sites):
        count = len(demon_sites)
        low[demon_sites] = generator.integers(0, 2**64, size=count, dtype=np.uint64)
        high[demon_sites] = generator.integers(0, 2**64, size=count, dtype=np.uint64)
    return spins, low, high


def kernel_arrays(tables: NetworkWordTables) -> tuple[np.ndarray, ...]:
    """The table arguments of the word kernels, in their order."""
    return (
        tables.site_class,
        tables.kind,
        tables.neighbours,
        tables.certain,
        tables.thresholds,
        tables.demon_accept,
        tables.demon_low_new,
        tables.demon_high_new,
    )


def counter_count(tables: NetworkWordTables) -> tuple[int, int]:
    """Shape of the kernels' ``counters``: (N, 1 + K)."""
    return tables.neighbours.shape[0], 1 + tables.width


def slot_alignments(tables: NetworkWordTables, counters: np.ndarray) -> np.ndarray:
    """Net aligned flips sum s_i t_j of every slot, flat (N K,), from the word counters."""
    counters = np.asarray(counters, dtype=np.int64)
    return (counters[:, :1] - 2 * counters[:, 1:]).ravel()


@numba.njit(inline="always", cache=True)
def _tree(scratch, count, anti, width):
    """Reduce ``scratch[:count]`` (one mask per pattern) to the word taking, in each replica,
    the mask of that replica's pattern (bit j of the pattern from ``anti[j]``)."""
    for j in range(width):
        selector = anti[j]
        count >>= 1
        for q in range(count):
            clear = scratch[2 * q]
            scratch[q] = clear ^ ((scratch[2 * q + 1] ^ clear) & selector)
    return scratch[0]


@numba.njit(inline="always", cache=True)
def _pattern_mask(anti, width, pattern):
    """The replicas whose alignment pattern is ``pattern`` (bit j: anti-aligned with slot j)."""
    mask = ~np.uint64(0)
    for j in range(width):
        mask &= anti[j] if (pattern >> j) & 1 else ~anti[j]
    return mask


@numba.njit(cache=True, nogil=True)
def run_network_word(
    steps,
    sample_interval,
    generator,
    spins,
    demon_low,
    demon_high,
    site_class,
    kind,
    neighbours,
    certain,
    thresholds,
    demon_accept,
    demon_low_new,
    demon_high_new,
    counters,
    pairs,
    pair_sums,
):
    """Advance the 64 replicas of one word by ``steps`` steps on any network, in place.

    Arguments as :func:`~exactspin.montecarlo.multispin.run_word` with K slots per site
    (:class:`NetworkWordTables`), ``spins``, ``demon_low``, ``demon_high`` of length N + 1 (the
    ghost word last, always 0) and ``counters`` of shape (N, 1 + K). The words drawn are the
    ring kernel's: one main-stream word for the site, then, at a Metropolis site, one lane step
    for the uniforms' top 16 bits and, while replicas tie, one main-stream word per further
    threshold bit, most significant first.
    """
    if generator.shape[0] != WORD_GENERATOR_WORDS:
        raise ValueError("generator: a word kernel needs a word generator (word_generator_state)")
    count = np.uint64(spins.shape[0] - 1)
    width = neighbours.shape[1]
    patterns = 1 << width
    zero = np.uint64(0)
    one = np.uint64(1)
    anti = np.zeros(width, dtype=np.uint64)
    scratch = np.zeros(patterns, dtype=np.uint64)
    limits = np.zeros(LANES, dtype=np.uint64)
    tail = np.uint64(THRESHOLD_BITS - HALF_BITS)
    s0, s1, s2, s3 = generator[0], generator[1], generator[2], generator[3]
    position = np.int64(generator[POSITION])
    samples = 0
    done = 0
    while done < steps:
        block = min(sample_interval, steps - done)
        for first in range(0, block, STEPS_PER_CHECK):
            position = ensure_lane_steps(generator, position)
            for _ in range(min(STEPS_PER_CHECK, block - first)):
                word, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
                site = scale_word(word, count)[0]
                own_class = site_class[site]
                site_kind = kind[own_class]
                spin = spins[site]
                for j in range(width):
                    anti[j] = spin ^ spins[neighbours[site, j]]
                if site_kind == DEMON:
                    low = demon_low[site]
                    high = demon_high[site]
                    flipped = zero
                    new_low = zero
                    new_high = zero
                    for d in range(4):
                        level = (low if d & 1 else ~low) & (high if d & 2 else ~high)
                        for p in range(patterns):
                            scratch[p] = demon_accept[own_class, p, d]
                        flipped |= level & _tree(scratch, patterns, anti, width)
                        for p in range(patterns):
                            scratch[p] = demon_low_new[own_class, p, d]
                        new_low |= level & _tree(scratch, patterns, anti, width)
                        for p in range(patterns):
                            scratch[p] = demon_high_new[own_class, p, d]
                        new_high |= level & _tree(scratch, patterns, anti, width)
                    demon_low[site] = (low & ~flipped) | new_low
                    demon_high[site] = (high & ~flipped) | new_high
                else:
                    for p in range(patterns):
                        scratch[p] = certain[own_class, p]
                    flipped = _tree(scratch, patterns, anti, width)
                    if site_kind == METROPOLIS:
                        for p in range(patterns):
                            scratch[p] = zero - np.uint64(thresholds[own_class, p] != 0)
                        undecided = _tree(scratch, patterns, anti, width)
                        # First stage: the top 16 bits of every replica's threshold against the
                        # half-words of one lane step (as the ring kernel, by pattern masks).
                        limits[:] = zero
                        for p in range(patterns):
                            threshold = thresholds[own_class, p]
                            if threshold != zero:
                                blend_thresholds(
                                    limits, _pattern_mask(anti, width, p), threshold >> tail
                                )
                        offset, position = next_lane_step(position)
                        less, equal = compare_thresholds(generator, offset, limits)
                        flipped |= undecided & less
                        undecided &= equal
                        bit = tail
                        while undecided != zero and bit > zero:
                            bit -= one
                            uniform, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
                            for p in range(patterns):
                                scratch[p] = zero - ((thresholds[own_class, p] >> bit) & one)
                            threshold_bits = _tree(scratch, patterns, anti, width)
                            # The first bit where u and the threshold differ decides u < threshold.
                            flipped |= undecided & threshold_bits & ~uniform
                            undecided &= ~(threshold_bits ^ uniform)
                spins[site] = spin ^ flipped
                counters[site, 0] += population_count(flipped)
                for j in range(width):
                    counters[site, 1 + j] += population_count(flipped & anti[j])
        for pair in range(pairs.shape[0]):
            differ = spins[pairs[pair, 0]] ^ spins[pairs[pair, 1]]
            pair_sums[pair] += 64 - 2 * population_count(differ)
        samples += 1
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    generator[POSITION] = position
    return samples


def uses_ring_kernel(tables: NetworkWordTables) -> bool:
    """True when every site has exactly two bonds and no field: the ring's kernel applies."""
    return tables.width == 2 and bool(np.all(tables.slots.degree == 2))


def advance_word(
    tables: NetworkWordTables,
    steps: int,
    sample_interval: int,
    generator: np.ndarray,
    spins: np.ndarray,
    demon_low: np.ndarray,
    demon_high: np.ndarray,
    counters: np.ndarray,
    pairs: np.ndarray,
    pair_sums: np.ndarray,
) -> int:
    """Run the word kernel that fits ``tables`` (state arrays of length N + 1, in place).

    The ring's kernel takes the N real words (no slot links to the ghost there).
    """
    arrays = kernel_arrays(tables)
    if uses_ring_kernel(tables):
        state = (spins[:-1], demon_low[:-1], demon_high[:-1])
        return run_word(steps, sample_interval, generator, *state, *arrays, counters, pairs,
                        pair_sums)  # fmt: skip
    return run_network_word(steps, sample_interval, generator, spins, demon_low, demon_high,
                            *arrays, counters, pairs, pair_sums)  # fmt: skip
