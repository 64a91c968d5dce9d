"""The word kernel of a CCA ring: 64 replicas with their demons, one record per site.

A multispin word on the ring i -> (i - 1, i + 1 mod N) with CCA bulk sites (Eqs. 20-21) needs per
site the spin word, the demon's two bit planes and the flip counts. :func:`run_ring_demon_word`
keeps them in one record of four words per site, so a step reads two or three cache lines (the
site's record and its neighbours', which are adjacent) instead of one per array, and the loop
holds fewer pointers. The counts are packed as in the Q2R ring kernel (flips in the low 32 bits,
flips anti-aligned with the right neighbour in the high 32 bits); the left ends follow from the
bonds' change over the run (``run_word`` in :mod:`~exactspin.montecarlo.multispin`). Each class
has one row of :data:`ROW` words (:func:`class_rows`): its kind, the bulk demon rule's words
(:func:`~exactspin.montecarlo.wordbits.symmetric_demon_words`), the Metropolis thresholds by
alignment parity (as the Q2R ring kernel) and the general demon tables.

The kernel draws the same words and takes the same steps as every other word kernel: the
tests check it against the single-chain twin replica by replica (ties forced too), against the
general word kernel, and for any split of a run into calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from exactspin.montecarlo.array_cache import cached
from exactspin.montecarlo.bits import population_count
from exactspin.montecarlo.halfwords import POSITION, STEPS_PER_CHECK, ensure_lane_steps
from exactspin.montecarlo.rng import next_word, scale_word
from exactspin.montecarlo.wordbits import (
    DEMON,
    DEMON_RULE_WORDS,
    MAX_RING_CLASSES,
    METROPOLIS,
    certain_flips,
    demon_fast_codes,
    demon_rule_words,
    pack_site_info,
    parity_metropolis_flips,
    parity_threshold_rows,
    ring_neighbours,
    sample_pairs,
    site_neighbours,
    symmetric_demon_words,
    table_demon_flips,
)

#: Layout of a class row: flags and the bulk demon rule's words (:func:`demon_rule_words`) in
#: the row's first cache line; the pattern entries of ``certain``; the thresholds; the parity
#: threshold rows; the general demon tables, [pattern, demon] each; the pattern pairs'
#: selectors.
_FLAGS, _RULE = 0, 1
_CERTAIN, _THRESHOLDS, _HALF_VECTORS, _ACCEPT, _LOW_NEW, _HIGH_NEW = 8, 12, 16, 48, 64, 80
_SELECT_EVEN = 96
_ROW_SHIFT = 7
ROW = 2**_ROW_SHIFT
_FAST_FLAG, _METROPOLIS_FLAG, _DEMON_FLAG = 1, 2, 4
#: A site's record: spin word, demon low and high bit planes, packed counts.
_SPIN, _LOW, _HIGH, _COUNTS, _RECORD = 0, 1, 2, 3, 4
#: Bytes of a site's record.
RECORD_BYTES_PER_SITE = 8 * _RECORD


def class_rows(kind, certain, thresholds, demon_accept, demon_low_new, demon_high_new):
    """The packed class table, uint64[ROW C], or None (a Metropolis class breaks the pattern
    pair property, :func:`~exactspin.montecarlo.wordbits.parity_threshold_rows`)."""
    kind = np.asarray(kind)
    classes = len(kind)
    parity = parity_threshold_rows(thresholds)
    if parity is None:
        return None
    rows = np.zeros((classes, ROW), dtype=np.uint64)
    fast = demon_fast_codes(demon_accept, demon_low_new, demon_high_new).astype(np.uint64)
    fast[kind != DEMON] = 0
    rows[:, _FLAGS] = (
        (fast != 0) * _FAST_FLAG
        + (kind == METROPOLIS) * _METROPOLIS_FLAG
        + ((kind == DEMON) & (fast == 0)) * _DEMON_FLAG
    )
    for site_class, code in enumerate(fast):
        if code:
            rows[site_class, _RULE : _RULE + DEMON_RULE_WORDS] = demon_rule_words(code)
    selectors, vectors = parity
    rows[:, _SELECT_EVEN : _SELECT_EVEN + 2] = selectors
    rows[:, _CERTAIN : _CERTAIN + 4] = np.asarray(certain).reshape(classes, 4)
    rows[:, _THRESHOLDS : _THRESHOLDS + 4] = np.asarray(thresholds).reshape(classes, 4)
    rows[:, _HALF_VECTORS : _HALF_VECTORS + 32] = vectors
    for start, table in ((_ACCEPT, demon_accept), (_LOW_NEW, demon_low_new),
                         (_HIGH_NEW, demon_high_new)):  # fmt: skip
        rows[:, start : start + 16] = np.asarray(table).reshape(classes, 16)
    return rows.ravel()


@dataclass(frozen=True)
class RingDemonTables:
    """What :func:`run_ring_demon_word` reads besides the state: the class rows and, per site,
    ``class << 2 | left << 8 | right << 20`` (neighbours only on rings of at most
    :data:`~exactspin.montecarlo.wordbits.LOADED_NEIGHBOURS` sites)."""

    classes: np.ndarray
    site_info: np.ndarray
    load_neighbours: bool


#: The arrays' identities -> (weak references to them, tables or None).
_TABLES: dict = {}


def ring_demon_tables(site_class, neighbours, kind, certain, thresholds, demon_accept,
                      demon_low_new, demon_high_new) -> RingDemonTables | None:  # fmt: skip
    """The :class:`RingDemonTables` of a ring i -> (i - 1, i + 1 mod N) with demons, or None
    (another graph, no demons, too many classes, or a Metropolis class without the pattern pair
    property), cached for these read-only arrays."""
    arrays = (site_class, neighbours, kind, certain, thresholds, demon_accept, demon_low_new,
              demon_high_new)  # fmt: skip
    return cached(_TABLES, arrays, lambda: _ring_demon_tables(*arrays))


def _ring_demon_tables(site_class, neighbours, kind, certain, thresholds, demon_accept,
                       demon_low_new, demon_high_new) -> RingDemonTables | None:  # fmt: skip
    sites = len(site_class)
    kind = np.asarray(kind)
    if (
        sites <= 2
        or not (kind == DEMON).any()
        or len(kind) > MAX_RING_CLASSES
        or not np.array_equal(neighbours, ring_neighbours(sites))
    ):
        return None
    classes = class_rows(kind, certain, thresholds, demon_accept, demon_low_new, demon_high_new)
    if classes is None:
        return None
    site_info, load = pack_site_info(np.asarray(site_class, dtype=np.uint32) << 2, neighbours)
    return RingDemonTables(classes=classes, site_info=site_info, load_neighbours=load)


@numba.njit(inline="always", cache=True, nogil=True)
def _run(steps, sample_interval, generator, records, site_info, load_neighbours, classes,
         pairs, pair_sums):  # fmt: skip
    """The kernel; ``records`` is uint64[4 N] (spin, demon low, demon high, packed counts)."""
    count = np.uint64(site_info.shape[0])
    high_half = np.uint64(32)
    record_shift = np.uint64(2)
    s0, s1, s2, s3 = generator[0], generator[1], generator[2], generator[3]
    position = np.int64(generator[POSITION])
    spins = records[_SPIN::_RECORD]
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
                left, right = site_neighbours(info, site, count, load_neighbours)
                row = ((info & np.uint64(255)) >> np.uint64(2)) << np.uint64(_ROW_SHIFT)
                record = site << record_shift
                spin = records[record]
                anti_left = spin ^ records[left << record_shift]
                anti_right = spin ^ records[right << record_shift]
                flags = classes[row]
                if flags & np.uint64(_FAST_FLAG):
                    low = records[record + np.uint64(_LOW)]
                    high = records[record + np.uint64(_HIGH)]
                    flipped, new_low, new_high = symmetric_demon_words(
                        anti_left, anti_right, low, high, classes[row + _RULE],
                        classes[row + _RULE + 1], classes[row + _RULE + 2],
                        classes[row + _RULE + 3], classes[row + _RULE + 4],
                        classes[row + _RULE + 5],
                    )  # fmt: skip
                    records[record + np.uint64(_LOW)] = new_low
                    records[record + np.uint64(_HIGH)] = new_high
                elif flags & np.uint64(_DEMON_FLAG):
                    low_at = record + np.uint64(_LOW)
                    high_at = record + np.uint64(_HIGH)
                    flipped, records[low_at], records[high_at] = table_demon_flips(
                        anti_left, anti_right, records[low_at], records[high_at], classes,
                        row + _ACCEPT, classes, row + _LOW_NEW, classes, row + _HIGH_NEW,
                    )  # fmt: skip
                else:
                    flipped = certain_flips(anti_left, anti_right, classes, row + _CERTAIN)
                    if flags & np.uint64(_METROPOLIS_FLAG):
                        accepted, position, s0, s1, s2, s3 = parity_metropolis_flips(
                            anti_left, anti_right, classes, row + _SELECT_EVEN,
                            row + _HALF_VECTORS, row + _THRESHOLDS, generator, position,
                            s0, s1, s2, s3,
                        )  # fmt: skip
                        flipped |= accepted
                records[record] = spin ^ flipped
                records[record + np.uint64(_COUNTS)] += population_count(flipped) | (
                    population_count(flipped & anti_right) << high_half
                )
        samples += sample_pairs(spins, pairs, pair_sums)
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    generator[POSITION] = position
    return samples


@numba.njit(cache=True, nogil=True)
def _run_loaded(steps, sample_interval, generator, records, site_info, classes, pairs,
                pair_sums):  # fmt: skip
    """:func:`_run` compiled for neighbours loaded with the class."""
    return _run(steps, sample_interval, generator, records, site_info, True, classes, pairs,
                pair_sums)  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _run_computed(steps, sample_interval, generator, records, site_info, classes, pairs,
                  pair_sums):  # fmt: skip
    """:func:`_run` compiled for neighbours computed from the site index."""
    return _run(steps, sample_interval, generator, records, site_info, False, classes, pairs,
                pair_sums)  # fmt: skip


def run_ring_demon_word(
    tables: RingDemonTables,
    steps,
    sample_interval,
    generator,
    spins,
    demon_low,
    demon_high,
    pairs,
    pair_sums,
) -> tuple[int, np.ndarray]:
    """Advance the word by ``steps`` steps in place (``spins``, ``demon_low``, ``demon_high``,
    ``generator``); returns (pair samples taken, packed counts int64[N])."""
    records = np.empty((len(spins), _RECORD), dtype=np.uint64)
    records[:, _SPIN] = spins
    records[:, _LOW] = demon_low
    records[:, _HIGH] = demon_high
    records[:, _COUNTS] = 0
    flat = records.reshape(-1)
    kernel = _run_loaded if tables.load_neighbours else _run_computed
    samples = kernel(steps, sample_interval, generator, flat, tables.site_info, tables.classes,
                     pairs, pair_sums)  # fmt: skip
    spins[:] = records[:, _SPIN]
    demon_low[:] = records[:, _LOW]
    demon_high[:] = records[:, _HIGH]
    return samples, records[:, _COUNTS].view(np.int64)
