"""Every replica of a multispin word is the single-chain random-sequential chain.

The twin is written from the single-chain kernel's table (:func:`acceptance_table`, the packed
thresholds round(p 2^55) and entry changes) and a plain-Python xoshiro256++: each of the 64
replicas, decoded from the word, takes the step the single-chain rules prescribe for the shared
site, with its acceptance uniform u_k made of the streams the multispin kernel draws: at a site
with fractional probabilities, its top 16 bits are half-word k of one step of the 16 lane
streams (bits 16 (k mod 4).. of lane k // 4's word), and, if they tie with the threshold's, its
next bits are bit k of successive main-stream words (most significant first). The word's state
and its flip counters must match after every step.
"""

import numpy as np
import pytest
from reference_rng import ReferenceGenerator
from ring_models import ring_model

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo.halfwords import (
    BUFFER,
    BUFFER_STEPS,
    HALF_BITS,
    LANES,
    POSITION,
    word_generator_state,
)
from exactspin.montecarlo.kernel import (
    ALWAYS,
    CHANGE_BITS,
    CONFIGURATIONS,
    THRESHOLD_BITS,
    acceptance_table,
    configuration_entries,
    site_classes,
)
from exactspin.montecarlo.multispin import (
    WORD_BITS,
    decode_replica,
    initial_words,
    ring_word_tables,
    run_word,
    word_tables,
)
from exactspin.montecarlo.demon_ring import ring_demon_tables
from exactspin.montecarlo.rng import replica_seeds


def reference_word_generator(state):
    """The main stream and the 16 lanes of a word generator (the layout of
    :mod:`~exactspin.montecarlo.halfwords`) as :class:`ReferenceGenerator` objects."""
    generator = ReferenceGenerator(state[:4])
    generator.lanes = [
        ReferenceGenerator([state[4 + j * LANES + lane] for j in range(4)]) for lane in range(LANES)
    ]
    generator.forced = None
    generator.ties = 0
    return generator


