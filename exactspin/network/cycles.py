"""Cycles of a network and whether its bond currents circulate round them.

A circulating current (current magnification, the paper's CM) on a network is a cycle whose
every bond carries current the same way round it. On the paper's ring the one cycle is the ring
itself, oriented clockwise (bond b from site b to b+1): "along" is the paper's clockwise, "against"
its anticlockwise, and the circulating current is min(I_U, I_D) for clockwise circulation, the
smaller branch current, whose excess I_U / I_L > 1 is the magnification ratio.

The cycle basis is the fundamental one of a breadth-first spanning tree from site 0: each bond
outside the tree closes one cycle. Each cycle is oriented so that its lowest-numbered bond is
traversed from its ``first`` to its ``second`` site, which makes the ring's cycle clockwise.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from exactspin.network.graph import Network

ALONG = "along"
AGAINST = "against"
NONE = "none"
UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Cycle:
    """A cycle: its bonds in traversal order and the direction (+1 / -1) each is traversed.

    ``sites`` lists the sites visited (0-based), starting at the tail of ``bonds[0]``.
    """

    bonds: tuple[int, ...]
    directions: tuple[int, ...]
    sites: tuple[int, ...]


@dataclass(frozen=True)
class Circulation:
    """Whether the bond currents circulate round one cycle.

    Attributes
    ----------
    cycle : Cycle
    label : {"along", "against", "none", "undetermined"}
        "along"/"against": every bond of the cycle carries current in (against) the cycle's
        orientation, beyond its error; "none": two bonds disagree beyond their errors;
        "undetermined": some bond current lies within its error of 0 and no two bonds disagree.
    current : float
        The circulating current: the smallest oriented current magnitude round the cycle when it
        circulates, else 0 (signed: negative for "against").
    """

    cycle: Cycle
    label: str
    current: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, 1-based sites, bond indices 0-based as in ``bond_currents``."""
        return {
            "sites": [site + 1 for site in self.cycle.sites],
            "bonds": list(self.cycle.bonds),
            "directions": list(self.cycle.directions),
            "circulation": self.label,
            "circulating_current": self.current,
        }


def cycle_basis(network: Network) -> tuple[Cycle, ...]:
    """The fundamental cycle basis (B - N + 1 cycles) of a breadth-first tree from site 0."""
    parent: dict[int, tuple[int, int] | None] = {0: None}  # site -> (parent site, bond)
    depth = {0: 0}
    order = deque([0])
    tree: set[int] = set()
    while order:
        site = order.popleft()
        for neighbour, bond in network.neighbours(site):
            if neighbour not in parent:
                parent[neighbour] = (site, bond)
                depth[neighbour] = depth[site] + 1
                tree.add(bond)
                order.append(neighbour)
    cycles = []
    for index in range(len(network.bonds)):
        if index in tree:
            continue
        cycles.append(_fundamental_cycle(network, index, parent, depth))
    return tuple(cycles)


def _fundamental_cycle(network, closing, parent, depth) -> Cycle:
    """The cycle closed by bond ``closing``: first -> second along it, then the tree back."""
    bond = network.bonds[closing]
    start, end = bond.first, bond.second
    end_side: list[tuple[int, int, int]] = []  # (bond, from, to) walking end -> ancestor
    start_side: list[tuple[int, int, int]] = []  # walking start -> ancestor
    a, b = end, start
    while a != b:
        if depth[a] >= depth[b]:
            site, tree_bond = parent[a]
            end_side.append((tree_bond, a, site))
            a = site
        else:
            site, tree_bond = parent[b]
            start_side.append((tree_bond, b, site))
            b = site
    steps = [(closing, start, end)] + end_side
    steps += [(tree_bond, to, frm) for tree_bond, frm, to in reversed(start_side)]
    bonds = tuple(step[0] for step in steps)
    directions = tuple(
        1 if network.bonds[step_bond].first == frm else -1 for step_bond, frm, _ in steps
    )
    sites = tuple(step[1] for step in steps)
    return _oriented(network, Cycle(bonds, directions, sites))


def _oriented(network: Network, cycle: Cycle) -> Cycle:
    """Reverse ``cycle`` if needed so that its lowest-numbered bond is traversed forward."""
    lowest = min(range(len(cycle.bonds)), key=lambda k: cycle.bonds[k])
    bonds, directions = list(cycle.bonds), list(cycle.directions)
    if directions[lowest] < 0:
        bonds.reverse()
        directions = [-d for d in reversed(directions)]
    lowest = bonds.index(min(bonds))
    bonds = bonds[lowest:] + bonds[:lowest]
    directions = directions[lowest:] + directions[:lowest]
    first = network.bonds[bonds[0]]
    sites = [first.first]
    for bond, direction in zip(bonds[:-1], directions[:-1], strict=True):
        entry = network.bonds[bond]
        sites.append(entry.second if direction > 0 else entry.first)
    return Cycle(tuple(bonds), tuple(directions), tuple(sites))


def circulation(
    network: Network,
    bond_currents: Sequence[float],
    bond_errors: Sequence[float] | None = None,
) -> tuple[Circulation, ...]:
    """For each cycle of :func:`cycle_basis`, whether ``bond_currents`` circulate round it.

    Parameters
    ----------
    network : Network
    bond_currents : sequence of float
        The current along each bond from its first to its second site (file order).
    bond_errors : sequence of float, optional
        An error bound (or a few standard errors) of each current; 0 when omitted.
    """
    if len(bond_currents) != len(network.bonds):
        raise ValueError(
            f"bond_currents has {len(bond_currents)} entries for {len(network.bonds)} bonds"
        )
    errors = [0.0] * len(network.bonds) if bond_errors is None else list(bond_errors)
    results = []
    for cycle in cycle_basis(network):
        pairs = zip(cycle.bonds, cycle.directions, strict=True)
        oriented = [direction * bond_currents[bond] for bond, direction in pairs]
        error = [errors[b] for b in cycle.bonds]
        positive = any(value > err for value, err in zip(oriented, error, strict=True))
        negative = any(value < -err for value, err in zip(oriented, error, strict=True))
        unresolved = any(abs(value) <= err for value, err in zip(oriented, error, strict=True))
        if positive and negative:
            label, current = NONE, 0.0
        elif unresolved:
            label, current = UNDETERMINED, 0.0
        elif positive:
            label, current = ALONG, min(oriented)
        else:
            label, current = AGAINST, max(oriented)
        results.append(Circulation(cycle, label, float(current)))
    return tuple(results)
