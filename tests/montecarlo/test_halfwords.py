"""The first stage of a word's Metropolis test: lanes, half-word comparisons, the buffer.

Expected values come from plain Python: xoshiro256++ on Python integers per lane, half-words cut
out of the words by shifts, comparisons replica by replica.
"""

import numba
import numpy as np
import pytest

from exactspin.montecarlo.halfwords import (
    BUFFER,
    BUFFER_STEPS,
    LANES,
    POSITION,
    STEPS_PER_CHECK,
    WORD_GENERATOR_WORDS,
    blend_thresholds,
    check_word_generator,
    compare_by_parity,
    compare_patterns,
    compare_thresholds,
    ensure_lane_steps,
    next_lane_step,
    word_generator_state,
)
from exactspin.montecarlo.rng import generator_state
from reference_rng import ReferenceGenerator

MASK = 2**64 - 1


def xoshiro(state):
    """(next word, state after it) of xoshiro256++ from ``state`` (Python integers)."""
    generator = ReferenceGenerator(state)
    return generator.next(), generator.s


def lane_states(generator):
    return [[int(generator[4 + j * LANES + lane]) for j in range(4)] for lane in range(LANES)]


def half_words(words):
    return [(int(words[h // 4]) >> (16 * (h % 4))) & 0xFFFF for h in range(64)]


@numba.njit
def _take_steps(generator, count):
    """Use ``count`` lane steps (checking the buffer every STEPS_PER_CHECK) and return their
    words in order."""
    out = np.empty((count, LANES), dtype=np.uint64)
    position = np.int64(generator[POSITION])
    for index in range(count):
        if index % STEPS_PER_CHECK == 0:
            position = ensure_lane_steps(generator, position)
        offset, position = next_lane_step(position)
        out[index] = generator[offset : offset + LANES]
    generator[POSITION] = position
    return out


def test_lane_words_are_sixteen_xoshiro_streams_in_order_across_refills_and_calls():
    generator = word_generator_state(np.random.SeedSequence(7))
    states = lane_states(generator)
    # Calls of different lengths, refills in between: every lane's words in generation order.
    taken = np.concatenate([_take_steps(generator, n) for n in (1, 63, 64, 5, 200, 130)])
    for lane in range(LANES):
        expected = []
        state = states[lane]
        for _ in range(len(taken)):
            word, state = xoshiro(state)
            expected.append(word)
        assert [int(w) for w in taken[:, lane]] == expected


def test_a_word_generator_starts_with_the_main_stream_of_generator_state_and_nonzero_lanes():
    sequence = np.random.SeedSequence(3)
    generator = word_generator_state(sequence)
    assert generator.shape == (WORD_GENERATOR_WORDS,)
    assert all(any(state) for state in lane_states(generator))
    assert generator[POSITION] == BUFFER_STEPS  # empty buffer: the first test fills it
    assert np.array_equal(generator[:4], generator_state(np.random.SeedSequence(3)))


@numba.njit
def _compare_patterns(uniforms, m1, m2, m3, v0, v1, v2, v3):
    return compare_patterns(uniforms, 0, m1, m2, m3, v0, v1, v2, v3)


@numba.njit
def _compare_blended(uniforms, masks, values):
    limits = np.zeros(16, dtype=np.uint64)
    for index in range(masks.shape[0]):
        blend_thresholds(limits, masks[index], values[index])
    return compare_thresholds(uniforms, 0, limits)


@pytest.mark.parametrize("seed", range(20))
def test_half_word_comparisons_are_replica_by_replica_comparisons(seed):
    rng = np.random.default_rng(seed)
    uniforms = rng.integers(0, 2**64, 16, dtype=np.uint64, endpoint=False)
    first, second = (int(x) for x in rng.integers(0, 2**64, 2, dtype=np.uint64, endpoint=False))
    masks = [
        ~first & ~second & MASK,
        first & ~second & MASK,
        ~first & second & MASK,
        first & second,
    ]
    values = [int(v) for v in rng.integers(0, 2**16, 4)]
    # Ties are rare with random words: force some (equal values in some replicas).
    halves = half_words(uniforms)
    if seed % 2:
        values[1] = halves[int(np.argmax([(masks[1] >> h) & 1 for h in range(64)]))]
    thresholds = [values[next(j for j in range(4) if (masks[j] >> h) & 1)] for h in range(64)]
    less = sum(1 << h for h in range(64) if halves[h] < thresholds[h])
    equal = sum(1 << h for h in range(64) if halves[h] == thresholds[h])
    words = [np.uint64(x) for x in masks[1:] + values]
    assert tuple(int(x) for x in _compare_patterns(uniforms, *words)) == (less, equal)
    blended = _compare_blended(
        uniforms, np.array(masks, dtype=np.uint64), np.array(values, dtype=np.uint64)
    )
    assert tuple(int(x) for x in blended) == (less, equal)


@numba.njit
def _compare_by_parity(uniforms, odd, table, offset):
    return compare_by_parity(uniforms, 0, odd, table, offset)


@pytest.mark.parametrize("seed", range(20))
def test_comparisons_by_parity_take_the_odd_replicas_threshold_from_the_second_row(seed):
    rng = np.random.default_rng(seed)
    uniforms = rng.integers(0, 2**64, 16, dtype=np.uint64, endpoint=False)
    odd = int(rng.integers(0, 2**64, dtype=np.uint64, endpoint=False))
    halves = half_words(uniforms)
    # Per-replica thresholds in the table (any 16-bit values, not only copies of one value);
    # force ties in some replicas of both rows.
    rows = [[int(v) for v in rng.integers(0, 2**16, 64)] for _ in range(2)]
    if seed % 2:
        for h in rng.choice(64, 1 + seed % 8, replace=False):
            rows[(odd >> int(h)) & 1][h] = halves[h]
        # A tie in the row a replica does not take is no tie.
        h = int(rng.integers(64))
        rows[1 - ((odd >> h) & 1)][h] = halves[h]
    offset = int(rng.integers(0, 5))
    table = np.zeros(offset + 2 * LANES + 3, dtype=np.uint64)
    for row, values in enumerate(rows):
        words = [sum(values[4 * w + q] << (16 * q) for q in range(4)) for w in range(LANES)]
        table[offset + row * LANES : offset + (row + 1) * LANES] = words
    thresholds = [rows[(odd >> h) & 1][h] for h in range(64)]
    less = sum(1 << h for h in range(64) if halves[h] < thresholds[h])
    equal = sum(1 << h for h in range(64) if halves[h] == thresholds[h])
    result = _compare_by_parity(uniforms, np.uint64(odd), table, offset)
    assert tuple(int(x) for x in result) == (less, int(equal != 0))


def test_word_kernels_refuse_a_chain_generator():
    with pytest.raises(ValueError, match="generator"):
        check_word_generator(generator_state(np.random.SeedSequence(1)))
    check_word_generator(word_generator_state(np.random.SeedSequence(1)))


def test_buffer_layout_fits_its_check_interval():
    # Between two checks at most STEPS_PER_CHECK lane steps are used; a check leaves at least
    # that many, so the buffer needs room for both.
    assert BUFFER_STEPS >= 2 * STEPS_PER_CHECK
    assert BUFFER + LANES * BUFFER_STEPS == WORD_GENERATOR_WORDS
