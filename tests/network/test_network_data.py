"""The network description: the paper's ring as data, files, bad input, cycles."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactspin.network import (
    Network,
    NetworkError,
    circulation,
    classical_ring,
    cycle_basis,
    network_from_dict,
    parse_network,
    quantum_ring,
    read_network,
    three_bath_ring,
    three_branch_junction,
    write_network,
)
from exactspin.ring import Ring
from strategies import networks


@pytest.mark.parametrize(("nu", "nd"), [(0, 0), (0, 1), (1, 0), (2, 3), (3, 2), (1, 1)])
def test_classical_ring_has_the_papers_bonds_and_couplings(nu, nd):
    """Bond b joins site b to b+1 (mod N_S): J1 on the upper path, J2 on the lower (Eq. 17)."""
    ring = Ring(nu, nd)
    network = classical_ring(nu, nd, j1=2.0, j2=1.9, tl=2.0, tr=0.1)
    assert network.sites == ring.sites
    for index, bond in enumerate(network.bonds):
        assert bond.sites == ring.bond_sites(index)
        assert bond.coupling == (2.0 if ring.is_upper_bond(index) else 1.9)
    assert network.bath_sites == (ring.left_node, ring.right_node)
    assert network.bath_temperatures == (2.0, 0.1)
    assert network.bulk_sites == ring.bulk_sites


@pytest.mark.parametrize(("nu", "nd"), [(0, 0), (2, 3), (3, 2), (1, 1)])
def test_the_rings_one_cycle_is_the_ring_clockwise(nu, nd):
    cycles = cycle_basis(classical_ring(nu, nd))
    assert len(cycles) == 1
    sites = nu + nd + 2
    assert cycles[0].bonds == tuple(range(sites))
    assert cycles[0].directions == (1,) * sites


def test_ring_circulation_is_todays_clockwise_label_and_circulating_current():
    """I_U > 0 and I_D > 0 (both clockwise, Kirchhoff I_L = I_U - I_D): clockwise CM by min."""
    network = classical_ring(2, 3)
    upper, lower = 0.3, 0.1
    currents = [upper] * 3 + [lower] * 4
    (result,) = circulation(network, currents)
    assert result.label == "along"
    assert result.current == pytest.approx(lower)
    (result,) = circulation(network, [upper] * 3 + [-lower] * 4)
    assert result.label == "none"
    (result,) = circulation(network, [-upper] * 3 + [-lower] * 4)
    assert result.label == "against"
    assert result.current == pytest.approx(-lower)
    (result,) = circulation(network, [upper] * 3 + [lower] * 4, [0.0] * 3 + [0.2] * 4)
    assert result.label == "undetermined"
    assert result.limiting_bond is None


def test_a_circulating_current_names_the_bond_it_is_the_current_of():
    """The circulating current is the smallest oriented current round the cycle: its error is
    that bond's error, so the result names the bond."""
    network = classical_ring(2, 3)
    currents = [0.3, 0.25, 0.3, 0.12, 0.1, 0.11, 0.13]
    (result,) = circulation(network, currents)
    assert (result.label, result.limiting_bond, result.current) == ("along", 4, 0.1)
    (result,) = circulation(network, [-value for value in currents])
    assert (result.label, result.limiting_bond, result.current) == ("against", 4, -0.1)
    assert result.to_dict()["limiting_bond"] == 4
    (result,) = circulation(network, [0.3] * 3 + [-0.1] * 4)
    assert result.limiting_bond is None and result.to_dict()["limiting_bond"] is None


def test_cycle_basis_size_is_bonds_minus_sites_plus_one():
    junction = three_branch_junction()
    assert len(cycle_basis(junction)) == len(junction.bonds) - junction.sites + 1 == 2


