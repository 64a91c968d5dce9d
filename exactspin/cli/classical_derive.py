"""``exactspin classical derive``: closed-form steady state and currents (sympy).

Parsing and printing only; the work is :func:`exactspin.classical.symbolic.derive`. The default
is the paper's 3-spin ring (N_U = 1, N_D = 0, J1 = J2 = J, Eqs. 11-16), which takes well under
a second.
"""

from __future__ import annotations

import argparse

from exactspin.classical.model import DYNAMICS, Q2R
from exactspin.classical.symbolic import UNITS, derive
from exactspin.classical.symbolic_model import COUPLING_ASSUMPTIONS, EXACT, SYMMETRIC, SymbolicModel
from exactspin.cli.output import print_json
from exactspin.ring import Ring
from exactspin.validation import ParameterError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``derive`` subcommand."""
    parser = subparsers.add_parser(
        "derive",
        help="closed-form steady state and currents (sympy)",
        description="Derive the master equation (Eq. 4) symbolically and print its steady "
        "state and heat currents (Eqs. 6, 9) in closed form, in beta_L = 1/T_L, beta_R = 1/T_R "
        "and exponential variables such as x_L = exp(-2 J beta_L). The Metropolis rate needs "
        "the sign of each energy change, hence --couplings; give --j1/--j2 (and --mu for CCA) "
        "as exact numbers instead for couplings='exact'. Rings up to 5 sites are practical.",
    )
    parser.add_argument("--nu", type=int, default=1, help="N_U, upper-branch bulk spins")
    parser.add_argument("--nd", type=int, default=0, help="N_D, lower-branch bulk spins")
    parser.add_argument(
        "--couplings",
        choices=[c for c in COUPLING_ASSUMPTIONS if c != EXACT],
        default=None,
        help="assumption on J1, J2 (default symmetric: J1 = J2 = J > 0)",
    )
    parser.add_argument("--j1", type=str, default=None, help="exact J1, e.g. 2 or 19/10")
    parser.add_argument("--j2", type=str, default=None, help="exact J2")
    parser.add_argument("--mu", type=str, default=None, help="exact CCA demon unit")
    parser.add_argument("--dynamics", choices=DYNAMICS, default=Q2R, help="bulk dynamics")
    parser.add_argument("--unit", choices=UNITS, default="step", help="time unit of currents")
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--latex", action="store_true", help="print a LaTeX align* block")
    style.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Derive and print; returns the exit status."""
    exact = args.j1 is not None or args.j2 is not None
    if exact and args.couplings is not None:
        raise ParameterError("couplings", args.couplings, "omitted when --j1/--j2 are given")
    model = SymbolicModel(
        Ring(args.nu, args.nd),
        args.dynamics,
        EXACT if exact else (args.couplings or SYMMETRIC),
        args.j1,
        args.j2,
        args.mu,
    )
    solution = derive(model, unit=args.unit)
    if args.json:
        print_json(solution.to_dict())
    elif args.latex:
        print(solution.latex())
    else:
        print(solution.pretty())
    return 0
