"""Bit logic shared by the multispin word kernels: 64 replicas' patterns, flips and demons.

Bit k of a word is replica k. A site's alignment pattern with its two ring neighbours sorts the
replicas (:func:`pattern_masks`); the flips that the pattern alone decides are multiplexers on
the anti-alignment words (:func:`certain_flips`); the fractional Metropolis acceptances (Eq. 5)
take the lane streams' half-words (:mod:`~exactspin.montecarlo.halfwords`), by alignment parity
where each pattern pair has at most one fractional threshold (:func:`parity_metropolis_flips`,
:func:`parity_threshold_rows`), else exactly by pattern (:func:`metropolis_flips`); CCA demons
(Eqs. 20-21) follow the equal-bond rule in bit-sliced 2-bit arithmetic
(:func:`symmetric_demon_words`) or the class's tables (:func:`table_demon_flips`). The kernels
that use them (:mod:`~exactspin.montecarlo.multispin`, :mod:`~exactspin.montecarlo.demon_ring`)
draw the same words and so take the same steps.

This module does not know the model: thresholds and tables come from its callers.
"""

from __future__ import annotations

import numba
import numpy as np

from exactspin.montecarlo.bits import population_count
from exactspin.montecarlo.halfwords import (
    HALF_BITS,
    compare_by_parity,
    compare_patterns,
    next_lane_step,
)
from exactspin.montecarlo.kernel import THRESHOLD_BITS
from exactspin.montecarlo.rng import next_word

#: Replicas per word.
WORD_BITS = 64
#: Site kinds: decided by the pattern alone, Metropolis with fractional probabilities, demon.
CERTAIN, METROPOLIS, DEMON = range(3)
#: A word with every replica's bit set.
ALL_ONES = np.uint64(2**64 - 1)
#: Largest ring whose word kernels load neighbours (12 bits each, with the site's class in one
#: uint32 per site) instead of computing them: at N_S = 1002 loading is faster, at 100002
#: computing is 15% faster.
LOADED_NEIGHBOURS = 4096
#: Classes a ring word kernel's site code holds (6 bits).
MAX_RING_CLASSES = 2**6


def ring_neighbours(sites: int) -> np.ndarray:
    """(N, 2) uint32: left and right neighbour of every site of the ring (0-based)."""
    site = np.arange(sites)
    return np.stack([(site - 1) % sites, (site + 1) % sites], axis=1).astype(np.uint32)


def pack_site_info(codes: np.ndarray, neighbours: np.ndarray) -> tuple[np.ndarray, bool]:
    """Per site ``code | left << 8 | right << 20`` (uint32; ``codes`` below 256) for the ring
    word kernels, and whether the neighbours are in it (rings of at most
    :data:`LOADED_NEIGHBOURS` sites; else only the codes, and :func:`site_neighbours` computes
    them)."""
    site_info = np.asarray(codes, dtype=np.uint32)
    load = len(site_info) <= LOADED_NEIGHBOURS
    if load:
        pairs = np.asarray(neighbours, dtype=np.uint32)
        site_info = site_info | (pairs[:, 0] << np.uint32(8)) | (pairs[:, 1] << np.uint32(20))
    return site_info, load


@numba.njit(inline="always", cache=True)
def site_neighbours(info, site, count, load_neighbours):
    """(left, right) of ``site`` on the ring of ``count`` sites: from its packed info
    (:func:`pack_site_info`) or computed."""
    if load_neighbours:
        return (info >> np.uint64(8)) & np.uint64(4095), info >> np.uint64(20)
    one = np.uint64(1)
    last = count - one
    left = site - one if site != 0 else last
    right = site + one if site != last else np.uint64(0)
    return left, right


@numba.njit(inline="always", cache=True)
def mux(selector, where_set, where_clear):
    """Bitwise multiplexer: ``where_set`` in the bits set in ``selector``, else ``where_clear``."""
    return where_clear ^ ((where_set ^ where_clear) & selector)


@numba.njit(inline="always", cache=True)
def _sign_mask(word):
    """All ones where the top bit of ``word`` is set, else zero (an arithmetic shift)."""
    return np.uint64(np.int64(word) >> np.int64(63))


@numba.njit(inline="always", cache=True)
def pattern_masks(anti_left, anti_right):
    """The four alignment-pattern masks (aligned both, only left, only right, anti both)."""
    return (
        ~anti_left & ~anti_right,
        anti_left & ~anti_right,
        ~anti_left & anti_right,
        anti_left & anti_right,
    )


@numba.njit(inline="always", cache=True)
def certain_flips(anti_left, anti_right, certain, row):
    """The always-accepted flips: the pattern's entry (``certain[row + pattern]``, flat) per
    replica (two muxes)."""
    aligned_left = mux(anti_right, certain[row + 2], certain[row])
    anti_left_entry = mux(anti_right, certain[row + 3], certain[row + 1])
    return mux(anti_left, anti_left_entry, aligned_left)