@settings(max_examples=60, deadline=None)
@given(networks())
def test_every_basis_cycle_is_a_closed_walk(network):
    cycles = cycle_basis(network)
    assert len(cycles) == len(network.bonds) - network.sites + 1
    for cycle in cycles:
        here = cycle.sites[0]
        for bond, direction in zip(cycle.bonds, cycle.directions, strict=True):
            entry = network.bonds[bond]
            assert here == (entry.first if direction > 0 else entry.second)
            here = entry.second if direction > 0 else entry.first
        assert here == cycle.sites[0]
        assert cycle.directions[cycle.bonds.index(min(cycle.bonds))] == 1


@settings(max_examples=40, deadline=None)
@given(network=networks())
def test_toml_and_json_files_round_trip(network, tmp_path_factory):
    folder = tmp_path_factory.mktemp("networks")
    for name in ("network.toml", "network.json"):
        assert read_network(write_network(network, folder / name)) == network


def test_quantum_ring_carries_delta_and_the_sector():
    network = quantum_ring(2, 1, up=3, j=1.0, delta=0.5)
    assert network.kind == "quantum"
    assert all(bond.anisotropy == 0.5 for bond in network.bonds)
    assert network.up_spins == 3
    assert three_bath_ring(quantum=True).kind == "quantum"


