"""Multispin coding: 64 replicas of the random-sequential chain in the bits of one machine word.

Bit k of ``spins[i]`` is the spin of site i (1 = up) in replica k, so one step advances 64
replicas at once (Creutz's multispin coding of Q2R and CCA). All replicas of a word share the
random site sequence, and each is still a correct random-sequential chain
(docs/conventions.md, P_step = 1 + W / N_S); their acceptances are independent:

- a flip's energy change depends on the site only through its *alignment pattern*, bit j set when
  the site is anti-aligned with its j-th neighbour: dE = 2 sum_j J_j (1 - 2 a_j) (Eq. 17), so
  one mask per pattern sorts the 64 replicas;
- Q2R bulk flips are pure bit logic (on the ring: flip iff the neighbours differ, Eq. 10);
- Metropolis at the nodes (Eq. 5): a replica with 0 < p < 1 accepts iff its 55-bit uniform u is
  below round(p 2^55). The top 16 bits of the 64 uniforms are the half-words of one step of 16
  extra xoshiro256++ lane streams, compared with the thresholds' top 16 bits in one vector
  operation (:mod:`~exactspin.montecarlo.halfwords`; on the ring the threshold follows from the
  replica's alignment parity, :func:`_run_ring_word`); a replica that ties there (probability
  2^-16) takes the next bits one main-stream word at a time, most significant first, and is
  decided at its first differing bit. p is resolved exactly as in the single-chain kernel
  (:mod:`~exactspin.montecarlo.kernel`);
- CCA demons (Eqs. 20-21) are two bit planes (a 2-bit counter per replica), updated by the
  pattern x demon table, or, at a site whose two bonds are equal (a ring's bulk), by 2-bit
  bit-sliced arithmetic with the quantum 4 J / mu (:func:`_symmetric_demon`).

Energy flows are population counts: per site, the flipped replicas and, per neighbour, the
flipped replicas that were anti-aligned with it. Neighbour lists are an (N, K) table (any degree
K, the ring has K = 2). On a Q2R ring (i -> i -+ 1) :func:`_run_ring_word` counts less: a bulk
site flips only with exactly one neighbour anti-aligned, so its flip moves energy from one bond
to the other, and every bond end's alignment follows from the nodes' counts and the bonds'
change over the run (:func:`_ring_counters`); its class, flags and neighbours are one uint32
per site. None of this changes the random words drawn.

The acceptance probabilities come from the single-chain kernel's
:func:`~exactspin.montecarlo.kernel.flip_outcome`, so both kernels run the same chain; the tests
check them against each other replica by replica and against the exact solver.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numba
import numpy as np

from exactspin.classical.model import CCA, DEMON_LEVELS, ClassicalModel
from exactspin.montecarlo.bits import population_count
from exactspin.montecarlo.halfwords import (
    HALF_BITS,
    POSITION,
    STEPS_PER_CHECK,
    check_word_generator,
    compare_by_parity,
    compare_patterns,
    ensure_lane_steps,
    next_lane_step,
)
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
#: Transient bytes per site of a ring word kernel call: the packed counts, the bond products
#: before and after, both ends' alignments and the unpacked counters (:func:`run_word`), and on
#: a CCA ring the sites' records (:mod:`~exactspin.montecarlo.demon_ring`, 32 bytes).
RING_WORD_BYTES_PER_SITE = 104
#: Site kinds: decided by the pattern alone, Metropolis with fractional probabilities, demon.
CERTAIN, METROPOLIS, DEMON = range(3)
_ALL = np.uint64(2**64 - 1)
#: Largest ring whose word kernel loads neighbours (12 bits each, with the site code in one
#: uint32 per site) instead of computing them: at N_S = 1002 loading is faster, at 100002
#: computing is 15% faster.
LOADED_NEIGHBOURS = 4096


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


@numba.njit(inline="always", cache=True)
def _sign_mask(word):
    """All ones where the top bit of ``word`` is set, else zero (an arithmetic shift)."""
    return np.uint64(np.int64(word) >> np.int64(63))


@numba.njit(inline="always", cache=True)
def _pattern_masks(anti_left, anti_right):
    """The four alignment-pattern masks (aligned both, only left, only right, anti both)."""
    return (
        ~anti_left & ~anti_right,
        anti_left & ~anti_right,
        ~anti_left & anti_right,
        anti_left & anti_right,
    )


@numba.njit(inline="always", cache=True)
def _certain_flips(anti_left, anti_right, certain, row):
    """The always-accepted flips: the pattern's entry (``certain[row + pattern]``, flat) per
    replica (two muxes)."""
    aligned_left = _mux(anti_right, certain[row + 2], certain[row])
    anti_left_entry = _mux(anti_right, certain[row + 3], certain[row + 1])
    return _mux(anti_left, anti_left_entry, aligned_left)


@numba.njit(inline="always", cache=True)
def _metropolis_flips(anti_left, anti_right, thresholds, row, generator, offset, s0, s1, s2,
                      s3):  # fmt: skip
    """Replicas whose fractional Metropolis test accepts, and the advanced main-stream state.

    A replica with threshold t = round(p 2^55) accepts iff its 55-bit uniform u < t. The top 16
    bits of the 64 uniforms are the half-words of the lane step at
    ``generator[offset:offset + 16]`` (:mod:`~exactspin.montecarlo.halfwords`; the caller takes
    the step), compared with the thresholds' top 16 bits in one vector instruction; a replica
    whose 16 bits tie with its threshold's (probability 2^-16) goes on with bit k of successive
    main-stream words as u's next bits, most significant first, and is decided at the first bit
    where u and t differ.
    """
    zero = np.uint64(0)
    m0, m1, m2, m3 = _pattern_masks(anti_left, anti_right)
    t0 = thresholds[row]
    t1 = thresholds[row + 1]
    t2 = thresholds[row + 2]
    t3 = thresholds[row + 3]
    undecided = (
        (m0 & (zero - np.uint64(t0 != zero)))
        | (m1 & (zero - np.uint64(t1 != zero)))
        | (m2 & (zero - np.uint64(t2 != zero)))
        | (m3 & (zero - np.uint64(t3 != zero)))
    )
    tail = np.uint64(THRESHOLD_BITS - HALF_BITS)
    less, equal = compare_patterns(generator, offset, m1, m2, m3, t0 >> tail, t1 >> tail,
                                   t2 >> tail, t3 >> tail)  # fmt: skip
    accepted = undecided & less
    undecided &= equal
    if undecided != zero:
        accepted, s0, s1, s2, s3 = _tail_bits(
            accepted, undecided, m0, m1, m2, m3, t0, t1, t2, t3, s0, s1, s2, s3
        )
    return accepted, s0, s1, s2, s3


@numba.njit(inline="always", cache=True)
def _tail_bits(accepted, undecided, m0, m1, m2, m3, t0, t1, t2, t3, s0, s1, s2, s3):
    """Decide the replicas that tied on the top 16 bits by the thresholds' other 39 bits, one
    main-stream word per bit (a rare call: not inlined)."""
    zero = np.uint64(0)
    one = np.uint64(1)
    align = np.uint64(WORD_BITS - THRESHOLD_BITS + HALF_BITS)
    t0 <<= align
    t1 <<= align
    t2 <<= align
    t3 <<= align
    remaining = THRESHOLD_BITS - HALF_BITS
    while undecided != zero and remaining > 0:
        remaining -= 1
        uniform, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
        threshold_bits = (
            (m0 & _sign_mask(t0))
            | (m1 & _sign_mask(t1))
            | (m2 & _sign_mask(t2))
            | (m3 & _sign_mask(t3))
        )
        # The first bit where u and the threshold differ decides u < threshold.
        accepted |= undecided & threshold_bits & ~uniform
        undecided &= ~(threshold_bits ^ uniform)
        t0 <<= one
        t1 <<= one
        t2 <<= one
        t3 <<= one
    return accepted, s0, s1, s2, s3


#: Layout of one class's row of the packed class table of :func:`_run_ring_word`: flags, the
#: parity entries, the even pair's selector, the four pattern entries of ``certain``, the four
#: thresholds, the odd pair's selector, and from :data:`_HALF_VECTORS` the top 16 bits of the
#: even and the odd pair's fractional threshold, 64 copies each (:func:`_class_rows`).
_FLAGS, _EVEN, _ODD, _SELECT_EVEN, _CERTAIN, _THRESHOLDS, _SELECT_ODD = 0, 1, 2, 3, 4, 8, 12
_HALF_VECTORS, _ROW_SHIFT = 16, 6
_ROW = 2**_ROW_SHIFT
_PARITY_FLAG, _METROPOLIS_FLAG = 1, 2
#: Bits of a site code of :func:`_run_ring_word` below the class.
_PARITY_CODE, _CONSERVING_CODE, _CODE_SHIFT = 1, 2, 2


@numba.njit(inline="always", cache=True, nogil=True)
def _run_ring_word(
    steps,
    sample_interval,
    generator,
    spins,
    site_info,
    load_neighbours,
    classes,
    counts,
    pairs,
    pair_sums,
):
    """:func:`run_word` on the ring i -> (i - 1, i + 1 mod N) without demons (Q2R rings).

    ``classes`` holds one row of 64 words per class (:func:`_class_rows`). ``site_info[i]``
    holds the site's code and, with ``load_neighbours``, its neighbours
    (:class:`RingWordTables`). A parity site accepts by the parity of its alignment pattern
    alone (every Q2R bulk site): one multiplexer on anti_left ^ anti_right. Other classes take
    the pattern table and, with the Metropolis flag, one lane step.

    The Metropolis test uses the ring's symmetry: without fields, a flip from the alignment
    pattern (a_left, a_right) and one from (1 - a_left, 1 - a_right) change the energy by
    opposite amounts (Eq. 17), so of each pair, {aligned both, anti both} ("even") and {only
    left, only right} ("odd"), at most one pattern has 0 < p < 1. A replica's threshold thus
    follows from its parity anti_left ^ anti_right alone: one blend of the class's two rows of
    thresholds by the parity (:func:`~exactspin.montecarlo.halfwords.compare_by_parity`), and
    the comparison counts where the replica's pattern is its pair's fractional one (a pair's
    selector picks that pattern from anti_left). If any half-word ties with its threshold
    (probability at most 64 x 2^-16 per step), :func:`_metropolis_flips` decides the step again
    from the same lane step and the main stream, as the other word kernels do, so every kernel
    draws the same words and takes the same steps.

    ``counts[i]`` (int64) gathers site i's accepted flips in its low 32 bits and those
    anti-aligned with the right neighbour in its high 32 bits (one read-modify-write per step),
    except at conserving sites (flips only with exactly one neighbour anti-aligned, so a flip
    moves energy from one bond to the other and the alignments follow from the bonds,
    :func:`_ring_counters`). Neighbours come with the code or are computed, and the tables are
    one array: few pointers, so the loop keeps more in registers.
    """
    count = np.uint64(spins.shape[0])
    one = np.uint64(1)
    last = count - one
    high = np.uint64(32)
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
                info = np.uint64(site_info[site])
                code = info & np.uint64(255)
                if load_neighbours:
                    left = (info >> np.uint64(8)) & np.uint64(4095)
                    right = info >> np.uint64(20)
                else:
                    left = site - one if site != 0 else last
                    right = site + one if site != last else np.uint64(0)
                row = (code >> np.uint64(_CODE_SHIFT)) << np.uint64(_ROW_SHIFT)
                spin = spins[site]
                anti_left = spin ^ spins[left]
                anti_right = spin ^ spins[right]
                if code & np.uint64(_CONSERVING_CODE):
                    # Conserving (so parity, with no flips at even parity): nothing to count.
                    spins[site] = spin ^ ((anti_left ^ anti_right) & classes[row + _ODD])
                    continue
                if code & np.uint64(_PARITY_CODE):
                    flipped = _mux(
                        anti_left ^ anti_right, classes[row + _ODD], classes[row + _EVEN]
                    )
                    spins[site] = spin ^ flipped
                else:
                    flags = classes[row]
                    flipped = _certain_flips(anti_left, anti_right, classes, row + _CERTAIN)
                    if flags & np.uint64(_METROPOLIS_FLAG):
                        offset, position = next_lane_step(position)
                        odd = anti_left ^ anti_right
                        less, equal = compare_by_parity(
                            generator, offset, odd, classes, row + _HALF_VECTORS
                        )
                        fractional = (~odd & (anti_left ^ classes[row + _SELECT_EVEN])) | (
                            odd & (anti_left ^ classes[row + _SELECT_ODD])
                        )
                        if equal == np.uint64(0):
                            flipped |= fractional & less
                        else:
                            accepted, s0, s1, s2, s3 = _metropolis_flips(
                                anti_left, anti_right, classes, row + _THRESHOLDS, generator,
                                offset, s0, s1, s2, s3,
                            )  # fmt: skip
                            flipped |= accepted
                    spins[site] = spin ^ flipped
                counts[site] += population_count(flipped) | (
                    population_count(flipped & anti_right) << high
                )
        samples += _sample_pairs(spins, pairs, pair_sums)
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    generator[POSITION] = position
    return samples


@numba.njit(cache=True, nogil=True)
def _run_ring_word_loaded(
    steps, sample_interval, generator, spins, site_info, classes, counts, pairs, pair_sums
):
    """:func:`_run_ring_word` compiled for neighbours loaded with the site code."""
    return _run_ring_word(steps, sample_interval, generator, spins, site_info, True, classes,
                          counts, pairs, pair_sums)  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _run_ring_word_computed(
    steps, sample_interval, generator, spins, site_info, classes, counts, pairs, pair_sums
):
    """:func:`_run_ring_word` compiled for neighbours computed from the site index."""
    return _run_ring_word(steps, sample_interval, generator, spins, site_info, False, classes,
                          counts, pairs, pair_sums)  # fmt: skip


def _class_rows(kind, certain, thresholds) -> np.ndarray | None:
    """The packed class table of :func:`_run_ring_word`, uint64[64 C], or None when a class
    has fractional thresholds at both patterns of a pair (not a ring without fields).

    A class gets the parity flag when it is not Metropolis and its pattern entries (aligned
    both, only left, only right, anti both) read (even, odd, odd, even); the pairs' selectors
    and threshold rows are :func:`parity_threshold_rows`'.
    """
    kind = np.asarray(kind)
    certain = np.asarray(certain).reshape(len(kind), 4)
    rows = np.zeros((len(kind), _ROW), dtype=np.uint64)
    parity = (kind != METROPOLIS) & (certain[:, 0] == certain[:, 3])
    parity &= certain[:, 1] == certain[:, 2]
    rows[:, _FLAGS] = parity * _PARITY_FLAG + (kind == METROPOLIS) * _METROPOLIS_FLAG
    rows[:, _EVEN] = certain[:, 0]
    rows[:, _ODD] = certain[:, 1]
    rows[:, _CERTAIN : _CERTAIN + 4] = certain
    rows[:, _THRESHOLDS : _THRESHOLDS + 4] = np.asarray(thresholds).reshape(len(kind), 4)
    parity = parity_threshold_rows(thresholds)
    if parity is None:
        return None
    rows[:, _SELECT_EVEN], rows[:, _SELECT_ODD] = parity[0].T
    rows[:, _HALF_VECTORS : _HALF_VECTORS + 32] = parity[1]
    return rows.ravel()


def parity_threshold_rows(thresholds) -> tuple[np.ndarray, np.ndarray] | None:
    """Per class, the pattern pairs' selectors (C, 2) and the two rows of 64 copies of the
    pairs' fractional thresholds' top 16 bits (C, 32 words: even pair, then odd pair) that
    :func:`~exactspin.montecarlo.halfwords.compare_by_parity` reads; None when a class has
    fractional thresholds at both patterns of a pair.

    Patterns: 0 aligned both, 1 anti-aligned only with the left neighbour, 2 only with the
    right, 3 both. A pair's selector is all ones where its fractional pattern (or, with none,
    any) is 0 (even pair {0, 3}) or 2 (odd pair {1, 2}): the kernel forms the replicas in that
    pattern as ~parity & (anti_left ^ selector) and parity & (anti_left ^ selector).
    """
    thresholds = np.asarray(thresholds, dtype=np.uint64).reshape(-1, 4)
    classes = len(thresholds)
    fractional = thresholds != 0
    if (fractional[:, 0] & fractional[:, 3]).any() or (fractional[:, 1] & fractional[:, 2]).any():
        return None
    selectors = np.zeros((classes, 2), dtype=np.uint64)
    selectors[:, 0] = np.where(fractional[:, 3], np.uint64(0), _ALL)
    selectors[:, 1] = np.where(fractional[:, 2], _ALL, np.uint64(0))
    vectors = np.zeros((classes, 32), dtype=np.uint64)
    tail = np.uint64(THRESHOLD_BITS - HALF_BITS)
    for pair, (first, second) in enumerate(((0, 3), (1, 2))):
        half = ((thresholds[:, first] | thresholds[:, second]) >> tail).astype(np.uint16)
        vectors[:, 16 * pair : 16 * (pair + 1)] = (
            np.repeat(half, 64).view(np.uint64).reshape(classes, 16)
        )
    return selectors, vectors


@dataclass(frozen=True)
class RingWordTables:
    """What :func:`_run_ring_word` reads besides the state.

    Attributes
    ----------
    classes : (C 2^_ROW_SHIFT,) uint64
        The packed class rows (:func:`_class_rows`).
    site_info : (N,) uint32
        Per site ``code | left << 8 | right << 20`` (code = ``class << 2 | conserving << 1 |
        parity``), the neighbours only on rings of at most :data:`LOADED_NEIGHBOURS` sites.
    conserving : (N,) bool
        Sites whose flips are not counted (see :func:`_ring_counters`).
    load_neighbours : bool
    """

    classes: np.ndarray
    site_info: np.ndarray
    conserving: np.ndarray
    load_neighbours: bool


#: Classes a ring word kernel's site code holds (6 bits).
MAX_RING_CLASSES = 2**6


def ring_word_tables(site_class, neighbours, kind, certain, thresholds) -> RingWordTables | None:
    """The :class:`RingWordTables` of a ring i -> (i - 1, i + 1 mod N) without demons, or None
    (another graph, demons, or too many classes), cached per read-only ``site_class`` array."""
    key = (id(site_class), id(neighbours))
    cached = _RING_TABLES.get(key)
    if cached is not None and cached[0]() is site_class and cached[1]() is neighbours:
        return cached[2]
    tables = _ring_word_tables(site_class, neighbours, kind, certain, thresholds)
    if not site_class.flags.writeable and not neighbours.flags.writeable:
        _RING_TABLES[key] = (weakref.ref(site_class), weakref.ref(neighbours), tables)
        weakref.finalize(site_class, _RING_TABLES.pop, key, None)
    return tables


def _demon_fast(demon_accept, demon_low_new, demon_high_new, kind) -> np.ndarray:
    """:func:`demon_fast_codes` for demon classes (0 elsewhere), cached per read-only table."""
    key = id(demon_accept)
    cached = _DEMON_CODES.get(key)
    if cached is not None and cached[0]() is demon_accept:
        return cached[1]
    codes = demon_fast_codes(demon_accept, demon_low_new, demon_high_new)
    codes[np.asarray(kind) != DEMON] = 0
    if not demon_accept.flags.writeable:
        _DEMON_CODES[key] = (weakref.ref(demon_accept), codes)
        weakref.finalize(demon_accept, _DEMON_CODES.pop, key, None)
    return codes


#: id(demon_accept) -> (weak reference to it, codes).
_DEMON_CODES: dict = {}


#: (id(site_class), id(neighbours)) -> (weak references to both, tables or None).
_RING_TABLES: dict = {}


def _ring_word_tables(site_class, neighbours, kind, certain, thresholds) -> RingWordTables | None:
    sites = len(site_class)
    kind = np.asarray(kind)
    if (
        sites <= 2
        or (kind == DEMON).any()
        or len(kind) > MAX_RING_CLASSES
        or not np.array_equal(neighbours, ring_neighbours(sites))
    ):
        return None
    classes = _class_rows(kind, certain, thresholds)
    if classes is None:
        return None
    parity = (classes[_FLAGS::_ROW] & np.uint64(_PARITY_FLAG)) != 0
    # Flips only where exactly one neighbour is anti-aligned: A_left + A_right = 0 at the site.
    conserving = parity & (classes[_EVEN::_ROW] == 0)
    classes_of_sites = np.asarray(site_class)
    if conserving[classes_of_sites].all():
        conserving[:] = False  # nothing counted to start the bonds from: count everywhere
    code = np.arange(len(kind), dtype=np.uint32) << _CODE_SHIFT
    code += (parity * _PARITY_CODE + conserving * _CONSERVING_CODE).astype(np.uint32)
    site_info = code[classes_of_sites]
    load = sites <= LOADED_NEIGHBOURS
    if load:
        pairs = np.asarray(neighbours, dtype=np.uint32)
        site_info = site_info | (pairs[:, 0] << np.uint32(8)) | (pairs[:, 1] << np.uint32(20))
    return RingWordTables(
        classes=classes,
        site_info=site_info.astype(np.uint32),
        conserving=conserving[classes_of_sites],
        load_neighbours=load,
    )


@numba.njit(cache=True)
def _bond_products(spins):
    """Sum over replicas of s_i s_{i+1} for every bond (i, i+1 mod N) of a ring, int64[N]."""
    sites = spins.shape[0]
    products = np.empty(sites, dtype=np.int64)
    for site in range(sites):
        differ = spins[site] ^ spins[(site + 1) % sites]
        products[site] = 64 - 2 * population_count(differ)
    return products


@numba.njit(inline="always", cache=True)
def _symmetric_demon(anti_left, anti_right, low, high, code):
    """(flipped, demon low bits, demon high bits) of a CCA site whose two bonds are equal.

    With J_left = J_right a flip with exactly one neighbour anti-aligned moves no energy
    (always accepted, demon unchanged); aligned with both it takes k = 4 J / mu quanta from the
    demon, anti-aligned with both it gives k (Eqs. 20-21; roles swapped for k < 0). ``code`` is
    8 + 4 (k < 0) + |k| with |k| in 1..3, or 8 when |k| >= 4 or 4 J / mu is not an integer (only
    the neutral flips). Bit-sliced 2-bit demon d = 2 high + low: d >= k, d + k <= 3 and d -+ k
    as 2-bit comparisons, a borrow and a carry, with k's bits as words (no branch on k).
    """
    zero = np.uint64(0)
    # k's two bits and the sign as whole words, so the update has no branch (a ring's two
    # branches have different quanta, and a branch on k would be mispredicted half the time).
    k0 = zero - (code & np.uint64(1))
    k1 = zero - ((code >> np.uint64(1)) & np.uint64(1))
    negative = zero - ((code >> np.uint64(2)) & np.uint64(1))
    return symmetric_demon_words(anti_left, anti_right, low, high, k0, k1, negative, k0 | k1)


@numba.njit(inline="always", cache=True)
def symmetric_demon_words(anti_left, anti_right, low, high, k0, k1, negative, active):
    """:func:`_symmetric_demon` with k's bits, its sign and "any quantum" (k0 | k1) given as
    words (all ones or zero), as a kernel may keep them per class."""
    neutral = anti_left ^ anti_right
    aligned_both = ~anti_left & ~anti_right
    anti_both = anti_left & anti_right
    take = _mux(negative, anti_both, aligned_both) & active
    give = _mux(negative, aligned_both, anti_both) & active
    # d >= k (take k) and 3 - d >= k (give k), with 3 - d = ~d in two bits.
    taken = take & ((high & ~k1) | (~(high ^ k1) & (low | ~k0)))
    given = give & ((~high & ~k1) | (~(high ^ ~k1) & (~low | ~k0)))
    changed = taken | given
    # d - k (borrow from the low bit) and d + k (carry), bit by bit.
    low_after = low ^ k0
    high_down = high ^ k1 ^ (~low & k0)
    high_up = high ^ k1 ^ (low & k0)
    new_low = _mux(changed, low_after, low)
    new_high = _mux(taken, high_down, _mux(given, high_up, high))
    return neutral | changed, new_low, new_high


def demon_fast_codes(demon_accept, demon_low_new, demon_high_new) -> np.ndarray:
    """Per class, the :func:`_symmetric_demon` code that reproduces its demon tables, else 0.

    Each candidate code is checked against the tables on all 16 (pattern, demon) cases at once
    (one bit each), so the fast path runs only where it is the table's rule.
    """
    case = np.arange(16, dtype=np.uint64)
    pattern, demon = case // np.uint64(4), case % np.uint64(4)

    def word(bits):
        return np.uint64((bits.astype(np.uint64) << case).sum(dtype=np.uint64))

    anti_left, anti_right = word(pattern & 1), word(pattern >> 1 & 1)
    low, high = word(demon & 1), word(demon >> 1 & 1)
    codes = np.zeros(demon_accept.shape[0], dtype=np.uint8)
    for site_class in range(demon_accept.shape[0]):
        accept = demon_accept[site_class][pattern, demon] != 0
        expected = (
            word(accept),
            word(np.where(accept, demon_low_new[site_class][pattern, demon] != 0, demon & 1)),
            word(np.where(accept, demon_high_new[site_class][pattern, demon] != 0, demon >> 1)),
        )
        for code in range(8, 16):
            got = _symmetric_demon(anti_left, anti_right, low, high, np.uint64(code))
            if all(int(a) & 0xFFFF == int(b) for a, b in zip(got, expected, strict=True)):
                codes[site_class] = code
                break
    return codes


@numba.njit(cache=True, nogil=True)
def _run_demon_word(
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
    demon_fast,
    counters,
    pairs,
    pair_sums,
):
    """:func:`run_word` with CCA demons (``neighbours``, ``certain``, ``thresholds`` and
    ``counters`` flat)."""
    count = np.uint64(spins.shape[0])
    zero = np.uint64(0)
    one = np.uint64(1)
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
                own_class = np.uint64(site_class[site])
                site_kind = kind[own_class]
                spin = spins[site]
                anti_left = spin ^ spins[neighbours[site << one]]
                anti_right = spin ^ spins[neighbours[(site << one) + one]]
                fast = demon_fast[own_class]
                if fast:
                    low = demon_low[site]
                    high = demon_high[site]
                    flipped, new_low, new_high = _symmetric_demon(
                        anti_left, anti_right, low, high, fast
                    )
                    demon_low[site] = new_low
                    demon_high[site] = new_high
                elif site_kind == DEMON:
                    aligned_both, only_left, only_right, anti_both = _pattern_masks(
                        anti_left, anti_right
                    )
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
                    row = own_class << np.uint64(2)
                    flipped = _certain_flips(anti_left, anti_right, certain, row)
                    if site_kind == METROPOLIS:
                        offset, position = next_lane_step(position)
                        accepted, s0, s1, s2, s3 = _metropolis_flips(
                            anti_left,
                            anti_right,
                            thresholds,
                            row,
                            generator,
                            offset,
                            s0,
                            s1,
                            s2,
                            s3,
                        )
                        flipped |= accepted
                spins[site] = spin ^ flipped
                base = site * np.uint64(3)
                counters[base] += population_count(flipped)
                counters[base + one] += population_count(flipped & anti_left)
                counters[base + np.uint64(2)] += population_count(flipped & anti_right)
        samples += _sample_pairs(spins, pairs, pair_sums)
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    generator[POSITION] = position
    return samples


@numba.njit(inline="always", cache=True)
def _sample_pairs(spins, pairs, pair_sums):
    """Add sum over replicas of s_a s_b of every pair to ``pair_sums``; returns 1 (one sample)."""
    for pair in range(pairs.shape[0]):
        differ = spins[pairs[pair, 0]] ^ spins[pairs[pair, 1]]
        pair_sums[pair] += 64 - 2 * population_count(differ)
    return 1


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
        Word generator (:func:`~exactspin.montecarlo.halfwords.word_generator_state`), advanced
        in place: one main-stream word picks the site; a step at a Metropolis site takes one
        lane step (the uniforms' top 16 bits) and, where replicas tie, main-stream words.
    spins, demon_low, demon_high : uint64[N]
        Spin bits and the two bit planes of the demons, one bit per replica.
    site_class, kind, neighbours, certain, thresholds, demon_accept, demon_low_new,
    demon_high_new
        See :class:`WordTables`; this kernel takes degree K = 2 (the ring).
    counters : int32[N, 1 + K]
        Per site, summed over replicas: column 0 the accepted flips, column 1 + j those of them
        where the site was anti-aligned with neighbour j before the flip; on a Q2R ring, at
        energy-conserving sites, counts with the same alignments column 0 - 2 column (1 + j)
        (see Notes).
    pairs : int64[P, 2]; pair_sums : int64[P]
        Sampled pairs and running sums over replicas of s_a s_b.

    Returns
    -------
    int
        Pair samples taken.

    Notes
    -----
    On a ring i -> (i - 1, i + 1) without demons (Q2R) :func:`_run_ring_word` runs (no demon
    code, one table, fewer counts; column 0 of ``counters`` then holds only the alignments'
    equivalent at energy-conserving sites, see :func:`_ring_counters`); on such a ring with
    demons (CCA) :func:`~exactspin.montecarlo.demon_ring.run_ring_demon_word` (one record per
    site, packed counts); otherwise :func:`_run_demon_word`. All draw the same words as the
    network word kernel.
    """
    check_word_generator(generator)
    # Flat views: constant strides in the loop instead of multiplications by array strides.
    flat = (np.ravel(neighbours), np.ravel(certain), np.ravel(thresholds))
    flat_counters = counters.reshape(-1)
    # On the ring i -> (i - 1, i + 1) one end of every bond suffices (see _ring_counters).
    ring = ring_word_tables(site_class, neighbours, kind, certain, thresholds)
    if ring is None:
        # The CCA ring's kernel builds on this module's bit logic, so it is imported here.
        from exactspin.montecarlo import demon_ring

        demons = demon_ring.ring_demon_tables(site_class, neighbours, kind, certain, thresholds,
                                              demon_accept, demon_low_new,
                                              demon_high_new)  # fmt: skip
        if demons is not None:
            products = _bond_products(spins)
            samples, counts = demon_ring.run_ring_demon_word(
                demons, steps, sample_interval, generator, spins, demon_low, demon_high, pairs,
                pair_sums,
            )  # fmt: skip
            no_conserving = np.zeros(spins.shape[0], dtype=np.bool_)
            counters += _ring_counters(counts, no_conserving, _bond_products(spins) - products)
            return samples
        fast = _demon_fast(demon_accept, demon_low_new, demon_high_new, kind)
        return _run_demon_word(steps, sample_interval, generator, spins, demon_low, demon_high,
                               site_class, kind, *flat, demon_accept, demon_low_new,
                               demon_high_new, fast, flat_counters, pairs,
                               pair_sums)  # fmt: skip
    products = _bond_products(spins)
    counts = np.zeros(spins.shape[0], dtype=np.int64)
    kernel = _run_ring_word_loaded if ring.load_neighbours else _run_ring_word_computed
    samples = kernel(steps, sample_interval, generator, spins, ring.site_info, ring.classes,
                     counts, pairs, pair_sums)  # fmt: skip
    counters += _ring_counters(counts, ring.conserving, _bond_products(spins) - products)
    return samples


