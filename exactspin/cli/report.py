"""``exactspin report``: run the verification suite (``verify/``) and write the report.

Everything that can be wrong with the command line is refused before the suite starts (exit 2,
one line): an output path that is a file or cannot be written, and an ``--only`` that matches
no check or figure (the line lists the valid names). A partial run (``--only``) must name its
own ``--out``: it never replaces the full report in ``reports/``.
"""

from __future__ import annotations

import argparse
import os
import tempfile

from exactspin.validation import ParameterError, require_integer

#: Where the full report goes when --out is not given.
DEFAULT_OUT = "reports"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="run the verification suite and write reports/ (Markdown, PNG, JSON)",
        description=(
            "Run every cross-check and paper claim, reproduce the paper's figures and write "
            "OUT/index.md, OUT/results.json and OUT/figures/*.png. Exit status 1 when any "
            "check fails or an engine is missing, 2 for a bad command line (checked first)."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, coarse grids (~2 min)")
    parser.add_argument(
        "--out",
        default=None,
        help=f"output directory, created if missing (default: {DEFAULT_OUT}; required with --only)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes, >= 1 (default: min(2, cores))",
    )
    parser.add_argument(
        "--only",
        default=None,
        help="run only the checks/figures whose name contains this (needs --out)",
    )
    parser.add_argument(
        "--recompute-heom",
        action="store_true",
        help=(
            "recompute the HEOM references in verify/data/heom/ before the checks (expensive; "
            "needs the 'heom' extra); without it they are replayed as committed"
        ),
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Validate the command line, run the suite; 0 when every check passed, 1 otherwise."""
    from verify import run

    workers = require_integer("workers", args.workers, 1)
    if args.only is not None:
        names = [task.name for task in run.discover()]
        if not any(args.only in name for name in names):
            raise ParameterError("only", args.only, "part of one of: " + ", ".join(names))
        if args.out is None:
            raise ParameterError(
                "out",
                None,
                "given with --only (a partial run never replaces the full report in "
                f"{DEFAULT_OUT}/)",
            )
    out = args.out if args.out is not None else DEFAULT_OUT
    require_writable_directory("out", out)
    return run.main(
        out=out,
        quick=args.quick,
        workers=workers,
        only=args.only,
        recompute_heom=args.recompute_heom,
    )


def require_writable_directory(name: str, path: str) -> None:
    """Create ``path`` (and ``path/figures``) and prove it writable, or raise ParameterError."""
    allowed = "a directory that can be created and written"
    if os.path.exists(path) and not os.path.isdir(path):
        raise ParameterError(name, path, f"{allowed} (it is an existing file)")
    try:
        os.makedirs(os.path.join(path, "figures"), exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise ParameterError(name, path, f"{allowed} ({error.strerror or error})") from None
