"""Every replica of a multispin word is the single-chain random-sequential chain.

The twin is written from the single-chain kernel's table (:func:`acceptance_table`, the packed
thresholds round(p 2^55) and entry changes) and a plain-Python xoshiro256++: each of the 64
replicas, decoded from the word, takes the step the single-chain rules prescribe for the shared
site, with its acceptance uniform made of bit k of the words the multispin kernel draws (most
significant first). The word's state and its flip counters must match after every step.
"""

import numpy as np
import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo.kernel import (
    ALWAYS,
    CHANGE_BITS,
    THRESHOLD_BITS,
    acceptance_table,
    configuration_entries,
)
from exactspin.montecarlo.multispin import (
    WORD_BITS,
    decode_replica,
    initial_words,
    run_word,
    word_tables,
)
from exactspin.montecarlo.rng import generator_state, replica_seeds
from ring_models import ring_model

MASK = 2**64 - 1


class ReferenceGenerator:
    """xoshiro256++ with Python integers (Blackman and Vigna's reference algorithm)."""

    def __init__(self, state):
        self.s = [int(x) for x in state]

    def next(self):
        s = self.s

        def rotl(x, k):
            return ((x << k) | (x >> (64 - k))) & MASK

        word = (rotl((s[0] + s[3]) & MASK, 23) + s[0]) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return word


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
    # Replicas with 0 < p < 1 compare a uniform, whose bits are bit k of successive words.
    uniforms = {k: 0 for k in range(WORD_BITS) if 0 < thresholds[k] < ALWAYS}
    decided = {}
    bit = THRESHOLD_BITS
    while len(decided) < len(uniforms) and bit > 0:
        bit -= 1
        word = generator.next()
        for k in uniforms:
            if k in decided:
                continue
            u_bit = (word >> k) & 1
            t_bit = (thresholds[k] >> bit) & 1
            if u_bit != t_bit:
                decided[k] = u_bit < t_bit
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


def check_word_against_twin(model, steps, seed):
    sequence = replica_seeds(seed, 1)[0]
    spins, low, high = initial_words(model, sequence)
    state = generator_state(sequence)
    twin_generator = ReferenceGenerator(state)
    decoded = [decode_replica(spins, low, high, k) for k in range(WORD_BITS)]
    occupations = [d[0].copy() for d in decoded]
    demons = [d[1].copy() for d in decoded]
    tables = word_tables(model)
    table = acceptance_table(model)
    counters = np.zeros((model.sites, 3), dtype=np.int32)
    twin_flips = np.zeros(model.sites, dtype=np.int64)
    twin_anti = np.zeros((model.sites, 2), dtype=np.int64)
    no_pairs = np.zeros((0, 2), dtype=np.int64)
    for _ in range(steps):
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
        assert [int(x) for x in state] == twin_generator.s
    # Net aligned flips of every bond end, sum over flips of s_i s_j before the flip (all the
    # currents need); the ring kernel leaves the flips of energy-conserving Q2R sites uncounted.
    aligned = counters[:, :1] - 2 * counters[:, 1:]
    assert (aligned == twin_flips[:, None] - 2 * twin_anti).all()
    nodes = [model.ring.left_node, model.ring.right_node]
    assert (counters[nodes, 0] == twin_flips[nodes]).all()
    assert (counters[nodes, 1:] == twin_anti[nodes]).all()


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


def test_word_tables_are_read_only():
    tables = word_tables(ClassicalModel.from_parameters())
    with pytest.raises(ValueError):
        tables.certain[0, 0] = 0
