"""Every master equation on networks with any number of baths, against independent constructions.

- Davies (``global-lindblad``) on a small three-bath network (CI), the three-bath ring of
  examples/networks and the junction (slow: QuTiP's secular tensor of 2^6 levels takes minutes)
  against QuTiP's secular
  Bloch-Redfield tensor, built here from Pauli matrices in the full 2^N space (sec_cutoff scaled
  so the absolute cutoff is 1e-6, as tests/quantum/test_equations.py does for the ring): steady
  state and every bath current Tr[L_k(rho) H] (QuTiP's single-bath tensors);
- the bath currents sum to zero for every equation (energy conservation of the steady state);
- each bath current, evaluated from H_S directly, equals the sum of its parts (bonds at its site,
  distant bonds, fields), and each bond's two ends plus the baths' direct inflow balance: the
  decomposition of network_currents is complete for every equation;
- the paper's ring as a network equals the ring for every equation (bath and site currents,
  magnetizations, smallest eigenvalue, the note);
- Kirchhoff at every site holds for the commutator forms and fails at bulk sites for the
  secular, partial secular and ULE forms, as the note says.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import qutip
from qutip_networks import CUTOFF, GAMMA, eq28_spectrum, qutip_index, qutip_network

from exactspin.network import network_from_dict, quantum_ring, read_network, three_branch_junction
from exactspin.quantum import QuantumModel, solve
from exactspin.quantum.equations import (
    EQUATIONS,
    SITE_LOCAL,
    EquationModel,
    equation_checks,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "networks"
THREE_BATHS = read_network(EXAMPLES / "three_baths_quantum.json")
JUNCTION = three_branch_junction(quantum=True, anisotropy=0.5)
#: Four sites, three baths, two cycles, one bulk site (site 3): QuTiP's tensor is 256 x 256.
SMALL = network_from_dict(
    {
        "name": "small three-bath network",
        "sites": 4,
        "bonds": [[1, 2, 1.0, 0.5], [2, 3, 1.25, 0.5], [3, 4, 0.8, 0.5], [4, 1, 1.1, 0.5],
                  [1, 3, 0.6, 0.3]],
        "baths": [[1, 2.0], [2, 1.0], [4, 0.5]],
        "up": 2,
    }
)  # fmt: skip
NETWORKS = {"three-baths": THREE_BATHS, "junction": JUNCTION, "small": SMALL}


def qutip_davies(network):
    """(rho in the sector, bath currents) from QuTiP's secular Bloch-Redfield tensor."""
    hamiltonian, _, _, sz = qutip_network(network)
    levels = hamiltonian.eigenenergies()
    gaps = np.abs(levels[:, None] - levels[None, :])
    smallest = np.min(gaps[gaps > 1e-12])
    tolerance = 1e-9 * max(float(np.max(np.abs(levels))), network.energy_scale)
    a_ops = [(sz[b.site], eq28_spectrum(b.temperature, "limit", tolerance)) for b in network.baths]
    cutoff = 1e-6 / smallest
    tensor = qutip.bloch_redfield_tensor(hamiltonian, a_ops, sec_cutoff=cutoff, fock_basis=True)
    dimension = 2**network.sites
    states = [s for s in range(dimension) if bin(s).count("1") == network.up_spins]
    indices = [qutip_index(s, network.sites) for s in states]
    positions = [i + j * dimension for j in indices for i in indices]  # column-major vec
    block = tensor.full()[np.ix_(positions, positions)]
    _, singular, right_h = np.linalg.svd(block)
    assert singular[-2] > 1e-9 * singular[0], "QuTiP's sector block has a degenerate null space"
    d = len(indices)
    rho_sector = right_h[-1].conj().reshape(d, d).T
    rho_sector /= np.trace(rho_sector)
    embedded = np.zeros((dimension, dimension), dtype=complex)
    embedded[np.ix_(indices, indices)] = rho_sector
    rho = qutip.Qobj(embedded, dims=hamiltonian.dims)
    currents = []
    for k in range(len(a_ops)):
        alone = qutip.bloch_redfield_tensor(
            hamiltonian, a_ops[k : k + 1], sec_cutoff=cutoff, fock_basis=True
        )
        change = qutip.vector_to_operator(alone * qutip.operator_to_vector(rho))
        currents.append((change * hamiltonian).tr().real)
    return rho_sector, currents


def network_solution(network, equation, **options):
    model = EquationModel.from_network(network, gamma=GAMMA, omega_c=CUTOFF, equation=equation)
    return solve(model, **options)


