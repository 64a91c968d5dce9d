"""Cycles of a network and whether its bond currents circulate round them.

A circulating current (current magnification, the paper's CM) on a network is a cycle whose
every bond carries current the same way round it. On the paper's ring the one cycle is the ring
itself, oriented clockwise (bond b from site b to b+1): "along" is the paper's clockwise, "against"
its anticlockwise, and the circulating current is min(I_U, I_D) for clockwise circulation, the
smaller branch current, whose excess I_U / I_L > 1 is the magnification ratio.

The cycle basis is the fundamental one of the spanning tree that takes the bonds in file order
(independent of how sites are numbered): each bond outside the tree closes one cycle. Each cycle
is oriented so that its lowest-numbered bond is traversed from its ``first`` to its ``second``
site, which makes the ring's cycle clockwise.
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
    limiting_bond : int or None
        The bond (file order, 0-based) whose oriented current is :attr:`current` when the cycle
        circulates, else None: the circulating current is that bond's current, so its error is
        that bond's error.
    """

    cycle: Cycle
    label: str
    current: float
    limiting_bond: int | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, 1-based sites, bond indices 0-based as in ``bond_currents``."""
        return {
            "sites": [site + 1 for site in self.cycle.sites],
            "bonds": list(self.cycle.bonds),
            "directions": list(self.cycle.directions),
            "circulation": self.label,
            "circulating_current": self.current,
            "limiting_bond": self.limiting_bond,
        }


def cycle_basis(network: Network) -> tuple[Cycle, ...]:
    """The fundamental cycle basis (B - N + 1 cycles) of the network's first spanning tree.

    The tree takes the bonds in file order, each one that joins two pieces not yet joined
    (Kruskal's rule with the file order as weights). It depends on the bond order only, not on
    how the sites are numbered, so relabelling the sites relabels the cycles and nothing else.
    Each bond outside the tree closes one cycle, listed in bond order.
    """
    parent = list(range(network.sites))

    def root(site: int) -> int:
        while parent[site] != site:
            parent[site] = parent[parent[site]]
            site = parent[site]
        return site

    tree: dict[int, list[tuple[int, int]]] = {site: [] for site in range(network.sites)}
    closing = []
    for index, bond in enumerate(network.bonds):
        first, second = root(bond.first), root(bond.second)
        if first == second:
            closing.append(index)
            continue
        parent[first] = second
        tree[bond.first].append((bond.second, index))
        tree[bond.second].append((bond.first, index))
    return tuple(_fundamental_cycle(network, index, tree) for index in closing)


def _fundamental_cycle(network, closing, tree) -> Cycle:
    """The cycle closed by bond ``closing``: first -> second along it, then the tree back."""
    bond = network.bonds[closing]
    start, end = bond.first, bond.second
    # the unique tree path from end back to start (breadth-first search in the tree)
    previous: dict[int, tuple[int, int] | None] = {end: None}
    queue = deque([end])
    while queue:
        site = queue.popleft()
        if site == start:
            break
        for neighbour, tree_bond in tree[site]:
            if neighbour not in previous:
                previous[neighbour] = (site, tree_bond)
                queue.append(neighbour)
    back: list[tuple[int, int, int]] = []  # (bond, from, to), walking start -> end, reversed below
    site = start
    while previous[site] is not None:
        before, tree_bond = previous[site]
        back.append((tree_bond, before, site))
        site = before
    steps = [(closing, start, end)] + [(b, frm, to) for b, frm, to in reversed(back)]
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
    zero_bonds: Sequence[bool] | None = None,
) -> tuple[Circulation, ...]:
    """For each cycle of :func:`cycle_basis`, whether ``bond_currents`` circulate round it.

    Parameters
    ----------
    network : Network
    bond_currents : sequence of float
        The current along each bond from its first to its second site (file order).
    bond_errors : sequence of float, optional
        An error bound (or a few standard errors) of each current; 0 when omitted.
    zero_bonds : sequence of bool, optional
        Bonds known to carry no current (the exact solver's: the current plus its bound stays
        below the zero threshold). A cycle whose every bond within its error of 0 is one of
        them does not circulate ("none"); "undetermined" is left for a current that is merely
        within its error of 0 (a Monte Carlo current within its standard errors).
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
        within = [abs(value) <= err for value, err in zip(oriented, error, strict=True)]
        unresolved = any(within)
        known_zero = zero_bonds is not None and all(
            zero_bonds[bond] for bond, inside in zip(cycle.bonds, within, strict=True) if inside
        )
        limiting = None
        if positive and negative:
            label, current = NONE, 0.0
        elif unresolved:
            label, current = (NONE if known_zero else UNDETERMINED), 0.0
        else:
            label = ALONG if positive else AGAINST
            position = min(range(len(oriented)), key=lambda k: abs(oriented[k]))
            current, limiting = oriented[position], cycle.bonds[position]
        results.append(Circulation(cycle, label, float(current), limiting))
    return tuple(results)
