"""The solvers a sweep can run, by name: what parameters each takes and how to call it.

Each solver is a function ``(parameters, seed) -> dict`` of JSON-ready observables (the solver
result's ``to_dict()``). The physics packages are imported lazily, inside the function, so this
registry loads without them and a worker process imports only the solver it runs.

Besides the built-in solvers, a plugin (see :mod:`exactspin.sweep.plugins`) names a function
``f(parameters: dict, seed: int) -> dict`` that the person running the sweep has allowed; it takes
any parameter names with int, float or string values and always receives its point's seed.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exactspin.sweep.plugins import load_plugin, plugin_target
from exactspin.validation import ParameterError, require_integer

#: Parameters of the classical model (``ClassicalModel.from_parameters``), with their types.
CLASSICAL_PARAMETERS: dict[str, type] = {
    "nu": int,
    "nd": int,
    "j1": float,
    "j2": float,
    "tl": float,
    "tr": float,
    "dynamics": str,
    "mu": float,
}
#: Run-length parameters of the Monte Carlo solver; the seed comes from the point, never a key.
MONTE_CARLO_RUN_PARAMETERS: dict[str, type] = {"steps": int, "replicas": int, "burn_in": int}
#: Parameters of ``QuantumModel.from_parameters``.
QUANTUM_PARAMETERS: dict[str, type] = {
    "nu": int,
    "nd": int,
    "up": int,
    "j": float,
    "delta": float,
    "tl": float,
    "tr": float,
    "gamma": float,
    "omega_c": float,
    "zero_frequency": str,
}


@dataclass(frozen=True)
class SolverEntry:
    """How to validate and run one solver.

    Attributes
    ----------
    name : str
        The name used in sweep files (``classical``, ``mc``, ``quantum`` or a plugin's name).
    parameters : dict or None
        Accepted parameter names and their types; None accepts any identifier.
    required : tuple of str
        Parameters every point must give.
    stochastic : bool
        Whether results depend on the point seed.
    coupled : tuple of frozenset of str
        The groups of parameters whose validity depends on each other (``dynamics`` and ``mu``);
        every other parameter is valid or not on its own value. A grid is then checked axis by
        axis and over the product of the axes within each group only, never point by point.
    target : str or None
        ``module:function`` of a plugin; None for a built-in solver.
    """

    name: str
    parameters: dict[str, type] | None
    required: tuple[str, ...] = ()
    stochastic: bool = False
    coupled: tuple[frozenset[str], ...] = ()
    target: str | None = None

    def coerce(self, name: object, value: object) -> Any:
        """Check the name and type of one parameter value; return it in its canonical type."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(str(name), value, "a parameter name (identifier)")
        if self.parameters is None:
            kind = str if isinstance(value, str) else int if _is_integer(value) else float
        elif name in self.parameters:
            kind = self.parameters[name]
        else:
            raise ParameterError(
                name, value, f"one of the {self.name} parameters: " + ", ".join(self.parameters)
            )
        return coerce_value(name, value, kind)

    def coerce_axis(self, name: str, values: Sequence[object]) -> tuple[Any, ...]:
        """:meth:`coerce` for every value of a grid axis; an axis mixing ints and floats of an
        untyped (python) solver becomes all floats, so its column has one type."""
        coerced = tuple(self.coerce(name, value) for value in values)
        if self.parameters is None and any(isinstance(value, float) for value in coerced):
            coerced = tuple(float(value) if _is_integer(value) else value for value in coerced)
        return coerced

    def check_required(self, names: Iterable[str]) -> None:
        """Raise :class:`ParameterError` if a parameter every point needs is not among ``names``."""
        given = set(names)
        for name in self.required:
            if name not in given:
                raise ParameterError(
                    name, None, f"given (fixed or swept) for the {self.name} solver"
                )

    def check(self, parameters: Mapping[str, Any]) -> None:
        """Raise :class:`ParameterError` if the solver would reject this point (cheap checks)."""
        self.check_required(parameters)
        if self.parameters is None:
            return
        _CHECKS[self.name](dict(parameters))


def coerce_value(name: str, value: object, kind: type) -> Any:
    """Return ``value`` as ``kind`` (int, float or str) or raise :class:`ParameterError`.

    Integers are accepted where floats are expected (TOML writes ``2`` for 2.0) and stored as
    floats, so one sweep always writes one table; booleans are never numbers, and non-finite
    values are refused because no model parameter can be NaN or infinite.
    """
    if kind is str:
        if not isinstance(value, str):
            raise ParameterError(name, value, "a string")
        return value
    if kind is int:
        if not _is_integer(value):
            raise ParameterError(name, value, "an integer")
        return int(value)  # type: ignore[call-overload]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, value, "a finite real number")
    result = float(value)
    if not math.isfinite(result):
        raise ParameterError(name, value, "a finite real number")
    return result


def _is_integer(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def solver_entry(solver: object, allowed_plugins: Sequence[str] = ()) -> SolverEntry:
    """The registry entry of a built-in solver name or of a plugin.

    Parameters
    ----------
    solver : str
        ``"classical"``, ``"mc"``, ``"quantum"``, an installed plugin's name, or
        ``"module:function"`` from a module in ``allowed_plugins``.
    allowed_plugins : sequence of str
        Modules the caller allows plugins from (the command line's ``--allow-plugin``).

    Raises
    ------
    ParameterError
        Unknown name, a plugin not allowed (refused before any import), or one whose function
        cannot be imported.
    """
    if isinstance(solver, str) and solver in _ENTRIES:
        return _ENTRIES[solver]
    if not isinstance(solver, str):
        raise ParameterError("solver", solver, "a solver name (string)")
    target = plugin_target(solver, allowed_plugins, built_in=tuple(_ENTRIES))
    return SolverEntry(name=solver, parameters=None, stochastic=True, target=target)


def evaluate_point(entry: SolverEntry, parameters: dict[str, Any], seed: int) -> dict[str, Any]:
    """Run one point and return its observables as plain JSON values.

    Non-finite floats become None and every value goes through a JSON round trip, so a fresh
    result and one read back from the cache are identical. Module-level so executors can pickle it
    (``entry`` comes from :func:`solver_entry`, which did the opt-in check).
    """
    if entry.target is not None:
        result = load_plugin(entry.target)(dict(parameters), seed)
    else:
        result = _RUNNERS[entry.name](dict(parameters), seed)
    return normalise(result)


def normalise(result: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON round trip of ``result`` (numpy values to Python, non-finite floats to None)."""
    from exactspin.cli.output import to_jsonable

    if not isinstance(result, Mapping):
        raise TypeError(f"a sweep solver must return a dict, not {type(result).__name__}")
    return json.loads(json.dumps(to_jsonable(dict(result)), allow_nan=False))


def _split(parameters: dict[str, Any], names: Mapping[str, type]) -> dict[str, Any]:
    return {name: parameters.pop(name) for name in list(parameters) if name in names}


def _classical_model(parameters: dict[str, Any]):
    from exactspin.classical.model import ClassicalModel

    return ClassicalModel.from_parameters(**parameters)


def _quantum_model(parameters: dict[str, Any]):
    from exactspin.quantum import QuantumModel

    return QuantumModel.from_parameters(**parameters)


def _check_monte_carlo(parameters: dict[str, Any]) -> None:
    run = _split(parameters, MONTE_CARLO_RUN_PARAMETERS)
    require_integer("steps", run["steps"], 1)
    if "replicas" in run:
        require_integer("replicas", run["replicas"], 1)
    if "burn_in" in run:
        require_integer("burn_in", run["burn_in"], 0)
    _classical_model(parameters)


def _run_classical(parameters: dict[str, Any], seed: int) -> Mapping[str, Any]:
    from exactspin.classical import solve

    result = solve(_classical_model(parameters)).to_dict()
    if not result["determined"]:
        # The bound exceeds the asked accuracy: no number goes into the table (docs/conventions.md).
        for key in ("left_bath_current", "right_bath_current", "upper_branch_current"):
            result[key] = None
        result["lower_branch_current"] = None
        result["bond_currents"] = [None] * len(result["bond_currents"])
        result["magnification_ratio"] = None
        result["circulation"] = "undetermined"
    return result


def _run_monte_carlo(parameters: dict[str, Any], seed: int) -> Mapping[str, Any]:
    from exactspin.montecarlo import simulate

    run = _split(parameters, MONTE_CARLO_RUN_PARAMETERS)
    return simulate(_classical_model(parameters), seed=seed, **run).to_dict()


def _run_quantum(parameters: dict[str, Any], seed: int) -> Mapping[str, Any]:
    from exactspin.quantum import solve

    return solve(_quantum_model(parameters)).to_dict()


#: Parameters whose valid values depend on each other: the ring's branch sizes, and the CCA
#: demon unit that only CCA dynamics takes. Every other parameter has a range of its own.
CLASSICAL_COUPLED = (frozenset({"nu", "nd"}), frozenset({"dynamics", "mu"}))
#: The number of up spins is bounded by the number of sites (Eq. 22 sectors).
QUANTUM_COUPLED = (frozenset({"nu", "nd", "up"}),)

_ENTRIES: dict[str, SolverEntry] = {
    "classical": SolverEntry("classical", CLASSICAL_PARAMETERS, coupled=CLASSICAL_COUPLED),
    "mc": SolverEntry(
        "mc",
        {**CLASSICAL_PARAMETERS, **MONTE_CARLO_RUN_PARAMETERS},
        ("steps",),
        stochastic=True,
        coupled=CLASSICAL_COUPLED,
    ),
    "quantum": SolverEntry("quantum", QUANTUM_PARAMETERS, coupled=QUANTUM_COUPLED),
}
#: The solver names a sweep file can use without any opt-in.
BUILT_IN_SOLVERS = tuple(_ENTRIES)
_CHECKS: dict[str, Callable[[dict[str, Any]], object]] = {
    "classical": _classical_model,
    "mc": _check_monte_carlo,
    "quantum": _quantum_model,
}
_RUNNERS: dict[str, Callable[[dict[str, Any], int], Mapping[str, Any]]] = {
    "classical": _run_classical,
    "mc": _run_monte_carlo,
    "quantum": _run_quantum,
}
