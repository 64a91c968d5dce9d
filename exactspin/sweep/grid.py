"""Sweep definitions: the parameter points of a sweep, their order and their seeds.

A sweep names a solver and splits the model parameters (named as the CLI flags without dashes)
into fixed values and either grid axes or an explicit list of points. A grid's points are the
product of the axes, first axis slowest, as ``itertools.product`` over the axes in the order
given, enumerated lazily (a sweep of 10^8 points
costs the memory of its axes, not of its points). Each point's random stream comes from its grid
index alone, so results do not depend on which executor runs the point or when. Validation looks at
the axes, not at every point: see :func:`validation_points`. This module validates and
enumerates; it runs nothing and reads no files (see :mod:`exactspin.sweep.config`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from exactspin.solvers import SOLVERS, solver
from exactspin.sweep.solvers import SolverEntry, solver_entry
from exactspin.validation import ParameterError, require_integer

#: Largest base seed accepted (SeedSequence takes any non-negative int; keep it JSON-safe).
MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class Point:
    """One parameter point of a sweep.

    Attributes
    ----------
    index : int
        Position in grid order, 0-based.
    parameters : dict
        Every parameter of the point: the grid axes first (in axis order), then the fixed values.
    seed : int
        The point's own seed, derived from the sweep's base seed and ``index`` only.
    """

    index: int
    parameters: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class Sweep:
    """A grid of parameter points for one solver.

    Parameters
    ----------
    solver : str
        ``"classical"`` (exact), ``"mc"`` (Monte Carlo), ``"quantum"`` (Redfield), their network
        forms ``"classical-network"``, ``"mc-network"``, ``"quantum-network"``, or a plugin
        (:mod:`exactspin.sweep.plugins`): an installed plugin's name, or ``"module:function"``
        naming a function ``f(parameters, seed) -> dict`` in a module of ``allowed_plugins``.
    fixed : mapping
        Parameter values shared by every point.
    grid : mapping of str to sequence
        The swept axes; the points are their product, first axis slowest.
    listed : sequence of mapping
        Instead of a grid, the points themselves, in order; each gives the same parameter names
        (the swept ones), and the fixed values complete it.
    seed : int
        Base seed; point ``i`` gets ``SeedSequence(seed, spawn_key=(i,))``.
    allowed_plugins : tuple of str
        Modules the caller allows ``module:function`` solvers from. It is never read from a sweep
        file: a file alone cannot make this process import anything.
    network : Network or None
        The network of a network solver (``classical-network``, ``mc-network``,
        ``quantum-network``); its numbers are swept by axes named ``bath<k>_t``, ``bond<k>_j``,
        ``bond<k>_delta``, ``field<k>_h`` (1-based, file order, see
        :mod:`exactspin.sweep.network_axes`).

    Raises
    ------
    ParameterError
        Unknown solver or parameter names, a plugin that was not allowed, a name both fixed and
        swept, an empty axis, a value of the wrong type, or a point the solver's model rejects,
        naming the offending key, before any point is run.
    """

    solver: str
    fixed: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    seed: int = 0
    allowed_plugins: tuple[str, ...] = ()
    listed: Sequence[Mapping[str, Any]] = ()
    network: Any = None
    _entry: SolverEntry = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if isinstance(self.allowed_plugins, str) or not all(
            isinstance(name, str) for name in self.allowed_plugins
        ):
            raise ParameterError("allow_plugin", self.allowed_plugins, "a list of module names")
        set_(self, "allowed_plugins", tuple(self.allowed_plugins))
        entry = solver_entry(self.solver, self.allowed_plugins, self.network)
        set_(self, "_entry", entry)
        set_(self, "seed", require_integer("seed", self.seed, 0, MAX_SEED))
        if not isinstance(self.fixed, Mapping):
            raise ParameterError("fixed", self.fixed, "a table of parameter values")
        if not isinstance(self.grid, Mapping):
            raise ParameterError("grid", self.grid, "a table of parameter axes (lists)")
        fixed = {name: entry.coerce(name, value) for name, value in self.fixed.items()}
        grid: dict[str, tuple[Any, ...]] = {}
        for name, axis in self.grid.items():
            if name in fixed:
                raise ParameterError(name, axis, "either fixed or swept, not both")
            if isinstance(axis, (str, bytes, Mapping)) or not isinstance(axis, Sequence):
                raise ParameterError(name, axis, "a non-empty list of values (a grid axis)")
            if len(axis) == 0:
                raise ParameterError(name, list(axis), "a non-empty list of values (a grid axis)")
            grid[name] = entry.coerce_axis(name, axis)
        listed = _listed_points(entry, self.listed, fixed)
        if listed and grid:
            raise ParameterError("points", list(self.listed), "given instead of [grid], not both")
        set_(self, "fixed", fixed)
        set_(self, "grid", grid)
        set_(self, "listed", listed)
        entry.check_required(self.parameter_names)
        if entry.parameters is None:  # a plugin takes any values: nothing to check per point
            return
        if listed:
            for point in self.points():
                entry.check(point.parameters)
        else:
            for parameters in validation_points(entry, fixed, grid):
                entry.check(parameters)
        if entry.network is not None:
            solver(entry.name).require_available()  # after the file's own faults are named

    @property
    def entry(self) -> SolverEntry:
        """The solver's registry entry (what its workers run)."""
        return self._entry

    @property
    def swept(self) -> tuple[str, ...]:
        """The parameters that vary: the grid axes in axis order, or the listed points' names."""
        return tuple(self.listed[0]) if self.listed else tuple(self.grid)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Every parameter name: the swept ones (:attr:`swept`), then the fixed values."""
        return self.swept + tuple(name for name in self.fixed if name not in self.swept)

    @property
    def defaulted(self) -> dict[str, Any]:
        """The built-in solver's parameters this sweep leaves at their defaults, with their values
        (those without a value, such as Q2R's mu, left out), so a table shows every parameter."""
        if self.entry.parameters is None or self.entry.name not in SOLVERS:
            return {}
        given = set(self.parameter_names)
        return {
            name: value
            for name, value in SOLVERS[self.entry.name].defaults.items()
            if name not in given and value is not None
        }

    @property
    def stochastic(self) -> bool:
        """True when the solver consumes the point seeds (they are then part of the results)."""
        return self.entry.stochastic

    def __len__(self) -> int:
        if self.listed:
            return len(self.listed)
        return math.prod(len(axis) for axis in self.grid.values())

    def points(self) -> Iterator[Point]:
        """Every point in order (listed, or grid order with the first axis slowest), each with
        its own seed, one at a time."""
        if self.listed:
            swept: Iterator[Mapping[str, Any]] = iter(self.listed)
        else:
            names = tuple(self.grid)
            swept = (
                dict(zip(names, values, strict=True))
                for values in itertools.product(*self.grid.values())
            )
        for index, values in enumerate(swept):
            yield Point(
                index=index,
                parameters={**values, **self.fixed},
                seed=point_seed(self.seed, index),
            )


def validation_points(
    entry: SolverEntry, fixed: Mapping[str, Any], grid: Mapping[str, Sequence[Any]]
) -> Iterator[dict[str, Any]]:
    """Parameter sets that together check every point of the grid, without visiting each point.

    A solver declares which parameters are coupled (``entry.coupled``); the validity of a point
    is then the conjunction of one condition per coupled group and one per other parameter. So
    it is enough to vary, for each group, the product of its swept axes (each other axis alone),
    with every other axis at its first value: ``sum`` over the groups of their products, instead
    of the product of every axis.
    """
    names = tuple(grid)
    first = {name: axis[0] for name, axis in grid.items()}
    blocks: list[tuple[str, ...]] = []
    for name in names:
        group = next((group for group in entry.coupled if name in group), frozenset({name}))
        block = tuple(axis for axis in names if axis in group)
        if block not in blocks:
            blocks.append(block)
    if not blocks:
        yield dict(fixed)
    for block in blocks:
        for values in itertools.product(*(grid[name] for name in block)):
            yield {**first, **dict(zip(block, values, strict=True)), **fixed}


def _listed_points(
    entry: SolverEntry, listed: object, fixed: Mapping[str, Any]
) -> tuple[dict[str, Any], ...]:
    """The listed points, checked to name the same parameters, none of them fixed, and coerced
    column by column (so a column of an untyped plugin has one type, as a grid axis has)."""
    if isinstance(listed, (str, bytes, Mapping)) or not isinstance(listed, Sequence):
        raise ParameterError("points", listed, "a list of points ([[points]] tables)")
    if not listed:
        return ()
    for point in listed:
        if not isinstance(point, Mapping) or not point:
            raise ParameterError("points", point, "a table of parameter values (one point)")
    names = tuple(listed[0])
    for number, point in enumerate(listed, start=1):
        if set(point) != set(names):
            allowed = "the parameters of the first point: " + ", ".join(names)
            raise ParameterError("points", dict(point), f"point {number} naming {allowed}")
    for name in names:
        if name in fixed:
            raise ParameterError(name, fixed[name], "either fixed or in the [[points]], not both")
    columns = {name: entry.coerce_axis(name, [point[name] for point in listed]) for name in names}
    return tuple({name: columns[name][row] for name in names} for row in range(len(listed)))


def point_seed(base_seed: int, index: int) -> int:
    """The seed of grid point ``index``: one 32-bit word of ``SeedSequence(base, (index,))``.

    Derived from the index alone (never from a shared stream), so a point's random numbers do not
    depend on the executor, on the order points run in, or on which points came from the cache.
    """
    sequence = np.random.SeedSequence(base_seed, spawn_key=(index,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])
