"""Invariants of the kernel itself, checked on raw chains.

- Energy: the ring's Ising energy (Eq. 17) plus mu times the demons changes only by what the nodal
  flips drew from the baths (Eq. 6); bulk Q2R/CCA flips conserve it exactly (Eqs. 10, 21).
- Demons stay in {0, 1, 2, 3} (Eq. 20) and never appear on nodal sites or on Q2R rings.
- The generator's site choice is uniform, and is the exact high half of a 128-bit product.
- The packed acceptance table holds Eq. 5's Metropolis probabilities, and the kernel's one-compare
  acceptance test is exactly u < p for a uniform u.
"""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from exactspin.montecarlo.kernel import (
    ALWAYS,
    CONFIGURATIONS,
    LEFT_NODE,
    NEIGHBOURHOODS,
    RIGHT_NODE,
    acceptance_table,
    accepts,
    alignment_weights,
    decode_table,
    demons_of,
    initial_entries,
    neighbour_table,
    run_chain,
    site_couplings,
    spins_of,
)
from exactspin.montecarlo.rng import generator_state, replica_seeds, scale_word
from ring_models import ring_model


def ising_energy(model, spins):
    """E = -sum_b J_b s_b s_{b+1} (Eq. 17), spins +-1, 0-based sites."""
    return -sum(
        model.bond_coupling(b) * spins[b] * spins[(b + 1) % model.sites] for b in range(model.sites)
    )


def run(model, steps, seed):
    sequence = replica_seeds(seed, 1)[0]
    entries = initial_entries(model, sequence)
    before = entries.copy()
    flips = np.zeros(model.sites * NEIGHBOURHOODS, dtype=np.int32)
    no_pairs = np.zeros((0, 2), dtype=np.int64)
    run_chain(
        steps,
        steps,
        generator_state(sequence),
        entries,
        acceptance_table(model),
        neighbour_table(model.sites),
        flips,
        no_pairs,
        np.zeros(0, dtype=np.int64),
    )
    return before, entries, flips.reshape(model.sites, NEIGHBOURHOODS)


def total_energy(model, entries):
    spins = 2 * spins_of(entries) - 1
    demon_energy = (model.demon_unit or 0.0) * demons_of(entries).sum()
    return ising_energy(model, spins) + demon_energy


rings = st.tuples(st.integers(0, 4), st.integers(0, 4))
couplings = st.sampled_from([1.0, 2.0, -1.0, 0.5, 1.5])


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    ring=rings,
    j1=couplings,
    j2=couplings,
    tl=st.floats(0.2, 5.0),
    tr=st.floats(0.2, 5.0),
    dynamics=st.sampled_from([("q2r", None), ("cca", 0.5), ("cca", 1.0), ("cca", 2.0)]),
    seed=st.integers(0, 2**32),
)
def test_bulk_flips_conserve_ring_plus_demon_energy(ring, j1, j2, tl, tr, dynamics, seed):
    model = ring_model(*ring, j1, j2, tl, tr, *dynamics)
    before, after, flips = run(model, 5_000, seed)
    right_weight, left_weight = alignment_weights()
    drawn = 0.0
    for node in (model.ring.left_node, model.ring.right_node):
        left_coupling, right_coupling = site_couplings(model, node)
        drawn += 2 * right_coupling * (flips[node] @ right_weight)
        drawn += 2 * left_coupling * (flips[node] @ left_weight)
    assert np.isclose(total_energy(model, after) - total_energy(model, before), drawn, atol=1e-9)
    demons = demons_of(after)
    assert demons.max() <= 3
    non_demon_sites = [s for s in range(model.sites) if s not in model.demon_sites]
    assert not demons[non_demon_sites].any()


def test_site_choice_is_uniform():
    """Chi-square of 10^6 site draws over 7 sites stays below the 1e-4 tail (27.9 at 6 dof)."""
    generator = np.random.default_rng(5)
    words = generator.integers(0, 2**64, size=1_000_000, dtype=np.uint64)
    sites = [int(scale_word(w, np.uint64(7))[0]) for w in words[:200_000]]
    counts = np.bincount(sites, minlength=7)
    expected = len(sites) / 7
    assert ((counts - expected) ** 2 / expected).sum() < 27.9


@settings(max_examples=300, deadline=None, derandomize=True)
@given(word=st.integers(0, 2**64 - 1), count=st.integers(1, 2**63))
def test_site_and_fraction_are_the_halves_of_the_128_bit_product(word, count):
    """scale_word(w, n) = (floor(w n / 2^64), w n mod 2^64), checked with Python integers."""
    site, fraction = scale_word(np.uint64(word), np.uint64(count))
    assert int(site) == word * count >> 64
    assert int(fraction) == word * count % 2**64


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    threshold=st.one_of(st.integers(0, ALWAYS), st.sampled_from([0, 1, ALWAYS - 1, ALWAYS])),
    change=st.integers(0, 255),
    uniform=st.one_of(st.integers(0, ALWAYS - 1), st.sampled_from([0, 1, ALWAYS - 1])),
    low_bits=st.integers(0, 2**9 - 1),
)
def test_packed_table_word_accepts_exactly_below_its_threshold(
    threshold, change, uniform, low_bits
):
    """The kernel's test on a packed word is u < threshold for the 55 top bits u of the fraction,
    whatever the change byte and the fraction's 9 unused low bits."""
    packed = np.uint64((threshold << 8) | change)
    fraction = np.uint64((uniform << 9) | low_bits)
    assert bool(accepts(fraction, packed)) == (uniform < threshold)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    ring=rings,
    j1=couplings,
    j2=couplings,
    tl=st.floats(0.05, 20.0),
    tr=st.floats(0.05, 20.0),
)
def test_nodal_table_entries_hold_the_metropolis_probability(ring, j1, j2, tl, tr):
    """Eq. 5: a nodal flip with energy change dE = 2 s (J_l l + J_r r) is accepted with
    min(1, exp(-dE / T)), to the table's resolution 2^-55."""
    model = ring_model(*ring, j1, j2, tl, tr)
    probabilities, changes = decode_table(acceptance_table(model))
    for site_class, node, temperature in (
        (LEFT_NODE, model.ring.left_node, tl),
        (RIGHT_NODE, model.ring.right_node, tr),
    ):
        left_coupling, right_coupling = site_couplings(model, node)
        for configuration in range(8):
            left, spin, right = (2 * ((configuration >> k) & 1) - 1 for k in range(3))
            energy_change = 2 * spin * (left_coupling * left + right_coupling * right)
            expected = min(1.0, math.exp(-energy_change / temperature))
            entry = site_class * CONFIGURATIONS + configuration
            assert abs(probabilities[entry] - expected) <= 2.0**-55
            assert changes[entry] == (-2 * spin) % 256
