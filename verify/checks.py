"""The vocabulary of the verification suite: checks, their results, and engine look-up.

A *check* is one row of the report: a cross-check (two independent computations of the same
number, verdict "passed"/"failed") or a claim of the paper (verdict "reproduced", "not
reproduced", "depends on convention", or "undetermined" when our solve cannot resolve the
quantity the claim is about). A check whose engine has not been written yet is "not run".
This module runs nothing by itself; :mod:`verify.run` does.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PASSED = "passed"
FAILED = "failed"
REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
DEPENDS_ON_CONVENTION = "depends on convention"
UNDETERMINED = "undetermined"
NOT_RUN = "not run"
VERDICTS = (
    REPRODUCED,
    NOT_REPRODUCED,
    DEPENDS_ON_CONVENTION,
    UNDETERMINED,
    PASSED,
    FAILED,
    NOT_RUN,
)

#: Verdicts of the paper's claims, in the order the summary counts them. None of them fails the
#: run: "not reproduced" is a finding about the paper (each such row says why), not a defect of
#: the software; but each is counted on its own and the not-reproduced ones are listed, never
#: folded into a "passed" total.
CLAIM_VERDICTS = (REPRODUCED, DEPENDS_ON_CONVENTION, NOT_REPRODUCED, UNDETERMINED)

#: Largest CCA state space (spins x demons) the suite solves exactly, per mode: with one BLAS
#: thread the exact CCA solve takes ~2 s at N_S = 7 (131k states, the paper's Fig. 8 ring) and
#: ~16 s at N_S = 8 (1M states); the quick run stays at N_S <= 6 to fit the CI budget.
EXACT_CCA_STATE_LIMIT = {"quick": 20_000, "full": 2**17}

CROSSCHECK = "cross-check"
CLAIM = "claim"


class EngineMissing(RuntimeError):
    """An engine (module or attribute of the public API) the check needs is not available."""


class OptionalDependencyMissing(RuntimeError):
    """An optional peer library (QuTiP) is not importable; the check is not run, not failed."""


def engine(module_name: str, attribute: str | None = None) -> Any:
    """Import ``module_name`` (and return ``attribute`` of it) or raise :class:`EngineMissing`."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise EngineMissing(f"engine missing: {module_name} ({error})") from error
    if attribute is None:
        return module
    try:
        return getattr(module, attribute)
    except AttributeError as error:
        raise EngineMissing(f"engine missing: {module_name}.{attribute}") from error


@dataclass(frozen=True)
class Row:
    """One line of a cross-check table: two values of the same quantity and their difference.

    ``difference`` is relative (|a - b| / max(|a|, |b|, scale)) or in standard errors, as
    ``measure`` says.
    """

    label: str
    ours: float
    other: float
    difference: float
    measure: str
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, as it appears in the report and in ``results.json``.

    Attributes
    ----------
    name : str
        Short identifier (also the key in results.json).
    kind : str
        ``"cross-check"`` or ``"claim"``.
    statement : str
        What the paper states (claims) or what is compared with what (cross-checks).
    numbers : str
        Our numbers, in words, short.
    convention : str
        The convention used (time unit, zero-frequency rule, initial distribution ...).
    verdict : str
        One of :data:`VERDICTS`.
    explanation : str
        Why the verdict (mandatory for "not reproduced", "depends on convention", "not run").
    rows : tuple of Row
        Cross-check table rows (empty for most claims).
    data : dict
        Every number behind the verdict (JSON-ready).
    seconds : float
        Wall time of the check.
    """

    name: str
    kind: str
    statement: str
    numbers: str
    convention: str
    verdict: str
    explanation: str = ""
    rows: tuple[Row, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    @property
    def engine_missing(self) -> bool:
        """True when the check did not run because an engine is missing."""
        return self.verdict == NOT_RUN and self.explanation.startswith("engine missing")

    @property
    def is_failure(self) -> bool:
        """True for a failed check (including an error) or a missing engine."""
        return self.verdict == FAILED or self.engine_missing


@dataclass(frozen=True)
class Check:
    """A named check: ``function(quick)`` returns a :class:`CheckResult`."""

    name: str
    kind: str
    statement: str
    function: Callable[[bool], CheckResult]


@dataclass(frozen=True)
class FigureResult:
    """One reproduced figure panel (a PNG) with the numbers it plots."""

    name: str
    caption: str
    file: str
    status: str
    explanation: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Figure:
    """A named figure: ``function(quick, directory)`` writes a PNG and returns its data."""

    name: str
    caption: str
    function: Callable[[bool, str], FigureResult]


def relative_difference(ours: float, other: float, scale: float = 0.0) -> float:
    """|ours - other| / max(|ours|, |other|, scale); 0 when both are 0."""
    denominator = max(abs(ours), abs(other), scale)
    if denominator == 0:
        return 0.0
    return abs(ours - other) / denominator


def compare_row(
    label: str, ours: float, other: float, rtol: float, scale: float = 0.0, note: str = ""
) -> Row:
    """A relative-difference row that passes when the difference is at most ``rtol``."""
    difference = relative_difference(ours, other, scale)
    verdict = PASSED if math.isfinite(difference) and difference <= rtol else FAILED
    measure = f"relative (tol {rtol:g})"
    return Row(label, float(ours), float(other), difference, measure, verdict, note)


def sigma_row(
    label: str,
    exact: float,
    estimate: float,
    stderr: float,
    sigmas: float = 5.0,
    note: str = "",
    undetermined: str = "",
) -> Row:
    """A row comparing an exact value with an estimate in standard errors (pass below ``sigmas``).

    A zero standard error with a nonzero deviation counts as infinitely many sigmas. An error
    the estimate could not determine (``undetermined``: why) fails the row: a comparison in
    units of an error not known to be right proves nothing.
    """
    if undetermined:
        row = sigma_row(label, exact, estimate, stderr, sigmas, note)
        return dataclasses.replace(row, verdict=FAILED, note=f"error undetermined: {undetermined}")
    deviation = abs(exact - estimate)
    if stderr > 0:
        difference = deviation / stderr
    else:
        difference = 0.0 if deviation == 0 else math.inf
    verdict = PASSED if difference < sigmas else FAILED
    measure = f"sigmas (pass < {sigmas:g})"
    return Row(label, float(exact), float(estimate), difference, measure, verdict, note)


def rows_verdict(rows: tuple[Row, ...] | list[Row]) -> str:
    """ "passed" when every row that ran passed (and at least one ran), else "failed"."""
    ran = [row for row in rows if row.verdict != NOT_RUN]
    if not ran:
        return NOT_RUN
    return PASSED if all(row.verdict == PASSED for row in ran) else FAILED
