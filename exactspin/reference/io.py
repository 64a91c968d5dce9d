"""Reading another implementation's results: CSV or JSON rows, with line/column errors.

A file is either CSV (a header line, then one row per parameter point) or JSON (a list of row
objects, or a reference document whose ``"rows"`` is that list and whose ``"spectra"`` lists
spectra, see :mod:`exactspin.reference.schema`). Either may start with a UTF-8 byte-order mark.
Every row remembers where it came from, so that later errors (an unknown column, a parameter out
of range) can name the line and column at fault. This module reads and types values; it does not
compute anything.

Rows are produced one at a time (:func:`iter_items`), so memory does not grow with the number of
rows: a CSV file is read line by line; a JSON file is read whole (it is bounded by the size limit)
and walked member by member with the standard decoder, counting lines forward only, so the cost
is linear in the file size. Files larger than :data:`DEFAULT_MAX_BYTES` are refused unless the
limit is raised (``max_bytes``, or the environment variable :data:`MAX_BYTES_VARIABLE`).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from exactspin.reference.schema import (
    CLASSICAL_PARAMETERS,
    DEFAULT_UNITS,
    INTEGER_PARAMETERS,
    MODEL_UNITS,
    MODELS,
    QUANTUM_PARAMETERS,
    SCHEMA_VERSION,
    SPECTRUM_INTEGER_KEYS,
    SPECTRUM_LEVELS,
    SPECTRUM_NUMBER_DEFAULTS,
    STRING_PARAMETERS,
    UNIT_SPELLINGS,
)
from exactspin.validation import ParameterError

#: Largest input file read by default (bytes).
DEFAULT_MAX_BYTES = 64 * 1024**2
#: Environment variable raising (or lowering) the input size limit, in bytes.
MAX_BYTES_VARIABLE = "EXACTSPIN_CROSSCHECK_MAX_BYTES"


class ReferenceInputError(ValueError):
    """Unreadable input: the message names the file, the line and the column at fault.

    ``line`` and ``column`` are None for faults of the file as a whole (its size).
    """

    def __init__(self, source: str, line: int | None, column: int | None, message: str):
        self.source = source
        self.line = line
        self.column = column
        where = source if line is None else f"{source}:{line}:{column}"
        super().__init__(f"{where}: {message}")


#: An observable's value: a number, a list of numbers, or numbers keyed by site.
Value = float | tuple[float, ...] | dict[str, float]


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
        Observable key -> value claimed by the other implementation (a number, a tuple of
        numbers, or a dict of numbers keyed by site).
    stderrs : dict
        Observable key -> its standard error (same shape, or one number for every element), when
        given (``<key>_stderr``).
    positions : dict
        Key -> (line, column), 1-based, where it appears, for error messages.
    unit : str
        Time unit of the row's currents (:data:`~exactspin.reference.schema.DEFAULT_UNITS` when
        the row gives none).
    """

    line: int
    column: int
    model: str
    parameters: dict[str, Any]
    observables: dict[str, Value]
    stderrs: dict[str, Value] = field(default_factory=dict)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    unit: str = ""

    def error(self, source: str, key: str | None, message: str) -> ReferenceInputError:
        """An error located at ``key`` in this row (at the row's start when unknown)."""
        line, column = self.positions.get(key, (self.line, self.column))
        return ReferenceInputError(source, line, column, message)

    def __post_init__(self) -> None:
        if not self.unit:
            object.__setattr__(self, "unit", DEFAULT_UNITS[self.model])


@dataclass(frozen=True)
class SpectrumRow:
    """One ``"spectra"`` entry of a reference document: the claimed levels of a sector.

    Attributes
    ----------
    line, column : int
        Where the entry starts (1-based).
    parameters : dict
        ``nu, nd, up, j, delta`` (``j`` and ``delta`` with their defaults when omitted).
    levels : tuple of float
        Every energy of the sector, with multiplicity, in the order given.
    positions : dict
        Key -> (line, column), 1-based.
    """

    line: int
    column: int
    parameters: dict[str, Any]
    levels: tuple[float, ...]
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    model = "spectrum"

    def error(self, source: str, key: str | None, message: str) -> ReferenceInputError:
        """An error located at ``key`` in this entry (at its start when unknown)."""
        line, column = self.positions.get(key, (self.line, self.column))
        return ReferenceInputError(source, line, column, message)


