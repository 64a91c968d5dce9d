"""The kernel's generator is xoshiro256++ exactly, and replica streams do not depend on the count.

Expected words come from outside this code: the first ten outputs from the state (0, 0, 0, 1) as
published with the xoshiro-fortran port's test data (generated from Blackman and Vigna's reference
C code), and a plain-Python transcription of the reference algorithm for random states.
"""

import numba
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from exactspin.montecarlo.rng import generator_state, next_word, replica_seeds
from reference_rng import MASK, ReferenceGenerator


#: xoshiro256++ from the state (0, 0, 0, 1): the published reference outputs.
REFERENCE_WORDS = [
    0x0000000000800000,
    0x0000000000800011,
    0x0002200000800011,
    0x0002200044000020,
    0x00022000448008A1,
    0x01102100802208A0,
    0x0114002284200880,
    0x0402896644A64095,
    0x8A14A0A244ACC891,
    0x8C88BA4680B20495,
]


@numba.njit(cache=True)
def kernel_words(count, state):
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    words = np.empty(count, dtype=np.uint64)
    for k in range(count):
        words[k], s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
    return words


def reference_words(count, state):
    """xoshiro256++ 1.0 as in Blackman and Vigna's reference C code, with Python integers."""
    generator = ReferenceGenerator(state)
    return [generator.next() for _ in range(count)]


def test_first_words_match_the_published_reference():
    state = np.array([0, 0, 0, 1], dtype=np.uint64)
    assert [int(w) for w in kernel_words(10, state)] == REFERENCE_WORDS


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, MASK), min_size=4, max_size=4).filter(any))
def test_words_match_the_reference_algorithm(state):
    state = np.array(state, dtype=np.uint64)
    assert [int(w) for w in kernel_words(500, state)] == reference_words(500, state)


def test_replica_streams_do_not_depend_on_the_number_of_replicas():
    few = [generator_state(s) for s in replica_seeds(7, 2)]
    many = [generator_state(s) for s in replica_seeds(7, 9)]
    for r in range(2):
        assert (few[r] == many[r]).all()
    assert len({tuple(int(x) for x in g) for g in many}) == 9
