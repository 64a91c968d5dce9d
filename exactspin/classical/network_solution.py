"""Exact steady-state currents of any classical network: :func:`solve_network` and its result.

The engine is the ring's (:mod:`exactspin.classical.flips`, the closed classes and the refined
steady state of :mod:`exactspin.classical.steady_state`); only the views differ. Signs
(docs/conventions.md, "Networks"):

- ``bath_currents[k]`` is the energy drawn from bath k (file order) per single-spin update
  attempt: sum of dE r P over the Metropolis flips of its site (Eq. 6);
- ``bond_currents[b]`` is the energy moved along bond [a, b] from a to b: what the flips of a
  move into the bond, sum of 2 J s_a s_b r P (Eqs. 8-9). In the steady state it equals minus
  what the flips of b move into it, so Kirchhoff holds at every site: the bath current into a
  bath site is the sum of the currents of the bonds leaving it (those that start there, minus
  those that end there), and that sum is 0 at a site without a bath. A field's energy -h s
  changes only by the flips of its site, so on average it takes no current.

On one of the paper's rings this gives today's numbers: bath order (left, right), bond b from
site b to b+1, so I_L = bath_currents[0], I_U = bond_currents[0] and I_D = bond_currents[-1].
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactspin.classical.generator import all_site_flips
from exactspin.classical.model import ClassicalModel
from exactspin.classical.observables import spin_correlation
from exactspin.classical.precision import require_double_precision_range
from exactspin.classical.resources import require_memory
from exactspin.classical.solution import (
    CIRCULATION_RELATIVE_THRESHOLD,
    CONTINUOUS,
    DEFAULT_ACCURACY,
    STEP,
    UNITS,
    flow_expectation,
)
from exactspin.classical.steady_state import (
    AUTO,
    METHODS,
    SteadyState,
    initial_distribution,
    steady_state_of_flips,
)
from exactspin.display import class_weighting
from exactspin.network import Circulation, Network, circulation
from exactspin.validation import ParameterError, require_choice, require_positive

#: The kind of the errors of an exact solve (the brief's JSON vocabulary).
ERROR_KIND = "bound"

__all__ = ["CONTINUOUS", "STEP", "NetworkSolution", "solve_network"]


@dataclass(frozen=True)
class NetworkSolution:
    """Exact steady-state currents of a classical network, each with a computed error bound.

    Attributes
    ----------
    model : ClassicalModel
        The model solved (``model.network`` is the network).
    steady_state : SteadyState
        The distribution the currents are taken in.
    unit : {"step", "continuous"}
        Time unit of every current (per single-spin update attempt, or per unit time).
    bath_currents, bath_current_errors : tuple of float
        Energy drawn from each bath (bath order, Eq. 6) and a computed bound on its error.
    bond_currents, bond_current_errors : tuple of float
        Energy moved along each bond from its first to its second site (bond order, Eqs. 8-9)
        and a computed bound on its error.
    bond_thresholds : tuple of float
        :data:`~exactspin.classical.solution.CIRCULATION_RELATIVE_THRESHOLD` x the gross
        one-way energy flux through each bond (the larger of what the flips of either end move
        through it, |2 J s_a s_b| r P summed): a bond current below it is zero at that
        resolution (at equal temperatures the net currents are round-off).
    cycles : tuple of Circulation
        For each cycle of :func:`exactspin.network.cycle_basis`, whether the bond currents
        circulate round it, judged with errors bound + threshold.
    accuracy : float
        The relative accuracy asked of every current.
    determined : bool
        Whether every current is resolved: bound <= accuracy x |current|, or current + bound
        below its threshold. When False the numbers must not be reported.
    """

    model: ClassicalModel
    steady_state: SteadyState
    unit: str
    bath_currents: tuple[float, ...]
    bath_current_errors: tuple[float, ...]
    bond_currents: tuple[float, ...]
    bond_current_errors: tuple[float, ...]
    bond_thresholds: tuple[float, ...]
    cycles: tuple[Circulation, ...]
    accuracy: float
    determined: bool

    @property
    def network(self) -> Network:
        """The network solved."""
        return self.model.network

    @property
    def closed_classes(self) -> int:
        """Number of closed classes of the chain."""
        return self.steady_state.closed_classes

    def site_balance(self, site: int) -> float:
        """Bath current into ``site`` minus the bond currents leaving it (Kirchhoff: 0)."""
        network = self.network
        inflow = sum(
            current
            for bath, current in zip(network.baths, self.bath_currents, strict=True)
            if bath.site == site
        )
        outflow = sum(
            sign * self.bond_currents[bond] for bond, sign in network.incident_bonds(site)
        )
        return inflow - outflow

    def correlation(self, first: int, second: int) -> float:
        """<sigma_i sigma_j> (Eq. 18), sites 0-based (files: i + 1, j + 1)."""
        sites = self.model.sites
        for name, site in (("first", first), ("second", second)):
            if isinstance(site, bool) or not isinstance(site, (int, np.integer)):
                raise ParameterError(name, site, f"a site index in [0, {sites - 1}]")
            if not 0 <= site < sites:
                raise ParameterError(name, site, f"a site index in [0, {sites - 1}]")
        return spin_correlation(
            self.model, self.steady_state.probabilities, int(first), int(second)
        )

    def parameters(self) -> dict[str, Any]:
        """The run's options other than the network (echoed in the JSON)."""
        return {"unit": self.unit, "method": self.steady_state.method, "accuracy": self.accuracy}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result with the keys of ``classical solve --network --json``."""
        state = self.steady_state
        return {
            "network": self.network.to_dict(),
            "parameters": self.parameters(),
            "bath_currents": list(self.bath_currents),
            "bath_current_errors": list(self.bath_current_errors),
            "error_kind": ERROR_KIND,
            "bond_currents": list(self.bond_currents),
            "bond_current_errors": list(self.bond_current_errors),
            "cycles": [cycle.to_dict() for cycle in self.cycles],
            "determined": self.determined,
            "closed_classes": self.closed_classes,
            "class_sizes": list(state.class_sizes),
            "class_weights": [float(w) for w in state.class_weights],
            "class_weighting": class_weighting(state.class_sizes, state.class_weights),
            "unit": self.unit,
        }


def solve_network(
    network: Network | ClassicalModel,
    initial: np.ndarray | None = None,
    unit: str = STEP,
    method: str = AUTO,
    memory_limit_bytes: int | None = None,
    accuracy: float = DEFAULT_ACCURACY,
    progress: Callable[[int, int], None] | None = None,
) -> NetworkSolution:
    """Exact steady-state bath and bond currents of a classical network (Eqs. 4, 6, 8-9).

    Parameters
    ----------
    network : Network or ClassicalModel
        A classical network (or a model, e.g. a ring's, whose ``network`` is solved).
    initial, unit, method, memory_limit_bytes, accuracy, progress
        As for :func:`exactspin.classical.solve`.

    Returns
    -------
    NetworkSolution

    Notes
    -----
    Each current is sum_eta energy(eta) r(eta) P(eta) over the flips of one site, summed in
    double-double, with the bound sum |energy| r |dP| plus the rounding of the rates, of dE
    (bath currents) and of the sums, as for the ring (:func:`exactspin.classical.solve`).
    """
    model = network if isinstance(network, ClassicalModel) else ClassicalModel.from_network(network)
    require_choice("unit", unit, UNITS)
    require_choice("method", method, METHODS)
    accuracy = require_positive("accuracy", accuracy)
    require_double_precision_range(model)
    require_memory(model, memory_limit_bytes)
    initial_law = initial_distribution(model, initial)
    flips = all_site_flips(model)
    state = steady_state_of_flips(model, flips, initial_law, method, progress)
    scale = 1.0 / model.sites if unit == STEP else 1.0
    expectation = flow_expectation(state, scale)
    graph = model.network
    baths = [
        expectation(flips[site], flips[site].energy_change, False) for site in graph.bath_sites
    ]
    transfers = {bond: (site, energy) for site in flips for bond, energy in site.outgoing}
    bonds, gross = [], []
    for index, entry in enumerate(graph.bonds):
        site, energy = transfers[index]
        bonds.append(expectation(site, energy, True))
        # gross one-way flux through the bond: what the flips of either end move through it
        magnitude = np.abs(energy)
        from_first = expectation(site, magnitude, True).value
        from_second = expectation(flips[entry.second], magnitude, True).value
        gross.append(max(from_first, from_second))
    bond_currents = tuple(float(item.value) for item in bonds)
    bond_errors = tuple(float(item.bound) for item in bonds)
    thresholds = tuple(CIRCULATION_RELATIVE_THRESHOLD * abs(value) for value in gross)
    bath_currents = tuple(float(item.value) for item in baths)
    bath_errors = tuple(float(item.bound) for item in baths)
    # A bath's threshold: 1e-9 x the gross energy its site's flips exchange with it.
    bath_thresholds = tuple(
        CIRCULATION_RELATIVE_THRESHOLD
        * abs(expectation(flips[site], np.abs(flips[site].energy_change), False).value)
        for site in graph.bath_sites
    )
    determined = _resolved(
        bath_currents + bond_currents,
        bath_errors + bond_errors,
        bath_thresholds + thresholds,
        accuracy,
    )
    cycles = circulation(
        graph,
        bond_currents,
        [error + threshold for error, threshold in zip(bond_errors, thresholds, strict=True)],
        zero_bonds=[
            abs(value) + error < threshold
            for value, error, threshold in zip(bond_currents, bond_errors, thresholds, strict=True)
        ],
    )
    return NetworkSolution(
        model=model,
        steady_state=state,
        unit=unit,
        bath_currents=bath_currents,
        bath_current_errors=bath_errors,
        bond_currents=bond_currents,
        bond_current_errors=bond_errors,
        bond_thresholds=thresholds,
        cycles=cycles,
        accuracy=accuracy,
        determined=determined,
    )


def _resolved(values, bounds, thresholds, accuracy: float) -> bool:
    return all(
        math.isfinite(bound) and (bound <= accuracy * abs(value) or abs(value) + bound < threshold)
        for value, bound, threshold in zip(values, bounds, thresholds, strict=True)
    )