#: Keys a row may carry that are neither parameters nor observables (ignored when comparing).
IGNORED_KEYS = ("method", "note", "label", "exact_decimal")
#: Keys of a spectrum entry that are informative only.
IGNORED_SPECTRUM_KEYS = ("method", "note", "label")


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _number(key: str, raw: Any, fail) -> float:
    """One finite-or-not float from a JSON number or a text cell; ``fail`` raises located."""
    if isinstance(raw, bool):
        fail(f"{key}: expected a number, got {raw!r}")
    if isinstance(raw, str):
        try:
            return float(raw.strip())
        except ValueError:
            fail(f"{key}: expected a number, got {raw.strip()[:40]!r}")
    if not isinstance(raw, (int, float)):
        fail(f"{key}: expected a number, got {type(raw).__name__}")
    try:
        return float(raw)
    except OverflowError:
        fail(f"{key}: a number too large ({len(str(abs(raw)))} digits)")
    raise AssertionError("unreachable")


def _typed(key: str, raw: Any, fail) -> Any:
    """Convert one parameter cell to the parameter's type; None when not given."""
    if _is_empty(raw):
        return None
    if key in STRING_PARAMETERS:
        if not isinstance(raw, str):
            fail(f"{key}: expected a word, got {raw!r}")
        return raw.strip().lower()
    value = _number(key, raw, fail)
    if key in INTEGER_PARAMETERS:
        if not value.is_integer():
            fail(f"{key}: expected an integer, got {raw!r}")
        return int(raw) if isinstance(raw, int) else int(value)
    return value


def _finite(key: str, raw: Any, fail) -> float:
    value = _number(key, raw, fail)
    if not math.isfinite(value):
        fail(f"{key}: not a finite number")
    return value


def _observable(key: str, raw: Any, fail) -> Value | None:
    """An observable's value: number, list (tuple) of numbers or dict of numbers; None if empty."""
    if _is_empty(raw):
        return None
    if isinstance(raw, str) and raw.strip()[:1] in ("[", "{"):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError) as error:
            fail(f"{key}: not a JSON list or object ({str(error).split(':')[0]})")
    if isinstance(raw, list):
        if not raw:
            fail(f"{key}: an empty list")
        return tuple(_finite(f"{key}[{index}]", item, fail) for index, item in enumerate(raw, 1))
    if isinstance(raw, dict):
        if not raw:
            fail(f"{key}: an empty object")
        return {str(name): _finite(f"{key}[{name}]", item, fail) for name, item in raw.items()}
    return _finite(key, raw, fail)


def _same_shape(first: Value, second: Value) -> bool:
    if isinstance(first, tuple) and isinstance(second, tuple):
        return len(first) == len(second)
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys()
    return False


def _unit(model: str, raw: Any, fail) -> str:
    if _is_empty(raw):
        return DEFAULT_UNITS[model]
    unit = UNIT_SPELLINGS.get(str(raw).strip().lower()) if isinstance(raw, str) else None
    allowed = MODEL_UNITS[model]
    if unit not in allowed:
        fail(
            f"unit: expected {' or '.join(repr(u) for u in allowed)} for a {model} row, "
            f"got {raw!r}"
            + (" (quantum currents are per unit time, Eq. 35)" if model == "quantum" else "")
        )
    return unit