@numba.njit(inline="always", cache=True)
def metropolis_flips(anti_left, anti_right, thresholds, row, generator, offset, s0, s1, s2,
                      s3):  # fmt: skip
    """Replicas whose fractional Metropolis test accepts, and the advanced main-stream state
    (the exact test: the parity comparison's path for ties, and every step of the general
    kernels).

    A replica with threshold t = round(p 2^55) accepts iff its 55-bit uniform u < t. The top 16
    bits of the 64 uniforms are the half-words of the lane step at
    ``generator[offset:offset + 16]`` (:mod:`~exactspin.montecarlo.halfwords`; the caller takes
    the step), compared with the thresholds' top 16 bits in one vector instruction; a replica
    whose 16 bits tie with its threshold's (probability 2^-16) goes on with bit k of successive
    main-stream words as u's next bits, most significant first, and is decided at the first bit
    where u and t differ.
    """
    zero = np.uint64(0)
    m0, m1, m2, m3 = pattern_masks(anti_left, anti_right)
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
    selectors[:, 0] = np.where(fractional[:, 3], np.uint64(0), ALL_ONES)
    selectors[:, 1] = np.where(fractional[:, 2], ALL_ONES, np.uint64(0))
    vectors = np.zeros((classes, 32), dtype=np.uint64)
    tail = np.uint64(THRESHOLD_BITS - HALF_BITS)
    for pair, (first, second) in enumerate(((0, 3), (1, 2))):
        half = ((thresholds[:, first] | thresholds[:, second]) >> tail).astype(np.uint16)
        vectors[:, 16 * pair : 16 * (pair + 1)] = (
            np.repeat(half, 64).view(np.uint64).reshape(classes, 16)
        )
    return selectors, vectors


#: Words of :func:`demon_rule_words` per class.
DEMON_RULE_WORDS = 6


@numba.njit(inline="always", cache=True)
def demon_rule_words(code):
    """The words :func:`symmetric_demon_words` reads for a fast demon ``code`` (see
    :func:`symmetric_demon`), each all ones or zero: take from the demon on flips aligned with
    both neighbours, take on flips anti-aligned with both (k < 0), |k| <= 2, |k| = 1, and |k|'s
    two bits. An inactive code (8: only the neutral flips) takes and gives nothing."""
    zero = np.uint64(0)
    quantum = code & np.uint64(3)
    negative = (code >> np.uint64(2)) & np.uint64(1)
    active = np.uint64(quantum != zero)
    return (
        zero - (active & (np.uint64(1) - negative)),
        zero - (active & negative),
        zero - np.uint64(quantum <= np.uint64(2)),
        zero - np.uint64(quantum == np.uint64(1)),
        zero - (quantum & np.uint64(1)),
        zero - (quantum >> np.uint64(1)),
    )


@numba.njit(inline="always", cache=True)
def symmetric_demon(anti_left, anti_right, low, high, code):
    """(flipped, demon low bits, demon high bits) of a CCA site whose two bonds are equal.

    With J_left = J_right a flip with exactly one neighbour anti-aligned moves no energy
    (always accepted, demon unchanged); aligned with both it takes k = 4 J / mu quanta from the
    demon, anti-aligned with both it gives k (Eqs. 20-21; roles swapped for k < 0). ``code`` is
    8 + 4 (k < 0) + |k| with |k| in 1..3, or 8 when |k| >= 4 or 4 J / mu is not an integer (only
    the neutral flips). The rule's words come from the code (:func:`demon_rule_words`); a
    kernel keeps them per class instead.
    """
    take_aligned, take_anti, at_most_two, one, k0, k1 = demon_rule_words(code)
    return symmetric_demon_words(anti_left, anti_right, low, high, take_aligned, take_anti,
                                 at_most_two, one, k0, k1)  # fmt: skip


@numba.njit(inline="always", cache=True)
def symmetric_demon_words(anti_left, anti_right, low, high, take_aligned, take_anti, at_most_two,
                          one, k0, k1):  # fmt: skip
    """:func:`symmetric_demon` with the rule's words (:func:`demon_rule_words`) given.

    Bit-sliced 2-bit demon d = 2 high + low, |k| = 2 k1 + k0, no branch on k (a ring's two
    branches have different quanta, and a branch would be mispredicted half the time):

    - d >= |k| is (high & (low | [|k| <= 2])) | (low & [|k| = 1]), and d + |k| <= 3 is its
      complement for 4 - |k|, whose words are the same two negated ([4 - |k| <= 2] = not
      [|k| = 1] and [4 - |k| = 1] = not [|k| <= 2] for |k| in 1..3);
    - d -+ |k| flips the low bit where k0 is set, and the high bit where k1 xor the borrow
      (k0 and not low, taking) or the carry (k0 and low, giving) is set.
    """
    neutral = anti_left ^ anti_right
    either = anti_left | anti_right
    anti_both = anti_left & anti_right
    take = (~either & take_aligned) | (anti_both & take_anti)
    give = (~either & take_anti) | (anti_both & take_aligned)
    taken = take & ((high & (low | at_most_two)) | (low & one))
    given = give & ~((high & ~(~low & one)) | (low & ~at_most_two))
    changed = taken | given
    new_low = low ^ (changed & k0)
    new_high = high ^ (changed & (k1 ^ (k0 & (low ^ taken))))
    return neutral | changed, new_low, new_high


