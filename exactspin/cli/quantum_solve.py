"""``exactspin quantum solve``: Redfield steady state and observables of a quantum ring or network.

With ``--network FILE`` the JSON carries the network vocabulary (``network``, ``parameters``,
``bath_currents``, ``bath_current_errors``, ``site_currents``, ``field_currents``,
``bond_currents``, ``site_magnetization``, ``cycles``); every ``--equation`` runs there, and
the equation checks add ``kirchhoff_errors`` (one per site).
"""

from __future__ import annotations

import argparse

from exactspin.cli.output import number_text, print_json, print_table
from exactspin.cli.pairs import check_pairs
from exactspin.cli.progress import elapsed_ticker
from exactspin.cli.quantum_options import (
    add_model_arguments,
    add_network_option,
    model_from_arguments,
)
from exactspin.cli.vocabulary import with_shared_keys
from exactspin.network.labels import bath_label, bond_label, cycle_label
from exactspin.quantum.equations import EQUATIONS
from exactspin.quantum.solution import PRECISIONS
from exactspin.quantum.steady_state import METHODS

#: Exit status when the solve cannot resolve a printed label (as for bad input).
EXIT_UNDETERMINED = 2
#: Equations whose generator needs adaptive Lamb-shift quadratures (elapsed-time lines on
#: stderr every few seconds while they run).
SLOW_EQUATIONS = (
    "redfield-lamb-shift",
    "global-lindblad-lamb-shift",
    "partial-secular-lamb-shift",
    "ule-lamb-shift",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``quantum solve``."""
    parser = subparsers.add_parser(
        "solve",
        help="steady state of a master equation: currents, magnetization, concurrence, ergotropy",
        description=(
            "Solve the master equation chosen by --equation (default: the Redfield equation, "
            "Eq. 26) of the modified XXZ ring in the sector with UP up spins, or of the network "
            "given by --network, and print the steady-state observables (Eqs. 32-41). Sites are "
            "1-based as in the paper."
        ),
    )
    add_model_arguments(parser)
    add_network_option(parser)
    parser.add_argument(
        "--pair",
        type=int,
        nargs=2,
        default=None,
        metavar=("I", "J"),
        help="sites (1-based) of the correlation and concurrence (default: 2 3 on the ring, the "
        "first bond's sites on a network)",
    )
    parser.add_argument(
        "--method",
        default="auto",
        choices=METHODS,
        help="steady-state method",
    )
    parser.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help=(
            "auto (double, re-solved at 30-60 digits for small sectors when double precision "
            "leaves a label unresolved), double or extended"
        ),
    )
    parser.add_argument(
        "--equation",
        default="redfield",
        choices=EQUATIONS,
        help=(
            "master equation: redfield (Eq. 26, default), redfield-lamb-shift, global-lindblad, "
            "global-lindblad-lamb-shift, partial-secular, partial-secular-lamb-shift, ule, "
            "ule-lamb-shift, local-lindblad (see exactspin.quantum.equations); any of them with "
            "--network. The Lamb-shift forms integrate numerically and print elapsed time on "
            "stderr while they run (ule-lamb-shift at --omega-c 1e-3: about a minute)"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Solve and print; 0 on success, 2 when the solve cannot resolve what it would print.

    Warnings (Redfield validity, positivity, unconverged solves, undetermined labels) go to
    stderr, one line each. A steady state that the iterative method finds non-unique is one
    line on stderr and exit status 2 (the dense method reports the dimension instead).
    """
    import sys

    from exactspin.quantum import UnresolvedSteadyStateError, solve

    model = model_from_arguments(args)
    if args.pair is not None:
        chosen = tuple(args.pair)
    elif model.is_ring:
        chosen = (2, 3)
    else:
        chosen = tuple(site + 1 for site in model.network.bonds[0].sites)
    pair = tuple(site - 1 for site in chosen)
    check_pairs([chosen], model.sites)
    from exactspin.quantum.equations import EquationModel, equation_checks

    if args.equation != "redfield":
        model = EquationModel.from_model(model, args.equation)
    try:
        # The Lamb-shift quadratures have no progress hook; at small --omega-c (many kinks
        # per unit of the cutoff) ule-lamb-shift takes of the order of a minute.
        with elapsed_ticker(
            f"quantum solve --equation {args.equation}",
            None,
            enabled=args.equation in SLOW_EQUATIONS,
        ):
            solution = solve(model, method=args.method, precision=args.precision)
    except UnresolvedSteadyStateError as error:
        print(f"exactspin: error: {error}", file=sys.stderr)
        return EXIT_UNDETERMINED
    result = solution.to_dict(pair=pair, method=args.method)
    result["parameters"]["precision"] = args.precision
    result["parameters"]["equation"] = args.equation
    # Every equation, Redfield included, reports the same checks (positivity, Kirchhoff, balance).
    result.update(equation_checks(solution))
    if args.json:
        print_json(with_shared_keys("quantum", result))
    else:
        network = None if model.is_ring else model.network
        rows = []
        for name, value in result.items():
            if network is not None and name == "bath_currents":
                errors = result["bath_current_errors"]
                for index, current in enumerate(value):
                    rows.append((bath_label(network, index), current))
                    rows.append(("  error bound", errors[index]))
            elif network is not None and name == "bond_currents":
                errors = result["bond_current_errors"]
                for index, current in enumerate(value):
                    rows.append((bond_label(network, index), current))
                    rows.append(("  error bound", errors[index]))
            elif (not isinstance(value, (dict, list)) or name == "site_magnetization") and (
                value != ""
            ):
                rows.append((name, _text_value(name, value, result)))
        if "cycles" in result:
            rows += [
                (cycle_label(index, [site - 1 for site in cycle["sites"]]), label)
                for index, cycle in enumerate(result["cycles"])
                for label in [f"{cycle['circulation']} {number_text(cycle['circulating_current'])}"]
            ]
        print_table(rows)
    for warning in solution.warnings:
        print(f"exactspin: warning: {warning}", file=sys.stderr)
    return 0 if solution.determined else EXIT_UNDETERMINED


#: Text of the null-space gap of a one-state sector (rho = [[1]]: the generator is 0 and has no
#: second singular value, so the gap is not defined; null in the JSON).
ONE_STATE_GAP_TEXT = "n/a (one state)"


def _text_value(name: str, value: object, result: dict) -> object:
    """What the text table shows for ``value`` (NaN is never printed as ``nan``)."""
    if name == "null_space_gap" and (
        value is None or (isinstance(value, float) and value != value)
    ):
        one_state = "one-state" in str(result.get("null_space_criterion", ""))
        return ONE_STATE_GAP_TEXT if one_state else "n/a"
    if (
        name == "magnification_ratio"
        and isinstance(value, float)
        and value != value
        and not result.get("undetermined_reasons")
    ):
        # Every label resolved, but I_L is within its bound of 0: the ratio is not defined.
        return RATIO_UNDEFINED_TEXT
    return value


#: Text of the magnification ratio when the labels are resolved but I_L is within its bound
#: of 0 (e.g. local-lindblad, whose currents all vanish by construction): undefined, not
#: undetermined (null in the JSON).
RATIO_UNDEFINED_TEXT = "n/a (I_L within its error bound of 0)"
