"""Multispin coding: 64 replicas of the random-sequential chain in the bits of one machine word.

Bit k of ``spins[i]`` is the spin of site i (1 = up) in replica k, so one step advances 64
replicas at once (Creutz's multispin coding of Q2R and CCA). All replicas of a word share the
random site sequence, and each is still a correct random-sequential chain
(docs/conventions.md, P_step = 1 + W / N_S); their acceptances are independent:

- a flip's energy change depends on the site only through its *alignment pattern*, bit j set when
  the site is anti-aligned with its j-th neighbour: dE = 2 sum_j J_j (1 - 2 a_j) (Eq. 17), so
  one mask per pattern sorts the 64 replicas;
- Q2R bulk flips are pure bit logic (on the ring: flip iff the neighbours differ, Eq. 10);
- Metropolis at the nodes (Eq. 5): replicas whose pattern has 0 < p < 1 draw the bits of a
  uniform number one word at a time, most significant first, and compare them with the bits of
  round(p 2^55) (a replica is decided at its first differing bit, so a step needs about
  log2(64) + 2 words, and only when a node is picked); p is resolved exactly as in the
  single-chain kernel (:mod:`~exactspin.montecarlo.kernel`);
- CCA demons (Eqs. 20-21) are two bit planes (a 2-bit counter per replica), updated by the
  pattern x demon table.

Energy flows are population counts: per site, the flipped replicas and, per neighbour, the
flipped replicas that were anti-aligned with it. Neighbour lists are an (N, K) table (any degree
K, the ring has K = 2). The acceptance probabilities come from the single-chain kernel's
:func:`~exactspin.montecarlo.kernel.flip_outcome`, so both kernels run the same chain; the tests
check them against each other replica by replica and against the exact solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from exactspin.classical.model import CCA, DEMON_LEVELS, ClassicalModel
from exactspin.montecarlo.bits import population_count
from exactspin.montecarlo.kernel import (
    ALWAYS,
    SITE_CLASSES,
    THRESHOLD_BITS,
    flip_outcome,
    representative_site,
    site_classes,
)
from exactspin.montecarlo.rng import next_word, scale_word

#: Replicas per word.
WORD_BITS = 64
#: Site kinds: decided by the pattern alone, Metropolis with fractional probabilities, demon.
CERTAIN, METROPOLIS, DEMON = range(3)
_ALL = np.uint64(2**64 - 1)


@dataclass(frozen=True)
class WordTables:
    """Everything the multispin kernel reads besides the state (arrays are read-only).

    Attributes
    ----------
    site_class : (N,) uint8
        Class of every site (see :func:`~exactspin.montecarlo.kernel.site_classes`).
    kind : (C,) uint8
        CERTAIN, METROPOLIS or DEMON per class.
    neighbours : (N, K) uint32
        Neighbour j of every site; on the ring j = 0 is the left and j = 1 the right neighbour.
    certain : (C, 2^K) uint64
        All ones where a flip from that alignment pattern is always accepted, else zero.
    thresholds : (C, 2^K) uint64
        round(p 2^55) where 0 < p < 1 (Metropolis), else zero.
    demon_accept, demon_low_new, demon_high_new : (C, 2^K, 4) uint64
        All ones where a CCA flip from (pattern, demon d) is accepted, and the bits of the new
        demon d - dE / mu.
    """

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
            getattr(self, name).setflags(write=False)


def ring_neighbours(sites: int) -> np.ndarray:
    """(N, 2) uint32: left and right neighbour of every site of the ring (0-based)."""
    site = np.arange(sites)
    return np.stack([(site - 1) % sites, (site + 1) % sites], axis=1).astype(np.uint32)


def word_tables(model: ClassicalModel) -> WordTables:
    """The :class:`WordTables` of a ring model."""
    degree = 2
    patterns = 2**degree
    certain = np.zeros((SITE_CLASSES, patterns), dtype=np.uint64)
    thresholds = np.zeros((SITE_CLASSES, patterns), dtype=np.uint64)
    shape = (SITE_CLASSES, patterns, DEMON_LEVELS)
    accept, low, high = (np.zeros(shape, dtype=np.uint64) for _ in range(3))
    kind = np.full(SITE_CLASSES, CERTAIN, dtype=np.uint8)
    for site_class in range(SITE_CLASSES):
        site = representative_site(model, site_class)
        if site is None:
            continue
        has_demon = model.dynamics == CCA and site in model.demon_sites
        if has_demon:
            kind[site_class] = DEMON
        for pattern in range(patterns):
            # Spin up; each neighbour up when aligned (bit clear), down when anti-aligned.
            left = -1 if pattern & 1 else 1
            right = -1 if pattern & 2 else 1
            if has_demon:
                for demon in range(DEMON_LEVELS):
                    probability, change = flip_outcome(model, site, left, 1, right, demon)
                    if probability == 1.0:
                        new = demon + change
                        accept[site_class, pattern, demon] = _ALL
                        low[site_class, pattern, demon] = _ALL if new & 1 else 0
                        high[site_class, pattern, demon] = _ALL if new & 2 else 0
                continue
            probability, _ = flip_outcome(model, site, left, 1, right, 0)
            threshold = min(ALWAYS, round(probability * ALWAYS))
            if threshold == ALWAYS:
                certain[site_class, pattern] = _ALL
            elif threshold > 0:
                thresholds[site_class, pattern] = threshold
                kind[site_class] = METROPOLIS
    return WordTables(
        site_class=site_classes(model).astype(np.uint8),
        kind=kind,
        neighbours=ring_neighbours(model.sites),
        certain=certain,
        thresholds=thresholds,
        demon_accept=accept,
        demon_low_new=low,
        demon_high_new=high,
    )


def initial_words(
    model: ClassicalModel, sequence: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(spins, demon low bits, demon high bits): 64 independent uniformly random states.

    Uniform over spins and over demons d in {0..3} on CCA bulk sites, the exact solver's default
    initial distribution (as :func:`~exactspin.montecarlo.kernel.initial_entries`).
    """
    generator = np.random.default_rng(sequence)
    words = (model.sites,)
    spins = generator.integers(0, 2**64, size=words, dtype=np.uint64, endpoint=False)
    low = np.zeros(words, dtype=np.uint64)
    high = np.zeros(words, dtype=np.uint64)
    demon_sites = list(model.demon_sites)
    if demon_sites:
        count = len(demon_sites)
        low[demon_sites] = generator.integers(0, 2**64, size=count, dtype=np.uint64)
        high[demon_sites] = generator.integers(0, 2**64, size=count, dtype=np.uint64)
    return spins, low, high


