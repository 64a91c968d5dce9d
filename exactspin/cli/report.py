"""``exactspin report``: run the verification suite (``verify/``) and write the report."""

from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="run the verification suite and write reports/ (Markdown, PNG, JSON)",
        description=(
            "Run every cross-check and paper claim, reproduce the paper's figures and write "
            "OUT/index.md, OUT/results.json and OUT/figures/*.png. Exit status 1 when any "
            "check fails or an engine is missing."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, coarse grids (~2 min)")
    parser.add_argument("--out", default="reports", help="output directory (default: reports)")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes (default: min(2, cores))",
    )
    parser.add_argument(
        "--only", default=None, help="run only the checks/figures whose name contains this"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the suite; 0 when every check passed, 1 otherwise."""
    from verify import run

    return run.main(out=args.out, quick=args.quick, workers=max(1, args.workers), only=args.only)