@pytest.mark.parametrize(
    "name",
    [
        "small",
        pytest.param("three-baths", marks=pytest.mark.slow),
        pytest.param("junction", marks=pytest.mark.slow),
    ],
)
def test_davies_on_networks_equals_qutip_secular_bloch_redfield(name):
    network = NETWORKS[name]
    rho_qutip, currents_qutip = qutip_davies(network)
    solution = network_solution(network, "global-lindblad", method="dense", precision="double")
    rho = solution.steady_state.sector_density_matrix
    assert np.max(np.abs(rho - rho_qutip)) < 1e-10
    assert len(solution.bath_currents) == len(network.baths)
    for ours, theirs, bound in zip(
        solution.bath_currents, currents_qutip, solution.bath_current_errors, strict=True
    ):
        assert abs(ours - theirs) < 1e-11 + bound
    # the real secular steady state carries no current between bonds (the note's claim)
    for entry in solution.currents.site_currents + solution.currents.field_currents:
        assert abs(entry.current) <= entry.error + 1e-15
    assert "vanish identically" in equation_checks(solution)["equation_note"]


@pytest.fixture(scope="module")
def solutions():
    """Every equation on both networks, solved once."""
    return {
        (name, equation): network_solution(network, equation)
        for name, network in NETWORKS.items()
        for equation in EQUATIONS
        if equation != "local-lindblad"
    }


@pytest.mark.parametrize("equation", [e for e in EQUATIONS if e != "local-lindblad"])
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_bath_currents_sum_to_zero_for_every_equation(solutions, name, equation):
    solution = solutions[(name, equation)]
    total = sum(solution.bath_currents)
    assert abs(total) <= sum(solution.bath_current_errors)
    # the bounds are not vacuous
    assert sum(solution.bath_current_errors) < 1e-6 * max(map(abs, solution.bath_currents))
    assert solution.bath_currents[0] > 1e3 * solution.bath_current_errors[0]  # the hottest gives
    assert equation_checks(solution)["bath_balance_error"] == total


@pytest.mark.parametrize("equation", [e for e in EQUATIONS if e != "local-lindblad"])
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_bath_currents_are_the_sum_of_their_parts(solutions, name, equation):
    """Tr[L_k(rho) H] (from the eigenvalues) = sum over bonds and fields of Tr[L_k(rho) term],
    and every bond's inflow through its ends plus the baths' direct inflow is zero."""
    solution = solutions[(name, equation)]
    currents = solution.currents
    network = solution.model.network
    parts = currents.bath_bond_currents + currents.bulk_bath_currents
    for bath, value in enumerate(solution.bath_currents):
        mine = [p for p in parts if p.bath == bath] + [
            p for p in currents.bath_field_currents if p.bath == bath
        ]
        assert len([p for p in parts if p.bath == bath]) == (
            len(network.bonds)
            if equation not in SITE_LOCAL
            else network.degrees[network.bath_sites[bath]]
        )
        bound = sum(p.error for p in mine) + solution.bath_current_errors[bath]
        assert abs(sum(p.current for p in mine) - value) <= bound
    for index, bond in enumerate(network.bonds):
        tail, tail_error = currents.inflow[(bond.first, index)]
        head, head_error = currents.inflow[(bond.second, index)]
        direct = [p for p in currents.bulk_bath_currents if p.bond == index]
        residual = tail + head + sum(p.current for p in direct)
        assert abs(residual) <= tail_error + head_error + sum(p.error for p in direct) + 1e-15


@pytest.mark.parametrize("equation", [e for e in EQUATIONS if e != "local-lindblad"])
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_kirchhoff_holds_at_every_site_only_for_the_commutator_forms(solutions, name, equation):
    solution = solutions[(name, equation)]
    network = solution.model.network
    errors = solution.kirchhoff_errors
    checks = equation_checks(solution)
    assert checks["kirchhoff_errors"] == list(errors)
    scale = max(abs(value) for value in solution.bath_currents)
    bulk = [site for site in range(network.sites) if site not in network.bath_sites]
    if equation in SITE_LOCAL:
        for site, error in enumerate(errors):
            bound = sum(solution.bond_current_errors[b] for b, _ in network.incident_bonds(site))
            assert abs(error) <= bound + sum(solution.bath_current_errors) + 1e-15
        assert not solution.currents.bulk_bath_currents
    else:
        assert max(abs(errors[site]) for site in bulk) > 1e-2 * scale
        assert "Kirchhoff" in checks["equation_note"]
        assert max(abs(p.current) for p in solution.currents.bulk_bath_currents) > 1e-3 * scale
    # the per-site defects add up to minus the baths' total, zero whatever the equation
    assert abs(sum(errors)) <= sum(solution.bath_current_errors) + 1e-15


