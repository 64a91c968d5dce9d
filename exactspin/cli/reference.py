"""``exactspin reference export`` and ``exactspin crosscheck``: reference data in and out.

Exit status of ``crosscheck``: 0 when every value passes; 1 when any fails, any is undetermined
(our solver cannot resolve it) or nothing at all was compared; 2 on unreadable input (the message
names ``file:line:column``), bad tolerances or a file above the size limit; 141 when the reader
of the output went away (``| head``), as a shell reports a broken pipe.

The file is read twice: once to validate every row (so bad input is reported before any solve
and before any output), then again to solve and print row by row (memory does not grow with the
file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

from exactspin.cli.output import to_jsonable
from exactspin.validation import ParameterError

EXIT_FAIL = 1
EXIT_UNREADABLE = 2
#: 128 + SIGPIPE: the status a shell gives a writer whose reader has gone.
EXIT_BROKEN_PIPE = 141


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``reference export`` and the top-level ``crosscheck``."""
    from exactspin.reference.crosscheck import DEFAULT_ATOL, DEFAULT_RTOL, DEFAULT_SIGMAS
    from exactspin.reference.io import DEFAULT_MAX_BYTES, MAX_BYTES_VARIABLE

    reference = subparsers.add_parser("reference", help="reference data (exact values) as JSON")
    commands = reference.add_subparsers(
        dest="reference_command", required=True, parser_class=type(reference)
    )
    export = commands.add_parser(
        "export",
        help="write the versioned reference JSON (schema in README)",
        description="Write parameter points with our exact values (schema version 1).",
    )
    export.add_argument(
        "--out", default="-", help="output file (default: stdout); checked before computing"
    )
    export.set_defaults(handler=handle_export)

    crosscheck = subparsers.add_parser(
        "crosscheck",
        help="compare another implementation's results (CSV or JSON rows) with ours",
        description=(
            "Read rows (CSV with a header, or a JSON list of row objects / a reference document, "
            "whose 'spectra' are checked too) with a 'model' column, parameters named as the CLI "
            "flags, an optional 'unit' (per_attempt or continuous) and observable keys of "
            "'solve --json' (numbers or lists; optionally <key>_stderr); compute our value at "
            "each point and print the deviations. Exit 0 when every value passes, 1 when any "
            "fails, is undetermined or nothing was compared, 2 on unreadable input."
        ),
    )
    crosscheck.add_argument("file", help="CSV or JSON file")
    crosscheck.add_argument(
        "--rtol",
        type=float,
        default=DEFAULT_RTOL,
        help=f"relative tolerance, finite >= 0 (rows without stderr; default {DEFAULT_RTOL})",
    )
    crosscheck.add_argument(
        "--atol",
        type=float,
        default=DEFAULT_ATOL,
        help=f"absolute tolerance, finite >= 0 (rows without stderr; default {DEFAULT_ATOL})",
    )
    crosscheck.add_argument(
        "--sigmas",
        type=float,
        default=DEFAULT_SIGMAS,
        help=f"standard errors allowed, finite > 0 (rows with stderr; default {DEFAULT_SIGMAS})",
    )
    crosscheck.add_argument(
        "--max-bytes",
        type=int,
        default=None,
        help=(
            f"refuse input files larger than this (default ${MAX_BYTES_VARIABLE}, else "
            f"{DEFAULT_MAX_BYTES // 1024**2} MiB)"
        ),
    )
    crosscheck.add_argument("--json", action="store_true", help="print the comparisons as JSON")
    crosscheck.set_defaults(handler=handle_crosscheck)


def _checked_output_path(path: str) -> str | None:
    """``path`` if a file can be written there (None for stdout), checked before any work.

    Raises
    ------
    ParameterError
        The path is a directory, its parent is not one, or the parent is not writable.
    """
    if path == "-":
        return None
    if os.path.isdir(path):
        raise ParameterError("out", path, "a file path (it is a directory)")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ParameterError("out", path, f"a file in an existing directory ({parent} is not one)")
    try:
        # A real write probe: permission bits alone do not tell (root, read-only mounts, ACLs).
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as error:
        raise ParameterError("out", path, f"a writable path ({error.strerror})") from None
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise ParameterError("out", path, "a writable path (the file is read-only)")
    return path


