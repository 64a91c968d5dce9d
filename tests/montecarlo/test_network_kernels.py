"""The network kernels on the paper's ring run today's ring chain, step for step.

Same random words, same thresholds: from the same state the network chain kernel and the ring
kernel (:func:`~exactspin.montecarlo.kernel.run_chain`, unchanged) end in the same state with the
same aligned-flip counts, and so do the general word kernel and the ring word kernel. This is why
``simulate`` gives the same numbers for the same seed as before networks. A cycle whose bonds do
not all point the same way round is oriented by traversal and still runs the cycle kernel.
"""

import numpy as np
import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import multispin as ring_words
from exactspin.montecarlo import network_kernel as chain
from exactspin.montecarlo import network_multispin as words
from exactspin.montecarlo.halfwords import word_generator_state
from exactspin.montecarlo.kernel import (
    NEIGHBOURHOODS,
    acceptance_table,
    alignment_weights,
    demons_of,
    initial_entries,
    neighbour_table,
    run_chain,
    spins_of,
)
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.network_simulation import simulate_network
from exactspin.montecarlo.rng import generator_state, replica_seeds
from exactspin.network import Bond, parse_network, three_bath_ring

NO_PAIRS = np.zeros((0, 2), dtype=np.int64)
NO_SUMS = np.zeros(0, dtype=np.int64)
RINGS = [
    {},
    {"nu": 3, "nd": 2, "dynamics": "cca", "mu": 1.0, "j1": 1.0, "j2": 1.0},
    {"nu": 0, "nd": 0},
    {"nu": 1, "nd": 4, "j1": -1.0, "j2": 0.5, "tl": 0.7, "tr": 3.0},
    {"nu": 40, "nd": 61},
    # Demon quanta 4 J / mu = 2 and 1 (the CCA ring kernel's equal-bond rule on both branches).
    {"nu": 2, "nd": 3, "dynamics": "cca", "mu": 4.0, "j1": 2.0, "j2": 1.0},
]


@pytest.mark.parametrize("parameters", RINGS)
def test_network_chain_kernel_is_the_ring_kernel_on_the_ring(parameters):
    model = ClassicalModel.from_parameters(**parameters)
    start, stream = replica_seeds(3, 1)[0].spawn(2)
    old_entries = initial_entries(model, start)
    tables = chain.chain_tables(Lattice.from_model(model))
    assert tables.slots.cyclic
    entries = chain.entries_of(tables, spins_of(old_entries), demons_of(old_entries))
    old_generator = generator_state(stream)
    generator = old_generator.copy()
    flips = np.zeros(model.sites * NEIGHBOURHOODS, dtype=np.int32)
    counts = np.zeros(chain.counter_count(tables), dtype=np.int32)
    steps = 100_000
    run_chain(steps, steps, old_generator, old_entries, acceptance_table(model),
              neighbour_table(model.sites), flips, NO_PAIRS, NO_SUMS)  # fmt: skip
    chain.chain_kernel(tables)(steps, steps, generator, entries, *chain.kernel_arrays(tables),
                               counts, NO_PAIRS, NO_SUMS)  # fmt: skip
    assert np.array_equal(generator, old_generator)
    assert np.array_equal(chain.occupations_of(entries), spins_of(old_entries))
    assert np.array_equal(chain.demons_of(tables, entries), demons_of(old_entries))
    right_weight, left_weight = alignment_weights()
    flips = flips.reshape(model.sites, NEIGHBOURHOODS).astype(np.int64)
    aligned = chain.slot_alignments(tables, counts)
    bond_slots = tables.slots.bond_slots
    assert np.array_equal(aligned[bond_slots[:, 0]], flips @ right_weight)
    assert np.array_equal(np.roll(aligned[bond_slots[:, 1]], 1), flips @ left_weight)


# The last rings are long enough for the ring word kernels to compute their neighbours.
LONG_RINGS = [
    {"nu": 2600, "nd": 2600, "tl": 2.0, "tr": 0.3},
    {"nu": 2600, "nd": 2600, "dynamics": "cca", "mu": 4.0, "j1": 3.0, "j2": -2.0},
]


