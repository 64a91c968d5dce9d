"""The quantum engine on any network: QuTiP, continuity, Gibbs, relabelling, the ring, the builders.

The QuTiP reference builds everything itself from the network's numbers: the Hamiltonian from
Pauli matrices (bond J (sx sx + sy sy) + Delta sz' sz', field h sz), one coupling sz per bath with
Eq. 28 written out as QuTiP's spectrum S(w) = 2 gamma W(-w) (w = energy given to the bath), the
non-secular Bloch-Redfield tensor (sec_cutoff=-1) in the full 2^N space, its sector block cut out
and the null vector taken with numpy, as tests/quantum/test_qutip_redfield.py does for rings.
"""

from __future__ import annotations

import numpy as np
import pytest
import qutip
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from qutip_networks import CUTOFF, GAMMA, eq28_spectrum, qutip_index, qutip_network
from strategies import networks

from exactspin.network import (
    inhomogeneous_field_ring,
    quantum_ring,
    three_bath_ring,
    three_branch_junction,
)
from exactspin.quantum import QuantumModel, UnresolvedSteadyStateError, solve, steady_state
from exactspin.quantum.network_currents import network_currents
from exactspin.quantum.redfield import build_generator

SMALL = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def small_networks(fields: bool = True):
    """3-5 sites, up to 3 baths, sectors of dimension <= 10 (C(5, 2))."""
    return networks(kind="quantum", min_sites=3, max_sites=5, max_baths=3, fields=fields)


# ----------------------------------------------------------------- the QuTiP reference
def sector_indices(network):
    states = [s for s in range(2**network.sites) if bin(s).count("1") == network.up_spins]
    return [qutip_index(s, network.sites) for s in states]


def sector_hamiltonian(network):
    """H_S in the sector's configuration basis (exactspin's order), from QuTiP's operators."""
    hamiltonian = qutip_network(network)[0].full()
    indices = sector_indices(network)
    return hamiltonian[np.ix_(indices, indices)]


def qutip_reference(network, zero_frequency):
    """(rho in the sector, bath currents, {(b, c): <i[h_b, h_c]>}) from QuTiP, or None when the
    sector block's null space is not one-dimensional."""
    hamiltonian, bonds, _, sz = qutip_network(network)
    energies = np.linalg.eigvalsh(hamiltonian.full())
    scale = max(float(np.max(np.abs(energies))), network.energy_scale)
    tolerance = 1e-9 * scale
    a_ops = [
        (sz[bath.site], eq28_spectrum(bath.temperature, zero_frequency, tolerance))
        for bath in network.baths
    ]
    tensor = qutip.bloch_redfield_tensor(hamiltonian, a_ops, sec_cutoff=-1, fock_basis=True)
    dimension = 2**network.sites
    indices = sector_indices(network)
    positions = [i + j * dimension for j in indices for i in indices]  # column-major vec
    block = tensor.full()[np.ix_(positions, positions)]
    _, singular, right_h = np.linalg.svd(block)
    d = len(indices)
    if d > 1 and singular[-2] <= 1e-9 * singular[0]:
        return None
    rho_sector = right_h[-1].conj().reshape(d, d).T
    rho_sector /= np.trace(rho_sector)
    embedded = np.zeros((dimension, dimension), dtype=complex)
    embedded[np.ix_(indices, indices)] = rho_sector
    rho = qutip.Qobj(embedded, dims=hamiltonian.dims)
    bath_currents = []
    for k in range(len(a_ops)):
        alone = qutip.bloch_redfield_tensor(
            hamiltonian, a_ops[k : k + 1], sec_cutoff=-1, fock_basis=True
        )
        drho = qutip.vector_to_operator(alone * qutip.operator_to_vector(rho))
        bath_currents.append((drho * hamiltonian).tr().real)
    pair_currents = {}
    for b, first in enumerate(network.bonds):
        for c, second in enumerate(network.bonds):
            if b != c and set(first.sites) & set(second.sites):
                operator = 1j * qutip.commutator(bonds[b], bonds[c])
                pair_currents[(b, c)] = qutip.expect(operator, rho)
    return rho_sector, bath_currents, pair_currents


