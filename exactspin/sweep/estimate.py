"""How long a sweep will take, estimated before it runs, and when that needs the user's consent.

Each built-in solver has a cheap cost model, seconds per point as a function of the few
parameters its cost depends on, with constants measured once on a 2-core development machine
(single thread) and meant to be right within a factor of a few, not more:

- ``classical`` (exact sparse solve): :data:`CLASSICAL_OVERHEAD` + :data:`SECONDS_PER_STATE` x
  the number of states (2^N_S for Q2R, 2^N_S 4^(N_U+N_D) for CCA); the solve is close to linear in
  the states from 16 to 10^6 of them. The memory of the largest point is checked here too.
- ``mc``: :data:`MONTE_CARLO_OVERHEAD` + :data:`SECONDS_PER_ATTEMPT` x replicas x (burn-in +
  steps) update attempts (the kernel's rate hardly depends on the ring size).
- ``quantum``: the dense Redfield steady state costs ~d^6 for a sector of dimension d,
  :data:`QUANTUM_SECONDS_AT_REFERENCE` at d = :data:`QUANTUM_REFERENCE_DIMENSION`; above the
  dense limit the matrix-free solver is taken as the dense cost at the limit times (d/limit)^4
  (one Krylov product costs ~d^4), which is not calibrated.
- network solvers: as their ring counterparts, from the network's own size (state count, sector
  dimension, Monte Carlo run length);
- plugins: unknown; only the number of points is limited.

Points are never visited one by one: the cost is summed over the product of the axes the cost
depends on and multiplied by the lengths of the other axes. This module estimates; it runs nothing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from exactspin.sweep.grid import Sweep
from exactspin.validation import ResourceError

#: A sweep estimated to need more seconds than this (per worker) runs only with consent (--yes).
CONSENT_SECONDS = 600.0
#: ... and so does one of more points than this, whatever its estimate (its table is in memory).
CONSENT_POINTS = 100_000

#: Seconds of one exact classical solve of a tiny ring (set-up, imports of the solve path).
CLASSICAL_OVERHEAD = 4e-3
#: Seconds per state of the exact classical solve (measured 7-46 us from 1024 to 10^6 states).
SECONDS_PER_STATE = 2e-5
#: Seconds of set-up of one Monte Carlo point (threads, statistics; the kernel compiles once).
MONTE_CARLO_OVERHEAD = 5e-2
#: Seconds per update attempt of the Monte Carlo kernel on one thread (measured 1.2e-8).
SECONDS_PER_ATTEMPT = 1.5e-8
#: Dense quantum solve: seconds at the reference dimension (measured 0.24 s at d = 20).
QUANTUM_SECONDS_AT_REFERENCE = 0.25
QUANTUM_REFERENCE_DIMENSION = 20
#: Seconds of a quantum point of the smallest sectors (model and basis set-up).
QUANTUM_OVERHEAD = 1e-2


@dataclass(frozen=True)
class SweepEstimate:
    """The estimated cost of a sweep.

    Attributes
    ----------
    points : int
        Number of points.
    seconds : float or None
        Estimated computing seconds of all points on one worker; None when unknown (plugins).
    workers : int
        Processes the points are spread over (1 for a serial sweep).
    model : str
        How the seconds were estimated, in words.
    """

    points: int
    seconds: float | None
    workers: int
    model: str

    @property
    def wall_seconds(self) -> float | None:
        """Estimated elapsed seconds with :attr:`workers` processes."""
        return None if self.seconds is None else self.seconds / self.workers

    @property
    def needs_consent(self) -> bool:
        """True past :data:`CONSENT_POINTS` points or :data:`CONSENT_SECONDS` elapsed seconds."""
        wall = self.wall_seconds
        return self.points > CONSENT_POINTS or (wall is not None and wall > CONSENT_SECONDS)

    def describe(self) -> str:
        """One line: points, estimated time and how it was estimated."""
        if self.wall_seconds is None:
            time = "time unknown"
        else:
            time = f"estimated {format_duration(self.wall_seconds)}"
            if self.workers > 1:
                time += f" on {self.workers} workers"
        return f"{self.points} points, {time} ({self.model})"


def estimate_sweep(sweep: Sweep, workers: int = 1) -> SweepEstimate:
    """Estimate the cost of ``sweep`` spread over ``workers`` processes (see the module docstring).

    Raises
    ------
    ResourceError
        A point of an exact classical sweep needs more memory than the solver's limit.
    """
    model = _network_costs(sweep) if sweep.network is not None else _MODELS.get(sweep.solver)
    if model is None:
        return SweepEstimate(len(sweep), None, workers, "a plugin's cost is unknown")
    relevant, per_point, description = model
    if sweep.listed:
        total = sum(per_point(point.parameters) for point in sweep.points())
        return SweepEstimate(len(sweep), total, max(1, workers), description)
    cost_axes = [name for name in sweep.grid if name in relevant]
    repeats = math.prod(len(axis) for name, axis in sweep.grid.items() if name not in relevant)
    total = 0.0
    for values in itertools.product(*(sweep.grid[name] for name in cost_axes)):
        parameters = {**sweep.fixed, **dict(zip(cost_axes, values, strict=True))}
        total += per_point(parameters)
    return SweepEstimate(len(sweep), total * repeats, max(1, workers), description)


def format_duration(seconds: float) -> str:
    """``0.3 s``, ``12 min``, ``1.6 h``, ``4.2 days``."""
    if seconds < 60:
        return f"{seconds:.2g} s"
    if seconds < 3600:
        return f"{seconds / 60:.2g} min"
    if seconds < 86400:
        return f"{seconds / 3600:.2g} h"
    return f"{seconds / 86400:.2g} days"


def classical_seconds(parameters: Mapping[str, Any]) -> float:
    """Seconds of one exact classical point; checks its memory against the solver's limit."""
    return classical_model_seconds(_classical_model(parameters))