def decode_replica(
    spins: np.ndarray, low: np.ndarray, high: np.ndarray, replica: int
) -> tuple[np.ndarray, np.ndarray]:
    """(occupations, demons) of one replica (bit ``replica``) of a word state."""
    bit = np.uint64(replica)
    one = np.uint64(1)
    occupations = ((spins >> bit) & one).astype(np.int64)
    demons = ((low >> bit) & one).astype(np.int64) + 2 * ((high >> bit) & one).astype(np.int64)
    return occupations, demons


@numba.njit(inline="always", cache=True)
def _mux(selector, where_set, where_clear):
    """Bitwise multiplexer: ``where_set`` in the bits set in ``selector``, else ``where_clear``."""
    return where_clear ^ ((where_set ^ where_clear) & selector)


@numba.njit(inline="always", cache=True)
def _select(first, second, third, fourth, table, own_class, demon):
    """OR of the four pattern masks, each kept where the table's (class, pattern, demon) is set."""
    return (
        (first & table[own_class, 0, demon])
        | (second & table[own_class, 1, demon])
        | (third & table[own_class, 2, demon])
        | (fourth & table[own_class, 3, demon])
    )


@numba.njit(cache=True, nogil=True)
def run_word(
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
    """Advance the 64 replicas of one word by ``steps`` random-sequential steps, in place.

    Parameters
    ----------
    steps : int
        Steps (each advances all 64 replicas); below 2^24 so no int32 counter overflows.
    sample_interval : int
        Add sum over replicas of s_a s_b to ``pair_sums`` after each block of this many steps.
    generator : uint64[4]
        xoshiro256++ state, advanced in place: one word picks the site, and a Metropolis step
        takes further words for the acceptance bits.
    spins, demon_low, demon_high : uint64[N]
        Spin bits and the two bit planes of the demons, one bit per replica.
    site_class, kind, neighbours, certain, thresholds, demon_accept, demon_low_new,
    demon_high_new
        See :class:`WordTables`; this kernel takes degree K = 2 (the ring), with the four
        pattern masks in registers.
    counters : int32[N, 1 + K]
        Per site, summed over replicas: column 0 the accepted flips, column 1 + j those of them
        where the site was anti-aligned with neighbour j before the flip (one cache line per
        site).
    pairs : int64[P, 2]; pair_sums : int64[P]
        Sampled pairs and running sums over replicas of s_a s_b.

    Returns
    -------
    int
        Pair samples taken.
    """
    count = np.uint64(spins.shape[0])
    zero = np.uint64(0)
    one = np.uint64(1)
    s0, s1, s2, s3 = generator[0], generator[1], generator[2], generator[3]
    samples = 0
    done = 0
    while done < steps:
        block = min(sample_interval, steps - done)
        for _ in range(block):
            word, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
            site = scale_word(word, count)[0]
            own_class = site_class[site]
            site_kind = kind[own_class]
            spin = spins[site]
            anti_left = spin ^ spins[neighbours[site, 0]]
            anti_right = spin ^ spins[neighbours[site, 1]]
            aligned_both = ~anti_left & ~anti_right
            only_left = anti_left & ~anti_right
            only_right = ~anti_left & anti_right
            anti_both = anti_left & anti_right
            if site_kind == DEMON:
                low = demon_low[site]
                high = demon_high[site]
                flipped = zero
                new_low = zero
                new_high = zero
                for level, d in (
                    (~low & ~high, 0),
                    (low & ~high, 1),
                    (~low & high, 2),
                    (low & high, 3),
                ):
                    a = aligned_both & level
                    b = only_left & level
                    c = only_right & level
                    e = anti_both & level
                    flipped |= _select(a, b, c, e, demon_accept, own_class, d)
                    new_low |= _select(a, b, c, e, demon_low_new, own_class, d)
                    new_high |= _select(a, b, c, e, demon_high_new, own_class, d)
                demon_low[site] = (low & ~flipped) | new_low
                demon_high[site] = (high & ~flipped) | new_high
            else:
                # The pattern's entry, chosen per replica by two bitwise multiplexers (7 ops):
                # mux(a, x, y) = y ^ ((x ^ y) & a) takes x where a is set, else y.
                aligned_left = _mux(anti_right, certain[own_class, 2], certain[own_class, 0])
                anti_left_entry = _mux(anti_right, certain[own_class, 3], certain[own_class, 1])
                flipped = _mux(anti_left, anti_left_entry, aligned_left)
                if site_kind == METROPOLIS:
                    t0 = thresholds[own_class, 0]
                    t1 = thresholds[own_class, 1]
                    t2 = thresholds[own_class, 2]
                    t3 = thresholds[own_class, 3]
                    undecided = zero
                    if t0:
                        undecided |= aligned_both
                    if t1:
                        undecided |= only_left
                    if t2:
                        undecided |= only_right
                    if t3:
                        undecided |= anti_both
                    bit = np.uint64(THRESHOLD_BITS)
                    while undecided != zero and bit > zero:
                        bit -= one
                        uniform, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
                        threshold_bits = (
                            (aligned_both & (zero - ((t0 >> bit) & one)))
                            | (only_left & (zero - ((t1 >> bit) & one)))
                            | (only_right & (zero - ((t2 >> bit) & one)))
                            | (anti_both & (zero - ((t3 >> bit) & one)))
                        )
                        # The first bit where u and the threshold differ decides u < threshold.
                        flipped |= undecided & threshold_bits & ~uniform
                        undecided &= ~(threshold_bits ^ uniform)
            spins[site] = spin ^ flipped
            counters[site, 0] += population_count(flipped)
            counters[site, 1] += population_count(flipped & anti_left)
            counters[site, 2] += population_count(flipped & anti_right)
        for pair in range(pairs.shape[0]):
            differ = spins[pairs[pair, 0]] ^ spins[pairs[pair, 1]]
            pair_sums[pair] += 64 - 2 * population_count(differ)
        samples += 1
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    return samples
