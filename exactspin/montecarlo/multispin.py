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
  bit-sliced arithmetic with the quantum 4 J / mu (:func:`symmetric_demon`).

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

from dataclasses import dataclass

import numba
import numpy as np

from exactspin.classical.model import CCA, DEMON_LEVELS, ClassicalModel
from exactspin.montecarlo import demon_ring
from exactspin.montecarlo.array_cache import cached
from exactspin.montecarlo.bits import population_count
from exactspin.montecarlo.halfwords import (
    POSITION,
    STEPS_PER_CHECK,
    check_word_generator,
    ensure_lane_steps,
    next_lane_step,
)
from exactspin.montecarlo.kernel import (
    ALWAYS,
    SITE_CLASSES,
    flip_outcome,
    representative_site,
    site_classes,
)
from exactspin.montecarlo.rng import next_word, scale_word
from exactspin.montecarlo.wordbits import (
    ALL_ONES,
    CERTAIN,
    DEMON,
    LOADED_NEIGHBOURS,
    MAX_RING_CLASSES,
    METROPOLIS,
    WORD_BITS,
    certain_flips,
    demon_fast_codes,
    metropolis_flips,
    mux,
    pack_site_info,
    parity_metropolis_flips,
    parity_threshold_rows,
    ring_neighbours,
    sample_pairs,
    site_neighbours,
    symmetric_demon,
    table_demon_flips,
)

__all__ = [
    "CERTAIN",
    "DEMON",
    "LOADED_NEIGHBOURS",
    "MAX_RING_CLASSES",
    "METROPOLIS",
    "RING_WORD_BYTES_PER_SITE",
    "WORD_BITS",
    "RingWordTables",
    "WordTables",
    "decode_replica",
    "initial_words",
    "ring_neighbours",
    "ring_word_tables",
    "run_word",
    "word_tables",
]

#: Transient bytes per site of a ring word kernel call: the packed counts, the bond products
#: before and after, both ends' alignments and the unpacked counters (:func:`run_word`, 72), and
#: on a CCA ring the sites' records (:mod:`~exactspin.montecarlo.demon_ring`).
RING_WORD_BYTES_PER_SITE = 72 + demon_ring.RECORD_BYTES_PER_SITE


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
                        accept[site_class, pattern, demon] = ALL_ONES
                        low[site_class, pattern, demon] = ALL_ONES if new & 1 else 0
                        high[site_class, pattern, demon] = ALL_ONES if new & 2 else 0
                continue
            probability, _ = flip_outcome(model, site, left, 1, right, 0)
            threshold = min(ALWAYS, round(probability * ALWAYS))
            if threshold == ALWAYS:
                certain[site_class, pattern] = ALL_ONES
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


