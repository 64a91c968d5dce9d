"""The frozen result of a Monte Carlo run: estimates, standard errors, labels and diagnostics.

Holds numbers only; :mod:`exactspin.montecarlo.simulation` computes them. Every label here is
honest about what the run could resolve: a current within 3 standard errors of zero is
"unresolved", a current with no events has no error bar but a 95% bound, and the circulation is
"undetermined" unless both branch currents are resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from exactspin.classical.model import ClassicalModel
from exactspin.currents import UNDETERMINED, circulation

#: The branch currents (and bath currents) a result carries, each with ``<name>_stderr``.
CURRENT_NAMES = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)

#: A current is resolved (distinguished from zero) when |I| exceeds this many standard errors.
SIGNIFICANCE = 3.0

RESOLVED, UNRESOLVED, NO_EVENTS = "resolved", "unresolved", "no events"

#: Unit names: per single-spin update attempt (docs/conventions.md), or per unit time of Eq. 4
#: (x N_S).
STEP, CONTINUOUS = "step", "continuous"
UNITS = (STEP, CONTINUOUS)


def current_status(value: float, error: float | None, significance: float) -> str:
    """ "resolved", "unresolved" (|value| <= significance x error) or "no events" (no error)."""
    if error is None:
        return NO_EVENTS
    return RESOLVED if abs(value) > significance * error else UNRESOLVED


def correlation_entries(result: Any) -> list[dict[str, Any]]:
    """The JSON entries of a ring or network result's sampled <s_a s_b> (1-based sites)."""
    return [
        {"sites": [a + 1, b + 1], "value": value, "stderr": error, "status": status}
        for (a, b), value, error, status in zip(
            result.pairs,
            result.pair_correlations,
            result.pair_correlations_stderr,
            result.pair_correlations_status,
            strict=True,
        )
    ]


