"""The solvers by name: build a model from a parameter dict, solve it, give a JSON-ready dict.

One registry serves every caller that solves "from a parameter dict" (sweeps, ``crosscheck``,
reference export): ``solver(name)`` gives a :class:`Solver` whose

- :meth:`Solver.build` turns the model part of a parameter dict into a model (names, defaults
  and ranges from :mod:`exactspin.parameters`),
- :meth:`Solver.solve` runs the engine on it (with run options and a seed),
- :meth:`Solver.result_dict` turns the engine's result into plain JSON values (a ring result
  also under the network run's keys: ``bath_currents``, ``bath_current_errors``,
  ``bond_current_errors``, ``error_kind``, see :func:`ring_vocabulary`), and
- :meth:`Solver.evaluate` does all three.

Ring solvers: ``"classical"`` (exact, sparse steady state), ``"mc"`` (Monte Carlo),
``"quantum"`` (Redfield). Network solvers take ``{"network": Network, **options}``:
``"classical-network"`` (``exactspin.classical.solve_network``), ``"mc-network"``
(``exactspin.montecarlo.network_simulation.simulate_network``) and ``"quantum-network"``
(``QuantumModel.from_network`` with gamma, omega_c and zero_frequency, then
``exactspin.quantum.solve``); :meth:`Solver.available` says whether the installed engine has
them. The engines are imported lazily, inside the calls, so this module loads without them.
This is library code: it prints nothing and imports nothing of :mod:`exactspin.cli`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exactspin.jsonable import json_round_trip
from exactspin.parameters import (
    CLASSICAL,
    MONTE_CARLO_RUN,
    QUANTUM,
    QUANTUM_BATH,
    Specification,
)
from exactspin.validation import ParameterError

#: Keys of the exact classical result that are numbers only when the solve is determined.
CLASSICAL_CURRENT_KEYS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
    "magnification_ratio",
)
#: The key under which a network solver receives its :class:`exactspin.network.Network`.
NETWORK = "network"
#: The options of the quantum bath model that a quantum network does not hold (Eqs. 24-30).
QUANTUM_BATH_OPTIONS = QUANTUM_BATH


@dataclass(frozen=True)
class Solver:
    """One solver of the registry.

    Attributes
    ----------
    name : str
    model : Specification or None
        The model's parameters (None for a network solver, whose model is the network).
    options : tuple of (Specification, tuple of str)
        Run options: parameters of these specifications (only the names listed), passed to the
        engine when given (e.g. the Monte Carlo run lengths).
    required : tuple of str
        Options every call must give (``steps`` of the Monte Carlo).
    stochastic : bool
        Whether the result depends on the seed.
    network : str or None
        ``"classical"`` or ``"quantum"``: the kind of network a network solver takes.
    engine : str
        ``module:function`` of the engine (imported when it runs).
    builder : str
        ``module:Class.method`` building the engine's model from the network and the options
        named in ``model_options`` (empty: the engine takes the network itself).
    model_options : tuple of str
        Options that belong to the model rather than to the run (a quantum network's bath
        model: gamma, omega_c, zero_frequency), completed with their defaults.
    """

    name: str
    model: Specification | None
    options: tuple[tuple[Specification, tuple[str, ...]], ...] = ()
    required: tuple[str, ...] = ()
    stochastic: bool = False
    network: str | None = None
    engine: str = ""
    builder: str = ""
    model_options: tuple[str, ...] = ()

    @property
    def option_types(self) -> dict[str, type]:
        """Run-option name -> type."""
        return {name: spec[name].kind for spec, names in self.options for name in names}

    @property
    def parameter_types(self) -> dict[str, type]:
        """Every parameter name this solver takes (model, then options) -> type."""
        model = {} if self.model is None else self.model.types
        return {**model, **self.option_types}

    @property
    def coupled(self) -> tuple[frozenset[str], ...]:
        """Groups of parameters whose validity depends on each other."""
        return () if self.model is None else self.model.coupled

    @property
    def defaults(self) -> dict[str, Any]:
        """Every parameter's default (model, then run options); None where a value is absent."""
        model = {} if self.model is None else self.model.defaults()
        options = {name: spec[name].default for spec, names in self.options for name in names}
        return {**model, **options}

    def available(self) -> bool:
        """Whether the installed engine provides this solver's functions."""
        try:
            for target in filter(None, (self.engine, self.builder)):
                _resolve(target)
        except (ImportError, AttributeError):
            return False
        return True

    def require_available(self) -> None:
        """Raise :class:`ParameterError` naming the solver when its engine is not installed."""
        if not self.available():
            missing = " and ".join(filter(None, (self.engine, self.builder)))
            raise ParameterError(
                "solver", self.name, f"a solver whose engine is installed ({missing} is not)"
            )

    def split(self, parameters: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(model parameters, run options) of ``parameters``; an unknown name is refused."""
        options = self.option_types
        model: dict[str, Any] = {}
        run: dict[str, Any] = {}
        for name, value in parameters.items():
            if name in options:
                run[name] = value
            elif self.network is not None and name == NETWORK:
                model[name] = value
            elif self.model is not None and name in self.model:
                model[name] = value
            else:
                allowed = ", ".join(
                    ([NETWORK] if self.network else []) + list(self.parameter_types)
                )
                raise ParameterError(name, value, f"one of the {self.name} parameters: {allowed}")
        for name in self.required:
            if name not in run:
                raise ParameterError(name, None, f"given for the {self.name} solver")
        for spec, names in self.options:
            for name in names:
                if name in run:
                    run[name] = spec[name].check(run[name])
        return model, run

    def build(self, parameters: Mapping[str, Any]):
        """The model of the model part of ``parameters`` (omitted ones at their defaults)."""
        model, run = self.split(parameters)
        if self.network is not None:
            network = _network_of(self, model.get(NETWORK))
            if not self.builder:
                return network
            self.require_available()
            spec = self.options[0][0]
            given = {name: run[name] for name in self.model_options if name in run}
            options = {name: spec[name].default for name in self.model_options} | given
            return _resolve(self.builder)(network, **options)
        if self.model is CLASSICAL:
            from exactspin.classical.model import ClassicalModel

            return ClassicalModel.from_parameters(**model)
        from exactspin.quantum.model import QuantumModel

        return QuantumModel.from_parameters(**model)

    def check_network(self, network: object) -> None:
        """Raise unless ``network`` is a network of this network solver's kind."""
        _network_of(self, network)

    def check(self, parameters: Mapping[str, Any]) -> None:
        """Raise :class:`ParameterError` if this point would be refused (cheap: nothing solved)."""
        self.build(parameters)

    def solve(self, parameters: Mapping[str, Any], seed: int = 0, **extra: Any):
        """The engine's result at ``parameters`` (``extra``: engine keywords, e.g. ``unit``)."""
        model = self.build(parameters)
        _, run = self.split(parameters)
        run = {name: value for name, value in run.items() if name not in self.model_options}
        function = _resolve(self.engine)
        if self.stochastic:
            return function(model, seed=seed, **run, **extra)
        return function(model, **run, **extra)

    def result_dict(self, result: Any) -> dict[str, Any]:
        """The result as plain JSON values (non-finite floats become None).

        An exact classical solve (ring or network) whose error bound exceeds the asked accuracy
        is not a number: its currents, magnification ratio, circulation and cycles become None /
        ``"undetermined"`` (docs/conventions.md), whoever asks.
        """
        values = result.to_dict()
        if not isinstance(values, Mapping):
            raise TypeError(f"{self.name}: a result must give a dict, not {type(values).__name__}")
        values = dict(values)
        if self.name in ("classical", "classical-network") and not values.get("determined", True):
            for key in CLASSICAL_CURRENT_KEYS + ("bath_currents", "bond_currents"):
                if isinstance(values.get(key), list):
                    values[key] = [None] * len(values[key])
                elif key in values:
                    values[key] = None
            if "circulation" in values:
                values["circulation"] = "undetermined"
            values["cycles"] = [
                {**cycle, "circulation": "undetermined", "current": None}
                for cycle in values.get("cycles", [])
            ]
            if not values["cycles"]:
                del values["cycles"]
        if self.network is None:
            values = {**values, **ring_vocabulary(self.name, values)}
        return json_round_trip(values)

    def evaluate(self, parameters: Mapping[str, Any], seed: int = 0) -> dict[str, Any]:
        """Build, solve and export: the JSON-ready observables at ``parameters``."""
        return self.result_dict(self.solve(parameters, seed))


#: The error of each ring solver's currents: (kind, suffix of the per-current error key).
_RING_ERRORS = {
    "classical": ("bound", None),
    "mc": ("standard_error", "_stderr"),
    "quantum": ("bound", "_bound"),
}


def ring_vocabulary(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The network run's keys for a ring result: ``bath_currents`` (bath order left, right),
    ``bath_current_errors``, ``bond_current_errors`` (classical) and ``error_kind``.

    The ring's own keys (``left_bath_current``, ``error_bounds``, ``*_stderr``, ``*_bound``)
    stay; keys the result already has are not replaced.
    """
    kind, suffix = _RING_ERRORS[name]
    sides = ("left_bath_current", "right_bath_current")
    if suffix is None:
        bounds = values.get("error_bounds") or {}
        errors = [bounds.get(side) for side in sides]
        bond_errors = bounds.get("bond_currents")
    else:
        errors = [values.get(side + suffix) for side in sides]
        bond_errors = values.get("bond_currents" + suffix)
    if "determined" in values and not values["determined"]:
        errors = [None, None]
    extra: dict[str, Any] = {
        "bath_currents": [values.get(side) for side in sides],
        "bath_current_errors": errors,
        "error_kind": kind,
    }
    if "bond_currents" in values and bond_errors is not None:
        extra["bond_current_errors"] = list(bond_errors)
    return {key: value for key, value in extra.items() if key not in values}


def _resolve(target: str):
    """The object ``module:name`` or ``module:Class.attribute`` names."""
    module, _, path = target.partition(":")
    value = importlib.import_module(module)
    for name in path.split("."):
        value = getattr(value, name)
    return value


def _network_of(entry: Solver, network: object):
    from exactspin.network import Network
    from exactspin.network.graph import NetworkError

    if not isinstance(network, Network):
        raise ParameterError(NETWORK, network, f"an exactspin.network.Network for {entry.name}")
    if network.kind != entry.network:
        raise NetworkError(
            "bonds", f"{network.kind} bonds", f"{entry.network} bonds for {entry.name}"
        )
    if network.kind == "classical":
        from exactspin.classical.precision import require_representable_couplings

        require_representable_couplings(network)  # Monte Carlo too: no overflow to nan
    return network


_MC_RUN = ((MONTE_CARLO_RUN, MONTE_CARLO_RUN.names),)

SOLVERS: dict[str, Solver] = {
    entry.name: entry
    for entry in (
        Solver("classical", CLASSICAL, engine="exactspin.classical:solve"),
        Solver(
            "mc",
            CLASSICAL,
            _MC_RUN,
            ("steps",),
            stochastic=True,
            engine="exactspin.montecarlo:simulate",
        ),
        Solver("quantum", QUANTUM, engine="exactspin.quantum:solve"),
        Solver(
            "classical-network",
            None,
            network="classical",
            engine="exactspin.classical:solve_network",
        ),
        Solver(
            "mc-network",
            None,
            _MC_RUN,
            ("steps",),
            stochastic=True,
            network="classical",
            engine="exactspin.montecarlo.network_simulation:simulate_network",
        ),
        Solver(
            "quantum-network",
            None,
            ((QUANTUM, QUANTUM_BATH_OPTIONS),),
            network="quantum",
            engine="exactspin.quantum:solve",
            builder="exactspin.quantum.model:QuantumModel.from_network",
            model_options=QUANTUM_BATH_OPTIONS,
        ),
    )
}


def solver(name: object) -> Solver:
    """The registry entry called ``name``.

    Raises
    ------
    ParameterError
        ``name`` is not a solver of the registry.
    """
    if not isinstance(name, str) or name not in SOLVERS:
        raise ParameterError("solver", name, "one of " + ", ".join(SOLVERS))
    return SOLVERS[name]


__all__ = ["NETWORK", "SOLVERS", "Solver", "ring_vocabulary", "solver"]
