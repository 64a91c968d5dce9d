"""Compare another implementation's results with ours, row by row.

For each input row (see :mod:`exactspin.reference.io`) the model is built from the row's
parameters (omitted ones take the defaults of ``from_parameters``, i.e. the CLI defaults; every
comparison echoes the full set used), solved once per distinct parameter point (a bounded cache,
so repeated rows do not re-solve), and each claimed observable is compared with ours:

- in standard errors when the row gives ``<key>_stderr``: pass when
  ``|theirs - ours| / stderr < sigmas``;
- else relatively: pass when ``|theirs - ours| <= atol + rtol * scale``, where the scale is
  ``|ours|`` for a number and ``max_k |ours_k|`` for a list (site currents, magnetizations,
  level populations, spectra: compared element by element against the list's own size).

A comparison is "undetermined", never a pass, when our solver cannot resolve the value: it raised
one of exactspin's errors (non-unique steady state, memory refusal, ...), the steady state it
found is not unique, or our value is undefined (nan). A failed comparison whose ratio
theirs/ours is a known convention factor (-1, N_S, 1/N_S, 2, ...) carries a hint.
Printing lives in the CLI.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from exactspin.reference.io import InputRow, Item, ReferenceInputError, SpectrumRow
from exactspin.reference.schema import UNIT_CONTINUOUS
from exactspin.solvers import solver
from exactspin.validation import ParameterError

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 0.0
DEFAULT_SIGMAS = 5.0
#: Distinct parameter points whose solutions are kept (least recently used ones are dropped).
CACHE_POINTS = 4096

PASS = "pass"
FAIL = "FAIL"
UNDETERMINED = "undetermined"

#: Keys of ``to_dict()`` that describe the solve rather than being observables.
NOT_OBSERVABLES = ("parameters", "unit", "method", "steady_state_member", "pair")


@dataclass(frozen=True)
class Tolerances:
    """How close theirs must be to ours: ``rtol, atol >= 0`` finite, ``sigmas > 0`` finite."""

    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    sigmas: float = DEFAULT_SIGMAS

    def __post_init__(self) -> None:
        for name in ("rtol", "atol"):
            value = getattr(self, name)
            if not _real(value) or not (math.isfinite(value) and value >= 0):
                raise ParameterError(name, value, "a finite number >= 0")
            object.__setattr__(self, name, float(value))
        if not _real(self.sigmas) or not (math.isfinite(self.sigmas) and self.sigmas > 0):
            raise ParameterError("sigmas", self.sigmas, "a finite number > 0")
        object.__setattr__(self, "sigmas", float(self.sigmas))

    def within(self, difference: float, scale: float, stderr: float | None) -> bool:
        """Whether ``difference`` passes (in standard errors when ``stderr`` is given)."""
        if stderr is not None:
            return _sigmas(difference, stderr) < self.sigmas
        return difference <= self.atol + self.rtol * scale


def _real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _sigmas(difference: float, stderr: float) -> float:
    if stderr > 0:
        return difference / stderr
    return 0.0 if difference == 0 else math.inf


@dataclass(frozen=True)
class Comparison:
    """One compared value: theirs vs ours, the deviation and the verdict.

    ``deviation`` is ``|theirs - ours| / scale`` (measure ``"relative"``, scale ``|ours|`` or the
    largest ``|ours_k|`` of a list) or ``|theirs - ours| / stderr`` (measure ``"sigmas"``).
    ``parameters`` are all the parameters the value was computed with, defaults included.
    ``reason`` says why a value is undetermined or failed without a number; ``hint`` names a
    convention factor that would explain a failure.
    """

    line: int
    column: int
    model: str
    parameters: dict[str, Any]
    unit: str
    observable: str
    theirs: float
    ours: float
    stderr: float | None
    deviation: float
    measure: str
    verdict: str
    reason: str = ""
    hint: str = ""

    @property
    def passed(self) -> bool:
        """True for a pass (never for an undetermined value)."""
        return self.verdict == PASS


@dataclass(frozen=True)
class Point:
    """A parameter point with every parameter (defaults filled in) and the unit of its currents."""

    model: str
    parameters: dict[str, Any]
    unit: str
    sites: int

    @property
    def key(self) -> tuple:
        """Hashable identity of the point (the cache key)."""
        return (self.model, tuple(sorted(self.parameters.items())), self.unit)


@dataclass(frozen=True)
class Undetermined:
    """Our solver could not resolve the point; ``reason`` says why."""

    reason: str


def _build_model(model: str, parameters: dict[str, Any]):
    return solver(model).build(parameters)


def parameter_point(row: InputRow, source: str) -> Point:
    """The row's full parameter point, validated (the model is built, not solved).

    Raises
    ------
    ReferenceInputError
        A parameter out of range, located at its key.
    """
    try:
        parameters, sites = _full_parameters(row.model, tuple(row.parameters.items()))
    except ParameterError as error:
        raise row.error(source, error.parameter, str(error)) from None
    except TypeError as error:
        raise row.error(source, None, f"invalid parameters: {error}") from None
    return Point(row.model, dict(parameters), row.unit, sites)


@functools.lru_cache(maxsize=CACHE_POINTS)
def _full_parameters(model: str, given: tuple) -> tuple[tuple, int]:
    """Every parameter of the model built from ``given`` (defaults filled in) and N_S.

    Cached: rows repeat points, and building a model per row cost as much as reading it.
    Errors are raised afresh for every row (they are not cached).
    """
    built = _build_model(model, dict(given))
    parameters = built.parameters().items()
    return tuple((key, value) for key, value in parameters if value is not None), built.sites


@functools.cache
def observable_shapes(model: str) -> dict[str, type]:
    """Observable key -> ``float``, ``list`` or ``dict``: what ``solve --json`` gives for ``model``.

    Learned from the solution of the smallest ring, so that names are checked before any real
    solve and stay those of the solver as it evolves.
    """
    small = {"nu": 1, "nd": 0} if model == "classical" else {"nu": 2, "nd": 1, "delta": 0.5}
    values = solution_values(Point(model, small, "", 0))
    shapes = {}
    for key, value in values.items():
        if key in NOT_OBSERVABLES:
            continue
        if isinstance(value, (list, tuple)):
            shapes[key] = list
        elif isinstance(value, dict):
            shapes[key] = dict
        elif _real(value):
            shapes[key] = float
    return shapes


def check_observables(row: InputRow, source: str) -> None:
    """Every observable of ``row`` is one of the solver's, with a matching shape.

    Raises
    ------
    ReferenceInputError
        Located at the key at fault.
    """
    shapes = observable_shapes(row.model)
    for key, value in row.observables.items():
        shape = shapes.get(key)
        if shape is None:
            raise row.error(
                source, key, f"{key}: not a numeric observable of the {row.model} solver"
            )
        if shape is float and not isinstance(value, float):
            raise row.error(source, key, f"{key}: a number is expected, not a list")
        if shape is list and isinstance(value, dict):
            raise row.error(source, key, f"{key}: a list is expected, not an object")
        if shape is not float and isinstance(value, float):
            raise row.error(source, key, f"{key}: a list of values is expected, not one number")


def _is_library_error(error: BaseException) -> bool:
    """An error raised on purpose by exactspin (a refusal or an unresolvable solve)."""
    return isinstance(error, MemoryError) or (
        isinstance(error, Exception) and type(error).__module__.split(".")[0] == "exactspin"
    )


def solution_values(point: Point) -> dict[str, Any]:
    """Our ``solve --json`` dictionary at ``point`` (exactspin's errors propagate).

    It is the registry's JSON-ready result (:mod:`exactspin.solvers`): a value our solver cannot
    determine (an exact classical solve whose bound exceeds its accuracy, an undefined ratio)
    is None there, and compares as undetermined.
    """
    entry = solver(point.model)
    extra = {}
    if point.model == "classical":
        extra["unit"] = "continuous" if point.unit == UNIT_CONTINUOUS else "step"
    return entry.result_dict(entry.solve(point.parameters, **extra))


def solve_point(point: Point) -> dict[str, Any] | Undetermined:
    """Our values at ``point``, or why they cannot be determined."""
    try:
        values = solution_values(point)
    except Exception as error:  # noqa: BLE001 (only exactspin's own errors are caught)
        if not _is_library_error(error):
            raise
        return Undetermined(f"{type(error).__name__}: {error}")
    dimension = values.get("steady_state_dimension", 1)
    if dimension != 1:
        return Undetermined(
            f"the steady state is not unique (null-space dimension {dimension}); ours would be "
            f"the {values.get('steady_state_member', 'solver-chosen member')}"
        )
    return values


def spectrum_levels(parameters: dict[str, Any]) -> list[float] | Undetermined:
    """Our exact levels of a sector (with multiplicity, ascending), or why not available."""
    try:
        from exactspin.quantum.spectrum import exact_levels
        from exactspin.ring import Ring

        sites = Ring(parameters["nu"], parameters["nd"]).sites
        spectrum = exact_levels(sites, parameters["up"])
        values = spectrum.evaluate(
            exchange=repr(float(parameters["j"])), anisotropy=repr(float(parameters["delta"]))
        )
    except Exception as error:  # noqa: BLE001 (only exactspin's own errors are caught)
        if not _is_library_error(error):
            raise
        return Undetermined(f"{type(error).__name__}: {error}")
    return sorted(float(energy) for energy, count in values for _ in range(count))


def check_spectrum(entry: SpectrumRow, source: str) -> None:
    """The entry's ring and sector are valid (before any spectrum is computed)."""
    from exactspin.ring import Ring
    from exactspin.validation import require_integer

    parameters = entry.parameters
    try:
        sites = Ring(parameters["nu"], parameters["nd"]).sites
        require_integer("up", parameters["up"], 0, sites)
    except ParameterError as error:
        raise entry.error(source, error.parameter, str(error)) from None


def prepare(item: Item, source: str) -> None:
    """Validate one item without solving anything (a located error when it is unusable)."""
    if isinstance(item, SpectrumRow):
        check_spectrum(item, source)
        return
    parameter_point(item, source)
    check_observables(item, source)


class CrossCheck:
    """Compares items one at a time, caching our solution of each distinct parameter point.

    Parameters
    ----------
    source : str
        The file name, for located errors.
    tolerances : Tolerances
    cache_points : int
        How many distinct points' solutions to keep.
    """

    def __init__(self, source: str, tolerances: Tolerances, cache_points: int = CACHE_POINTS):
        self.source = source
        self.tolerances = tolerances
        self.cache_points = cache_points
        self.solves = 0
        self._cache: OrderedDict[tuple, dict[str, Any] | Undetermined] = OrderedDict()

    def solve(self, point: Point) -> dict[str, Any] | Undetermined:
        """Our values at ``point`` (each distinct point solved once while it stays cached)."""
        key = point.key
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        values = solve_point(point)
        self.solves += 1
        self._cache[key] = values
        if len(self._cache) > self.cache_points:
            self._cache.popitem(last=False)
        return values

    def check(self, item: Item) -> list[Comparison]:
        """Every comparison of one row or spectrum entry."""
        if isinstance(item, SpectrumRow):
            return self._check_spectrum(item)
        point = parameter_point(item, self.source)
        ours = self.solve(point)
        comparisons = []
        for observable, theirs in item.observables.items():
            where = item.positions.get(observable, (item.line, item.column))
            context = _Context(item, point, observable, where, self.tolerances, self.source)
            if isinstance(ours, Undetermined):
                comparisons.append(context.undetermined(observable, theirs, ours.reason))
                continue
            if observable not in ours:
                raise item.error(self.source, observable, f"{observable}: not in our solution")
            comparisons.extend(
                context.compare(theirs, ours[observable], item.stderrs.get(observable))
            )
        return comparisons

    def _check_spectrum(self, entry: SpectrumRow) -> list[Comparison]:
        point = Point("spectrum", dict(entry.parameters), "", 0)
        ours = _cached_spectrum(tuple(sorted(entry.parameters.items())))
        where = entry.positions.get("levels", (entry.line, entry.column))
        context = _Context(entry, point, "levels", where, self.tolerances, self.source)
        if isinstance(ours, Undetermined):
            return [context.undetermined("levels", entry.levels, ours.reason)]
        return context.compare(tuple(sorted(entry.levels)), ours, None)


@functools.lru_cache(maxsize=256)
def _cached_spectrum(parameters: tuple) -> list[float] | Undetermined:
    return spectrum_levels(dict(parameters))


@dataclass(frozen=True)
class _Context:
    """What one observable's comparisons share: the row, the point and where the key is."""

    item: Item
    point: Point
    observable: str
    where: tuple[int, int]
    tolerances: Tolerances
    source: str

    def make(self, name, theirs, ours, stderr, deviation, measure, verdict, reason="", hint=""):
        line, column = self.where
        return Comparison(
            line,
            column,
            self.point.model,
            dict(self.point.parameters),
            self.point.unit,
            name,
            float(theirs),
            float(ours),
            stderr,
            deviation,
            measure,
            verdict,
            reason,
            hint,
        )

    def undetermined(self, name: str, theirs: Any, reason: str) -> Comparison:
        value = theirs if isinstance(theirs, float) else math.nan
        return self.make(name, value, math.nan, None, math.nan, "-", UNDETERMINED, reason)

    def compare(self, theirs: Any, ours: Any, stderr: Any) -> list[Comparison]:
        """Comparisons of one observable: one for a number, one per element for a list."""
        name = self.observable
        if ours is None:
            return [self.undetermined(name, theirs, "our value is undefined (not determined)")]
        if isinstance(theirs, float):
            if not _real(ours):
                raise self.item.error(self.source, name, f"{name}: our value is not a number")
            return [self.one(name, theirs, float(ours), stderr, abs(float(ours)))]
        if isinstance(ours, dict):
            if isinstance(theirs, dict):
                if theirs.keys() != ours.keys():
                    reason = f"keys {sorted(theirs)} given, ours are {sorted(ours)}"
                    return [self.make(name, math.nan, math.nan, None, math.inf, "-", FAIL, reason)]
                pairs = [(key, theirs[key], ours[key]) for key in ours]
                errors = [stderr.get(key) if isinstance(stderr, dict) else stderr for key in ours]
            else:
                if len(theirs) != len(ours):
                    return [self._length_mismatch(name, len(theirs), len(ours))]
                pairs = [(key, value, ours[key]) for key, value in zip(ours, theirs, strict=True)]
                errors = _element_errors(stderr, len(ours))
        else:
            ours = list(ours)
            if len(theirs) != len(ours):
                return [self._length_mismatch(name, len(theirs), len(ours))]
            values = theirs.values() if isinstance(theirs, dict) else theirs
            paired = zip(values, ours, strict=True)
            pairs = [(index, t, o) for index, (t, o) in enumerate(paired, 1)]
            errors = _element_errors(stderr, len(ours))
        pairs = [(key, t, math.nan if o is None else o) for key, t, o in pairs]
        scale = max((abs(float(o)) for _, _, o in pairs if math.isfinite(float(o))), default=0.0)
        return [
            self.one(f"{name}[{key}]", t, float(o), error, scale)
            for (key, t, o), error in zip(pairs, errors, strict=True)
        ]

    def _length_mismatch(self, name: str, theirs: int, ours: int) -> Comparison:
        reason = f"{theirs} values given, ours has {ours}"
        return self.make(name, math.nan, math.nan, None, math.inf, "-", FAIL, reason)

    def one(
        self, name: str, theirs: float, ours: float, stderr: float | None, scale: float
    ) -> Comparison:
        """One number against ours (``scale``: the size a relative deviation is measured by)."""
        if not math.isfinite(ours):
            return self.make(
                name, theirs, ours, stderr, math.nan, "-", UNDETERMINED, "our value is undefined"
            )
        difference = abs(theirs - ours)
        if stderr is not None:
            deviation, measure = _sigmas(difference, stderr), "sigmas"
        else:
            deviation = difference / scale if scale else (0.0 if difference == 0 else math.inf)
            measure = "relative"
        if self.tolerances.within(difference, scale, stderr):
            return self.make(name, theirs, ours, stderr, deviation, measure, PASS)
        hint = convention_hint(
            theirs, ours, stderr, scale, self.tolerances, self.point.model, self.point
        )
        return self.make(name, theirs, ours, stderr, deviation, measure, FAIL, "", hint)


def _element_errors(stderr: Any, count: int) -> list[float | None]:
    if isinstance(stderr, tuple):
        return list(stderr)
    if isinstance(stderr, dict):
        return list(stderr.values())
    return [stderr] * count


def convention_hint(
    theirs: float,
    ours: float,
    stderr: float | None,
    scale: float,
    tolerances: Tolerances,
    model: str,
    point: Point,
) -> str:
    """A hint when theirs/ours is a convention factor (the first that passes), else ``""``.

    A factor r counts when theirs passes against r * ours with the same tolerances (scale
    r * scale), so the hint is as strict as the comparison it explains.
    """
    if ours == 0:
        return ""
    candidates = [(-1.0, "-1", "sign convention?")]
    if model == "classical":
        n = point.sites
        per_attempt = point.unit != UNIT_CONTINUOUS
        candidates += [
            (
                float(n) if per_attempt else 1.0 / n,
                f"N_S = {n}" if per_attempt else f"1/N_S = 1/{n}",
                "continuous-time unit? use unit=continuous"
                if per_attempt
                else "per-attempt unit? use unit=per_attempt",
            ),
            (
                -float(n) if per_attempt else -1.0 / n,
                f"-N_S = -{n}" if per_attempt else f"-1/N_S = -1/{n}",
                "sign convention and time unit?",
            ),
        ]
    candidates += [
        (
            2.0,
            "2",
            "a factor-2 convention (each pair of configurations counted twice, or Pauli "
            "matrices vs spin-1/2 operators)?",
        ),
        (
            0.5,
            "1/2",
            "a factor-2 convention (pairs of configurations counted once vs twice, or "
            "spin-1/2 operators vs Pauli matrices)?",
        ),
        (-2.0, "-2", "sign and factor-2 conventions?"),
        (-0.5, "-1/2", "sign and factor-2 conventions?"),
    ]
    for ratio, label, text in candidates:
        if tolerances.within(abs(theirs - ratio * ours), abs(ratio) * scale, stderr):
            return f"ratio theirs/ours = {label}: {text}"
    return ""


__all__ = [
    "CrossCheck",
    "Comparison",
    "Point",
    "ReferenceInputError",
    "Tolerances",
    "Undetermined",
    "convention_hint",
    "observable_shapes",
    "parameter_point",
    "prepare",
    "solve_point",
    "spectrum_levels",
    "DEFAULT_RTOL",
    "DEFAULT_ATOL",
    "DEFAULT_SIGMAS",
    "PASS",
    "FAIL",
    "UNDETERMINED",
]
