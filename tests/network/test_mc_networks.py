"""Monte Carlo on networks: bath and bond currents against an exact solution, errors checked.

The exact oracle here is written from the rules (docs/conventions.md, "Networks"), not from
exactspin: a dense generator over every state (spins and CCA demons), each site attempted at rate
1 (Eq. 4): Metropolis with its bath, min(1, exp(-dE/T)) (Eq. 5); elsewhere Q2R, rate 1 iff
dE = 0 in exact rational arithmetic; or CCA, rate 1 iff the demon d - dE/mu stays in 0..3
(Eqs. 20-21). dE = 2 s_i (sum_j J_ij s_j + h_i). The steady state is the long-time limit from
the uniform distribution (the Monte Carlo's start): closed classes found as strongly connected
components without exits, each class's stationary vector, and absorption probabilities from the
transient states. Currents per attempt (divided by N): bath m at site i draws
<rate_i dE_i>; bond [a, b] carries <rate_a 2 J s_a s_b> (Eq. 8-9).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from exactspin.montecarlo.chains import MultispinWord, SingleChain
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.network_kernel import demons_of, occupations_of
from exactspin.montecarlo.network_simulation import bath_ends, simulate_network
from exactspin.montecarlo.rng import replica_seeds
from exactspin.network import (
    Bath,
    Bond,
    Field,
    Network,
    classical_ring,
    three_bath_ring,
    three_branch_junction,
)
from strategies import networks

SIGMA = 5.0


# ------------------------------------------------------------------ the exact oracle
def _states(network):
    baths = set(network.bath_sites)
    demon_sites = (
        [s for s in range(network.sites) if s not in baths] if network.dynamics == "cca" else []
    )
    states = []
    for spins in itertools.product((-1, 1), repeat=network.sites):
        for demons in itertools.product(range(4), repeat=len(demon_sites)):
            states.append((spins, dict(zip(demon_sites, demons, strict=True))))
    return states, demon_sites


def _flip(network, spins, demons, site):
    """(rate, energy change, new demons) of flipping ``site``, or rate 0."""
    s = spins[site]
    exact = Fraction(0)
    numeric = 0.0
    for bond in network.bonds:
        if site in bond.sites:
            other = bond.other(site)
            exact += Fraction(bond.coupling) * spins[other]
            numeric += bond.coupling * spins[other]
    for entry in network.fields:
        if entry.site == site:
            exact += Fraction(entry.strength)
            numeric += entry.strength
    energy_change = 2.0 * s * numeric
    temperature = network.bath_temperature(site)
    if temperature is not None:
        return min(1.0, math.exp(-energy_change / temperature)), energy_change, demons
    if network.dynamics == "cca":
        quanta = energy_change / network.demon_unit
        nearest = round(quanta)
        if abs(quanta - nearest) > 1e-9 * max(1.0, abs(quanta)):
            return 0.0, energy_change, demons
        after = demons[site] - nearest
        if not 0 <= after <= 3:
            return 0.0, energy_change, demons
        return 1.0, energy_change, {**demons, site: after}
    return (1.0 if exact == 0 else 0.0), energy_change, demons


def exact_currents(network):
    """(bath currents, bond currents) per attempt, from the uniform initial distribution."""
    states, demon_sites = _states(network)
    index = {(spins, tuple(d[s] for s in demon_sites)): k for k, (spins, d) in enumerate(states)}
    size = len(states)
    rows, columns, rates = [], [], []  # generator[to, from]
    moves = []
    for k, (spins, demons) in enumerate(states):
        for site in range(network.sites):
            rate, energy_change, after = _flip(network, spins, demons, site)
            if rate == 0:
                continue
            flipped = tuple(-x if i == site else x for i, x in enumerate(spins))
            target = index[(flipped, tuple(after[s] for s in demon_sites))]
            rows += [target, k]
            columns += [k, k]
            rates += [rate, -rate]
            moves.append((k, site, rate, energy_change))
    generator = sparse.csr_matrix((rates, (rows, columns)), shape=(size, size))
    probability = _limit_from_uniform(generator)
    n = network.sites
    baths = np.zeros(len(network.baths))
    bonds = np.zeros(len(network.bonds))
    bath_of = {bath.site: m for m, bath in enumerate(network.baths)}
    for k, site, rate, energy_change in moves:
        weight = probability[k] * rate / n
        if site in bath_of:
            baths[bath_of[site]] += weight * energy_change
        spins = states[k][0]
        for b, bond in enumerate(network.bonds):
            if bond.first == site:
                bonds[b] += weight * 2 * bond.coupling * spins[bond.first] * spins[bond.second]
    return baths, bonds


def _limit_from_uniform(generator):
    size = generator.shape[0]
    off_diagonal = generator - sparse.diags(generator.diagonal())
    graph = (off_diagonal != 0).T.tocsr()  # graph[from, to]
    count, labels = connected_components(graph, directed=True, connection="strong")
    # A class is closed when no transition leaves it.
    sources, targets = graph.nonzero()
    leaving = np.zeros(count, dtype=bool)
    leaving[labels[sources][labels[sources] != labels[targets]]] = True
    closed = [np.flatnonzero(labels == c) for c in range(count) if not leaving[c]]
    transient = np.setdiff1d(np.arange(size), np.concatenate(closed))
    start = np.full(size, 1.0 / size)
    result = np.zeros(size)
    generator = generator.tocsc()
    for members in closed:
        block = generator[members][:, members].toarray()
        system = np.vstack([block, np.ones(len(members))])
        rhs = np.zeros(len(members) + 1)
        rhs[-1] = 1.0
        stationary = np.linalg.lstsq(system, rhs, rcond=None)[0]
        # h(t): probability of ending in this class from transient t (sum_s Q[s,t] h(s) = 0).
        absorbed = np.zeros(size)
        absorbed[members] = 1.0
        if len(transient):
            q_tt = generator[transient][:, transient].T.tocsc()
            q_tc = np.asarray(generator[members][:, transient].sum(axis=0)).ravel()
            absorbed[transient] = spsolve(q_tt, -q_tc)
        result[members] += (start @ absorbed) * stationary
    return result


# ------------------------------------------------------------------ helpers
def _assert_within(result, network):
    exact_baths, exact_bonds = exact_currents(network)
    pairs = [
        (result.bath_currents, result.bath_current_errors, result.bath_current_bounds, exact_baths),
        (result.bond_currents, result.bond_current_errors, result.bond_current_bounds, exact_bonds),
    ]
    for values, errors, bounds, exact in pairs:
        for value, error, bound, truth in zip(values, errors, bounds, exact, strict=True):
            if error is None:
                assert value == 0.0 and abs(truth) <= bound, (truth, bound)
            else:
                assert abs(value - truth) < SIGMA * error, (value, truth, error)


SETTINGS = settings(
    max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


# ------------------------------------------------------------------ tests
@pytest.mark.parametrize(
    "parameters", [dict(nu=1, nd=2), dict(nu=2, nd=1, dynamics="cca", mu=1.0, j1=1.0, j2=2.0)]
)
def test_oracle_agrees_with_the_ring_solver_and_kirchhoff(parameters):
    """The oracle itself: on the paper's rings it gives the ring solver's currents; bath
    currents sum to zero and every bulk site conserves current."""
    from exactspin.classical.model import ClassicalModel
    from exactspin.classical.solution import solve

    network = classical_ring(**parameters)
    baths, bonds = exact_currents(network)
    ring = solve(ClassicalModel.from_parameters(**parameters))
    assert np.allclose(baths, [ring.left_bath_current, ring.right_bath_current], atol=1e-12)
    assert np.allclose(bonds, ring.bond_currents, atol=1e-12)
    assert abs(baths.sum()) < 1e-12
    for site in network.bulk_sites:
        net = sum(sign * bonds[b] for b, sign in network.incident_bonds(site))
        assert abs(net) < 1e-12


@SETTINGS
@given(network=networks(kind="classical", min_sites=3, max_sites=6, max_baths=3))
def test_single_chains_match_the_exact_currents_on_random_q2r_networks(network):
    result = simulate_network(network, steps=200_000, replicas=16, seed=3, workers=1)
    _assert_within(result, network)


@SETTINGS
@given(network=networks(kind="classical", min_sites=3, max_sites=5, max_baths=2, fields=True))
def test_single_chains_match_the_exact_currents_with_fields(network):
    result = simulate_network(network, steps=200_000, replicas=16, seed=5, workers=1)
    _assert_within(result, network)


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(network=networks(kind="classical", min_sites=3, max_sites=4, max_baths=2, dynamics="cca"))
def test_single_chains_match_the_exact_currents_on_random_cca_networks(network):
    result = simulate_network(network, steps=100_000, replicas=32, seed=7, workers=1)
    _assert_within(result, network)


@SETTINGS
@given(network=networks(kind="classical", min_sites=3, max_sites=6, max_baths=3, fields=True))
def test_multispin_words_match_the_exact_currents_on_random_networks(network):
    result = simulate_network(network, steps=20_000, replicas=512, seed=11, workers=1)
    _assert_within(result, network)


@pytest.mark.parametrize("replicas", [8, 256])
@pytest.mark.parametrize(
    "network",
    [three_branch_junction(), three_bath_ring(), three_bath_ring(dynamics="cca", mu=0.5)],
    ids=["junction", "three-bath-ring", "three-bath-ring-cca"],
)
def test_report_networks_match_the_exact_currents(network, replicas):
    steps = 400_000 if replicas < 64 else 20_000
    result = simulate_network(network, steps=steps, replicas=replicas, seed=2, workers=1)
    _assert_within(result, network)
    assert result.equilibrated is not False


@pytest.mark.parametrize("replicas", [4, 128])
def test_standard_error_matches_the_spread_of_independent_seeds(replicas):
    """Over 40 seeds, the z-scores against the exact currents have unit spread."""
    network = three_branch_junction()
    exact_baths, exact_bonds = exact_currents(network)
    steps = 20_000 if replicas < 64 else 2_000
    z = []
    for seed in range(40):
        result = simulate_network(network, steps=steps, replicas=replicas, seed=seed, workers=1)
        z.append((result.bath_currents[0] - exact_baths[0]) / result.bath_current_errors[0])
        z.append((result.bond_currents[3] - exact_bonds[3]) / result.bond_current_errors[3])
    spread = float(np.std(z))
    assert 0.7 <= spread <= 1.4, spread
    assert abs(float(np.mean(z))) < 0.5


def test_the_ring_as_a_network_gives_the_ring_numbers():
    """Same chain on the same seeds: simulate_network(classical_ring) reproduces simulate."""
    from exactspin.classical.model import ClassicalModel
    from exactspin.montecarlo import simulate

    for replicas in (3, 64):
        ring = simulate(ClassicalModel.from_parameters(), 50_000, replicas=replicas, seed=4)
        network = simulate_network(classical_ring(), 50_000, replicas=max(replicas, 128), seed=4)
        if replicas < 64:
            network = simulate_network(classical_ring(), 50_000, replicas=replicas, seed=4)
            assert network.bath_currents == (ring.left_bath_current, ring.right_bath_current)
            assert network.bond_currents == ring.bond_currents
        assert len(network.bond_currents) == 7


def _energy(network, spins, demons):
    energy = -sum(b.coupling * spins[b.first] * spins[b.second] for b in network.bonds)
    energy -= sum(f.strength * spins[f.site] for f in network.fields)
    return energy + (network.demon_unit or 0.0) * sum(demons)


@SETTINGS
@given(network=networks(kind="classical", min_sites=3, max_sites=7, max_baths=2, fields=True))
def test_energy_drawn_from_the_baths_is_the_energy_gained_chain_and_word(network):
    """Exact bookkeeping over a run: E(after) - E(before) = energy drawn from every bath, for the
    chain and for each replica of a word together; bulk flips never change the energy."""
    for dynamics in ("q2r", "cca"):
        if dynamics == "cca":
            if max(network.degrees) + 1 > 5:
                continue
            network = network.replace(dynamics="cca", demon_unit=0.5)
        lattice = Lattice.from_network(network)
        entries, _, energies = bath_ends(lattice)
        sequence = replica_seeds(9, 1)[0]
        chain = SingleChain(lattice, sequence, ())
        tables = chain.tables
        before = _chain_energy(network, tables, chain.entries)
        segment = chain.advance(5_000)
        drawn = _drawn(segment, entries, energies)
        assert math.isclose(_chain_energy(network, tables, chain.entries) - before, drawn,
                            abs_tol=1e-9)  # fmt: skip
        word = MultispinWord(lattice, sequence, ())
        before = _word_energy(network, lattice, word)
        segment = word.advance(2_000)
        drawn = _drawn(segment, entries, energies)
        assert math.isclose(_word_energy(network, lattice, word) - before, drawn, abs_tol=1e-8)


def _drawn(segment, entries, energies):
    flat = np.concatenate([segment.bond_aligned.ravel(), segment.field_aligned])
    return float(flat[entries] @ energies)


def _chain_energy(network, tables, entries):
    spins = 2 * occupations_of(entries) - 1
    return _energy(network, spins, demons_of(tables, entries))


def _word_energy(network, lattice, word):
    total = 0.0
    for replica in range(64):
        bit = np.uint64(replica)
        spins = 2 * ((word.spins[:-1] >> bit) & np.uint64(1)).astype(int) - 1
        low = ((word.demon_low[:-1] >> bit) & np.uint64(1)).astype(int)
        high = ((word.demon_high[:-1] >> bit) & np.uint64(1)).astype(int)
        total += _energy(network, spins, low + 2 * high)
    return total


def test_a_bond_without_events_reports_a_bound_not_zero():
    """A Q2R site between couplings 1 and 2 never flips, so the bond beyond it carries nothing."""
    network = Network(
        sites=4,
        bonds=(Bond(0, 1, 1.0), Bond(1, 2, 2.0), Bond(2, 3, 1.0)),
        baths=(Bath(0, 2.0), Bath(3, 0.5)),
    )
    result = simulate_network(network, steps=20_000, replicas=4, seed=1, workers=1)
    assert result.bond_current_errors[1] is None
    assert result.bond_current_bounds[1] > 0
    assert result.bond_status(1) == "no events"
    payload = result.to_dict()
    assert payload["bond_current_errors"][1] is None
    assert payload["error_kind"] == "standard_error"


def test_a_field_only_network_has_currents_through_the_field_site():
    network = Network(
        sites=3,
        bonds=(Bond(0, 1, 1.0), Bond(1, 2, 1.0)),
        baths=(Bath(0, 2.0), Bath(2, 0.5)),
        fields=(Field(1, 0.0),),
    )
    result = simulate_network(network, steps=100_000, replicas=8, seed=1, workers=1)
    _assert_within(result, network)


# ------------------------------------------------------------------ the network exact solver
def _solver():
    return pytest.importorskip("exactspin.classical").solve_network


@SETTINGS
@given(
    network=networks(kind="classical", min_sites=3, max_sites=6, max_baths=3, fields=True)
    | networks(kind="classical", min_sites=3, max_sites=4, max_baths=2, dynamics="cca")
)
def test_oracle_agrees_with_the_network_solver(network):
    """Two independent exact solutions (this file's dense oracle, exactspin's sparse solver)."""
    solution = _solver()(network)
    baths, bonds = exact_currents(network)
    scale = max(1.0, float(np.abs(baths).max()))
    assert np.allclose(solution.bath_currents, baths, atol=1e-10 * scale)
    assert np.allclose(solution.bond_currents, bonds, atol=1e-10 * scale)


@pytest.mark.parametrize("replicas", [8, 256])
def test_report_networks_match_the_network_solver(replicas):
    for network in (three_branch_junction(), three_bath_ring()):
        solution = _solver()(network)
        steps = 400_000 if replicas < 64 else 20_000
        result = simulate_network(network, steps=steps, replicas=replicas, seed=6, workers=1)
        for values, errors, exact in (
            (result.bath_currents, result.bath_current_errors, solution.bath_currents),
            (result.bond_currents, result.bond_current_errors, solution.bond_currents),
        ):
            for value, error, truth in zip(values, errors, exact, strict=True):
                assert abs(value - truth) < SIGMA * error, (value, truth, error)


@pytest.mark.parametrize("replicas", [6, 192])
def test_same_seed_same_numbers_whatever_the_workers(replicas):
    network = three_branch_junction()
    runs = [
        simulate_network(network, steps=20_000, replicas=replicas, seed=13, workers=workers)
        for workers in (1, 3)
    ]
    assert runs[0].bath_currents == runs[1].bath_currents
    assert runs[0].bond_current_errors == runs[1].bond_current_errors
    other = simulate_network(network, steps=20_000, replicas=replicas, seed=14, workers=1)
    assert other.bath_currents != runs[0].bath_currents


def test_bad_arguments_are_refused_before_running():
    from exactspin.network import quantum_ring
    from exactspin.validation import ParameterError

    with pytest.raises(ParameterError, match="'replicas'"):
        simulate_network(three_branch_junction(), steps=1000, replicas=64)
    with pytest.raises(ParameterError, match="'network'"):
        simulate_network(quantum_ring(), steps=1000)
    with pytest.raises(ParameterError, match="'steps'"):
        simulate_network(three_branch_junction(), steps=3)


def _wheel():
    """A hub (degree 6, with a bath) joined by J = 2 to a rim of six sites joined by J = 1, so a
    rim site's bonds can cancel (1 + 1 - 2 = 0) and Q2R moves it; a second bath on the rim."""
    rim = [Bond(1 + k, 1 + (k + 1) % 6, 1.0) for k in range(6)]
    spokes = [Bond(0, 1 + k, 2.0) for k in range(6)]
    return Network(sites=7, bonds=tuple(spokes + rim), baths=(Bath(0, 3.0), Bath(4, 0.5)))


