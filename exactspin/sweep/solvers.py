"""The solvers a sweep can run, by name: what parameters each takes and how to call it.

The built-in solvers are those of the library's registry (:mod:`exactspin.solvers`): their
parameter names, types and coupled groups come from :mod:`exactspin.parameters`, and a point runs
as ``solver(name).evaluate(parameters, seed)``. The physics packages are imported lazily, inside
the call, so this module loads without them and a worker process imports only the solver it runs.

A network solver (``classical-network``, ``mc-network``, ``quantum-network``) carries its
:class:`exactspin.network.Network`; its axes are the network's numbers (``bath1_t``, ``bond3_j``,
... see :mod:`exactspin.sweep.network_axes`) and its run options.

Besides the built-in solvers, a plugin (see :mod:`exactspin.sweep.plugins`) names a function
``f(parameters: dict, seed: int) -> dict`` that the person running the sweep has allowed; it takes
any parameter names with int, float or string values and always receives its point's seed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exactspin.jsonable import json_round_trip
from exactspin.solvers import NETWORK, SOLVERS, solver
from exactspin.sweep.network_axes import axis_names, is_network_axis_name, network_axis, with_values
from exactspin.sweep.plugins import load_plugin, plugin_target
from exactspin.validation import MISSING, ParameterError


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
    network : Network or None
        The network a network solver runs on (its axes replace some of its numbers).
    """

    name: str
    parameters: dict[str, type] | None
    required: tuple[str, ...] = ()
    stochastic: bool = False
    coupled: tuple[frozenset[str], ...] = ()
    target: str | None = None
    network: Any = None

    def coerce(self, name: object, value: object) -> Any:
        """Check the name and type of one parameter value; return it in its canonical type."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(str(name), value, "a parameter name (identifier)")
        if self.parameters is None:
            kind = str if isinstance(value, str) else int if _is_integer(value) else float
        elif name in self.parameters:
            kind = self.parameters[name]
        elif self.network is not None and is_network_axis_name(name):
            network_axis(name, self.network, value)  # names the index out of range
            raise AssertionError("unreachable: every axis of the network is a parameter")
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
        solver(self.name).check(self.solver_parameters(parameters))

    def solver_parameters(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """What the registry's solver takes at this point: for a network solver, the network
        with the point's axis values in place and the run options; else ``parameters``."""
        if self.network is None:
            return dict(parameters)
        axes = {name: value for name, value in parameters.items() if is_network_axis_name(name)}
        options = {name: value for name, value in parameters.items() if name not in axes}
        return {NETWORK: with_values(self.network, axes), **options}


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


def solver_entry(
    solver: object, allowed_plugins: Sequence[str] = (), network: Any = None
) -> SolverEntry:
    """The registry entry of a built-in solver name or of a plugin.

    Parameters
    ----------
    solver : str
        A name of :data:`exactspin.solvers.SOLVERS` (``"classical"``, ``"mc"``, ``"quantum"``,
        ``"classical-network"``, ``"mc-network"``, ``"quantum-network"``), an installed plugin's
        name, or ``"module:function"`` from a module in ``allowed_plugins``.
    allowed_plugins : sequence of str
        Modules the caller allows plugins from (the command line's ``--allow-plugin``).
    network : Network or None
        The network of a network solver (required there, refused elsewhere).

    Raises
    ------
    ParameterError
        Unknown name, a plugin not allowed (refused before any import), or one whose function
        cannot be imported; a network solver without a network (or whose engine is not
        installed), a network given to another solver, or a network of the wrong kind.
    """
    if isinstance(solver, str) and solver in SOLVERS:
        return _built_in_entry(solver, network)
    if not isinstance(solver, str):
        raise ParameterError("solver", solver, "a solver name (string)")
    if network is not None:
        raise ParameterError("network", "given", f"omitted for the {solver} solver")
    target = plugin_target(solver, allowed_plugins, built_in=tuple(SOLVERS))
    return SolverEntry(name=solver, parameters=None, stochastic=True, target=target)


def _built_in_entry(name: str, network: Any) -> SolverEntry:
    entry = SOLVERS[name]
    if entry.network is None:
        if network is not None:
            raise ParameterError(
                "network",
                "given",
                f"omitted for the {name} solver (a network solver takes it: "
                f"{', '.join(n for n, s in SOLVERS.items() if s.network)})",
            )
        return SolverEntry(
            name, entry.parameter_types, entry.required, entry.stochastic, entry.coupled
        )
    if network is None:
        raise ParameterError("network", MISSING, f"a network file for the {name} solver")
    entry.check_network(network)
    parameters = {**dict.fromkeys(axis_names(network), float), **entry.option_types}
    return SolverEntry(name, parameters, entry.required, entry.stochastic, (), network=network)


def evaluate_point(entry: SolverEntry, parameters: dict[str, Any], seed: int) -> dict[str, Any]:
    """Run one point and return its observables as plain JSON values.

    Non-finite floats become None and every value goes through a JSON round trip, so a fresh
    result and one read back from the cache are identical. Module-level so executors can pickle it
    (``entry`` comes from :func:`solver_entry`, which did the opt-in check).
    """
    if entry.target is not None:
        result = load_plugin(entry.target)(dict(parameters), seed)
    else:
        return solver(entry.name).evaluate(entry.solver_parameters(parameters), seed)
    return normalise(result)


def normalise(result: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON round trip of ``result`` (numpy values to Python, non-finite floats to None)."""
    if not isinstance(result, Mapping):
        raise TypeError(f"a sweep solver must return a dict, not {type(result).__name__}")
    return json_round_trip(dict(result))


#: The solver names a sweep file can use without any opt-in.
BUILT_IN_SOLVERS = tuple(SOLVERS)
