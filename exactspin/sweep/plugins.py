"""User solvers for sweeps (plugins), and the explicit opt-in that running one takes.

A sweep file is data that people share, so naming a solver in it never imports or runs code by
itself. A plugin solver is a function ``f(parameters: dict, seed: int) -> dict`` that reaches a
sweep in one of two ways, both chosen by the person running it, never by the file:

- an installed package declares it in the entry-point group :data:`ENTRY_POINT_GROUP`
  (``[project.entry-points."exactspin.solvers"] mymodel = "mypackage.models:solve"``); the sweep
  file then says ``solver = "mymodel"``. Installing the package is the opt-in.
- the sweep file says ``solver = "module:function"`` and the command line allows the module with
  ``--allow-plugin module`` (``allowed_plugins=("module",)`` in Python); allowing a package allows
  its submodules. Without that, the sweep is refused before anything is imported.

This module resolves names to functions; it knows nothing about grids or executors.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from exactspin.validation import ParameterError

#: Entry-point group through which installed packages offer sweep solvers.
ENTRY_POINT_GROUP = "exactspin.solvers"
#: The removed spelling ``python:module:function`` (it imported whatever a file named).
LEGACY_PREFIX = "python:"

PluginFunction = Callable[[dict[str, Any], int], Mapping[str, Any]]


def installed_plugins() -> dict[str, EntryPoint]:
    """The plugin solvers of installed packages, by name (listing them imports nothing)."""
    return {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}


def plugin_target(
    solver: str, allowed_plugins: Iterable[str] = (), built_in: Iterable[str] = ()
) -> str:
    """The ``module:function`` that runs ``solver``, checked against the opt-ins, then loaded.

    Parameters
    ----------
    solver : str
        An installed plugin's name, or ``module:function``.
    allowed_plugins : iterable of str
        Modules (or packages) the caller allows ``module:function`` solvers from.
    built_in : iterable of str
        The library's own solver names, for the error message.

    Raises
    ------
    ParameterError
        (parameter ``solver``) for a name that is neither, a module that was not allowed (before
        importing it), or a function that cannot be imported.
    """
    installed = installed_plugins()
    if solver in installed:
        target = installed[solver].value
    else:
        module_name, _, function_name = solver.partition(":")
        if solver.startswith(LEGACY_PREFIX) or not (module_name and function_name):
            raise ParameterError("solver", solver, _allowed_names(built_in, installed))
        if not _is_allowed(module_name, allowed_plugins):
            raise ParameterError(
                "solver",
                solver,
                f"allowed on the command line to run code: add --allow-plugin {module_name} "
                "(a sweep file alone never imports a module)",
            )
        target = solver
    load_plugin(target)
    return target


def load_plugin(target: str) -> PluginFunction:
    """Import ``module:function`` and return the function (call only after the opt-in check)."""
    module_name, _, function_name = target.partition(":")
    allowed = "'module:function' naming an importable function f(parameters, seed)"
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise ParameterError("solver", target, f"{allowed} ({error})") from None
    if not callable(function):
        raise ParameterError("solver", target, allowed)
    return function


def _is_allowed(module_name: str, allowed_plugins: Iterable[str]) -> bool:
    return any(
        module_name == allowed or module_name.startswith(allowed + ".")
        for allowed in allowed_plugins
    )


def _allowed_names(built_in: Iterable[str], installed: Mapping[str, EntryPoint]) -> str:
    names = ", ".join(map(repr, (*built_in, *sorted(installed))))
    return (
        f"one of {names} (installed plugins join through the '{ENTRY_POINT_GROUP}' entry-point "
        "group), or 'module:function' with --allow-plugin module"
    )