#: Layout of one class's row of the packed class table of :func:`_run_ring_word`: flags, the
#: parity entries, the four pattern entries of ``certain``, the four thresholds, the even and
#: the odd pair's selectors, and from :data:`_HALF_VECTORS` the top 16 bits of the even and the
#: odd pair's fractional threshold, 64 copies each (:func:`_class_rows`).
_FLAGS, _EVEN, _ODD, _CERTAIN, _THRESHOLDS, _SELECTORS = 0, 1, 2, 4, 8, 12
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
    left, only right} ("odd"), at most one pattern has 0 < p < 1, and a replica's threshold
    follows from its parity anti_left ^ anti_right alone
    (:func:`~exactspin.montecarlo.wordbits.parity_metropolis_flips`; ties are decided again
    exactly, so every kernel draws the same words and takes the same steps).

    ``counts[i]`` (int64) gathers site i's accepted flips in its low 32 bits and those
    anti-aligned with the right neighbour in its high 32 bits (one read-modify-write per step),
    except at conserving sites (flips only with exactly one neighbour anti-aligned, so a flip
    moves energy from one bond to the other and the alignments follow from the bonds,
    :func:`_ring_counters`). Neighbours come with the code or are computed, and the tables are
    one array: few pointers, so the loop keeps more in registers.
    """
    count = np.uint64(spins.shape[0])
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
                left, right = site_neighbours(info, site, count, load_neighbours)
                row = (code >> np.uint64(_CODE_SHIFT)) << np.uint64(_ROW_SHIFT)
                spin = spins[site]
                anti_left = spin ^ spins[left]
                anti_right = spin ^ spins[right]
                if code & np.uint64(_CONSERVING_CODE):
                    # Conserving (so parity, with no flips at even parity): nothing to count.
                    spins[site] = spin ^ ((anti_left ^ anti_right) & classes[row + _ODD])
                    continue
                if code & np.uint64(_PARITY_CODE):
                    flipped = mux(anti_left ^ anti_right, classes[row + _ODD], classes[row + _EVEN])
                    spins[site] = spin ^ flipped
                else:
                    flags = classes[row]
                    flipped = certain_flips(anti_left, anti_right, classes, row + _CERTAIN)
                    if flags & np.uint64(_METROPOLIS_FLAG):
                        accepted, position, s0, s1, s2, s3 = parity_metropolis_flips(
                            anti_left, anti_right, classes, row + _SELECTORS,
                            row + _HALF_VECTORS, row + _THRESHOLDS, generator, position,
                            s0, s1, s2, s3,
                        )  # fmt: skip
                        flipped |= accepted
                    spins[site] = spin ^ flipped
                counts[site] += population_count(flipped) | (
                    population_count(flipped & anti_right) << high
                )
        samples += sample_pairs(spins, pairs, pair_sums)
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
    parity_rows = parity_threshold_rows(thresholds)
    if parity_rows is None:
        return None
    selectors, vectors = parity_rows
    rows[:, _SELECTORS : _SELECTORS + 2] = selectors
    rows[:, _HALF_VECTORS : _HALF_VECTORS + 32] = vectors
    return rows.ravel()


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


def ring_word_tables(site_class, neighbours, kind, certain, thresholds) -> RingWordTables | None:
    """The :class:`RingWordTables` of a ring i -> (i - 1, i + 1 mod N) without demons, or None
    (another graph, demons, or too many classes), cached for these read-only arrays."""
    arrays = (site_class, neighbours, kind, certain, thresholds)
    return cached(_RING_TABLES, arrays, lambda: _ring_word_tables(*arrays))


def _demon_fast(demon_accept, demon_low_new, demon_high_new, kind) -> np.ndarray:
    """:func:`demon_fast_codes` for demon classes (0 elsewhere), cached for these read-only
    tables."""

    def build():
        codes = demon_fast_codes(demon_accept, demon_low_new, demon_high_new)
        codes[np.asarray(kind) != DEMON] = 0
        return codes

    return cached(_DEMON_CODES, (demon_accept, demon_low_new, demon_high_new, kind), build)


#: The arrays' identities -> (weak references to them, codes).
_DEMON_CODES: dict = {}


#: The arrays' identities -> (weak references to them, tables or None).
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
    site_info, load = pack_site_info(code[classes_of_sites], neighbours)
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
    """:func:`run_word` with CCA demons (``neighbours``, ``certain``, ``thresholds``, the demon
    tables and ``counters`` flat)."""
    count = np.uint64(spins.shape[0])
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
                    flipped, new_low, new_high = symmetric_demon(
                        anti_left, anti_right, low, high, fast
                    )
                    demon_low[site] = new_low
                    demon_high[site] = new_high
                elif site_kind == DEMON:
                    base = own_class << np.uint64(4)
                    flipped, demon_low[site], demon_high[site] = table_demon_flips(
                        anti_left, anti_right, demon_low[site], demon_high[site], demon_accept,
                        base, demon_low_new, base, demon_high_new, base,
                    )  # fmt: skip
                else:
                    row = own_class << np.uint64(2)
                    flipped = certain_flips(anti_left, anti_right, certain, row)
                    if site_kind == METROPOLIS:
                        offset, position = next_lane_step(position)
                        accepted, s0, s1, s2, s3 = metropolis_flips(
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
        samples += sample_pairs(spins, pairs, pair_sums)
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    generator[POSITION] = position
    return samples


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
        tables = (np.ravel(demon_accept), np.ravel(demon_low_new), np.ravel(demon_high_new))
        return _run_demon_word(steps, sample_interval, generator, spins, demon_low, demon_high,
                               site_class, kind, *flat, *tables, fast, flat_counters, pairs,
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