@numba.njit(cache=True)
def _ring_counters(counts, conserving, change):
    """Counters (N, 3) int32 of :func:`run_word` from the ring kernel's packed ``counts``.

    Bond (i, i+1) changes only when i or i+1 flips, each flip by -2 s_i s_{i+1} (before), so
    over a run A_i(right) + A_{i+1}(left) = -change_i / 2, where A = flips - 2 anti-aligned
    flips is a bond end's net aligned flips and change_i the change of sum over replicas of
    s_i s_{i+1}; at a conserving site A_i(left) + A_i(right) = 0. Starting from a counted site
    (its A(right) from its counts), the bonds give every other end round the ring, exactly.
    A counted site gets its flips, anti-left and anti-right counts; a conserving site, whose
    flips were not counted, gets counters with the same alignments (column 0 = |A(left)|),
    which is all :func:`~exactspin.montecarlo.network_multispin.slot_alignments` reads.
    """
    sites = counts.shape[0]
    start = 0
    while conserving[start]:
        start += 1
    left_end = np.zeros(sites, dtype=np.int64)
    right_end = np.zeros(sites, dtype=np.int64)
    flips = counts & (2**32 - 1)
    anti_right = counts >> 32
    for step in range(sites):
        site = (start + step) % sites
        if conserving[site]:
            right_end[site] = -left_end[site]
        else:
            right_end[site] = flips[site] - 2 * anti_right[site]
        left_end[(site + 1) % sites] = -change[site] // 2 - right_end[site]
    counters = np.empty((sites, 3), dtype=np.int32)
    for site in range(sites):
        if conserving[site]:
            total = abs(left_end[site])
            counters[site, 0] = total
            counters[site, 1] = (total - left_end[site]) // 2
            counters[site, 2] = (total - right_end[site]) // 2
        else:
            counters[site, 0] = flips[site]
            counters[site, 1] = (flips[site] - left_end[site]) // 2
            counters[site, 2] = anti_right[site]
    return counters