@pytest.mark.parametrize("parameters", [*RINGS, *LONG_RINGS])
def test_general_word_kernel_is_the_ring_word_kernel_on_the_ring(parameters):
    """run_network_word (any degree, trees of multiplexers) against run_word (degree 2)."""
    model = ClassicalModel.from_parameters(**parameters)
    start, stream = replica_seeds(5, 1)[0].spawn(2)
    lattice = Lattice.from_model(model)
    spins, low, high = words.initial_words(lattice, start)
    old = ring_words.word_tables(model)
    old_state = ring_words.initial_words(model, start)
    assert np.array_equal(spins[:-1], old_state[0]) and np.array_equal(high[:-1], old_state[2])
    tables = words.word_tables(lattice)
    generator = word_generator_state(stream)
    old_generator = generator.copy()
    counters = np.zeros(words.counter_count(tables), dtype=np.int32)
    old_counters = np.zeros((model.sites, 3), dtype=np.int32)
    steps = 20_000
    words.run_network_word(steps, steps, generator, spins, low, high,
                           *words.kernel_arrays(tables), counters, NO_PAIRS, NO_SUMS)  # fmt: skip
    ring_words.run_word(steps, steps, old_generator, *old_state, old.site_class, old.kind,
                        old.neighbours, old.certain, old.thresholds, old.demon_accept,
                        old.demon_low_new, old.demon_high_new, old_counters, NO_PAIRS,
                        NO_SUMS)  # fmt: skip
    assert np.array_equal(generator, old_generator)
    assert np.array_equal(spins[:-1], old_state[0])
    assert np.array_equal(low[:-1], old_state[1]) and np.array_equal(high[:-1], old_state[2])
    # A cycle's slots are (predecessor, successor): the ring kernel's (left, right). The ring
    # kernel counts no flips at energy-conserving Q2R sites, only the alignments all currents
    # use (sum over flips of s_i s_j before the flip, per bond end).
    assert np.array_equal(
        words.slot_alignments(tables, counters), words.slot_alignments(tables, old_counters)
    )


UNEQUAL_CCA_RING = """
sites = 9
bonds = [[1, 2, 2.0], [2, 3, 1.0], [3, 4, 3.0], [4, 5, 1.0], [5, 6, -2.0], [6, 7, 1.5],
         [7, 8, 1.5], [8, 9, 0.5], [9, 1, 1.0]]
baths = [[1, 2.0], [5, 0.4]]
dynamics = "cca"
mu = 4.0
"""


def test_the_ring_word_kernel_is_the_general_one_on_a_cca_ring_of_unequal_bonds():
    """Bulk sites whose two bonds differ take the demon tables, not the equal-bond rule: the
    ring's word kernel (through advance_word) and the general word kernel agree bit for bit."""
    network = parse_network(UNEQUAL_CCA_RING)
    lattice = Lattice.from_network(network)
    tables = words.word_tables(lattice)
    assert words.uses_ring_kernel(tables)
    start, stream = replica_seeds(6, 1)[0].spawn(2)
    states = [words.initial_words(lattice, start) for _ in range(2)]
    generators = [word_generator_state(stream) for _ in range(2)]
    counters = [np.zeros(words.counter_count(tables), dtype=np.int32) for _ in range(2)]
    pairs = np.array([[0, 4], [2, 7], [8, 0]], dtype=np.int64)
    sums = [np.zeros(len(pairs), dtype=np.int64) for _ in range(2)]
    steps, interval = 30_000, 700
    samples = [
        words.run_network_word(steps, interval, generators[0], *states[0],
                               *words.kernel_arrays(tables), counters[0], pairs, sums[0]),
        words.advance_word(tables, steps, interval, generators[1], *states[1], counters[1], pairs,
                           sums[1]),
    ]  # fmt: skip
    assert samples[0] == samples[1] == -(-steps // interval)
    assert np.array_equal(sums[0], sums[1]) and sums[0].any()
    assert np.array_equal(generators[0], generators[1])
    for first, second in zip(*states, strict=True):
        assert np.array_equal(first, second)
    assert np.array_equal(
        words.slot_alignments(tables, counters[0]), words.slot_alignments(tables, counters[1])
    )
    # The run went through demon states other than the initial ones.
    assert states[0][1].any() or states[0][2].any()


def test_a_cycle_with_mixed_bond_directions_runs_the_cycle_kernel_correctly():
    """Reversing bonds flips the sign of their currents and nothing else."""
    network = three_bath_ring()
    reversed_bonds = tuple(
        Bond(b.second, b.first, b.coupling) if index in (1, 4) else b
        for index, b in enumerate(network.bonds)
    )
    mixed = network.replace(bonds=reversed_bonds)
    assert chain.chain_tables(Lattice.from_network(mixed)).slots.cyclic
    first = simulate_network(network, 200_000, replicas=4, seed=8, workers=1)
    second = simulate_network(mixed, 200_000, replicas=4, seed=8, workers=1)
    for index, (a, b) in enumerate(zip(first.bond_currents, second.bond_currents, strict=True)):
        error = 5 * np.hypot(first.bond_current_errors[index], second.bond_current_errors[index])
        sign = -1 if index in (1, 4) else 1
        assert abs(a - sign * b) < error
    assert np.allclose(first.bath_currents, second.bath_currents, atol=5 * max(
        first.bath_current_errors))  # fmt: skip