BAD_INPUT = {
    "bond to a missing site": (
        "sites = 3\nbonds = [\n  [1, 2, 1.0],\n  [2, 7, 1.0],\n]\nbaths = [[1, 1.0]]\n",
        ":4:",
        "bonds[1]",
        "site 7 does not exist",
    ),
    "self-loop": (
        "sites = 3\nbonds = [[1, 2, 1.0],\n [2, 3, 1.0],\n [3, 3, 1.0]]\nbaths = [[1, 1.0]]\n",
        ":4:",
        "bonds[2]",
        "self-loop",
    ),
    "repeated bond": (
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0],\n [2, 1, 1.0]]\nbaths = [[1, 1.0]]\n",
        ":3:",
        "bonds[2]",
        "bonds[0] joins them",
    ),
    "two baths on one site": (
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0]]\nbaths = [\n [1, 1.0],\n [1, 2.0],\n]\n",
        ":5:",
        "baths[1]",
        "at most one bath per site",
    ),
    "no bath": (
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0]]\nbaths = []\n",
        ":3:",
        "baths",
        "non-empty",
    ),
    "site without bonds": (
        "sites = 4\nbonds = [[1, 2, 1.0], [2, 3, 1.0]]\nbaths = [[1, 1.0]]\n",
        ":1:",
        "sites",
        "site 4 has none",
    ),
    "network in pieces": (
        "sites = 4\nbonds = [[1, 2, 1.0], [3, 4, 1.0]]\nbaths = [[1, 1.0]]\n",
        ":2:",
        "bonds",
        "sites 3, 4 (no bath)",
    ),
    "unknown key": (
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0]]\nbaths = [[1, 1.0]]\ntemperature = 3\n",
        ":4:",
        "temperature",
        "known key",
    ),
    "mixed classical and quantum bonds": (
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0, 0.5]]\nbaths = [[1, 1.0]]\n",
        ":2:",
        "bonds[1]",
        "the same form",
    ),
    "negative temperature": (
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0]]\nbaths = [[1, -1.0]]\n",
        ":3:",
        "baths[0]",
        "positive",
    ),
    "quantum without a sector": (
        "sites = 3\nbonds = [[1, 2, 1.0, 0.0], [2, 3, 1.0, 0.0]]\nbaths = [[1, 1.0]]\n",
        "net.toml",
        "up",
        "number of up spins",
    ),
    "TOML syntax error": ("sites = 3\nbonds = [[1, 2, 1.0\n", ":", "network", "valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_network_files_name_the_key_and_the_line(case, tmp_path):
    text, line, key, words = BAD_INPUT[case]
    path = tmp_path / "net.toml"
    path.write_text(text)
    with pytest.raises(NetworkError) as caught:
        read_network(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    assert line in message
    assert f"'{key}'" in message
    assert words in message


def test_json_errors_carry_lines_too(tmp_path):
    text = (
        '{\n  "sites": 3,\n  "bonds": [\n    [1, 2, 1.0],\n'
        "    [2, 3, 1.0],\n    [3, 3, 1.0]\n  ],\n"
        '  "baths": [[1, 1.0]]\n}\n'
    )
    path = tmp_path / "net.json"
    path.write_text(text)
    with pytest.raises(NetworkError, match=r"net\.json:6: parameter 'bonds\[2\]'"):
        read_network(path)


def test_relabelling_keeps_the_network_valid_and_reversible():
    network = three_branch_junction()
    permutation = (5, 0, 4, 1, 3, 2)
    inverse = tuple(permutation.index(site) for site in range(6))
    assert network.relabelled(permutation).relabelled(inverse) == network


def test_a_dict_with_one_based_sites_builds_the_same_network():
    network = classical_ring(2, 3)
    assert network_from_dict(network.to_dict()) == network
    assert isinstance(parse_network(json.dumps(network.to_dict()), form="json"), Network)


@settings(max_examples=60, deadline=None)
@given(network=networks(), data=st.data())
def test_relabelling_the_sites_relabels_the_cycles_and_nothing_else(network, data):
    """The cycle basis depends on the bond order only: same bonds, same directions."""
    permutation = data.draw(st.permutations(range(network.sites)))
    relabelled = network.relabelled(permutation)
    before, after = cycle_basis(network), cycle_basis(relabelled)
    assert [(c.bonds, c.directions) for c in before] == [(c.bonds, c.directions) for c in after]
    assert [tuple(permutation[s] for s in c.sites) for c in before] == [c.sites for c in after]


def test_an_exact_network_without_current_labels_its_cycles_none_not_undetermined():
    """The trial's ``classical solve --network`` printed "undetermined (0)" with exit 0: the
    exact currents are zero at the solver's threshold (every one is determined), so no cycle
    circulates. A Q2R ring whose bulk sites are frozen (site 4: bonds 1 and 0.5 never cancel;
    site 2: bonds 1, 1 and field 0.5 never cancel), so no energy passes between the baths."""
    from exactspin.classical import solve_network
    from exactspin.network.files import parse_network

    network = parse_network(
        "sites = 4\nbonds = [[1, 2, 1.0], [2, 3, 1.0], [3, 4, 0.5], [4, 1, 1.0]]\n"
        "fields = [[2, 0.5]]\nbaths = [[1, 2.0], [3, 0.5]]\n"
    )
    solution = solve_network(network)
    assert solution.determined
    assert [cycle.label for cycle in solution.cycles] == ["none"]


def test_only_bonds_known_to_carry_nothing_make_a_cycle_none():
    """A bond within its error of 0 that is not known to be zero leaves the cycle undetermined,
    exact solver or not (a review's edge case: a resolved current at the zero threshold)."""
    network = parse_network(
        "sites = 3\nbonds = [[1, 2, 1.0], [2, 3, 1.0], [3, 1, 2.0]]\nbaths = [[1, 2.0], [3, 0.5]]\n"
    )
    (cycle,) = cycle_basis(network)
    currents = [0.0] * 3
    for bond, direction in zip(cycle.bonds, cycle.directions, strict=True):
        currents[bond] = direction * 1.0  # every bond along the cycle
    small = cycle.bonds[0]
    currents[small] *= 1e-12
    errors = [1e-13] * 3
    errors[small] = 2e-12
    assert circulation(network, currents, errors)[0].label == "undetermined"
    assert circulation(network, currents, errors, zero_bonds=[False] * 3)[0].label == (
        "undetermined"
    )
    zero = [bond == small for bond in range(3)]
    assert circulation(network, currents, errors, zero_bonds=zero)[0].label == "none"
    errors[small] = 1e-13
    assert circulation(network, currents, errors, zero_bonds=zero)[0].label == "along"