def make_row(
    values: dict[str, Any],
    line: int,
    column: int,
    positions: dict[str, tuple[int, int]],
    source: str,
) -> InputRow:
    """Sort one row's cells into model, parameters, unit, observables and standard errors.

    An empty cell (or JSON ``null``) is "not given", so a CSV can mix classical and quantum rows.
    """

    def fail_at(key: str | None):
        def fail(message: str):
            at_line, at_column = positions.get(key, (line, column)) if key else (line, column)
            raise ReferenceInputError(source, at_line, at_column, message)

        return fail

    raw_model = values.get("model", "")
    model = raw_model.strip().lower() if isinstance(raw_model, str) else ""
    if model not in MODELS:
        fail_at("model")(f"model: expected one of {', '.join(MODELS)}, got {raw_model!r}")
    names = CLASSICAL_PARAMETERS if model == "classical" else QUANTUM_PARAMETERS
    parameters: dict[str, Any] = {}
    observables: dict[str, Value] = {}
    stderrs: dict[str, Value] = {}
    unit = _unit(model, values.get("unit"), fail_at("unit"))
    for key, raw in values.items():
        if key in ("model", "unit") or key in IGNORED_KEYS:
            continue
        if key in names:
            value = _typed(key, raw, fail_at(key))
            if value is not None:
                parameters[key] = value
            continue
        if key in CLASSICAL_PARAMETERS or key in QUANTUM_PARAMETERS:
            if not _is_empty(raw):
                fail_at(key)(f"{key}: not a parameter of the {model} model")
            continue
        value = _observable(key, raw, fail_at(key))
        if value is None:
            continue
        if key.endswith("_stderr"):
            stderrs[key[: -len("_stderr")]] = value
        else:
            observables[key] = value
    for key, stderr in stderrs.items():
        where = fail_at(key + "_stderr")
        if key not in observables:
            where(f"{key}_stderr given without {key}")
        numbers = stderr.values() if isinstance(stderr, dict) else _as_tuple(stderr)
        if any(number < 0 for number in numbers):
            where(f"{key}_stderr: a standard error must be >= 0")
        if not isinstance(stderr, float) and not _same_shape(stderr, observables[key]):
            where(f"{key}_stderr: not the shape of {key} (one number, or one per element)")
    if not observables:
        fail_at(None)("row has no observable to compare")
    return InputRow(line, column, model, parameters, observables, stderrs, dict(positions), unit)


def _as_tuple(value: Value) -> tuple[float, ...]:
    if isinstance(value, tuple):
        return value
    if isinstance(value, dict):
        return tuple(value.values())
    return (value,)


def make_spectrum(
    values: dict[str, Any],
    line: int,
    column: int,
    positions: dict[str, tuple[int, int]],
    source: str,
) -> SpectrumRow:
    """One ``"spectra"`` entry: ``nu, nd, up`` (integers), ``j, delta`` and ``levels``."""

    def fail_at(key: str | None):
        def fail(message: str):
            at_line, at_column = positions.get(key, (line, column)) if key else (line, column)
            raise ReferenceInputError(source, at_line, at_column, message)

        return fail

    allowed = (*SPECTRUM_INTEGER_KEYS, *SPECTRUM_NUMBER_DEFAULTS, SPECTRUM_LEVELS)
    for key in values:
        if key not in allowed and key not in IGNORED_SPECTRUM_KEYS:
            fail_at(key)(f"{key}: not a key of a spectrum entry ({', '.join(allowed)})")
    parameters: dict[str, Any] = {}
    for key in SPECTRUM_INTEGER_KEYS:
        value = _typed(key, values.get(key), fail_at(key))
        if value is None:
            fail_at(key if key in values else None)(f"{key}: missing (an integer is required)")
        parameters[key] = value
    for key, default in SPECTRUM_NUMBER_DEFAULTS.items():
        raw = values.get(key)
        parameters[key] = default if _is_empty(raw) else _finite(key, raw, fail_at(key))
    levels = values.get(SPECTRUM_LEVELS)
    if not isinstance(levels, list) or not levels:
        fail_at(SPECTRUM_LEVELS if SPECTRUM_LEVELS in values else None)(
            "levels: a non-empty list of energies is required"
        )
    fail = fail_at(SPECTRUM_LEVELS)
    energies = tuple(_finite(f"levels[{i}]", level, fail) for i, level in enumerate(levels, 1))
    return SpectrumRow(line, column, parameters, energies, dict(positions))


