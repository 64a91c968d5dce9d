"""The frozen result of a Monte Carlo run: estimates, standard errors and run diagnostics.

Holds numbers only; :mod:`exactspin.montecarlo.simulation` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exactspin.classical.model import ClassicalModel
from exactspin.currents import circulation, magnification_ratio

#: The branch currents (and bath currents) a result carries, each with ``<name>_stderr``.
CURRENT_NAMES = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)

#: A branch current counts as nonzero for the circulation label when |I| exceeds this many times
#: the larger of the two branch standard errors.
SIGNIFICANCE = 3.0


@dataclass(frozen=True)
class MonteCarloResult:
    """Steady-state currents of a classical ring estimated by random-sequential Monte Carlo.

    Currents are per single-spin update attempt (``"step"``, docs/conventions.md), with the signs of
    Eqs. 6 and 9: I_L, I_R drawn from the baths, I_U positive left -> right, I_D positive
    right -> left. Each branch current is the mean over the bonds of its branch (equal in the
    steady state). Standard errors are batch means over ``replicas x batches`` batches; sites are
    0-based.

    Attributes
    ----------
    model : ClassicalModel
    steps, burn_in : int
        Measured and discarded single-spin update attempts per replica.
    replicas, batches, seed : int
        Independent chains, batches per chain, root seed of ``numpy.random.SeedSequence``.
    pairs : tuple of (int, int)
        Site pairs whose <s_i s_j> was sampled (once per N_S steps).
    bond_currents, bond_currents_stderr : tuple of float
        Energy per step moved into bond b by flips of site b (Eq. 9), b = 0..N_S-1.
    pair_correlations, pair_correlations_stderr : tuple of float
        <s_i s_j> for each of ``pairs``.
    equilibration_z : tuple of (str, float)
        Per current, z-score of (second half - first half) of the measured batches.
    energy_balance_z : float
        z-score of I_L + I_R, the net energy flowing into the ring per step, against zero: the
        ring's energy is bounded, so a steady state has no net inflow (Eq. 6), while a ring still
        heating or cooling from its start has.
    equilibrated : bool
        True when every |z| in ``equilibration_z`` and ``|energy_balance_z|`` are below
        ``drift_threshold``.
    batch_correlation : tuple of (str, float)
        Per current, correlation of successive batch averages (near 0 when batches are long
        enough to trust the error bars).
    wall_time, updates_per_second : float
        Seconds spent running chains, and burn-in plus measured steps of all replicas per second.
    """

    model: ClassicalModel
    steps: int
    burn_in: int
    replicas: int
    batches: int
    seed: int
    pairs: tuple[tuple[int, int], ...]
    left_bath_current: float
    left_bath_current_stderr: float
    right_bath_current: float
    right_bath_current_stderr: float
    upper_branch_current: float
    upper_branch_current_stderr: float
    lower_branch_current: float
    lower_branch_current_stderr: float
    bond_currents: tuple[float, ...]
    bond_currents_stderr: tuple[float, ...]
    pair_correlations: tuple[float, ...]
    pair_correlations_stderr: tuple[float, ...]
    equilibration_z: tuple[tuple[str, float], ...]
    energy_balance_z: float
    equilibrated: bool
    drift_threshold: float
    batch_correlation: tuple[tuple[str, float], ...]
    wall_time: float
    updates_per_second: float
    unit: str = "step"
    significance: float = SIGNIFICANCE

    @property
    def circulation_threshold(self) -> float:
        """|I| a branch current must exceed to count as nonzero: 3 x the larger branch stderr."""
        return self.significance * max(
            self.upper_branch_current_stderr, self.lower_branch_current_stderr
        )

    @property
    def circulation(self) -> str:
        """Clockwise, anticlockwise or parallel, with :attr:`circulation_threshold`."""
        return circulation(
            self.upper_branch_current, self.lower_branch_current, self.circulation_threshold
        )

    @property
    def magnification_ratio(self) -> float:
        """max(|I_U|, |I_D|) / |I_L| of the estimates (no error propagated)."""
        return magnification_ratio(
            self.upper_branch_current, self.lower_branch_current, self.left_bath_current
        )

    def correlation(self, first: int, second: int) -> float:
        """<s_i s_j> for a sampled pair of 0-based sites (either order)."""
        return self.pair_correlations[self._pair_index(first, second)]

    def correlation_stderr(self, first: int, second: int) -> float:
        """Standard error of :meth:`correlation`."""
        return self.pair_correlations_stderr[self._pair_index(first, second)]

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
        return {
            "parameters": self.model.parameters(),
            "unit": self.unit,
            **currents,
            "bond_currents": list(self.bond_currents),
            "bond_currents_stderr": list(self.bond_currents_stderr),
            "circulation": self.circulation,
            "circulation_threshold": self.circulation_threshold,
            "circulation_significance_stderr": self.significance,
            "magnification_ratio": self.magnification_ratio,
            # A chain explores the closed class it starts in; it cannot count or weigh classes.
            "closed_classes": None,
            "class_weights": None,
            "correlations": [
                {"sites": [a + 1, b + 1], "value": value, "stderr": error}
                for (a, b), value, error in zip(
                    self.pairs, self.pair_correlations, self.pair_correlations_stderr, strict=True
                )
            ],
            "steps": self.steps,
            "burn_in": self.burn_in,
            "replicas": self.replicas,
            "batches": self.batches,
            "seed": self.seed,
            "equilibration": {
                "equilibrated": self.equilibrated,
                "drift_threshold": self.drift_threshold,
                "first_vs_second_half_z": dict(self.equilibration_z),
                "energy_balance_z": self.energy_balance_z,
            },
            "batch_correlation": dict(self.batch_correlation),
            "wall_time": self.wall_time,
            "updates_per_second": self.updates_per_second,
        }
