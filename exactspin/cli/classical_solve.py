"""``exactspin classical solve``: exact steady-state currents of a classical ring or network.

Parsing and printing only; the work is :func:`exactspin.classical.solve` (rings) and
:func:`exactspin.classical.solve_network` (``--network FILE``). Defaults are the paper's Fig. 5
point (N_U = 2, N_D = 3, J1 = 2, J2 = 1.9, T_L = 2, T_R = 0.1, Q2R).
"""

from __future__ import annotations

import argparse
import sys

from exactspin.classical.network_solution import solve_network
from exactspin.classical.solution import DEFAULT_ACCURACY, UNITS, solve
from exactspin.classical.steady_state import METHODS, UndeterminedError
from exactspin.cli.classical_options import add_model_arguments, model_from_arguments
from exactspin.cli.network_conflicts import refuse_with_network, restore_defaults, track_given
from exactspin.cli.network_options import CLASSICAL, add_network_argument, network_from_arguments
from exactspin.cli.output import number_text, print_json, print_table
from exactspin.cli.pairs import check_pairs
from exactspin.cli.vocabulary import with_shared_keys
from exactspin.display import class_weighting, closed_classes_text
from exactspin.network.labels import bath_label, bond_label, cycle_label

#: The ring flags a network file replaces (refused together with --network).
RING_FLAGS = ("nu", "nd", "j1", "j2", "tl", "tr", "dynamics", "mu")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``solve`` subcommand."""
    parser = subparsers.add_parser(
        "solve",
        help="exact steady-state heat currents (sparse master equation)",
        description="Solve the master equation (Eq. 4) exactly and print the heat currents "
        "(Eqs. 6, 9). Currents are per single-spin update attempt unless --unit continuous. "
        "Clockwise: I_U > 0 (left -> right) and I_D > 0 (right -> left); a branch current "
        "counts as nonzero when it exceeds 1e-9 x the gross energy flux through the branch. "
        "Every current carries a computed error bound; when a bound exceeds --accuracy the "
        "currents are reported undetermined (stderr, exit status 2) instead of printed. "
        "With --network FILE any classical network is solved instead of the ring: the bath "
        "currents (energy drawn from each bath, file order), the bond currents (energy moved "
        "along each bond [a, b] from a to b) and the circulation round each cycle.",
    )
    add_model_arguments(parser)
    add_network_argument(parser)
    track_given(parser, RING_FLAGS)
    parser.add_argument("--unit", choices=UNITS, default="step", help="time unit of currents")
    parser.add_argument("--method", choices=METHODS, default="auto", help="linear solver")
    parser.add_argument(
        "--pair",
        nargs=2,
        type=int,
        action="append",
        default=[],
        metavar=("I", "J"),
        help="also print <s_I s_J> (1-based sites, Eq. 18); repeatable",
    )
    parser.add_argument(
        "--accuracy",
        type=float,
        default=DEFAULT_ACCURACY,
        help="relative accuracy required of every current (default %(default)g)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="progress bar over the closed classes on stderr (default: only on a terminal)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Solve and print; returns the exit status."""
    refuse_with_network(args, RING_FLAGS)
    restore_defaults(args)
    network = network_from_arguments(args, CLASSICAL)
    if network is not None:
        return _run_network(args, network)
    model = model_from_arguments(args)
    check_pairs(args.pair, model.sites)
    try:
        solution = solve(
            model,
            unit=args.unit,
            method=args.method,
            accuracy=args.accuracy,
            progress=_progress_bar(args.progress),
        )
    except UndeterminedError as error:
        print(f"exactspin: undetermined: {error}", file=sys.stderr)
        return 2
    if not solution.determined:
        print(
            f"exactspin: undetermined: the computed error bound of a current "
            f"(relative {solution.relative_error_bound:.2e}) exceeds --accuracy "
            f"{solution.accuracy:g}; the currents are not printed",
            file=sys.stderr,
        )
        return 2
    correlations = {
        f"{first},{second}": solution.correlation(first - 1, second - 1)
        for first, second in args.pair
    }
    if args.json:
        payload = solution.to_dict()
        if correlations:
            payload["correlations"] = correlations
        print_json(with_shared_keys("classical", payload))
        return 0
    rows = [
        ("I_L (left bath)", solution.left_bath_current),
        ("I_R (right bath)", solution.right_bath_current),
        ("I_U (upper branch)", solution.upper_branch_current),
        ("I_D (lower branch)", solution.lower_branch_current),
        ("circulation", solution.circulation),
        ("magnification ratio", solution.magnification_ratio),
        ("relative error bound", solution.relative_error_bound),
        ("closed classes", _closed_classes(solution.steady_state)),
        ("unit", f"per {'update attempt' if args.unit == 'step' else 'unit time'}"),
    ]
    rows += [(f"<s_{key.replace(',', ' s_')}>", value) for key, value in correlations.items()]
    print_table(rows)
    return 0


def _run_network(args: argparse.Namespace, network) -> int:
    """``--network FILE``: bath and bond currents, bounds and cycles of any network."""
    check_pairs(args.pair, network.sites)
    try:
        solution = solve_network(
            network,
            unit=args.unit,
            method=args.method,
            accuracy=args.accuracy,
            progress=_progress_bar(args.progress),
        )
    except UndeterminedError as error:
        print(f"exactspin: undetermined: {error}", file=sys.stderr)
        return 2
    if not solution.determined:
        print(
            "exactspin: undetermined: the computed error bound of a current exceeds "
            f"--accuracy {solution.accuracy:g}; the currents are not printed",
            file=sys.stderr,
        )
        return 2
    correlations = {
        f"{first},{second}": solution.correlation(first - 1, second - 1)
        for first, second in args.pair
    }
    if args.json:
        payload = solution.to_dict()
        if correlations:
            payload["correlations"] = correlations
        print_json(with_shared_keys("classical", payload))
        return 0
    rows: list[tuple[str, object]] = []
    for index, (current, error) in enumerate(
        zip(solution.bath_currents, solution.bath_current_errors, strict=True)
    ):
        rows.append((bath_label(network, index), current))
        rows.append(("  error bound", error))
    for index, current in enumerate(solution.bond_currents):
        rows.append((bond_label(network, index), current))
    for index, cycle in enumerate(solution.cycles):
        label = f"{cycle.label} ({number_text(float(cycle.current))})"
        rows.append((cycle_label(index, cycle.cycle.sites), label))
    rows.append(("closed classes", _closed_classes(solution.steady_state)))
    rows.append(("unit", f"per {'update attempt' if args.unit == 'step' else 'unit time'}"))
    rows += [(f"<s_{key.replace(',', ' s_')}>", value) for key, value in correlations.items()]
    print_table(rows)
    return 0


def _closed_classes(state) -> str:
    """The count of closed classes, with the convention that weights them when there are
    several (docs/conventions.md, "Closed classes")."""
    weighting = class_weighting(state.class_sizes, state.class_weights)
    return closed_classes_text(state.closed_classes, weighting)


def _progress_bar(requested: bool):
    """A tqdm bar over the closed classes on stderr, when asked for or stderr is a terminal."""
    if not (requested or sys.stderr.isatty()):
        return None
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="class", file=sys.stderr, desc="steady state")
        bar.update(done - bar.n)
        if done == total:
            bar.close()

    return update