def demon_fast_codes(demon_accept, demon_low_new, demon_high_new) -> np.ndarray:
    """Per class, the :func:`symmetric_demon` code that reproduces its demon tables, else 0.

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
            got = symmetric_demon(anti_left, anti_right, low, high, np.uint64(code))
            if all(int(a) & 0xFFFF == int(b) for a, b in zip(got, expected, strict=True)):
                codes[site_class] = code
                break
    return codes


@numba.njit(inline="always", cache=True)
def sample_pairs(spins, pairs, pair_sums):
    """Add sum over replicas of s_a s_b of every pair to ``pair_sums``; returns 1 (one sample)."""
    for pair in range(pairs.shape[0]):
        differ = spins[pairs[pair, 0]] ^ spins[pairs[pair, 1]]
        pair_sums[pair] += 64 - 2 * population_count(differ)
    return 1


@numba.njit(inline="always", cache=True)
def parity_metropolis_flips(anti_left, anti_right, table, selectors, vectors, thresholds,
                            generator, position, s0, s1, s2, s3):  # fmt: skip
    """The fractional Metropolis acceptances of a ring site by alignment parity; returns
    (accepted, lane position, main-stream state).

    On a ring without fields a flip from the alignment pattern (a_left, a_right) and one from
    (1 - a_left, 1 - a_right) change the energy by opposite amounts (Eq. 17), so of each pair,
    {aligned both, anti both} ("even") and {only left, only right} ("odd"), at most one pattern
    has 0 < p < 1, and a replica's threshold follows from its parity anti_left ^ anti_right:
    one blend of the class's two threshold rows at ``table[vectors:vectors + 32]`` by the parity
    (:func:`~exactspin.montecarlo.halfwords.compare_by_parity`). A replica accepts where its
    uniform is below and its pattern is its pair's fractional one (the pairs' selectors at
    ``table[selectors]`` and ``table[selectors + 1]``, :func:`parity_threshold_rows`). If any
    half-word ties with its threshold (probability at most 64 x 2^-16 per step),
    :func:`metropolis_flips` decides the step again from the same lane step and the main stream
    (thresholds at ``table[thresholds:thresholds + 4]``), as the general kernels do.
    """
    offset, position = next_lane_step(position)
    odd = anti_left ^ anti_right
    less, tie = compare_by_parity(generator, offset, odd, table, vectors)
    if tie == np.uint64(0):
        accepted = less & (
            (~odd & (anti_left ^ table[selectors])) | (odd & (anti_left ^ table[selectors + 1]))
        )
    else:
        accepted, s0, s1, s2, s3 = metropolis_flips(
            anti_left, anti_right, table, thresholds, generator, offset, s0, s1, s2, s3
        )
    return accepted, position, s0, s1, s2, s3


@numba.njit(inline="always", cache=True)
def _entries(first, second, third, fourth, table, base, demon):
    """OR of the four pattern masks, each kept where the table's entry [pattern, demon] is set
    (``table[base + 4 pattern + demon]``)."""
    return (
        (first & table[base + demon])
        | (second & table[base + 4 + demon])
        | (third & table[base + 8 + demon])
        | (fourth & table[base + 12 + demon])
    )


@numba.njit(inline="always", cache=True)
def table_demon_flips(anti_left, anti_right, low, high, accept, accept_base, low_new, low_base,
                      high_new, high_base):  # fmt: skip
    """(flipped, demon low bits, demon high bits) of a CCA site by its class's tables, each
    [pattern, demon] flat from its base: all ones where the flip is accepted, and the bits of
    the new demon d - dE / mu (Eqs. 20-21)."""
    zero = np.uint64(0)
    aligned_both, only_left, only_right, anti_both = pattern_masks(anti_left, anti_right)
    flipped = zero
    new_low = zero
    new_high = zero
    for level, d in ((~low & ~high, 0), (low & ~high, 1), (~low & high, 2), (low & high, 3)):
        a = aligned_both & level
        b = only_left & level
        c = only_right & level
        e = anti_both & level
        flipped |= _entries(a, b, c, e, accept, accept_base, d)
        new_low |= _entries(a, b, c, e, low_new, low_base, d)
        new_high |= _entries(a, b, c, e, high_new, high_base, d)
    return flipped, (low & ~flipped) | new_low, (high & ~flipped) | new_high