def classical_model_seconds(model) -> float:
    """Seconds of the exact solve of ``model`` (a ring's or a network's), memory checked."""
    from exactspin.classical.resources import require_memory

    try:
        require_memory(model)
        states = float(model.state_count)
    except OverflowError:  # more states than a float can count: no memory holds them
        raise ResourceError(
            f"exact classical solve of N_S = {model.sites} sites: about "
            f"2^{model.state_count.bit_length() - 1} states, far beyond any memory"
        ) from None
    return CLASSICAL_OVERHEAD + SECONDS_PER_STATE * states


def monte_carlo_seconds(parameters: Mapping[str, Any]) -> float:
    """Seconds of one Monte Carlo point."""
    from exactspin.montecarlo.simulation import default_replicas

    steps = int(parameters["steps"])
    burn_in = int(parameters.get("burn_in", steps // 5))
    replicas = int(parameters.get("replicas", default_replicas(parameters.get("dynamics", "q2r"))))
    return MONTE_CARLO_OVERHEAD + SECONDS_PER_ATTEMPT * replicas * (burn_in + steps)


def quantum_seconds(parameters: Mapping[str, Any]) -> float:
    """Seconds of one quantum (Redfield) point."""
    from exactspin.quantum import QuantumModel

    names = ("nu", "nd", "up")
    dimension = QuantumModel.from_parameters(
        **{name: parameters[name] for name in names if name in parameters}
    ).dimension
    return quantum_dimension_seconds(dimension)


def quantum_dimension_seconds(dimension: int) -> float:
    """Seconds of one Redfield solve in a sector of dimension ``dimension``."""
    from exactspin.quantum.steady_state import DENSE_DIMENSION_LIMIT

    def dense(d: float) -> float:
        return QUANTUM_SECONDS_AT_REFERENCE * (d / QUANTUM_REFERENCE_DIMENSION) ** 6

    if dimension <= DENSE_DIMENSION_LIMIT:
        return QUANTUM_OVERHEAD + dense(dimension)
    return (
        QUANTUM_OVERHEAD + dense(DENSE_DIMENSION_LIMIT) * (dimension / DENSE_DIMENSION_LIMIT) ** 4
    )


def require_consent(estimate: SweepEstimate, consent: bool) -> None:
    """Raise :class:`ResourceError` if ``estimate`` is past the limits and ``consent`` is False."""
    if estimate.needs_consent and not consent:
        raise ResourceError(
            f"sweep of {estimate.describe()}: past the limit of {CONSENT_POINTS} points or "
            f"{format_duration(CONSENT_SECONDS)}, so it runs only with --yes "
            "(or split it into smaller sweeps; finished points are cached)"
        )


def _classical_model(parameters: Mapping[str, Any]):
    from exactspin.classical.model import ClassicalModel

    names = ("nu", "nd", "dynamics", "mu")
    return ClassicalModel.from_parameters(
        **{name: parameters[name] for name in names if name in parameters}
    )


def _network_costs(sweep: Sweep):
    """(relevant axes, seconds per point, description) of a network sweep: a network's axes
    change numbers, never the size of the problem, so only Monte Carlo run lengths count."""
    name, network = sweep.solver, sweep.network
    if name == "mc-network":
        return _MODELS["mc"]
    if name == "classical-network":
        from exactspin.classical.model import ClassicalModel

        seconds = classical_model_seconds(ClassicalModel.from_network(network))
        return frozenset(), lambda parameters: seconds, _MODELS["classical"][2]
    if name == "quantum-network":
        from exactspin.quantum.model import QuantumModel

        seconds = quantum_dimension_seconds(QuantumModel.from_network(network).dimension)
        return frozenset(), lambda parameters: seconds, _MODELS["quantum"][2]
    return None


_CLASSICAL_SIZE = frozenset({"nu", "nd", "dynamics", "mu"})
_MODELS: dict[str, tuple[frozenset[str], Callable[[Mapping[str, Any]], float], str]] = {
    "classical": (
        _CLASSICAL_SIZE,
        classical_seconds,
        f"exact solve: {CLASSICAL_OVERHEAD * 1e3:g} ms + {SECONDS_PER_STATE * 1e6:g} us per state",
    ),
    "mc": (
        frozenset({"steps", "burn_in", "replicas"}),
        monte_carlo_seconds,
        f"Monte Carlo: {MONTE_CARLO_OVERHEAD:g} s + {SECONDS_PER_ATTEMPT:g} s per update attempt",
    ),
    "quantum": (
        frozenset({"nu", "nd", "up"}),
        quantum_seconds,
        f"Redfield: {QUANTUM_SECONDS_AT_REFERENCE:g} s x (d/{QUANTUM_REFERENCE_DIMENSION})^6 "
        "for a sector of dimension d",
    ),
}