@pytest.mark.parametrize("replicas", [8, 256])
def test_a_high_degree_hub_matches_the_exact_currents(replicas):
    """Degree 6 needs wider entries (uint16) and a 64-pattern tree in the word kernel."""
    from exactspin.montecarlo.network_kernel import chain_tables

    network = _wheel()
    assert chain_tables(Lattice.from_network(network)).entry_type == np.uint16
    # Batches must outlast the slow rim's correlation time: 10^4 steps (batches of 70 sweeps)
    # gave a 5.6 sigma miss with a lag-one batch correlation far from 0.
    steps = 300_000 if replicas < 64 else 100_000
    result = simulate_network(network, steps=steps, replicas=replicas, seed=21, workers=1)
    assert max(abs(c) for c in result.batch_correlation) < 0.5
    _assert_within(result, network)


def test_degree_limits_are_named():
    from exactspin.validation import ParameterError

    star = Network(
        sites=15,
        bonds=tuple(Bond(0, k, 1.0) for k in range(1, 15)),
        baths=(Bath(0, 1.0),),
    )
    with pytest.raises(ParameterError, match="'bonds'"):
        simulate_network(star, steps=1000)
    cca = _wheel().replace(dynamics="cca", demon_unit=1.0)
    with pytest.raises(ParameterError, match="CCA"):
        simulate_network(cca, steps=1000)
