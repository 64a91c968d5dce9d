"""The classical exact engine on any network: conservation, Kirchhoff, Boltzmann, relabelling,
an independent dense twin, the paper's ring as a network, the report's networks, symbolic ==
numeric, and the ``--network`` command line.

Expected values never come from the code under test: the dense twin below builds the master
equation from the rules as the paper states them (Eqs. 3-5, Q2R dE = 0, CCA Eqs. 20-21) with
plain Python loops and numpy's SVD; the ring values come from ``tests/data/golden_v1.json``
(written by the ring code before the refactor).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from exactspin.classical import ClassicalModel, solve, solve_network
from exactspin.classical.generator import generator_matrix
from exactspin.classical.symbolic_network import derive_network
from exactspin.cli.main import main
from exactspin.network import (
    Bath,
    Bond,
    Field,
    Network,
    classical_ring,
    read_network,
    three_bath_ring,
    three_branch_junction,
)
from exactspin.validation import ParameterError
from strategies import networks

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "data" / "golden_v1.json").read_text())
EXAMPLES = ROOT / "examples" / "networks"

FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


# --------------------------------------------------------------------------- independent twin
def _spin(state: int, site: int) -> int:
    return 1 if (state >> site) & 1 else -1


def dense_twin(network: Network) -> tuple[np.ndarray, list[float], list[float]]:
    """P (uniform start over all states), bath currents and bond currents per attempt, from the
    rules written out here (continuous time, rate 1 per spin)."""
    n = network.sites
    bulk = [s for s in range(n) if network.bath_temperature(s) is None]
    cca = network.dynamics == "cca"
    demons = bulk if cca else []
    count = 2**n * 4 ** len(demons)
    fields = network.site_fields

    def flip_energy(state: int, site: int) -> float:
        s = _spin(state, site)
        total = 0.0
        for bond in network.bonds:
            if site in (bond.first, bond.second):
                other = bond.second if bond.first == site else bond.first
                total += 2 * bond.coupling * s * _spin(state, other)
        return total + 2 * fields[site] * s

    moves = []  # (source, target, rate, site)
    for state in range(count):
        for site in range(n):
            change = flip_energy(state, site)
            target = state ^ (1 << site)
            temperature = network.bath_temperature(site)
            if temperature is not None:
                rate = 1.0 if change <= 0 else math.exp(-change / temperature)
                moves.append((state, target, rate, site))
            elif cca:
                shift = n + 2 * demons.index(site)
                demon = (state >> shift) & 3
                quanta = change / network.demon_unit
                if abs(quanta - round(quanta)) < 1e-9 and 0 <= demon - round(quanta) <= 3:
                    after = demon - round(quanta)
                    target = (target & ~(3 << shift)) | (after << shift)
                    moves.append((state, target, 1.0, site))
            elif abs(change) < 1e-12:
                moves.append((state, target, 1.0, site))
    generator = np.zeros((count, count))
    for source, target, rate, _ in moves:
        generator[target, source] += rate
        generator[source, source] -= rate
    # every move is reversible: the closed classes are the connected pieces of the move graph
    adjacency = csr_matrix((np.ones(len(moves)), ([m[0] for m in moves], [m[1] for m in moves])),
                           shape=(count, count))  # fmt: skip
    pieces, labels = connected_components(adjacency, directed=False)
    law = np.zeros(count)
    for piece in range(pieces):
        members = np.flatnonzero(labels == piece)
        block = generator[np.ix_(members, members)]
        _, values, vectors = np.linalg.svd(block)
        if members.size > 1:
            assert values[-2] > 1e-9 * values[0], "a piece of the move graph is one class"
        local = np.abs(vectors[-1])
        law[members] = local / local.sum() * members.size / count  # uniform start
    baths = [0.0] * len(network.baths)
    bonds = [0.0] * len(network.bonds)
    for source, _target, rate, site in moves:
        flow = rate * law[source] / n
        for k, bath in enumerate(network.baths):
            if bath.site == site:
                baths[k] += flip_energy(source, site) * flow
        for b, bond in enumerate(network.bonds):
            if bond.first == site:
                bonds[b] += (
                    2 * bond.coupling * _spin(source, site) * _spin(source, bond.second) * flow
                )
    return law, baths, bonds


def _scale(solution) -> float:
    """A current scale: the largest gross bond flux (thresholds are 1e-9 of it), at least the
    energy scale x 1e-3 (a network whose bulk never moves has no bond flux)."""
    return max(max(solution.bond_thresholds) / 1e-9, 1e-3 * solution.network.energy_scale)


def assert_kirchhoff(solution) -> None:
    network = solution.network
    for site in range(network.sites):
        incident = network.incident_bonds(site)
        allowed = sum(solution.bond_current_errors[b] for b, _ in incident)
        allowed += sum(
            e
            for bath, e in zip(network.baths, solution.bath_current_errors, strict=True)
            if bath.site == site
        )
        assert abs(solution.site_balance(site)) <= allowed + 1e-14 * _scale(solution), site


# --------------------------------------------------------------------------- properties
@FAST
@given(networks(kind="classical", max_sites=6))
def test_q2r_networks_conserve_probability_and_obey_kirchhoff(network):
    solution = solve_network(network)
    law = solution.steady_state.probabilities
    assert np.all(law >= 0) and abs(law.sum() - 1) < 1e-12
    columns = np.asarray(generator_matrix(solution.model).sum(axis=0)).ravel()
    assert np.max(np.abs(columns)) < 1e-12
    assert_kirchhoff(solution)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(networks(kind="classical", max_sites=4, dynamics="cca"))
def test_cca_networks_obey_kirchhoff(network):
    solution = solve_network(network)
    assert abs(solution.steady_state.probabilities.sum() - 1) < 1e-12
    assert_kirchhoff(solution)


@FAST
@given(networks(kind="classical", max_sites=6, fields=True))
def test_fields_keep_kirchhoff(network):
    assert_kirchhoff(solve_network(network))


@FAST
@given(networks(kind="classical", max_sites=5, fields=True), st.floats(0.5, 4.0))
def test_equal_temperatures_give_boltzmann_on_every_class_and_no_current(network, temperature):
    network = network.with_temperatures([temperature] * len(network.baths))
    solution = solve_network(network)
    state = solution.steady_state
    n = network.sites
    energies = []
    for code in range(solution.model.state_count):
        energy = -sum(
            b.coupling * _spin(code, b.first) * _spin(code, b.second) for b in network.bonds
        )
        energy -= sum(f.strength * _spin(code, f.site) for f in network.fields)
        energy += (network.demon_unit or 0) * sum(
            (code >> (n + 2 * k)) & 3 for k in range(len(solution.model.demon_sites))
        )
        energies.append(energy)
    energies = np.array(energies)
    for index in range(state.closed_classes):
        members = np.flatnonzero(state.class_labels == index)
        weights = np.exp(-(energies[members] - energies[members].min()) / temperature)
        expected = weights / weights.sum()
        got = state.conditional_probabilities[members]
        assert np.allclose(got, expected, rtol=1e-10, atol=1e-14)
    scale = _scale(solution)
    for current, error in zip(
        solution.bath_currents + solution.bond_currents,
        solution.bath_current_errors + solution.bond_current_errors,
        strict=True,
    ):
        assert abs(current) <= error + 1e-12 * scale


@FAST
@given(networks(kind="classical", max_sites=6, fields=True), st.randoms(use_true_random=False))
def test_relabelling_the_sites_changes_no_current(network, random):
    permutation = list(range(network.sites))
    random.shuffle(permutation)
    first = solve_network(network)
    second = solve_network(network.relabelled(permutation))
    scale = _scale(first)
    for a, b in zip(
        first.bath_currents + first.bond_currents,
        second.bath_currents + second.bond_currents,
        strict=True,
    ):
        assert abs(a - b) <= 1e-11 * scale


@settings(max_examples=15, deadline=None, derandomize=True)
@given(networks(kind="classical", max_sites=5, fields=True))
def test_engine_matches_an_independent_dense_twin(network):
    solution = solve_network(network)
    law, baths, bonds = dense_twin(network)
    assert np.allclose(solution.steady_state.probabilities, law, rtol=1e-8, atol=1e-13)
    scale = _scale(solution)
    assert np.allclose(solution.bath_currents, baths, rtol=1e-7, atol=1e-11 * scale)
    assert np.allclose(solution.bond_currents, bonds, rtol=1e-7, atol=1e-11 * scale)


def test_cca_network_matches_the_dense_twin():
    network = Network(
        4,
        (Bond(0, 1, 1.0), Bond(1, 2, 0.5), Bond(2, 3, 1.0), Bond(3, 0, 1.5)),
        (Bath(0, 2.0), Bath(2, 0.5)),
        dynamics="cca",
        demon_unit=1.0,
    )
    solution = solve_network(network)
    assert solution.closed_classes > 1  # demons conserve energy: one class per total
    law, baths, bonds = dense_twin(network)
    assert np.allclose(solution.steady_state.probabilities, law, rtol=1e-8, atol=1e-13)
    assert np.allclose(solution.bath_currents, baths, rtol=1e-8, atol=1e-14)
    assert np.allclose(solution.bond_currents, bonds, rtol=1e-8, atol=1e-14)
    assert abs(solution.bath_currents[0]) > 1e-4  # a real current, not a trivial zero


# --------------------------------------------------------------------------- the paper's ring
def _golden(chosen: int = 40):
    entries = [e for e in GOLDEN["entries"] if e["engine"] == "classical"]
    return entries[:: max(1, len(entries) // chosen)]


@pytest.mark.parametrize("entry", _golden(), ids=lambda e: json.dumps(e["parameters"]))
def test_the_papers_ring_as_a_network_gives_the_golden_currents(entry):
    p = entry["parameters"]
    network = classical_ring(
        p["nu"], p["nd"], p["j1"], p["j2"], p["tl"], p["tr"], p["dynamics"], p["mu"]
    )
    # Build it again by hand (not through ClassicalModel's ring), so that the network path runs.
    network = Network(
        network.sites,
        network.bonds,
        network.baths,
        (),
        network.dynamics,
        network.demon_unit,
        parallel_bonds=network.parallel_bonds,
    )
    solution = solve_network(network)
    values, tolerance = entry["values"], 1e-12 * entry["current_scale"]
    assert abs(solution.bath_currents[0] - values["left_bath_current"]) <= tolerance
    assert abs(solution.bath_currents[1] - values["right_bath_current"]) <= tolerance
    assert abs(solution.bond_currents[0] - values["upper_branch_current"]) <= tolerance
    assert abs(solution.bond_currents[-1] - values["lower_branch_current"]) <= tolerance
    for new, old in zip(solution.bond_currents, entry["bond_currents"], strict=True):
        assert abs(new - old) <= tolerance


def test_the_example_ring_file_is_the_fig5_ring_and_circulates_clockwise():
    network = read_network(EXAMPLES / "paper_ring.toml")
    model = ClassicalModel.from_network(network)
    assert model.is_ring and model.parameters()["j2"] == 1.9
    ring = solve(model)
    solution = solve_network(network)
    assert solution.bond_currents == ring.bond_currents
    assert ring.circulation == "clockwise"
    assert [cycle.label for cycle in solution.cycles] == ["along"]
    assert solution.cycles[0].current == pytest.approx(ring.lower_branch_current, rel=1e-15)


# --------------------------------------------------------------------------- report networks
@pytest.mark.parametrize(
    "network",
    [three_branch_junction(), three_bath_ring(), three_branch_junction(dynamics="cca", mu=0.25)],
    ids=["junction", "three-bath ring", "junction cca"],
)
def test_report_networks_solve_and_obey_kirchhoff(network):
    solution = solve_network(network)
    assert solution.determined
    assert_kirchhoff(solution)
    assert abs(sum(solution.bath_currents)) <= sum(solution.bath_current_errors) + 1e-14
    assert max(abs(c) for c in solution.bath_currents) > 1e-4


def test_junction_branches_carry_one_current_each():
    solution = solve_network(three_branch_junction())
    bonds = solution.bond_currents
    # each branch is a chain of bulk sites: the same current along it (Kirchhoff at each site)
    assert bonds[0] == pytest.approx(bonds[1], rel=1e-12) == pytest.approx(bonds[2], rel=1e-12)
    assert bonds[3] == pytest.approx(bonds[4], rel=1e-12)
    assert bonds[5] == pytest.approx(bonds[6], rel=1e-12)
    assert solution.bath_currents[0] == pytest.approx(bonds[0] + bonds[3] + bonds[5], rel=1e-12)


def test_a_field_breaks_the_spin_flip_symmetry_and_is_still_solved():
    network = classical_ring(1, 1, 1.0, 1.0, 2.0, 0.5).replace(fields=(Field(0, 0.5),))
    solution = solve_network(network)
    assert not solution.model.is_ring
    law = solution.steady_state.probabilities
    mask = (1 << network.sites) - 1
    assert not np.allclose(law, law[np.arange(law.size) ^ mask])  # P(eta) != P(-eta)
    _, baths, bonds = dense_twin(network)
    assert np.allclose(solution.bath_currents, baths, rtol=1e-9)
    assert np.allclose(solution.bond_currents, bonds, rtol=1e-9)


def test_too_cold_a_bath_is_refused_by_name():
    network = three_bath_ring(temperatures=(2.0, 1e-4, 0.5))
    with pytest.raises(ParameterError, match=r"baths\[1\]"):
        solve_network(network)


def test_solve_refuses_a_network_model_and_points_to_solve_network():
    with pytest.raises(ParameterError, match="solve_network"):
        solve(ClassicalModel.from_network(three_branch_junction()))


# --------------------------------------------------------------------------- symbolic
SMALL = [
    Network(3, (Bond(0, 1, 1.0), Bond(1, 2, 1.0), Bond(2, 0, 2.0)),
            (Bath(0, 2.0), Bath(1, 0.5), Bath(2, 1.0))),
    Network(4, (Bond(0, 1, 1.0), Bond(1, 2, 1.0), Bond(2, 3, 1.0), Bond(1, 3, -0.5)),
            (Bath(0, 1.5), Bath(3, 0.6)), fields=(Field(2, 0.25),)),
    classical_ring(1, 1, 2.0, 1.5, 2.0, 0.5),
]  # fmt: skip


@pytest.mark.parametrize("network", SMALL, ids=["triangle 3 baths", "tree+field", "4-ring"])
def test_symbolic_equals_numeric(network):
    symbolic = derive_network(network)
    numeric = solve_network(network)
    values = symbolic.evaluate()
    scale = _scale(numeric)
    assert np.allclose(
        values["bath_currents"], numeric.bath_currents, rtol=1e-10, atol=1e-14 * scale
    )
    assert np.allclose(
        values["bond_currents"], numeric.bond_currents, rtol=1e-10, atol=1e-14 * scale
    )
    other = [0.9 * t for t in network.bath_temperatures]
    moved = solve_network(network.with_temperatures(other))
    assert np.allclose(
        symbolic.evaluate(tuple(other))["bath_currents"], moved.bath_currents, rtol=1e-10
    )


@settings(max_examples=4, deadline=None, derandomize=True)
@given(networks(kind="classical", max_sites=4, max_baths=2))
def test_symbolic_equals_numeric_on_random_networks(network):
    symbolic = derive_network(network)
    numeric = solve_network(network)
    scale = _scale(numeric)
    values = symbolic.evaluate()
    assert np.allclose(
        values["bath_currents"], numeric.bath_currents, rtol=1e-9, atol=1e-13 * scale
    )
    assert np.allclose(
        values["bond_currents"], numeric.bond_currents, rtol=1e-9, atol=1e-13 * scale
    )


def test_symbols_follow_the_order_of_appearance():
    symbolic = derive_network(SMALL[0])
    assert [str(symbol) for symbol, _ in symbolic.energies] == ["J1", "J2"]
    assert [str(t) for t in symbolic.temperatures] == ["T1", "T2", "T3"]
    assert "J2 - J1 > 0" in symbolic.valid_where or "-J1 + J2 > 0" in symbolic.valid_where


# --------------------------------------------------------------------------- command line
def _run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_solve_network_json_has_the_vocabulary(capsys):
    status, out, _ = _run(
        capsys, "classical", "solve", "--network", str(EXAMPLES / "junction.toml"), "--json"
    )
    assert status == 0
    payload = json.loads(out)
    for key in ("network", "parameters", "bath_currents", "bath_current_errors", "error_kind",
                "bond_currents", "bond_current_errors", "cycles", "unit"):  # fmt: skip
        assert key in payload, key
    assert payload["error_kind"] == "bound"
    assert len(payload["bath_currents"]) == 2 and len(payload["bond_currents"]) == 7
    assert payload["network"]["dynamics"] == "q2r"
    assert payload["parameters"]["unit"] == "step"


def test_the_text_cycle_current_has_the_digits_of_its_limiting_bond(capsys):
    """A circulating current is its limiting bond's current (Sec. II C), so the text table
    prints it with the same 12 digits as that bond's row, not fewer."""
    status, out, _ = _run(
        capsys, "classical", "solve", "--network", str(EXAMPLES / "paper_ring.toml")
    )
    assert status == 0
    solution = solve_network(read_network(EXAMPLES / "paper_ring.toml"))
    (cycle,) = solution.cycles
    shown = next(line for line in out.splitlines() if line.startswith("cycle 1"))
    assert f"along ({float(cycle.current):.12g})" in shown
    position = cycle.cycle.bonds.index(cycle.limiting_bond)
    oriented = cycle.cycle.directions[position] * solution.bond_currents[cycle.limiting_bond]
    assert float(cycle.current) == pytest.approx(float(oriented), rel=1e-15)