Item = InputRow | SpectrumRow


def max_input_bytes(limit: int | None = None) -> int:
    """The size limit in force: ``limit``, else ``$EXACTSPIN_CROSSCHECK_MAX_BYTES``, else 64 MiB.

    Raises
    ------
    ParameterError
        A limit that is not a positive integer (naming ``max_bytes`` or the variable).
    """
    name = "max_bytes"
    if limit is None:
        text = os.environ.get(MAX_BYTES_VARIABLE)
        if text is None:
            return DEFAULT_MAX_BYTES
        name = MAX_BYTES_VARIABLE
        try:
            limit = int(text)
        except ValueError:
            raise ParameterError(name, text, "a positive integer number of bytes") from None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ParameterError(name, limit, "a positive integer number of bytes")
    return limit


def _refuse_size(path: str, size: int | str, limit: int) -> ReferenceInputError:
    return ReferenceInputError(
        path,
        None,
        None,
        f"the file is {size} bytes, above the input limit of {limit} bytes (raise it with "
        f"--max-bytes or ${MAX_BYTES_VARIABLE})",
    )


def iter_items(path: str, max_bytes: int | None = None) -> Iterator[Item]:
    """Rows (and spectrum entries) of the file at ``path``, one at a time, in file order.

    JSON when the first character (after a byte-order mark and white space) is '[' or '{', else
    CSV. Files above the size limit (:func:`max_input_bytes`) are refused before reading.

    Raises
    ------
    ReferenceInputError
        Unreadable input, located at ``file:line:column`` where the format gives it.
    """
    limit = max_input_bytes(max_bytes)
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below; the generator owns it)
    except OSError as error:
        raise ReferenceInputError(path, None, None, f"cannot read: {error.strerror}") from None
    with handle:
        try:
            if os.path.isfile(path) and os.fstat(handle.fileno()).st_size > limit:
                raise _refuse_size(path, os.fstat(handle.fileno()).st_size, limit)
            head = handle.read(4096)
        except OSError as error:
            raise ReferenceInputError(path, None, None, f"cannot read: {error.strerror}") from None
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
            handle.seek(3)
        else:
            handle.seek(0)
        if head.lstrip()[:1] in (b"[", b"{"):
            data = _read_bounded(handle, path, limit)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                line = data.count(b"\n", 0, error.start) + 1
                column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
                raise ReferenceInputError(path, line, column, "not UTF-8 text") from None
            del data
            yield from _JsonWalker(text, path).items()
        else:
            yield from _csv_items(handle, path, limit)


def _read_bounded(handle, path: str, limit: int) -> bytes:
    """The rest of ``handle``, refusing more than ``limit`` bytes in all.

    Read in chunks: ``read(limit + 1)`` would allocate the whole limit up front, however
    small the file (a pipe has no size to ask for).
    """
    chunks, total = [], handle.tell()
    while chunk := handle.read(1024**2):
        total += len(chunk)
        if total > limit:
            raise _refuse_size(path, f"more than {limit}", limit)
        chunks.append(chunk)
    return b"".join(chunks)


def read_rows(path: str, max_bytes: int | None = None) -> list[Item]:
    """Every row (and spectrum entry) of the file at ``path`` as a list (:func:`iter_items`)."""
    return list(iter_items(path, max_bytes))


class _CountingReader:
    """Text lines of a binary file, decoded as UTF-8, refusing to go past ``limit`` bytes."""

    def __init__(self, handle, path: str, limit: int):
        self.handle, self.path, self.limit = handle, path, limit
        self.consumed = handle.tell()
        self.line = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        # Bounded, so that one endless line cannot be read past the limit either.
        raw = self.handle.readline(self.limit - self.consumed + 1)
        if not raw:
            raise StopIteration
        self.consumed += len(raw)
        self.line += 1
        if self.consumed > self.limit:
            raise _refuse_size(self.path, f"more than {self.limit}", self.limit)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ReferenceInputError(
                self.path, self.line, error.start + 1, "not UTF-8 text"
            ) from None