@SMALL
@given(small_networks(), st.sampled_from(("limit", "zero")))
def test_network_steady_state_and_currents_match_qutip(network, zero_frequency):
    reference = qutip_reference(network, zero_frequency)
    assume(reference is not None)
    rho_qutip, bath_qutip, pairs_qutip = reference
    model = QuantumModel.from_network(
        network, gamma=GAMMA, omega_c=CUTOFF, zero_frequency=zero_frequency
    )
    solution = solve(model, method="dense", precision="double")
    assert solution.steady_state.dimension == 1
    rho = solution.steady_state.sector_density_matrix
    assert np.max(np.abs(rho - rho_qutip)) < 1e-10
    assert len(solution.bath_currents) == len(network.baths)
    for ours, theirs in zip(solution.bath_currents, bath_qutip, strict=True):
        assert abs(ours - theirs) < 1e-10
    for entry in solution.currents.site_currents:
        assert abs(entry.current - pairs_qutip[(entry.from_bond, entry.to_bond)]) < 1e-10


# ----------------------------------------------------------------- dense == matrix-free
@SMALL
@given(small_networks())
def test_matrix_free_generator_equals_dense_matrix(network):
    generator = build_generator(QuantumModel.from_network(network))
    d = generator.dimension
    rng = np.random.default_rng(7)
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    hermitian = (rho + rho.conj().T) / 2
    dense = generator.dense_matrix()
    scale = float(np.max(np.abs(dense))) * d
    assert np.max(np.abs(generator.apply(rho).ravel() - dense @ rho.ravel())) <= 1e-13 * scale
    assert np.max(np.abs(generator.apply_hermitian(hermitian) - generator.apply(hermitian))) <= (
        1e-13 * scale
    )
    for bath in range(len(network.baths)):
        alone = generator.dense_matrix((bath,))
        assert np.max(np.abs(generator.apply(rho, (bath,)).ravel() - alone @ rho.ravel())) <= (
            1e-13 * scale
        )


@settings(max_examples=6, deadline=None, derandomize=True)
@given(small_networks())
def test_iterative_and_dense_steady_states_agree_on_networks(network):
    model = QuantumModel.from_network(network)
    dense = steady_state(model, method="dense")
    assume(dense.dimension == 1 and dense.dimension_certified)
    try:
        iterative = steady_state(model, method="iterative")
    except UnresolvedSteadyStateError:
        assume(False)  # a documented refusal (unconverged or non-unique), not a wrong state
    difference = np.linalg.norm(dense.density_matrix - iterative.density_matrix)
    assert difference <= dense.density_matrix_error + iterative.density_matrix_error
    assert difference < 1e-6


# ----------------------------------------------------------------- continuity
def assert_continuity(solution):
    """Bond, site, field and bath continuity of the module docstring of network_currents,
    each residual within the sum of the bounds of the currents in it."""
    network = solution.model.network
    currents = solution.currents
    inflow = currents.inflow
    for index, bond in enumerate(network.bonds):
        tail, tail_error = inflow[(bond.first, index)]
        head, head_error = inflow[(bond.second, index)]
        assert abs(tail + head) <= tail_error + head_error + 1e-15, ("bond", index)
    bath_at = dict(zip(network.bath_sites, solution.bath_currents, strict=True))
    bath_error_at = dict(zip(network.bath_sites, solution.bath_current_errors, strict=True))
    for site in range(network.sites):
        incident = network.incident_bonds(site)
        # Kirchhoff with the bond currents: out of s minus into s = the bath current at s
        kirchhoff = sum(sign * currents.bond_currents[bond] for bond, sign in incident)
        error = sum(currents.bond_current_errors[bond] for bond, _ in incident)
        expected = bath_at.get(site, 0.0)
        assert abs(kirchhoff - expected) <= error + bath_error_at.get(site, 0.0) + 1e-15, site
    for entry in network.fields:
        parts = [f for f in currents.field_currents if f.site == entry.site]
        assert len(parts) == network.degrees[entry.site]
        assert abs(sum(f.current for f in parts)) <= sum(f.error for f in parts) + 1e-15
    for bath, site in enumerate(network.bath_sites):
        parts = [b for b in currents.bath_bond_currents if b.bath == bath]
        assert len(parts) == network.degrees[site]
        total = sum(b.current for b in parts)
        bound = sum(b.error for b in parts) + solution.bath_current_errors[bath]
        assert abs(total - solution.bath_currents[bath]) <= bound + 1e-15
    assert abs(sum(solution.bath_currents)) <= sum(solution.bath_current_errors) + 1e-15
    # the currents are not all zero by construction: something flows when temperatures differ
    return max(abs(value) for value in currents.bond_currents)


@SMALL
@given(small_networks())
def test_continuity_at_every_bond_site_field_and_bath(network):
    solution = solve(QuantumModel.from_network(network), precision="double")
    assume(solution.steady_state.dimension_certified)
    assert_continuity(solution)