def test_local_lindblad_on_a_network_is_temperature_blind():
    solution = network_solution(THREE_BATHS, "local-lindblad")
    d = solution.model.dimension
    assert np.max(np.abs(solution.steady_state.density_matrix - np.eye(d) / d)) < 1e-12
    for value, bound in zip(solution.bath_currents, solution.bath_current_errors, strict=True):
        assert abs(value) <= bound
    # every current vanishes by construction (equation_note): no circulation, not undetermined
    assert solution.determined
    assert {entry.label for entry in solution.cycles} == {"none"}


RING = dict(nu=2, nd=1, up=2, delta=0.5)


@pytest.mark.parametrize("equation", EQUATIONS)
def test_the_ring_as_a_network_equals_the_ring_for_every_equation(equation):
    ring = solve(EquationModel.from_parameters(**RING, equation=equation))
    network = quantum_ring(2, 1, 2, 1.0, 0.5, 2.0, 1.0)
    model = EquationModel.from_network(network, equation=equation)
    solution = solve(model)
    assert model.parameters()["equation"] == equation
    np.testing.assert_allclose(
        solution.bath_currents,
        (ring.left_bath_current, ring.right_bath_current),
        rtol=0,
        atol=1e-13 * abs(ring.left_bath_current) + 1e-17,
    )
    at_site = {e.site: e.current for e in solution.currents.site_currents}
    for site, value in ring.site_currents.items():
        assert abs(at_site[site] - value) <= 1e-13 * abs(ring.left_bath_current) + 1e-17
    np.testing.assert_allclose(solution.site_magnetization, ring.site_magnetization, atol=1e-13)
    assert abs(solution.min_eigenvalue - ring.min_eigenvalue) < 1e-13
    ring_checks = equation_checks(ring)
    network_checks = equation_checks(solution)
    assert ring_checks["positive"] == network_checks["positive"]
    assert bool(ring_checks["equation_note"]) == bool(network_checks["equation_note"])
    if equation in SITE_LOCAL and equation != "local-lindblad":
        for bond, value in enumerate(solution.bond_currents):
            branch = (
                ring.upper_branch_current
                if ring.model.ring.is_upper_bond(bond)
                else ring.lower_branch_current
            )
            assert abs(value - branch) <= 1e-11 * abs(ring.left_bath_current)


def test_equation_model_from_network_keeps_the_bath_parameters():
    model = EquationModel.from_network(
        JUNCTION, gamma=0.002, omega_c=5.0, zero_frequency="zero", equation="ule-lamb-shift"
    )
    plain = QuantumModel.from_network(JUNCTION, gamma=0.002, omega_c=5.0, zero_frequency="zero")
    assert (model.coupling, model.cutoff, model.zero_frequency) == (0.002, 5.0, "zero")
    assert model.network == plain.network
    assert model.parameters() == {**plain.parameters(), "equation": "ule-lamb-shift"}


@pytest.mark.parametrize(
    "equation",
    ["global-lindblad", "global-lindblad-lamb-shift", "ule", "ule-lamb-shift", "local-lindblad"],
)
def test_lindblad_forms_are_completely_positive_on_a_three_bath_network(equation):
    """The Choi matrix of the generator, projected off the maximally entangled vector, is >= 0
    (exp(L t) completely positive for all t), with all three baths in the generator."""
    from exactspin.quantum.redfield import build_generator

    generator = build_generator(EquationModel.from_network(SMALL, equation=equation))
    assert generator.bath_count == 3
    d = generator.dimension
    matrix = generator.dense_matrix()
    choi = np.zeros((d * d, d * d), dtype=complex)
    for i in range(d):
        for j in range(d):
            unit = np.zeros((d, d))
            unit[i, j] = 1.0
            choi += np.kron(unit, (matrix @ unit.ravel()).reshape(d, d))
    entangled = np.eye(d).ravel() / np.sqrt(d)
    projector = np.eye(d * d) - np.outer(entangled, entangled)
    projected = projector @ choi @ projector
    smallest = np.linalg.eigvalsh((projected + projected.conj().T) / 2)[0]
    assert smallest / np.max(np.abs(choi)) > -1e-12
    # the third bath is in the generator: dropping it changes the matrix
    two = sum(generator.dense_matrix((bath,)) for bath in (0, 1))
    assert np.max(np.abs(generator.dense_matrix((2,)))) > 1e-3 * np.max(np.abs(two))
