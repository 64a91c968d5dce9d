"""``exactspin quantum heom``: the HEOM steady state of one quantum ring (the exact reference)."""

from __future__ import annotations

import argparse
import math
import sys

from exactspin.cli.output import print_json, print_table
from exactspin.cli.quantum_options import add_model_arguments, model_from_arguments

#: The protocol's lists (exactspin.quantum.heom.DEFAULT_DEPTHS / DEFAULT_TERMS; repeated here so
#: that --help does not import QuTiP).
DEFAULT_DEPTHS = (1, 2, 3)
DEFAULT_TERMS = (12, 20, 28, 32)
#: exactspin.quantum.heom.MIN_FIT_TERMS / MAX_FIT_TERMS (for --help, without QuTiP).
TERMS_RANGE = (2, 64)

#: Exit status when the hierarchy did not converge to the requested tolerance.
EXIT_UNDETERMINED = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``quantum heom``."""
    parser = subparsers.add_parser(
        "heom",
        help="exact (HEOM) steady state and currents, with its convergence table",
        description=(
            "Solve the ring and its two ohmic baths with QuTiP's hierarchical equations of "
            "motion in the sector with UP up spins (needs the 'heom' extra). Depth and fit terms "
            "are raised until every current changes by less than --tolerance, and the fit's own "
            "effect on the weak-coupling currents (fit current error) must be below it too; "
            "otherwise the currents are reported as undetermined (exit 2)."
        ),
    )
    add_model_arguments(parser, zero_frequency=False)
    parser.add_argument(
        "--depths",
        type=int,
        nargs="+",
        default=list(DEFAULT_DEPTHS),
        help="hierarchy depths to try (raised at the fewest terms)",
    )
    parser.add_argument(
        "--terms",
        type=int,
        nargs="+",
        default=list(DEFAULT_TERMS),
        help=(
            f"AAA fit terms to try, each in [{TERMS_RANGE[0]}, {TERMS_RANGE[1]}] (raised at the "
            "depth before the converged depth step)"
        ),
    )
    parser.add_argument(
        "--tolerance", type=float, default=1e-3, help="relative change counted as converged"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Solve, print, and exit 2 with a warning when the hierarchy is not converged."""
    from exactspin.quantum.heom import heom_solve

    model = model_from_arguments(args)
    solution = heom_solve(
        model,
        depths=tuple(args.depths),
        terms=tuple(args.terms),
        tolerance=args.tolerance,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    result = solution.to_dict()
    if not solution.converged:
        print(
            f"exactspin: warning: HEOM not converged to {args.tolerance:g}; the currents are "
            "undetermined at that tolerance (see convergence_table)",
            file=sys.stderr,
        )
    if args.json:
        print_json(result)
    else:
        summary = dict(result)
        if summary["current_threshold"] == math.inf:
            summary["current_threshold"] = math.nan  # not estimated: printed as undetermined
        print_table([(k, v) for k, v in summary.items() if not isinstance(v, (dict, list))])
        unavailable = (
            "n/a (currents zero by symmetry)" if solution.zero_by_symmetry else "n/a (first row)"
        )
        unsolved = unavailable if solution.zero_by_symmetry else "n/a (sparse LU)"
        print_table(
            [
                (
                    f"depth {row['depth']}, {row['terms']} terms",
                    f"I_L {row['left_bath_current']:.6e}, I_U {row['upper_branch_current']:.6e}, "
                    f"I_D {row['lower_branch_current']:.6e}, "
                    f"change {_relative(row['change'], unavailable)}, fit current error "
                    f"{_relative(row['fit_current_error'], unavailable)}, solve error "
                    f"{_relative(row['solve_error'], unsolved, '.1e')}",
                )
                for row in result["convergence_table"]
            ]
        )
    return 0 if solution.converged else EXIT_UNDETERMINED


def _relative(value: float, unavailable: str, spec: str = ".2e") -> str:
    """A relative change or error of the table, or why there is none (NaN)."""
    return unavailable if math.isnan(value) else format(value, spec)