def test_continuity_residuals_are_far_below_the_currents():
    """The bounds used above are not vacuous: they are orders below the currents here."""
    solution = solve(QuantumModel.from_network(three_branch_junction(quantum=True, anisotropy=0.5)))
    largest = assert_continuity(solution)
    assert max(solution.currents.bond_current_errors) < 1e-4 * largest


# ----------------------------------------------------------------- equal temperatures
@SMALL
@given(small_networks(), st.floats(0.5, 3.0), st.sampled_from(("limit", "zero")))
def test_equal_temperatures_give_the_gibbs_state_and_no_current(network, temperature, convention):
    network = network.with_temperatures([temperature] * len(network.baths))
    model = QuantumModel.from_network(network, zero_frequency=convention)
    solution = solve(model, method="dense", precision="double")
    assume(solution.steady_state.dimension == 1 and solution.steady_state.dimension_certified)
    energies, vectors = np.linalg.eigh(sector_hamiltonian(network))
    weights = np.exp(-(energies - energies[0]) / temperature)
    gibbs = (vectors * (weights / weights.sum())) @ vectors.T
    rho = solution.steady_state.sector_density_matrix
    assert np.max(np.abs(rho - gibbs)) < 1e-9
    for value, bound in zip(solution.bath_currents, solution.bath_current_errors, strict=True):
        assert abs(value) <= bound + 1e-15
    for entry in solution.currents.site_currents + solution.currents.field_currents:
        assert abs(entry.current) <= entry.error + 1e-15


# ----------------------------------------------------------------- relabelling
@SMALL
@given(small_networks(), st.data())
def test_relabelling_the_sites_changes_nothing_but_the_names(network, data):
    permutation = data.draw(st.permutations(range(network.sites)))
    first = solve(QuantumModel.from_network(network), method="dense", precision="double")
    assume(first.steady_state.dimension == 1 and first.steady_state.dimension_certified)
    second = solve(
        QuantumModel.from_network(network.relabelled(permutation)),
        method="dense",
        precision="double",
    )
    np.testing.assert_allclose(second.bath_currents, first.bath_currents, rtol=0, atol=1e-11)
    np.testing.assert_allclose(second.bond_currents, first.bond_currents, rtol=0, atol=1e-11)
    moved = [second.site_magnetization[permutation[s]] for s in range(network.sites)]
    np.testing.assert_allclose(moved, first.site_magnetization, rtol=0, atol=1e-10)
    np.testing.assert_allclose(second.level_energies, first.level_energies, rtol=0, atol=1e-11)
    before = {
        (permutation[e.site], e.from_bond, e.to_bond): e.current
        for e in first.currents.site_currents
    }
    after = {(e.site, e.from_bond, e.to_bond): e.current for e in second.currents.site_currents}
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert abs(after[key] - value) < 1e-11
    a, b = network.bonds[0].sites
    assert abs(second.concurrence(permutation[a], permutation[b]) - first.concurrence(a, b)) < 1e-9
    assert [c.label for c in second.cycles] == [c.label for c in first.cycles]


# ----------------------------------------------------------------- the paper's ring
RING_CASES = [
    dict(delta=0.7),
    dict(delta=-1.3, zero_frequency="zero"),
    dict(delta=2.1, tl=3.0),
    dict(nu=3, nd=1, up=3, delta=0.5),
    dict(delta=1.0, zero_frequency="zero"),  # clockwise (Fig. 10a's CM)
    dict(delta=0.7, tl=1.5, tr=1.5),  # equal temperatures: undetermined
]
LABELS = {"clockwise": "along", "anticlockwise": "against", "parallel": "none"}


@pytest.mark.parametrize("case", RING_CASES)
def test_the_ring_as_a_network_reproduces_todays_currents(case):
    ring_keys = ("nu", "nd", "up", "j", "delta", "tl", "tr")
    geometry = {key: value for key, value in case.items() if key in ring_keys}
    convention = case.get("zero_frequency", "limit")
    today = solve(QuantumModel.from_parameters(**case))
    network = quantum_ring(**geometry)
    solution = solve(QuantumModel.from_network(network, zero_frequency=convention))
    assert solution.bath_currents == (today.left_bath_current, today.right_bath_current)
    at_site = {e.site: e for e in solution.currents.site_currents}
    for site, value in today.site_currents.items():
        entry = at_site[site]
        assert (entry.from_bond, entry.to_bond) == (site - 1, site)
        assert entry.current == value
    ring = today.model.ring
    for bond, value in enumerate(solution.bond_currents):
        branch = (
            today.upper_branch_current if ring.is_upper_bond(bond) else today.lower_branch_current
        )
        bound = solution.bond_current_errors[bond] + today.upper_branch_current_bound
        assert abs(value - branch) <= bound + 1e-15
    (cycle,) = solution.cycles
    expected = "undetermined" if today.circulation == "undetermined" else LABELS[today.circulation]
    assert cycle.label == expected
    assert solution.site_magnetization == today.site_magnetization
    assert solution.ergotropy_full == today.ergotropy_full


