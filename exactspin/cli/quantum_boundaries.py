"""``exactspin quantum boundaries``: sign changes of the Redfield I_U and I_D along a parameter."""

from __future__ import annotations

import argparse

from exactspin.cli.boundaries_output import report
from exactspin.cli.quantum_options import add_model_arguments, model_from_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``quantum boundaries``."""
    from exactspin.boundaries.quantum import GRID_POINTS, TOLERANCE, VARIABLES

    parser = subparsers.add_parser(
        "boundaries",
        help="regime boundaries of the Redfield branch currents along one parameter",
        description="Every value of one parameter in [LO, HI] where I_U or I_D of the Redfield "
        "steady state (Eq. 26) changes sign, found by bracketing on a grid and bisection (not "
        "certified: zeros closer than the grid step can be missed), and the circulation regime "
        "between them. Exit status 2 when part of the range is undetermined.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_model_arguments(parser)
    parser.add_argument("--vary", required=True, choices=VARIABLES, help="the swept parameter")
    parser.add_argument(
        "--range", nargs=2, type=float, required=True, metavar=("LO", "HI"), help="its range"
    )
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="relative bracket")
    parser.add_argument("--points", type=int, default=GRID_POINTS, help="grid points")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Search and print; the exit status."""
    from exactspin.boundaries import quantum_boundaries

    result = quantum_boundaries(
        model_from_arguments(args),
        args.vary,
        args.range[0],
        args.range[1],
        tolerance=args.tolerance,
        points=args.points,
    )
    return report(result, args.json)
