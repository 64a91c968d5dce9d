"""Reading another implementation's results: CSV or JSON rows, with line/column errors.

A file is either CSV (a header line, then one row per parameter point) or JSON (a list of row
objects, or a reference document whose ``"rows"`` is that list, see
:mod:`exactspin.reference.schema`).
Every row remembers where it came from, so that later errors (an unknown column, a parameter out
of range) can name the line and column at fault. This module reads and types values; it does not
compute anything.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from exactspin.reference.schema import (
    CLASSICAL_PARAMETERS,
    INTEGER_PARAMETERS,
    MODELS,
    QUANTUM_PARAMETERS,
    STRING_PARAMETERS,
)


class ReferenceInputError(ValueError):
    """Unreadable input: the message names the file, the line and the column at fault."""

    def __init__(self, source: str, line: int, column: int, message: str):
        self.source = source
        self.line = line
        self.column = column
        super().__init__(f"{source}:{line}:{column}: {message}")


@dataclass(frozen=True)
class InputRow:
    """One parameter point of the input with the observables to compare.

    Attributes
    ----------
    line, column : int
        Where the row starts (1-based).
    model : str
        ``"classical"`` or ``"quantum"``.
    parameters : dict
        Parameters given in the row (CLI names without dashes); omitted ones take the defaults of
        the model's ``from_parameters``.
    observables : dict
        Observable key -> value claimed by the other implementation.
    stderrs : dict
        Observable key -> its standard error, when given (``<key>_stderr``).
    positions : dict
        Key -> (line, column), 1-based, where it appears, for error messages.
    """

    line: int
    column: int
    model: str
    parameters: dict[str, Any]
    observables: dict[str, float]
    stderrs: dict[str, float] = field(default_factory=dict)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def error(self, source: str, key: str | None, message: str) -> ReferenceInputError:
        """An error located at ``key`` in this row (at the row's start when unknown)."""
        line, column = self.positions.get(key, (self.line, self.column))
        return ReferenceInputError(source, line, column, message)


#: Keys a row may carry that are neither parameters nor observables (ignored when comparing).
IGNORED_KEYS = ("method", "note", "label", "exact_decimal")


def _typed(key: str, raw: Any, fail) -> Any:
    """Convert one cell to the parameter's type; ``fail(message)`` raises the located error."""
    if key in STRING_PARAMETERS:
        if raw is None or raw == "":
            return None
        return str(raw).strip().lower()
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, bool):
        fail(f"{key}: expected a number, got {raw!r}")
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            fail(f"{key}: expected a number, got {raw!r}")
    if not isinstance(raw, (int, float)):
        fail(f"{key}: expected a number, got {raw!r}")
    if key in INTEGER_PARAMETERS:
        if not float(raw).is_integer():
            fail(f"{key}: expected an integer, got {raw!r}")
        return int(raw)
    return float(raw)


def make_row(
    values: dict[str, Any],
    line: int,
    column: int,
    positions: dict[str, tuple[int, int]],
    source: str,
) -> InputRow:
    """Sort one row's cells into model, parameters, observables and standard errors."""

    def fail_at(key: str | None):
        def fail(message: str):
            at_line, at_column = positions.get(key, (line, column)) if key else (line, column)
            raise ReferenceInputError(source, at_line, at_column, message)

        return fail

    model = str(values.get("model", "")).strip().lower()
    if model not in MODELS:
        fail_at("model")(f"model: expected one of {', '.join(MODELS)}, got {model!r}")
    names = CLASSICAL_PARAMETERS if model == "classical" else QUANTUM_PARAMETERS
    parameters, observables, stderrs = {}, {}, {}
    for key, raw in values.items():
        if key == "model" or key in IGNORED_KEYS:
            continue
        if key in names:
            value = _typed(key, raw, fail_at(key))
            if value is not None:
                parameters[key] = value
            continue
        if key in CLASSICAL_PARAMETERS or key in QUANTUM_PARAMETERS:
            fail_at(key)(f"{key}: not a parameter of the {model} model")
        value = _typed(key, raw, fail_at(key))
        if value is None:
            continue
        if not math.isfinite(value):
            fail_at(key)(f"{key}: not a finite number")
        if key.endswith("_stderr"):
            stderrs[key[: -len("_stderr")]] = value
        else:
            observables[key] = value
    for key in stderrs:
        if key not in observables:
            fail_at(key + "_stderr")(f"{key}_stderr given without {key}")
    if not observables:
        fail_at(None)("row has no observable to compare")
    return InputRow(line, column, model, parameters, observables, stderrs, dict(positions))


def read_csv(text: str, source: str) -> list[InputRow]:
    """Rows of a CSV file with a header line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ReferenceInputError(source, 1, 1, "empty file") from None
    header = [name.strip() for name in header]
    if "model" not in header:
        raise ReferenceInputError(source, 1, 1, "CSV header has no 'model' column")
    for index, name in enumerate(header):
        if not name or header.index(name) != index:
            raise ReferenceInputError(source, 1, index + 1, f"empty or repeated column {name!r}")
    rows = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ReferenceInputError(source, line, 1, f"CSV syntax: {error}") from None
        if not cells or all(not cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            column = min(len(cells), len(header)) + 1
            raise ReferenceInputError(
                source, line, column, f"{len(cells)} fields, the header has {len(header)}"
            )
        positions = {name: (line, index + 1) for index, name in enumerate(header)}
        values = dict(zip(header, cells, strict=True))
        rows.append(make_row(values, line, 1, positions, source))
    return rows


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_json(text: str, source: str) -> list[InputRow]:
    """Rows of a JSON list of objects, or of a reference document's ``"rows"``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferenceInputError(source, error.lineno, error.colno, error.msg) from None
    if isinstance(document, dict):
        if not isinstance(document.get("rows"), list):
            raise ReferenceInputError(source, 1, 1, "a JSON object must have a 'rows' list")
        match = re.search(r'"rows"\s*:\s*\[', text)
        start = match.end() - 1 if match else 0
    elif isinstance(document, list):
        start = text.index("[")
    else:
        raise ReferenceInputError(source, 1, 1, "expected a JSON list of rows")
    # Walk the list again with raw_decode to learn where each row starts.
    decoder = json.JSONDecoder()
    offset = start + 1
    rows = []
    while True:
        offset = _skip(text, offset)
        if text[offset] == "]":
            break
        element, end = decoder.raw_decode(text, offset)
        line, column = _position(text, offset)
        if not isinstance(element, dict):
            raise ReferenceInputError(source, line, column, "each row must be a JSON object")
        positions = {}
        for key in element:
            found = text.find(json.dumps(key), offset, end)
            positions[key] = _position(text, found) if found >= 0 else (line, column)
        rows.append(make_row(element, line, column, positions, source))
        offset = _skip(text, end)
        if text[offset] == ",":
            offset += 1
    return rows


def _skip(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    return offset


def read_rows(path: str) -> list[InputRow]:
    """Rows of the file at ``path``: JSON if it starts with '[' or '{', else CSV."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ReferenceInputError(path, 1, 1, f"cannot read: {error}") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return read_json(text, path)
    return read_csv(text, path)