def force_ties(state, generator, tie_values, rng):
    """Edit the next unused lane step of the word generator ``state`` so that a quarter of the
    replicas' half-words equal one of ``tie_values`` (thresholds' top 16 bits), and let the
    twin ``generator`` use the same words."""
    position = int(state[POSITION])
    if position >= BUFFER_STEPS:
        return  # the kernel refills the buffer first: nothing to edit yet
    words = [int(x) for x in state[BUFFER + LANES * position : BUFFER + LANES * (position + 1)]]
    for k in (int(k) for k in rng.choice(WORD_BITS, WORD_BITS // 4, replace=False)):
        shift = 16 * (k % 4)
        value = int(rng.choice(tie_values))
        words[k // 4] = (words[k // 4] & ~(0xFFFF << shift)) | (value << shift)
    state[BUFFER + LANES * position : BUFFER + LANES * (position + 1)] = np.array(
        words, dtype=np.uint64
    )
    generator.forced = words


def twin_step(model, table, generator, occupations, demons, flips, anti):
    """One step of all 64 replicas by the single-chain rules (lists of arrays, in place)."""
    sites = model.sites
    site = (generator.next() * sites) >> 64
    thresholds, changes = [], []
    for replica in range(WORD_BITS):
        entry = int(configuration_entries(model, occupations[replica], demons[replica])[site])
        packed = int(table[entry])
        thresholds.append(packed >> CHANGE_BITS)
        changes.append(packed & 0xFF)
    # Replicas with 0 < p < 1 compare a uniform: its top 16 bits from the lanes, the rest from
    # main-stream words while a tie persists. The lanes step at every step of a site whose class
    # has a fractional probability, whatever the replicas' configurations.
    site_class = int(site_classes(model)[site])
    class_entries = table[site_class * CONFIGURATIONS : (site_class + 1) * CONFIGURATIONS]
    fractional_class = any(0 < (int(w) >> CHANGE_BITS) < ALWAYS for w in class_entries)
    fractional = [k for k in range(WORD_BITS) if 0 < thresholds[k] < ALWAYS]
    decided = {}
    if fractional_class:
        lane_words = [lane.next() for lane in generator.lanes]
        if generator.forced is not None:  # this step's lane words, edited by the test
            lane_words, generator.forced = generator.forced, None
        tail = THRESHOLD_BITS - HALF_BITS
        ties = []
        for k in fractional:
            top = (lane_words[k // 4] >> (16 * (k % 4))) & 0xFFFF
            if top != thresholds[k] >> tail:
                decided[k] = top < thresholds[k] >> tail
            else:
                ties.append(k)
        generator.ties += len(ties)
        bit = tail
        while len(decided) < len(fractional) and bit > 0:
            bit -= 1
            word = generator.next()
            for k in ties:
                if k in decided:
                    continue
                u_bit = (word >> k) & 1
                t_bit = (thresholds[k] >> bit) & 1
                if u_bit != t_bit:
                    decided[k] = u_bit < t_bit
    else:
        assert not fractional
    left, right = (site - 1) % sites, (site + 1) % sites
    for k in range(WORD_BITS):
        if thresholds[k] == ALWAYS:
            accepted = True
        elif thresholds[k] == 0:
            accepted = False
        else:
            accepted = decided.get(k, False)
        if not accepted:
            continue
        spin = 2 * occupations[k][site] - 1
        change = changes[k] - 256 if changes[k] >= 128 else changes[k]
        flips[site] += 1
        anti[site, 0] += occupations[k][site] != occupations[k][left]
        anti[site, 1] += occupations[k][site] != occupations[k][right]
        occupations[k][site] ^= 1
        demons[k][site] += (change + 2 * spin) // 8


def check_word_against_twin(model, steps, seed, tie_seed=None):
    """With ``tie_seed``, force ties of the uniforms' top 16 bits with the thresholds' at every
    lane step (:func:`force_ties`); returns the number of tied replica tests."""
    sequence = replica_seeds(seed, 1)[0]
    spins, low, high = initial_words(model, sequence)
    state = word_generator_state(sequence)
    twin_generator = reference_word_generator(state)
    decoded = [decode_replica(spins, low, high, k) for k in range(WORD_BITS)]
    occupations = [d[0].copy() for d in decoded]
    demons = [d[1].copy() for d in decoded]
    tables = word_tables(model)
    table = acceptance_table(model)
    counters = np.zeros((model.sites, 3), dtype=np.int32)
    twin_flips = np.zeros(model.sites, dtype=np.int64)
    twin_anti = np.zeros((model.sites, 2), dtype=np.int64)
    no_pairs = np.zeros((0, 2), dtype=np.int64)
    tail = THRESHOLD_BITS - HALF_BITS
    fractional = [int(w) >> CHANGE_BITS for w in table]
    tie_values = sorted({t >> tail for t in fractional if 0 < t < ALWAYS} | {0})
    rng = None if tie_seed is None else np.random.default_rng(tie_seed)
    for _ in range(steps):
        if rng is not None and twin_generator.forced is None:
            force_ties(state, twin_generator, tie_values, rng)
        run_word(
            1, 1, state, spins, low, high, tables.site_class, tables.kind, tables.neighbours,
            tables.certain, tables.thresholds, tables.demon_accept, tables.demon_low_new,
            tables.demon_high_new, counters, no_pairs, np.zeros(0, dtype=np.int64),
        )  # fmt: skip
        twin_step(model, table, twin_generator, occupations, demons, twin_flips, twin_anti)
        for k in range(WORD_BITS):
            word_occupations, word_demons = decode_replica(spins, low, high, k)
            assert (word_occupations == occupations[k]).all(), k
            assert (word_demons == demons[k]).all(), k
        assert [int(x) for x in state[:4]] == twin_generator.s
        # The next unused lane step is the twin lanes' next words.
        position = int(state[POSITION])
        if position < BUFFER_STEPS and twin_generator.forced is None:
            upcoming = state[BUFFER + LANES * position : BUFFER + LANES * (position + 1)]
            copies = [ReferenceGenerator(lane.s) for lane in twin_generator.lanes]
            assert [int(x) for x in upcoming] == [lane.next() for lane in copies]
    # Net aligned flips of every bond end, sum over flips of s_i s_j before the flip (all the
    # currents need); the ring kernel leaves the flips of energy-conserving Q2R sites uncounted.
    aligned = counters[:, :1] - 2 * counters[:, 1:]
    assert (aligned == twin_flips[:, None] - 2 * twin_anti).all()
    nodes = [model.ring.left_node, model.ring.right_node]
    assert (counters[nodes, 0] == twin_flips[nodes]).all()
    assert (counters[nodes, 1:] == twin_anti[nodes]).all()
    return twin_generator.ties


@pytest.mark.parametrize(
    "parameters",
    [
        (2, 3, 2.0, 1.9, 2.0, 0.1, "q2r", None),
        (1, 0, 1.0, -1.5, 0.7, 3.0, "q2r", None),
        (2, 1, 2.0, 1.0, 2.0, 0.5, "cca", 1.0),
        # Demon quanta 4 J / mu = 3 and -2, then 1 and -3 (the symmetric-bond fast path).
        (2, 2, 3.0, -2.0, 2.0, 0.5, "cca", 4.0),
        (1, 2, 1.0, -3.0, 1.5, 0.7, "cca", 4.0),
    ],
)
def test_every_replica_of_a_word_is_the_single_chain(parameters):
    check_word_against_twin(ring_model(*parameters), 300, seed=4)


@pytest.mark.parametrize(
    "parameters",
    [
        (2, 3, 2.0, 1.9, 2.0, 0.1, "q2r", None),
        (1, 0, 1.0, -1.5, 0.7, 3.0, "q2r", None),
        (2, 2, 3.0, -2.0, 2.0, 0.5, "cca", 4.0),
    ],
)
def test_every_replica_of_a_word_is_the_single_chain_when_uniforms_tie(parameters):
    """Ties of the uniforms' top 16 bits with the thresholds' (probability 2^-16 per replica,
    so a twin run of random words meets almost none) are forced in a quarter of the replicas
    at every lane step: the kernels' exact path, the main-stream words that decide the tied
    replicas bit by bit, must still give every replica the single chain's step."""
    assert check_word_against_twin(ring_model(*parameters), 300, seed=4, tie_seed=7) > 100


@pytest.mark.slow
@pytest.mark.parametrize(
    "parameters",
    [
        (3, 4, 2.0, 1.9, 0.3, 1.5, "q2r", None),
        (0, 2, 1.0, 2.0, 5.0, 0.2, "q2r", None),
        (2, 2, 2.0, 1.0, 2.0, 0.5, "cca", 4.0),
        (1, 3, 1.5, -1.0, 1.0, 2.0, "cca", 0.5),
    ],
)
def test_every_replica_of_a_word_is_the_single_chain_long(parameters):
    check_word_against_twin(ring_model(*parameters), 3000, seed=11)


def read_only(array):
    array = np.array(array)
    array.setflags(write=False)
    return array


def test_the_ring_kernels_take_a_threshold_by_parity_only_where_each_pattern_pair_has_one():
    """Without fields, flips from (a, b) and (1 - a, 1 - b) change the energy by opposite
    amounts (Eq. 17): of each pattern pair at most one is fractional, on every ring. Thresholds
    that break it (not a ring without fields) take the general word kernel, also where tables
    built from other read-only arrays of the same ring are cached."""
    for parameters in [(2, 3, 2.0, 1.9, 2.0, 0.1, "q2r", None), (1, 0, 1.0, -1.5, 0.7, 3.0, "q2r",
                       None), (2, 1, 2.0, 1.0, 2.0, 0.5, "cca", 1.0)]:  # fmt: skip
        tables = word_tables(ring_model(*parameters))
        pairs = tables.thresholds[:, [0, 3]], tables.thresholds[:, [1, 2]]
        assert all(((pair != 0).sum(axis=1) <= 1).all() for pair in pairs)
        broken = tables.thresholds.copy()
        row = int(np.flatnonzero(broken.any(axis=1))[0])
        broken[row] = broken[row].max()
        arguments = (tables.site_class, tables.neighbours, tables.kind, tables.certain)
        demons = (tables.demon_accept, tables.demon_low_new, tables.demon_high_new)
        if parameters[6] == "q2r":
            assert ring_word_tables(*arguments, tables.thresholds) is not None
            assert ring_word_tables(*arguments, read_only(broken)) is None
        else:
            assert ring_demon_tables(*arguments, tables.thresholds, *demons) is not None
            assert ring_demon_tables(*arguments, read_only(broken), *demons) is None


def test_ring_tables_are_cached_for_the_arrays_they_were_built_from():
    """Tables built from read-only arrays are reused for the same arrays only: the same ring
    with other thresholds gets its own tables."""
    tables = word_tables(ring_model(2, 3, 2.0, 1.9, 2.0, 0.1, "q2r", None))
    arguments = (tables.site_class, tables.neighbours, tables.kind, tables.certain)
    first = ring_word_tables(*arguments, tables.thresholds)
    assert ring_word_tables(*arguments, tables.thresholds) is first
    halved = read_only(tables.thresholds // 2)
    other = ring_word_tables(*arguments, halved)
    assert other is not first and not np.array_equal(other.classes, first.classes)
    assert ring_word_tables(*arguments, halved) is other


def test_word_tables_are_read_only():
    tables = word_tables(ClassicalModel.from_parameters())
    with pytest.raises(ValueError):
        tables.certain[0, 0] = 0


@pytest.mark.parametrize("parameters", [(2, 3, 2.0, 1.9, 2.0, 0.1, "q2r", None),
                                        (2, 1, 2.0, 1.0, 2.0, 0.5, "cca", 1.0)])  # fmt: skip
def test_a_word_run_does_not_depend_on_how_its_steps_are_split_into_calls(parameters):
    """The lane buffer carries over between kernel calls: one call of 3000 steps and calls of
    1, 2, 63, 64, 65, ... steps leave the same state, generator and counts."""
    model = ring_model(*parameters)
    tables = word_tables(model)
    runs = []
    for splits in ([3000], [1, 2, 63, 64, 65, 129, 1000, 1676]):
        sequence = replica_seeds(9, 1)[0]
        spins, low, high = initial_words(model, sequence)
        generator = word_generator_state(sequence)
        counters = np.zeros((model.sites, 3), dtype=np.int32)
        for steps in splits:
            run_word(steps, steps, generator, spins, low, high, tables.site_class, tables.kind,
                     tables.neighbours, tables.certain, tables.thresholds, tables.demon_accept,
                     tables.demon_low_new, tables.demon_high_new, counters,
                     np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64))  # fmt: skip
        position = int(generator[POSITION])
        upcoming = [
            ReferenceGenerator(lane.s) for lane in reference_word_generator(generator).lanes
        ]
        # The buffer may have been refilled at different moments: compare the next lane words.
        buffered = [int(w) for w in generator[BUFFER + LANES * position :]]
        lane_words = [[lane.next() for lane in upcoming] for _ in range(3)]
        next_words = (buffered + sum(lane_words, []))[: 3 * LANES]
        aligned = counters[:, 0] - 2 * counters[:, 1]
        runs.append((spins, low, high, generator[:4], aligned, np.array(next_words, dtype=object)))
    for index, (first, second) in enumerate(zip(*runs, strict=True)):
        assert np.array_equal(first, second), index


@pytest.mark.parametrize("code", range(8, 16))
def test_the_equal_bond_demon_rule_is_eqs_20_21_case_by_case(code):
    """The bit-sliced rule of a CCA site with equal bonds against the rule in words, for all 16
    (pattern, demon) cases at once (one replica each): a flip with one neighbour anti-aligned
    moves no energy (accepted, demon kept); aligned with both it takes |k| quanta from the demon
    (k > 0: accepted iff d >= |k|, d -> d - |k|), anti-aligned with both it gives them (iff
    d + |k| <= 3); k < 0 swaps the two; code 8 (no quantum fits) flips only the neutral ones."""
    from exactspin.montecarlo.wordbits import symmetric_demon

    quantum, negative = code & 3, bool(code & 4)
    words = [0, 0, 0, 0]  # anti_left, anti_right, low, high: bit c is case c
    for case in range(16):
        pattern, demon = divmod(case, 4)
        for index, bit in enumerate((pattern & 1, pattern >> 1, demon & 1, demon >> 1)):
            words[index] |= bit << case
    flipped, low, high = (
        int(word) for word in symmetric_demon(*(np.uint64(w) for w in words), np.uint64(code))
    )
    for case in range(16):
        pattern, demon = divmod(case, 4)
        anti_left, anti_right = pattern & 1, pattern >> 1
        if anti_left != anti_right:
            expected = (True, demon)
        elif quantum == 0:
            expected = (False, demon)
        else:
            takes = (anti_left == 0) != negative  # aligned with both takes, unless k < 0
            new = demon - quantum if takes else demon + quantum
            expected = (0 <= new <= 3, new if 0 <= new <= 3 else demon)
        got = (bool(flipped >> case & 1), (low >> case & 1) + 2 * (high >> case & 1))
        assert got == expected, (code, pattern, demon)


def test_every_equal_bond_cca_class_runs_the_bit_sliced_rule():
    """The fast rule runs only where it reproduces the class's tables (demon_fast_codes checks
    all 16 cases); on the rings of the twin tests every bulk class must take it, else those
    tests would check the table path only."""
    from exactspin.montecarlo.wordbits import DEMON, demon_fast_codes

    for parameters, expected in (
        ((2, 2, 2.0, 1.0, 2.0, 0.5, "cca", 4.0), {10, 9}),  # quanta 2 and 1
        ((2, 2, 3.0, -2.0, 2.0, 0.5, "cca", 4.0), {11, 14}),  # 3 and -2
        ((1, 2, 1.0, -3.0, 1.5, 0.7, "cca", 4.0), {9, 15}),  # 1 and -3
        ((2, 1, 2.0, 1.0, 2.0, 0.5, "cca", 1.0), {8}),  # 8 and 4: no quantum fits
    ):
        tables = word_tables(ring_model(*parameters))
        codes = demon_fast_codes(tables.demon_accept, tables.demon_low_new, tables.demon_high_new)
        assert set(codes[tables.kind == DEMON].tolist()) == expected, parameters