def _csv_items(handle, source: str, limit: int) -> Iterator[InputRow]:
    """Rows of a CSV file with a header line, read line by line."""
    reader = csv.reader(_CountingReader(handle, source, limit))
    try:
        header = next(reader)
    except StopIteration:
        raise ReferenceInputError(source, 1, 1, "empty file") from None
    except csv.Error as error:
        raise ReferenceInputError(source, 1, 1, f"CSV syntax: {error}") from None
    header = [name.strip() for name in header]
    if "model" not in header:
        raise ReferenceInputError(source, 1, 1, "CSV header has no 'model' column")
    seen = set()
    for index, name in enumerate(header):
        if not name or name in seen:
            raise ReferenceInputError(source, 1, index + 1, f"empty or repeated column {name!r}")
        seen.add(name)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
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
        yield make_row(dict(zip(header, cells, strict=True)), line, 1, positions, source)


_WHITESPACE = re.compile(r"[ \t\r\n]*")
#: A JSON string (group 1: its raw text) and, when it is a key, the colon after it (group 2).
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"([ \t\r\n]*:)?')


class _JsonWalker:
    """Walks a JSON document's rows with the standard decoder, locating every key.

    Positions are asked for in increasing offsets, so lines are counted forward from the last
    position asked: linear in the text, however many rows. (Counting from the start of the text
    at every row made reading quadratic.)
    """

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source
        self.decoder = json.JSONDecoder()
        self._offset = 0
        self._line = 1
        self._line_start = 0

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), 1-based, of ``offset`` (not before the last offset asked)."""
        text = self.text
        if offset < self._offset:
            self._offset, self._line, self._line_start = 0, 1, 0
        newlines = text.count("\n", self._offset, offset)
        if newlines:
            self._line += newlines
            self._line_start = text.rfind("\n", self._offset, offset) + 1
        self._offset = offset
        return self._line, offset - self._line_start + 1

    def error(self, offset: int, message: str) -> ReferenceInputError:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return ReferenceInputError(self.source, line, column, message)

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match else offset

    def value(self, offset: int) -> tuple[Any, int]:
        """The JSON value starting at ``offset`` and the offset after it."""
        try:
            return self.decoder.raw_decode(self.text, offset)
        except json.JSONDecodeError as error:
            raise self.error(error.pos, error.msg) from None
        except RecursionError:
            raise self.error(offset, "JSON nested too deeply") from None
        except ValueError as error:
            # e.g. an integer with more digits than Python converts (sys.get_int_max_str_digits)
            raise self.error(offset, f"unreadable number: {str(error).split(':')[0]}") from None

    def expect(self, offset: int, characters: str, what: str) -> int:
        offset = self.skip(offset)
        if self.text[offset : offset + 1] not in tuple(characters):
            found = self.text[offset : offset + 1] or "end of file"
            raise self.error(offset, f"expected {what}, found {found!r}")
        return offset

    def members(self, offset: int) -> Iterator[tuple[str, int, int]]:
        """(key, key offset, value offset) of the object at ``offset``; the caller reads the value
        and sends the offset after it back through :meth:`generator.send`."""
        offset = self.skip(offset + 1)
        if self.text[offset : offset + 1] == "}":
            return offset + 1
        while True:
            offset = self.expect(offset, '"', "a string key")
            key, after = self.value(offset)
            colon = self.expect(after, ":", "':'")
            start = self.skip(colon + 1)
            end = yield key, offset, start
            offset = self.expect(end, ",}", "',' or '}'")
            if self.text[offset] == "}":
                return offset + 1
            offset = self.skip(offset + 1)

    def object_at(self, offset: int) -> tuple[dict[str, Any], dict[str, tuple[int, int]], int]:
        """The object at ``offset``, each key's (line, column), and the offset after it.

        A repeated key is an error (the JSON parser would keep the last one silently).
        """
        values: dict[str, Any] = {}
        positions: dict[str, tuple[int, int]] = {}
        walk = self.members(offset)
        try:
            key, key_offset, start = next(walk)
            while True:
                if key in values:
                    raise self.error(key_offset, f"repeated key {key!r}")
                positions[key] = self.position(key_offset)
                values[key], end = self.value(start)
                key, key_offset, start = walk.send(end)
        except StopIteration as stop:
            return values, positions, stop.value

    def flat_object_at(self, offset: int) -> tuple[dict[str, Any], dict[str, tuple[int, int]], int]:
        """:meth:`object_at`, fast for the usual row whose values are all numbers or strings.

        The C decoder reads the row; the keys are then the strings followed by ':' (quotes
        occur only inside strings, so scanning string to string is exact, and in a flat
        object every such string is one of its keys). Anything else (nested values, repeated
        keys, values the decoder refuses) goes through the member walker, which also locates
        the errors.
        """
        try:
            values, end = self.decoder.raw_decode(self.text, offset)
        except (ValueError, RecursionError):
            return self.object_at(offset)
        if not isinstance(values, dict) or any(
            isinstance(value, (dict, list)) for value in values.values()
        ):
            return self.object_at(offset)
        positions = {}
        for match in _STRING.finditer(self.text, offset, end):
            if match.group(2) is not None:
                key = match.group(1)
                if "\\" in key:
                    key = json.loads(f'"{key}"')
                if key in positions:
                    return self.object_at(offset)
                positions[key] = self.position(match.start())
        if positions.keys() != values.keys():
            return self.object_at(offset)
        return values, positions, end

    def elements(self, offset: int, make) -> Iterator[Item]:
        """The items of the list at ``offset`` (each a JSON object), made by ``make``."""
        offset = self.expect(offset, "[", "a list")
        offset = self.skip(offset + 1)
        if self.text[offset : offset + 1] == "]":
            return offset + 1
        while True:
            offset = self.skip(offset)
            if self.text[offset : offset + 1] != "{":
                self.value(offset)  # a syntax error there is reported as such
                raise self.error(offset, "each row must be a JSON object")
            line, column = self.position(offset)
            values, positions, end = self.flat_object_at(offset)
            yield make(values, line, column, positions, self.source)
            offset = self.expect(end, ",]", "',' or ']'")
            if self.text[offset] == "]":
                return offset + 1
            offset += 1

    def items(self) -> Iterator[Item]:
        """Rows of a top-level list, or the ``rows`` and ``spectra`` of a reference document."""
        start = self.skip(0)
        if self.text[start] == "[":
            end = yield from self.elements(start, make_row)
        else:
            end = yield from self.document(start)
        end = self.skip(end)
        if end < len(self.text):
            raise self.error(end, "extra data after the JSON document")

    def document(self, offset: int) -> Iterator[Item]:
        seen = set()
        walk = self.members(offset)
        try:
            key, key_offset, start = next(walk)
            while True:
                if key in seen:
                    raise self.error(key_offset, f"repeated key {key!r}")
                seen.add(key)
                if key in ("rows", "spectra"):
                    if self.text[start : start + 1] != "[":
                        raise self.error(start, f"'{key}' must be a list")
                    make = make_row if key == "rows" else make_spectrum
                    end = yield from self.elements(start, make)
                else:
                    value, end = self.value(start)
                    if key == "schema_version":
                        self._check_version(value, start)
                key, key_offset, start = walk.send(end)
        except StopIteration as stop:
            end = stop.value
        if "rows" not in seen and "spectra" not in seen:
            raise self.error(offset, "a JSON object must have a 'rows' list")
        return end

    def _check_version(self, value: Any, offset: int) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= SCHEMA_VERSION
        ):
            raise self.error(
                offset, f"schema_version {value!r}: this exactspin reads 1..{SCHEMA_VERSION}"
            )
