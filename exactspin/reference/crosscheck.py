"""Compare another implementation's results with ours, row by row.

For each input row (see :mod:`exactspin.reference.io`) the model is built from the row's
parameters (omitted ones take the defaults of ``from_parameters``, i.e. the CLI defaults), solved
once, and each claimed observable is compared with ours: in standard errors when the row gives
``<key>_stderr`` (pass below ``sigmas``), else relatively (pass when
``|theirs - ours| <= atol + rtol * |ours|``). Printing lives in the CLI.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from exactspin.reference.io import InputRow, ReferenceInputError
from exactspin.validation import ParameterError

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 0.0
DEFAULT_SIGMAS = 5.0


@dataclass(frozen=True)
class Comparison:
    """One compared observable: theirs vs ours, the deviation and the verdict.

    ``deviation`` is ``|theirs - ours| / |ours|`` (measure ``"relative"``) or
    ``|theirs - ours| / stderr`` (measure ``"sigmas"``).
    """

    line: int
    model: str
    parameters: dict[str, Any]
    observable: str
    theirs: float
    ours: float
    stderr: float | None
    deviation: float
    measure: str
    passed: bool

    @property
    def verdict(self) -> str:
        """ "pass" or "FAIL"."""
        return "pass" if self.passed else "FAIL"


def our_values(model: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Our ``solve --json`` dictionary for a classical or quantum parameter point."""
    if model == "classical":
        from exactspin.classical import solve
        from exactspin.classical.model import ClassicalModel

        return solve(ClassicalModel.from_parameters(**parameters)).to_dict()
    from exactspin.quantum import QuantumModel, solve

    return solve(QuantumModel.from_parameters(**parameters)).to_dict()


def _key(row: InputRow) -> tuple:
    return (row.model, tuple(sorted(row.parameters.items())))


def compare(
    rows: list[InputRow],
    source: str,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    sigmas: float = DEFAULT_SIGMAS,
) -> list[Comparison]:
    """Compare every observable of every row with our value.

    Raises
    ------
    ReferenceInputError
        When a row's parameters are out of range or an observable is not one of ours (located at
        the row's line and the key's column).
    """
    cache: dict[tuple, dict[str, Any]] = {}
    comparisons = []
    for row in rows:
        key = _key(row)
        if key not in cache:
            try:
                cache[key] = our_values(row.model, row.parameters)
            except ParameterError as error:
                raise row.error(source, error.parameter, str(error)) from None
            except TypeError as error:
                raise row.error(source, None, f"invalid parameters: {error}") from None
        ours_all = cache[key]
        for observable, theirs in row.observables.items():
            ours = ours_all.get(observable)
            if isinstance(ours, bool) or not isinstance(ours, numbers.Real):
                raise row.error(
                    source,
                    observable,
                    f"{observable}: not a numeric observable of the {row.model} solver",
                )
            comparisons.append(_compare(row, observable, theirs, float(ours), rtol, atol, sigmas))
    return comparisons


def _compare(row, observable, theirs, ours, rtol, atol, sigmas) -> Comparison:
    stderr = row.stderrs.get(observable)
    difference = abs(theirs - ours)
    if stderr is not None:
        if stderr > 0:
            deviation = difference / stderr
        else:
            deviation = 0.0 if difference == 0 else math.inf
        passed = deviation < sigmas
        measure = "sigmas"
    else:
        deviation = difference / abs(ours) if ours != 0 else (0.0 if difference == 0 else math.inf)
        passed = math.isfinite(ours) and difference <= atol + rtol * abs(ours)
        measure = "relative"
    return Comparison(
        row.line,
        row.model,
        dict(row.parameters),
        observable,
        float(theirs),
        ours,
        stderr,
        deviation,
        measure,
        passed,
    )


__all__ = [
    "Comparison",
    "ReferenceInputError",
    "compare",
    "our_values",
    "DEFAULT_RTOL",
    "DEFAULT_ATOL",
    "DEFAULT_SIGMAS",
]