def test_ring_flags_with_network_are_refused_by_name(capsys):
    status, out, err = _run(
        capsys,
        "classical",
        "solve",
        "--network",
        str(EXAMPLES / "junction.toml"),
        "--j1",
        "2",
        "--tl",
        "2.0",
    )
    assert status == 2 and out == ""
    assert "--j1" in err and "--tl" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "text, key",
    [
        ("sites = 3\nbonds = [[1, 2, 1.0], [2, 4, 1.0]]\nbaths = [[1, 1.0]]\n", "bonds[1]"),
        (
            "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0]]\nbaths = [[1, 1.0], [1, 2.0]]\n",
            "baths[1]",
        ),
        ("sites = 2\nbonds = [[1, 2, 1.0, 0.5]]\nbaths = [[1, 1.0]]\nup = 1\n", "bonds"),
    ],
    ids=["missing site", "two baths on a site", "quantum file"],
)
def test_bad_network_files_exit_2_with_file_and_line(capsys, tmp_path, text, key):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    for command in ("solve", "derive"):
        status, out, err = _run(capsys, "classical", command, "--network", str(path))
        assert status == 2 and out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1
        assert f"{path}:" in lines[0] and key in lines[0]


def test_derive_network_of_the_3_spin_ring_gives_eq_14(capsys, tmp_path):
    path = tmp_path / "ring3.toml"
    path.write_text(
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0], [3, 1, 1.0]]\nbaths = [[1, 2.0], [3, 0.5]]\n"
    )
    status, out, _ = _run(
        capsys, "classical", "derive", "--network", str(path), "--json", "--quiet"
    )
    assert status == 0
    payload = json.loads(out)
    assert payload["parameters"]["couplings"] == "symmetric"
    assert len(payload["bath_currents"]) == 2 and len(payload["bond_currents"]) == 3
    # the same as the ring flags give (Eqs. 11-16)
    status, ring_out, _ = _run(capsys, "classical", "derive", "--json", "--quiet")
    assert json.loads(ring_out)["currents"] == payload["currents"]


def test_derive_network_json_for_a_general_network(capsys, tmp_path):
    path = tmp_path / "tri.toml"
    path.write_text("sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0], [3, 1, 2.0]]\n"
                    "baths = [[1, 2.0], [2, 0.5], [3, 1.0]]\n")  # fmt: skip
    status, out, _ = _run(
        capsys, "classical", "derive", "--network", str(path), "--json", "--quiet"
    )
    assert status == 0
    payload = json.loads(out)
    assert len(payload["bath_currents"]) == 3 and len(payload["bond_currents"]) == 3
    assert payload["valid_where"]
    status, _, err = _run(
        capsys, "classical", "derive", "--network", str(path), "--couplings", "symmetric"
    )
    assert status == 2 and "--couplings" in err
