"""``exactspin classical boundaries``: where I_U and I_D change sign along one parameter."""

from __future__ import annotations

import argparse

from exactspin.cli.boundaries_output import report
from exactspin.cli.classical_options import add_model_arguments, model_from_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``classical boundaries``."""
    from exactspin.boundaries.classical import GRID_POINTS, METHODS, TOLERANCE, VARIABLES

    parser = subparsers.add_parser(
        "boundaries",
        help="exact regime boundaries: zeros of I_U and I_D along one parameter",
        description="Every value of one parameter in [LO, HI] where a branch current changes "
        "sign, and the circulation regime between them. Q2R rings with N_S <= 4 (5 with "
        "--method closed-form) use the closed form with interval arithmetic: the list is "
        "complete (certified). Other rings bracket the exact numeric solver on a grid. "
        "Exit status 2 when part of the range is undetermined.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_model_arguments(parser)
    parser.add_argument("--vary", required=True, choices=VARIABLES, help="the swept parameter")
    parser.add_argument(
        "--range", nargs=2, type=float, required=True, metavar=("LO", "HI"), help="its range"
    )
    parser.add_argument("--method", choices=METHODS, default="auto", help="how zeros are found")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="relative bracket")
    parser.add_argument("--points", type=int, default=GRID_POINTS, help="bracketing grid points")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Search and print; the exit status."""
    from exactspin.boundaries import classical_boundaries

    model = model_from_arguments(args)
    result = classical_boundaries(
        model,
        args.vary,
        args.range[0],
        args.range[1],
        method=args.method,
        tolerance=args.tolerance,
        points=args.points,
    )
    return report(result, args.json)