@dataclass(frozen=True)
class MonteCarloResult:
    """Steady-state currents of a classical ring estimated by random-sequential Monte Carlo.

    Currents are per single-spin update attempt (``unit = "step"``, docs/conventions.md) or per unit
    time of Eq. 4 (``unit = "continuous"``, x N_S), with the signs of Eqs. 6 and 9: I_L, I_R drawn
    from the baths, I_U positive left -> right, I_D positive right -> left. Each branch current is
    the mean over the bonds of its branch (equal in the steady state). Standard errors are batch
    means over time of the unit-averaged currents (a unit is one chain, or one multispin word of 64
    replicas sharing a site sequence), pooled over the units; sites are 0-based.

    Attributes
    ----------
    model : ClassicalModel
    steps, burn_in : int
        Measured and discarded single-spin update attempts per replica (``burn_in`` includes
        what an automatic burn-in discarded).
    replicas, batches, seed : int
        Replicas (chains), batches per unit, root seed of ``numpy.random.SeedSequence``.
    method : str
        "single-chain" or "multispin" (64 replicas per machine word).
    pairs : tuple of (int, int)
        Site pairs whose <s_i s_j> was sampled (once per N_S steps).
    <current>, <current>_stderr : float, float or None
        The four currents; the error is None ("no events") when the current was exactly zero in
        every batch, so the run saw no fluctuation to estimate an error from.
    <current>_bound : float or None
        Then the 95% upper bound on |I| had no event moved that energy (the rule of three):
        3 / (independent steps) x the largest energy one event moves; else None.
    bond_currents, bond_currents_stderr : tuple of float
        Energy per step moved into bond b by flips of site b (Eq. 9), b = 0..N_S-1.
    bond_currents_status : tuple of str
        Per bond, "resolved", "unresolved" or "undetermined" (as for the four currents).
    pair_correlations, pair_correlations_stderr : tuple of float, tuple of float or None
        <s_i s_j> per pair and its error; the error is None when the product never changed in
        any sample (status "no fluctuation": no spread to estimate an error from).
    pair_correlations_status : tuple of str
        Per pair, "determined", "undetermined" (as for a current) or "no fluctuation".
    equilibration_z : mapping of str to float
        Per current, z-score of (second half - first half) of the measured batches.
    energy_balance_z : float
        z-score of I_L + I_R against zero (the ring's energy is bounded, Eq. 6).
    energy_change_z : float
        z-score of the ring's energy change over the measured window, (I_L + I_R) x steps,
        against the spread of one batch's change (the batches telescope, so in a steady state
        the whole window changes the energy like one batch does); a start-up energy dump left
        in the first batch shows here while the halves and the balance above miss it
        (:func:`~exactspin.montecarlo.statistics.energy_change_z`).
    equilibrated : bool or None
        True when every |z| is below ``drift_threshold``, False when one is not, None
        (undetermined) when the run is too short to test it: a batch shorter than one sweep
        (N_S steps), or no bath events.
    equilibration_reason : str
        Why ``equilibrated`` is what it is.
    batch_correlation : mapping of str to float
        Per current, correlation of successive batch averages (before merging).
    undetermined_errors : tuple of str
        Currents whose batch averages stayed correlated down to too few batches
        (:func:`~exactspin.montecarlo.statistics.merged_standard_error`): their error is a lower
        bound at best and their status is "undetermined"; or with too few degrees of freedom
        behind the error (see ``undetermined_reason``).
    undetermined_reason : str
        Why errors are undetermined ("" when none is).
    magnification_ratio, magnification_ratio_stderr : float or None
        max(|I_U|, |I_D|) / |I_L|, None unless I_L and the larger branch current are resolved;
        and its delta-method standard error from merged batch means, None when it is
        undetermined (see :attr:`magnification_ratio_status`).
    stop_reason : str
        "steps", "target reached", "step budget", "time budget" or "interrupted".
    target_stderr : float or None
        The relative target error asked for (None: a fixed number of steps).
    wall_time, updates_per_second : float
        Seconds spent running chains, and replica-updates (burn-in and measured) per second.
    """

    model: ClassicalModel
    steps: int
    burn_in: int
    replicas: int
    batches: int
    seed: int
    method: str
    pairs: tuple[tuple[int, int], ...]
    left_bath_current: float
    left_bath_current_stderr: float | None
    right_bath_current: float
    right_bath_current_stderr: float | None
    upper_branch_current: float
    upper_branch_current_stderr: float | None
    lower_branch_current: float
    lower_branch_current_stderr: float | None
    left_bath_current_bound: float | None
    right_bath_current_bound: float | None
    upper_branch_current_bound: float | None
    lower_branch_current_bound: float | None
    bond_currents: tuple[float, ...]
    bond_currents_stderr: tuple[float, ...]
    pair_correlations: tuple[float, ...]
    pair_correlations_stderr: tuple[float, ...]
    equilibration_z: MappingProxyType
    energy_balance_z: float
    equilibrated: bool | None
    equilibration_reason: str
    drift_threshold: float
    batch_correlation: MappingProxyType
    magnification_ratio: float | None
    magnification_ratio_stderr: float | None
    stop_reason: str
    target_stderr: float | None
    wall_time: float
    updates_per_second: float
    unit: str = STEP
    significance: float = SIGNIFICANCE
    undetermined_errors: tuple[str, ...] = ()
    energy_change_z: float = 0.0
    pair_correlations_status: tuple[str, ...] = ()
    undetermined_reason: str = ""
    bond_currents_status: tuple[str, ...] = ()

    @property
    def bond_current_errors(self) -> tuple[float, ...]:
        """:attr:`bond_currents_stderr` under the network result's name."""
        return self.bond_currents_stderr

    def status(self, name: str) -> str:
        """ "resolved", "unresolved", "no events" or "undetermined" (the batch averages stayed
        correlated however they were merged, so the error bar is not known to be right) for
        one of :data:`CURRENT_NAMES`."""
        if name in self.undetermined_errors:
            return UNDETERMINED
        return current_status(
            getattr(self, name), getattr(self, name + "_stderr"), self.significance
        )

    @property
    def magnification_ratio_status(self) -> str:
        """ "resolved" (a ratio with an error bar), "unresolved" (no ratio: I_L or the larger
        branch current is not resolved) or "undetermined" (a ratio whose error is not known: the
        batch averages of the ratio, of I_L or of the larger branch stayed correlated however
        they were merged), as it is on a run that is not shown to be stationary (a transient's
        ratio)."""
        if self.magnification_ratio is None:
            return UNRESOLVED
        if self.magnification_ratio_stderr is None or self.equilibrated is not True:
            return UNDETERMINED
        return RESOLVED

    @property
    def problems(self) -> tuple[str, ...]:
        """What this run could not resolve, one clause each; empty when every current is
        resolved with a determined error, the run is stationary and it did what was asked.
        The command line prints them as its warning (and exits 2); check them before using
        the numbers (:mod:`~exactspin.montecarlo.problems`)."""
        from exactspin.montecarlo.problems import ring_problems

        return ring_problems(self)

    @property
    def interrupted(self) -> bool:
        """True when the run was stopped by Ctrl-C (the result holds the finished batches)."""
        return self.stop_reason == "interrupted"

    @property
    def circulation_threshold(self) -> float | None:
        """3 x the larger branch stderr (None: no events): a branch current beyond it is
        resolved whichever branch it is. The label itself asks less of each branch, |I| beyond 3
        x its own stderr (:attr:`circulation`), so a label can stand on a current below this
        threshold (the second trial's question)."""
        errors = (self.upper_branch_current_stderr, self.lower_branch_current_stderr)
        if None in errors:
            return None
        return self.significance * max(errors)

    @property
    def circulation(self) -> str:
        """Clockwise, anticlockwise or parallel when both branch currents are resolved and the
        run is stationary, else "undetermined" (a run that is not, or not shown to be,
        stationary measures a transient, not the steady state's direction)."""
        names = ("upper_branch_current", "lower_branch_current")
        if self.equilibrated is not True:
            return UNDETERMINED
        if any(self.status(name) != RESOLVED for name in names):
            return UNDETERMINED
        return circulation(self.upper_branch_current, self.lower_branch_current, 0.0)

    def correlation(self, first: int, second: int) -> float:
        """<s_i s_j> for a sampled pair of 0-based sites (either order)."""
        return self.pair_correlations[self._pair_index(first, second)]

    def correlation_stderr(self, first: int, second: int) -> float | None:
        """Standard error of :meth:`correlation` (None: no fluctuation seen)."""
        return self.pair_correlations_stderr[self._pair_index(first, second)]

    def pair_correlation_status(self, index: int) -> str:
        """ "determined", "undetermined" or "no fluctuation" for the ``index``-th pair."""
        return self.pair_correlations_status[index]

    def _pair_index(self, first: int, second: int) -> int:
        for index, pair in enumerate(self.pairs):
            if pair in ((first, second), (second, first)):
                return index
        raise KeyError(f"pair ({first}, {second}) was not sampled; pass it in pairs=")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the keys of ``classical solve --json`` plus errors and diagnostics.

        Pair sites are 1-based here, as on the command line.
        """
        currents: dict[str, Any] = {}
        for name in CURRENT_NAMES:
            currents[name] = getattr(self, name)
            currents[name + "_stderr"] = getattr(self, name + "_stderr")
            currents[name + "_bound"] = getattr(self, name + "_bound")
        return {
            "parameters": self.model.parameters(),
            "unit": self.unit,
            **currents,
            "current_status": {name: self.status(name) for name in CURRENT_NAMES},
            "significance_stderr": self.significance,
            "bond_currents": list(self.bond_currents),
            "bond_currents_stderr": list(self.bond_currents_stderr),
            "bond_currents_status": list(self.bond_currents_status),
            # The network result's name for the same numbers; the old name above is kept.
            "bond_current_errors": list(self.bond_currents_stderr),
            "circulation": self.circulation,
            "circulation_threshold": self.circulation_threshold,
            "circulation_significance_stderr": self.significance,
            "magnification_ratio": self.magnification_ratio,
            "magnification_ratio_stderr": self.magnification_ratio_stderr,
            "magnification_ratio_status": self.magnification_ratio_status,
            # A chain explores the closed class it starts in; it cannot count or weigh classes.
            "closed_classes": None,
            "class_weights": None,
            "correlations": correlation_entries(self),
            "method": self.method,
            "steps": self.steps,
            "burn_in": self.burn_in,
            "replicas": self.replicas,
            "batches": self.batches,
            "seed": self.seed,
            "stop_reason": self.stop_reason,
            "target_stderr": self.target_stderr,
            "equilibration": {
                "equilibrated": self.equilibrated,
                "verdict": {True: "stationary", False: "not stationary", None: UNDETERMINED}[
                    self.equilibrated
                ],
                "reason": self.equilibration_reason,
                "drift_threshold": self.drift_threshold,
                "first_vs_second_half_z": dict(self.equilibration_z),
                "energy_balance_z": self.energy_balance_z,
                "energy_change_z": self.energy_change_z,
            },
            "batch_correlation": dict(self.batch_correlation),
            "undetermined_errors": list(self.undetermined_errors),
            "undetermined_reason": self.undetermined_reason,
            "wall_time": self.wall_time,
            "updates_per_second": self.updates_per_second,
        }

    def _repr_html_(self) -> str:
        """A table of the currents with standard errors and the parameters, for Jupyter."""
        from exactspin.display import monte_carlo_html

        return monte_carlo_html(self)