# ----------------------------------------------------------------- the report's networks
@pytest.mark.parametrize(
    "network",
    [
        three_branch_junction(quantum=True, anisotropy=0.5),
        three_bath_ring(quantum=True, anisotropy=0.5),
        inhomogeneous_field_ring(),
    ],
    ids=["junction", "three-baths", "field-ring"],
)
def test_the_report_networks_solve_with_certified_states(network):
    solution = solve(QuantumModel.from_network(network))
    assert solution.determined, solution.undetermined_reasons
    assert solution.steady_state.dimension == 1
    assert len(solution.bath_currents) == len(network.baths)
    assert solution.bath_currents[0] > solution.bath_current_errors[0]  # the hottest bath gives
    assert_continuity(solution)
    result = solution.to_dict()
    for key in (
        "network",
        "parameters",
        "bath_currents",
        "bath_current_errors",
        "site_currents",
        "site_magnetization",
        "cycles",
        "bond_currents",
    ):
        assert key in result
    assert ("field_currents" in result) == bool(network.fields)
    assert len(result["site_magnetization"]) == network.sites


def test_field_currents_are_nonzero_and_cancel_at_each_site():
    """On the field ring, the field exchanges energy with the bonds at its sites: nonzero parts
    that cancel at each site (a check that field currents are not trivially zero)."""
    solution = solve(QuantumModel.from_network(inhomogeneous_field_ring()))
    parts = solution.currents.field_currents
    assert max(abs(p.current) for p in parts) > 1e3 * max(p.error for p in parts)
    currents = network_currents(solution.steady_state)
    assert currents.bond_currents == solution.bond_currents


def test_other_master_equations_run_on_networks():
    """Once refused; every equation now solves a network (tests/network/test_network_equations.py
    checks them against independent constructions)."""
    from exactspin.quantum.equations import EquationModel, equation_checks

    model = EquationModel.from_model(
        QuantumModel.from_network(three_branch_junction(quantum=True)), "global-lindblad"
    )
    solution = solve(model)
    assert len(solution.bath_currents) == 2
    assert equation_checks(solution)["equation"] == "global-lindblad"


@pytest.mark.parametrize(
    "network",
    [three_branch_junction(quantum=True, anisotropy=0.5), three_bath_ring(quantum=True)],
    ids=["junction", "three-baths"],
)
def test_matrix_free_steady_state_equals_dense_on_the_report_networks(network):
    model = QuantumModel.from_network(network)
    dense = solve(model, method="dense", precision="double")
    iterative = solve(model, method="iterative", precision="double")
    difference = np.linalg.norm(
        dense.steady_state.density_matrix - iterative.steady_state.density_matrix
    )
    assert difference <= (
        dense.steady_state.density_matrix_error + iterative.steady_state.density_matrix_error
    )
    errors = np.add(dense.bath_current_errors, iterative.bath_current_errors)
    assert np.all(np.abs(np.subtract(dense.bath_currents, iterative.bath_currents)) <= errors)
    assert [c.label for c in dense.cycles] == [c.label for c in iterative.cycles]


def test_a_one_state_sector_is_solved_exactly():
    network = three_branch_junction(quantum=True, up=0)
    solution = solve(QuantumModel.from_network(network))
    assert solution.steady_state.density_matrix_error == 0.0
    assert solution.steady_state.dimension_certified
    assert solution.bath_currents == (0.0, 0.0)
    assert all(c.label == "undetermined" for c in solution.cycles)  # no current to label
    assert solution.site_magnetization == (-1.0,) * network.sites


def test_extended_precision_takes_every_bath():
    """The ball-arithmetic solve sums every bath's dissipator (it once took the first two)."""
    network = three_bath_ring(quantum=True, anisotropy=0.4, up=1)
    network = network.with_temperatures([1.0, 0.7, 0.4])
    extended = solve(QuantumModel.from_network(network), precision="extended")
    double = solve(QuantumModel.from_network(network), precision="double")
    assert extended.steady_state.precision_digits > 16
    for a, b, e in zip(
        extended.bath_currents, double.bath_currents, double.bath_current_errors, strict=True
    ):
        assert abs(a - b) <= e + extended.bath_current_errors[0]
    assert abs(extended.bath_currents[1]) > 1e3 * extended.bath_current_errors[1]
