"""Drawing a network with its bond currents: arrows along the flow, width by magnitude.

A plot says more than a table here: which way the energy goes round each cycle is visible at once.
Bonds whose current is within its error are drawn dashed and grey ("undetermined"), never with an
arrow. Bath sites are coloured by temperature (hot red, cold blue) and labelled T. No physics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def layout(network, seed: int = 0, iterations: int = 400) -> np.ndarray:
    """Site positions: a circle for a ring (every site of degree 2), else a spring layout.

    The spring layout (Fruchterman-Reingold) starts from the circle, so it is deterministic.
    """
    sites = network.sites
    angles = np.pi / 2 - 2 * np.pi * np.arange(sites) / sites
    positions = np.column_stack([np.cos(angles), np.sin(angles)])
    if all(degree == 2 for degree in network.degrees):
        return positions
    rng = np.random.default_rng(seed)
    positions = positions + 0.01 * rng.standard_normal(positions.shape)
    fixed_x = _harmonic_x(network)
    if fixed_x is not None:
        positions[:, 0] = fixed_x
    optimal = 1.0 / math.sqrt(sites)
    temperature = 0.1
    edges = [(bond.first, bond.second) for bond in network.bonds]
    for _ in range(iterations):
        delta = positions[:, None, :] - positions[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=2), 1e-9)
        force = (optimal**2 / distance**2)[:, :, None] * delta
        move = force.sum(axis=1)
        for a, b in edges:
            step = positions[a] - positions[b]
            length = max(float(np.linalg.norm(step)), 1e-9)
            pull = step * length / optimal
            move[a] -= pull
            move[b] += pull
        norm = np.maximum(np.linalg.norm(move, axis=1), 1e-9)[:, None]
        positions = positions + move / norm * np.minimum(norm, temperature)
        if fixed_x is not None:
            positions[:, 0] = fixed_x
        temperature *= 0.99
    positions -= positions.mean(axis=0)
    # each axis stretched to [-1, 1] on its own: the spring layout with x fixed packs y tightly
    return positions / np.maximum(np.abs(positions).max(axis=0), 1e-9)


def _harmonic_x(network) -> np.ndarray | None:
    """x of each site: the harmonic interpolation between the hottest (-1) and coldest (+1) bath.

    Energy flows left to right in such a drawing. None with fewer than two distinct baths.
    """
    temperatures = network.bath_temperatures
    if len(temperatures) < 2 or max(temperatures) == min(temperatures):
        return None
    hot = network.bath_sites[temperatures.index(max(temperatures))]
    cold = network.bath_sites[temperatures.index(min(temperatures))]
    sites = network.sites
    laplacian = np.zeros((sites, sites))
    for bond in network.bonds:
        a, b = bond.first, bond.second
        laplacian[a, a] += 1
        laplacian[b, b] += 1
        laplacian[a, b] -= 1
        laplacian[b, a] -= 1
    right = np.zeros(sites)
    for site, value in ((hot, -1.0), (cold, 1.0)):
        laplacian[site] = 0.0
        laplacian[site, site] = 1.0
        right[site] = value
    return np.linalg.solve(laplacian, right)


def draw_currents(
    axes,
    network,
    bond_currents: Sequence[float],
    bond_errors: Sequence[float] | None = None,
    unit: str = "",
    positions: np.ndarray | None = None,
) -> None:
    """Draw ``network`` on ``axes`` with an arrow per bond in the direction its energy flows."""
    positions = layout(network) if positions is None else positions
    errors = [0.0] * len(network.bonds) if bond_errors is None else list(bond_errors)
    largest = max((abs(value) for value in bond_currents), default=0.0) or 1.0
    pairs_seen: dict[frozenset, int] = {}
    for index, bond in enumerate(network.bonds):
        value, error = float(bond_currents[index]), float(errors[index])
        start, end = positions[bond.first], positions[bond.second]
        pair = frozenset(bond.sites)
        bend = 0.25 * pairs_seen.get(pair, 0)
        pairs_seen[pair] = pairs_seen.get(pair, 0) + 1
        undetermined = abs(value) <= error
        if value < 0:
            start, end = end, start
        style = f"arc3,rad={bend}"
        if undetermined:
            axes.annotate(
                "",
                xy=end,
                xytext=start,
                arrowprops={
                    "arrowstyle": "-",
                    "ls": "--",
                    "color": "0.6",
                    "connectionstyle": style,
                },
            )
        else:
            width = 0.8 + 5.0 * abs(value) / largest
            axes.annotate(
                "",
                xy=end,
                xytext=start,
                arrowprops={
                    "arrowstyle": "-|>",
                    "lw": width,
                    "color": "tab:purple",
                    "mutation_scale": 12 + 2 * width,
                    "shrinkA": 12,
                    "shrinkB": 12,
                    "connectionstyle": style,
                },
            )
        middle = (positions[bond.first] + positions[bond.second]) / 2
        normal = positions[bond.second] - positions[bond.first]
        normal = np.array([-normal[1], normal[0]]) / max(float(np.linalg.norm(normal)), 1e-9)
        label = f"{abs(value):.3g}" + (f"±{error:.1g}" if error > 0 else "")
        if undetermined:
            label = "undet."
        axes.text(*(middle + (0.09 + bend / 2) * normal), label, fontsize=7, ha="center",
                  va="center", color="0.25")  # fmt: skip
    temperatures = network.bath_temperatures
    hottest, coldest = max(temperatures), min(temperatures)
    for site in range(network.sites):
        temperature = network.bath_temperature(site)
        if temperature is None:
            colour = "white"
        else:
            fraction = 0.5 if hottest == coldest else (temperature - coldest) / (hottest - coldest)
            colour = (0.3 + 0.7 * fraction, 0.3, 1.0 - 0.7 * fraction)
        axes.scatter(*positions[site], s=420, color=colour, edgecolor="black", zorder=3)
        axes.text(*positions[site], str(site + 1), ha="center", va="center", fontsize=9, zorder=4)
        if temperature is not None:
            axes.text(positions[site][0], positions[site][1] - 0.17, f"T={temperature:g}",
                      ha="center", va="top", fontsize=8, color="black")  # fmt: skip
        field = network.field(site)
        if field:
            axes.text(positions[site][0], positions[site][1] + 0.15, f"h={field:g}",
                      ha="center", va="bottom", fontsize=8, color="tab:green")  # fmt: skip
    axes.set_aspect("equal")
    axes.set_xlim(-1.45, 1.45)
    axes.set_ylim(-1.45, 1.45)
    axes.axis("off")
    if unit:
        axes.set_title(f"bond currents ({unit}); arrow: direction of energy flow", fontsize=9)
