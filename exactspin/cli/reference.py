"""``exactspin reference export`` and ``exactspin crosscheck``: reference data in and out.

Exit status of ``crosscheck``: 0 when every row passes, 1 when any row fails, 2 on unreadable
input (the message names the line and column at fault).
"""

from __future__ import annotations

import argparse
import json
import sys

from exactspin.cli.output import print_json, to_jsonable

EXIT_FAIL = 1
EXIT_UNREADABLE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``reference export`` and the top-level ``crosscheck``."""
    from exactspin.reference.crosscheck import DEFAULT_ATOL, DEFAULT_RTOL, DEFAULT_SIGMAS

    reference = subparsers.add_parser("reference", help="reference data (exact values) as JSON")
    commands = reference.add_subparsers(
        dest="reference_command", required=True, parser_class=type(reference)
    )
    export = commands.add_parser(
        "export",
        help="write the versioned reference JSON (schema in README)",
        description="Write parameter points with our exact values (schema version 1).",
    )
    export.add_argument("--out", default="-", help="output file (default: stdout)")
    export.set_defaults(handler=handle_export)

    crosscheck = subparsers.add_parser(
        "crosscheck",
        help="compare another implementation's results (CSV or JSON rows) with ours",
        description=(
            "Read rows (CSV with a header, or a JSON list of row objects / a reference document) "
            "with a 'model' column, parameters named as the CLI flags and observable keys of "
            "'solve --json' (optionally <key>_stderr); compute our value at each point and print "
            "the deviations. Exit 0 when every row passes, 1 when any fails, 2 on unreadable "
            "input."
        ),
    )
    crosscheck.add_argument("file", help="CSV or JSON file")
    crosscheck.add_argument(
        "--rtol", type=float, default=DEFAULT_RTOL, help="relative tolerance (rows without stderr)"
    )
    crosscheck.add_argument(
        "--atol", type=float, default=DEFAULT_ATOL, help="absolute tolerance (rows without stderr)"
    )
    crosscheck.add_argument(
        "--sigmas",
        type=float,
        default=DEFAULT_SIGMAS,
        help="standard errors allowed (rows with stderr)",
    )
    crosscheck.add_argument("--json", action="store_true", help="print the comparisons as JSON")
    crosscheck.set_defaults(handler=handle_crosscheck)


def handle_export(args: argparse.Namespace) -> int:
    """Build the reference document and write it."""
    from exactspin.reference.export import build_reference

    text = json.dumps(to_jsonable(build_reference()), indent=1, allow_nan=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


def _format_parameters(parameters: dict) -> str:
    return " ".join(f"{key}={value}" for key, value in parameters.items())


def handle_crosscheck(args: argparse.Namespace) -> int:
    """Compare the file's rows with ours and print one line per observable."""
    from exactspin.reference.crosscheck import compare
    from exactspin.reference.io import ReferenceInputError, read_rows

    try:
        rows = read_rows(args.file)
        comparisons = compare(rows, args.file, args.rtol, args.atol, args.sigmas)
    except ReferenceInputError as error:
        print(f"exactspin: error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    failed = sum(1 for c in comparisons if not c.passed)
    if args.json:
        print_json(
            {
                "rows": [
                    {
                        "line": c.line,
                        "model": c.model,
                        "parameters": c.parameters,
                        "observable": c.observable,
                        "theirs": c.theirs,
                        "ours": c.ours,
                        "stderr": c.stderr,
                        "deviation": c.deviation,
                        "measure": c.measure,
                        "verdict": c.verdict,
                    }
                    for c in comparisons
                ],
                "compared": len(comparisons),
                "failed": failed,
            }
        )
    else:
        header = f"{'line':>5}  {'observable':<28} {'theirs':>16} {'ours':>16} {'deviation':>12}"
        print(header + "  measure   verdict  parameters")
        for c in comparisons:
            print(
                f"{c.line:>5}  {c.observable:<28} {c.theirs:>16.9g} {c.ours:>16.9g} "
                f"{c.deviation:>12.3g}  {c.measure:<9} {c.verdict:<7}  "
                f"{c.model} {_format_parameters(c.parameters)}"
            )
        print(f"{len(comparisons)} values compared, {failed} failed")
    return EXIT_FAIL if failed else 0