def handle_export(args: argparse.Namespace) -> int:
    """Build the reference document and write it (the output path is checked first)."""
    from exactspin.reference.export import build_reference

    path = _checked_output_path(args.out)
    text = json.dumps(to_jsonable(build_reference()), indent=1, allow_nan=False) + "\n"
    if path is None:
        return _write_stdout(lambda: sys.stdout.write(text))
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise ParameterError("out", path, f"a writable path ({error.strerror})") from None
    return 0


def _write_stdout(write) -> int:
    """Run ``write``; a closed pipe (``| head``) ends the command quietly with status 141."""
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _format_parameters(parameters: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in parameters.items())


class _TextPrinter:
    """One aligned line per comparison, its reason or hint indented below, and a summary."""

    def start(self) -> None:
        header = f"{'line':>5}  {'observable':<28} {'theirs':>16} {'ours':>16} {'deviation':>12}"
        print(header + "  measure   verdict       parameters")

    def row(self, c) -> None:
        ours = "undetermined" if c.verdict == "undetermined" else f"{c.ours:.9g}"
        unit = f" unit={c.unit}" if c.unit else ""
        print(
            f"{c.line:>5}  {c.observable:<28} {c.theirs:>16.9g} {ours:>16} "
            f"{c.deviation:>12.3g}  {c.measure:<9} {c.verdict:<12}  "
            f"{c.model} {_format_parameters(c.parameters)}{unit}"
        )
        for label, text in (("reason", c.reason), ("hint", c.hint)):
            if text:
                print(f"{'':>7}{label}: {text}")

    def end(self, summary: dict) -> None:
        print(
            f"{summary['compared']} values compared: {summary['passed']} passed, "
            f"{summary['failed']} failed, {summary['undetermined']} undetermined"
        )


class _JsonPrinter:
    """One JSON object, written row by row (valid JSON once :meth:`end` has run)."""

    def __init__(self) -> None:
        self.first = True

    def start(self) -> None:
        sys.stdout.write('{"rows": [')

    def row(self, c) -> None:
        entry = {
            "line": c.line,
            "column": c.column,
            "model": c.model,
            "parameters": c.parameters,
            "unit": c.unit or None,
            "observable": c.observable,
            "theirs": c.theirs,
            "ours": c.ours,
            "stderr": c.stderr,
            "deviation": c.deviation,
            "measure": c.measure,
            "verdict": c.verdict,
            "reason": c.reason or None,
            "hint": c.hint or None,
        }
        sys.stdout.write(("\n  " if self.first else ",\n  ") + _json(entry))
        self.first = False

    def end(self, summary: dict) -> None:
        sys.stdout.write("\n ],\n " + _json(summary)[1:] + "\n")


def _json(value) -> str:
    return json.dumps(to_jsonable(value), allow_nan=False)


def handle_crosscheck(args: argparse.Namespace) -> int:
    """Validate every row, then compare them with ours and print one line per value."""
    from exactspin.reference.crosscheck import CrossCheck, Tolerances, prepare
    from exactspin.reference.io import ReferenceInputError, iter_items, max_input_bytes

    tolerances = Tolerances(args.rtol, args.atol, args.sigmas)
    limit = max_input_bytes(args.max_bytes)
    try:
        for item in iter_items(args.file, limit):
            prepare(item, args.file)
    except ReferenceInputError as error:
        print(f"exactspin: error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    checker = CrossCheck(args.file, tolerances)
    printer = _JsonPrinter() if args.json else _TextPrinter()
    summary = {"compared": 0, "passed": 0, "failed": 0, "undetermined": 0}
    try:
        printer.start()
        for item in iter_items(args.file, limit):
            undetermined = []
            for comparison in checker.check(item):
                printer.row(comparison)
                summary["compared"] += 1
                key = {"pass": "passed", "FAIL": "failed"}.get(comparison.verdict, "undetermined")
                summary[key] += 1
                if key == "undetermined":
                    undetermined.append(comparison)
            if undetermined:
                first = undetermined[0]
                print(
                    f"exactspin: warning: {args.file}:{first.line}:{first.column}: "
                    f"{len(undetermined)} value(s) undetermined: {first.reason}",
                    file=sys.stderr,
                )
        printer.end(summary)
        sys.stdout.flush()
    except ReferenceInputError as error:
        print(f"exactspin: error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    if summary["compared"] == 0:
        print(
            f"exactspin: error: {args.file}: no values compared (no rows, or no observables): "
            "nothing was checked",
            file=sys.stderr,
        )
        return EXIT_FAIL
    return EXIT_FAIL if summary["failed"] or summary["undetermined"] else 0
