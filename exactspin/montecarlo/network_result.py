"""The frozen result of a Monte Carlo run on a network: bath and bond currents with errors.

Holds numbers only; :mod:`exactspin.montecarlo.network_simulation` computes them. Labels are
honest as on the ring (:mod:`exactspin.montecarlo.result`): a current within 3 standard errors
of zero is "unresolved"; a current that saw no events has no error bar (``None``) but a 95%
bound; a cycle's circulation is "undetermined" unless every bond round it is resolved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from exactspin.currents import UNDETERMINED
from exactspin.montecarlo.result import SIGNIFICANCE, STEP, correlation_entries, current_status
from exactspin.network import Network, circulation
from exactspin.network.cycles import Circulation


@dataclass(frozen=True)
class NetworkMonteCarloResult:
    """Steady-state currents of a classical network estimated by random-sequential Monte Carlo.

    Currents are per single-spin update attempt (``unit = "step"``) or per unit time of Eq. 4
    (``"continuous"``, x N). ``bath_currents[m]``: energy drawn from bath m (file order, Eq. 6);
    ``bond_currents[b]``: energy moved along bond b from its first to its second site, i.e. into
    the bond by flips of its first site (Eqs. 8-9). Errors are batch-means standard errors over
    time of the unit-averaged currents (a unit is one chain or one multispin word), with the
    spread between units added (a network may have closed classes); ``None`` when the current
    was exactly zero in every batch, and then ``*_bounds`` holds the 95% bound (rule of three).

    Attributes
    ----------
    network : Network
    steps, burn_in, replicas, batches, seed : int
    method : str
        "single-chain" or "multispin".
    bath_currents, bath_current_errors, bath_current_bounds : tuples
    bond_currents, bond_current_errors, bond_current_bounds : tuples
    pairs, pair_correlations, pair_correlations_stderr : tuples
        0-based site pairs and <s_a s_b>.
    energy_balance_z : float
        z-score of the summed bath currents against zero (the network's energy is bounded).
    energy_change_z : float
        z-score of the network's energy change over the measured window against one batch's
        spread (:func:`~exactspin.montecarlo.statistics.energy_change_z`): catches a start-up
        energy dump left in the first batch.
    equilibration_z : tuple of float
        Per bath, z-score of (second half - first half) of the batches.
    batch_correlation : tuple of float
        Per bath, correlation of successive batch averages: near 0 when batches outlast the
        correlation time (else the error bars are too small; they are merged until it is).
    undetermined_baths, undetermined_bonds : tuples of int
        Currents whose error is not known to be right: their batch averages stayed correlated
        however they were merged, or the run saw too few of their largest events. Their status
        is "undetermined" and a cycle through such a bond is not resolved.
    undetermined_reason : str
        Why ("" when no error is undetermined): with too few units or batches it names the
        degrees of freedom (:func:`~exactspin.montecarlo.statistics.error_degrees_of_freedom`).
    pair_correlations_status : tuple of str
        Per pair, "determined", "undetermined" or "no fluctuation" (then the error is None).
    equilibrated : bool or None
    equilibration_reason : str
    wall_time, updates_per_second : float
        Seconds, and replica-updates (burn-in and measured) per second.
    unit : str
    stop_reason : str
        "steps", "target reached", "step budget", "time budget" or "interrupted".
    target_stderr : (relative, absolute) or None
        The target errors asked for (None: a fixed number of steps).
    """

    network: Network
    steps: int
    burn_in: int
    replicas: int
    batches: int
    seed: int
    method: str
    bath_currents: tuple[float, ...]
    bath_current_errors: tuple[float | None, ...]
    bath_current_bounds: tuple[float | None, ...]
    bond_currents: tuple[float, ...]
    bond_current_errors: tuple[float | None, ...]
    bond_current_bounds: tuple[float | None, ...]
    pairs: tuple[tuple[int, int], ...]
    pair_correlations: tuple[float, ...]
    pair_correlations_stderr: tuple[float, ...]
    energy_balance_z: float
    equilibration_z: tuple[float, ...]
    batch_correlation: tuple[float, ...]
    equilibrated: bool | None
    equilibration_reason: str
    drift_threshold: float
    wall_time: float
    updates_per_second: float
    unit: str = STEP
    significance: float = SIGNIFICANCE
    stop_reason: str = "steps"
    target_stderr: tuple[float | None, float | None] | None = None
    undetermined_baths: tuple[int, ...] = ()
    undetermined_bonds: tuple[int, ...] = ()
    undetermined_reason: str = ""
    pair_correlations_status: tuple[str, ...] = ()
    energy_change_z: float = 0.0

    @property
    def problems(self) -> tuple[str, ...]:
        """What this run could not resolve, one clause each (empty: nothing), as for the ring
        (:attr:`exactspin.montecarlo.result.MonteCarloResult.problems`)."""
        from exactspin.montecarlo.problems import network_problems

        return network_problems(self)

    def bath_status(self, bath: int) -> str:
        """ "resolved", "unresolved", "no events" or "undetermined" (error not known to be
        right, see :func:`~exactspin.montecarlo.statistics.merged_standard_error`) for bath
        ``bath`` (file order)."""
        if bath in self.undetermined_baths:
            return UNDETERMINED
        return current_status(
            self.bath_currents[bath], self.bath_current_errors[bath], self.significance
        )

    def bond_status(self, bond: int) -> str:
        """As :meth:`bath_status` for bond ``bond`` (file order)."""
        if bond in self.undetermined_bonds:
            return UNDETERMINED
        return current_status(
            self.bond_currents[bond], self.bond_current_errors[bond], self.significance
        )

    @property
    def cycles(self) -> tuple[Circulation, ...]:
        """Circulation round each cycle of the network's cycle basis, with 3-sigma errors (a
        bond with no events counts with its bound, so it is never resolved); every cycle is
        "undetermined" when the run is not, or not shown to be, stationary (its currents are a
        transient's)."""
        margins = [
            math.inf
            if bond in self.undetermined_bonds
            else (self.significance * error if error is not None else bound)
            for bond, (error, bound) in enumerate(
                zip(self.bond_current_errors, self.bond_current_bounds, strict=True)
            )
        ]
        cycles = circulation(self.network, self.bond_currents, margins)
        if self.equilibrated is not True:
            cycles = tuple(
                replace(cycle, label=UNDETERMINED, current=0.0, limiting_bond=None)
                for cycle in cycles
            )
        return cycles

    @property
    def cycle_current_errors(self) -> tuple[float | None, ...]:
        """Standard error of each cycle's circulating current: that of its limiting bond's
        current (the circulating current is that bond's current), None without circulation.

        Bonds in series carry the same current up to the energy stored between them over the
        run, so their estimates differ by far less than their errors (tested), and picking the
        smallest among them moves the current by far less than its error.
        """
        return tuple(
            None if cycle.limiting_bond is None else self.bond_current_errors[cycle.limiting_bond]
            for cycle in self.cycles
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the ``--network`` vocabulary (1-based sites in pairs)."""
        return {
            "network": self.network.to_dict(),
            "parameters": {
                "steps": self.steps,
                "burn_in": self.burn_in,
                "replicas": self.replicas,
                "batches": self.batches,
                "seed": self.seed,
                "unit": self.unit,
            },
            "unit": self.unit,
            "bath_currents": list(self.bath_currents),
            "bath_current_errors": list(self.bath_current_errors),
            "bath_current_bounds": list(self.bath_current_bounds),
            "bath_current_status": [self.bath_status(m) for m in range(len(self.bath_currents))],
            "bond_currents": list(self.bond_currents),
            "bond_current_errors": list(self.bond_current_errors),
            "bond_current_bounds": list(self.bond_current_bounds),
            "bond_current_status": [self.bond_status(b) for b in range(len(self.bond_currents))],
            "error_kind": "standard_error",
            "significance_stderr": self.significance,
            "cycles": [
                {**cycle.to_dict(), "circulating_current_stderr": error}
                for cycle, error in zip(self.cycles, self.cycle_current_errors, strict=True)
            ],
            "cycle_error_kind": f"{self.significance:g} standard errors (bound without events)",
            "correlations": correlation_entries(self),
            "method": self.method,
            "steps": self.steps,
            "burn_in": self.burn_in,
            "replicas": self.replicas,
            "batches": self.batches,
            "seed": self.seed,
            "stop_reason": self.stop_reason,
            "target_stderr": None if self.target_stderr is None else self.target_stderr[0],
            "target_absolute_stderr": (
                None if self.target_stderr is None else self.target_stderr[1]
            ),
            "equilibration": {
                "equilibrated": self.equilibrated,
                "verdict": {True: "stationary", False: "not stationary", None: "undetermined"}[
                    self.equilibrated
                ],
                "reason": self.equilibration_reason,
                "drift_threshold": self.drift_threshold,
                "first_vs_second_half_z": list(self.equilibration_z),
                "energy_balance_z": self.energy_balance_z,
                "energy_change_z": self.energy_change_z,
            },
            "batch_correlation": list(self.batch_correlation),
            "undetermined_reason": self.undetermined_reason,
            "wall_time": self.wall_time,
            "updates_per_second": self.updates_per_second,
        }
