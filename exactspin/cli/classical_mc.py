"""``exactspin classical mc``: Monte Carlo estimate of the currents of a classical ring or network.

Same model options as ``classical solve`` (defaults: the paper's Fig. 5 point), or ``--network
FILE``, plus the run options. Parsing and printing only; the work is
:func:`exactspin.montecarlo.simulate` (ring) or
:func:`exactspin.montecarlo.network_simulation.simulate_network` (network).
"""

from __future__ import annotations

import argparse
import sys

from exactspin.cli.classical_options import add_model_arguments, model_from_arguments
from exactspin.cli.network_conflicts import refuse_with_network, restore_defaults, track_given
from exactspin.cli.network_options import CLASSICAL, add_network_argument, network_from_arguments
from exactspin.cli.output import print_json, print_table
from exactspin.cli.pairs import check_pairs
from exactspin.cli.vocabulary import with_shared_keys
from exactspin.display import with_error
from exactspin.montecarlo.result import correlation_entries
from exactspin.network.labels import bath_label, bond_label, cycle_label
from exactspin.parameters import CLASSICAL as SPECIFICATION
from exactspin.validation import ParameterError, require_integer

EXIT_UNDETERMINED = 2
EXIT_INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``mc`` subcommand."""
    parser = subparsers.add_parser(
        "mc",
        help="random-sequential Monte Carlo with error bars (any ring size)",
        description="Estimate steady-state heat currents by Monte Carlo, with batch-means "
        "standard errors. A current within 3 standard errors of zero is 'unresolved'; with no "
        "events it has no error bar but a 95% bound; the circulation is 'undetermined' unless "
        "both branch currents are resolved. With --network FILE (a classical network: any "
        "bonds, baths, fields) it prints every bath current (energy drawn, file order) and bond "
        "current (energy moved from the bond's first to its second site), each per update "
        "attempt, and the circulation round each cycle (3 standard errors); the ring flags do "
        "not apply there, and a target error applies to every bath and bond current. Exit "
        "status 2 (one warning line) when the "
        "circulation, stationarity or an error bar is undetermined or a current saw no "
        "events; 130 on "
        "Ctrl-C (the finished batches are printed).",
    )
    add_model_arguments(parser)
    add_network_argument(parser)
    parser.add_argument(
        "--steps",
        default="10000000",
        help="measured update attempts per replica (e.g. 1e8); with --target-stderr the budget "
        "of burn-in plus measured steps per replica",
    )
    parser.add_argument(
        "--replicas",
        default=None,
        help="replicas (default 4 chains; 1088 = 17 words for CCA or a network with closed "
        "classes): 1..63 run single chains; a multiple of 64 runs the multispin kernel, 64 "
        "replicas per machine word sharing one random site sequence (>= 128 for CCA and on "
        "networks). Replicas with closed classes stay in them, so their errors need >= 17 "
        "independent words of 64 (each averages 64 classes) and are 'undetermined' with fewer "
        "or with single chains (each sees one class)",
    )
    parser.add_argument("--seed", default="0", help="root seed (same seed, same numbers)")
    parser.add_argument(
        "--burn-in",
        default=None,
        help="discarded steps per replica (default steps/5), or 'auto' (default with "
        "--target-stderr): discard the oldest half while the run does not look stationary",
    )
    parser.add_argument("--batches", default="20", help="batches per unit for error bars")
    parser.add_argument(
        "--target-stderr",
        default=None,
        help="run until every current's standard error is at most this fraction of its "
        "magnitude and the run is stationary, or --steps / --max-seconds is spent",
    )
    parser.add_argument(
        "--target-absolute-stderr",
        default=None,
        help="the same with an absolute error (in the unit of --unit)",
    )
    parser.add_argument(
        "--max-seconds",
        default=None,
        help="wall-time budget: stop at the next kernel chunk past it and report the finished "
        "batches (stop_reason 'time budget', exit status 2)",
    )
    parser.add_argument(
        "--unit",
        choices=("step", "continuous"),
        default="step",
        help="currents per update attempt (default) or per unit time of Eq. 4 (x N_S)",
    )
    parser.add_argument("--workers", default=None, help="threads (default: all cores)")
    parser.add_argument(
        "--pair",
        nargs=2,
        action="append",
        default=[],
        metavar=("I", "J"),
        help="also estimate <s_I s_J> (1-based sites); repeatable",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    track_given(parser, SPECIFICATION.names)
    parser.set_defaults(handler=run)


def _count(name: str, text: str | None) -> object:
    """An integer option that may be written as 1e8: the text as a number when it is one (the
    library checks it, so every bad value gets the parameter's one message with its allowed
    range), else the text itself (which the library refuses with that same message)."""
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _site_index(text: str) -> int:
    """A 1-based site index of --pair."""
    return require_integer("pair", _count("pair", text), 1)


def _number(name: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise ParameterError(name, text, "a positive number") from None


def run(args: argparse.Namespace) -> int:
    """Handler of ``exactspin classical mc``."""
    from exactspin.montecarlo import simulate

    pairs = [(_site_index(a), _site_index(b)) for a, b in args.pair]
    if any(a < 1 or b < 1 for a, b in pairs):
        raise ParameterError("pair", args.pair, "1-based site indices")
    refuse_with_network(args, SPECIFICATION.names)
    restore_defaults(args)
    network = network_from_arguments(args, CLASSICAL)
    if network is not None:
        check_pairs(pairs, network.sites)
        return _run_network(args, network, pairs)
    model = model_from_arguments(args)
    check_pairs(pairs, model.sites)
    burn_in = "auto" if args.burn_in == "auto" else _count("burn_in", args.burn_in)
    result = simulate(
        model,
        steps=_count("steps", args.steps),
        replicas=_count("replicas", args.replicas),
        seed=_count("seed", args.seed),
        burn_in=burn_in,
        pairs=[(a - 1, b - 1) for a, b in pairs],
        progress=not (args.quiet or args.json),
        batches=_count("batches", args.batches),
        workers=_count("workers", args.workers),
        target_stderr=_number("target_stderr", args.target_stderr),
        target_absolute_stderr=_number("target_absolute_stderr", args.target_absolute_stderr),
        max_seconds=_number("max_seconds", args.max_seconds),
        unit=args.unit,
    )
    status, warning = _verdict(result)
    if warning:
        print(f"exactspin: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json(with_shared_keys("mc", result.to_dict()))
    else:
        print_table(_rows(result))
    return status


def _run_network(args: argparse.Namespace, network, pairs) -> int:
    """``classical mc --network FILE``: bath and bond currents of the network's sites."""
    from exactspin.montecarlo.network_simulation import simulate_network

    targeted = args.target_stderr is not None or args.target_absolute_stderr is not None
    if args.burn_in == "auto" and not targeted:
        raise ParameterError("burn_in", "auto", 'an integer >= 0 ("auto" needs a target)')
    result = simulate_network(
        network,
        steps=_count("steps", args.steps),
        replicas=_count("replicas", args.replicas),
        seed=_count("seed", args.seed),
        burn_in=None if args.burn_in == "auto" else _count("burn_in", args.burn_in),
        pairs=[(a - 1, b - 1) for a, b in pairs],
        progress=not (args.quiet or args.json),
        batches=_count("batches", args.batches),
        workers=_count("workers", args.workers),
        unit=args.unit,
        target_stderr=_number("target_stderr", args.target_stderr),
        target_absolute_stderr=_number("target_absolute_stderr", args.target_absolute_stderr),
        max_seconds=_number("max_seconds", args.max_seconds),
    )
    status, warning = _network_verdict(result)
    if warning:
        print(f"exactspin: warning: {warning}", file=sys.stderr)
    if args.json:
        print_json(with_shared_keys("mc", result.to_dict()))
    else:
        print_table(_network_rows(result))
    return status


def _network_verdict(result) -> tuple[int, str]:
    """(exit status, one warning line or "") of a network result."""
    return _status(result.stop_reason == "interrupted", result.problems)


def _current_text(value: float, error: float | None, bound: float | None, status: str) -> str:
    if error is None:
        return f"|I| < {bound:.2g} (no events; 95% bound)"
    return with_error(value, error) + ("" if status == "resolved" else f" ({status})")


def _network_rows(result) -> list[tuple[str, object]]:
    network = result.network
    rows: list[tuple[str, object]] = []
    for m in range(len(network.baths)):
        text = _current_text(
            result.bath_currents[m],
            result.bath_current_errors[m],
            result.bath_current_bounds[m],
            result.bath_status(m),
        )
        rows.append((bath_label(network, m), text))
    for b in range(len(network.bonds)):
        text = _current_text(
            result.bond_currents[b],
            result.bond_current_errors[b],
            result.bond_current_bounds[b],
            result.bond_status(b),
        )
        rows.append((bond_label(network, b), text))
    for index, (cycle, error) in enumerate(
        zip(result.cycles, result.cycle_current_errors, strict=True)
    ):
        current = "" if error is None else f" ({with_error(cycle.current, error)})"
        rows.append((cycle_label(index, cycle.cycle.sites), f"{cycle.label}{current}"))
    rows += _pair_rows(result)
    unit = "per single-spin update attempt" if result.unit == "step" else "per unit time (x N)"
    verdict = {True: "stationary", False: "not stationary", None: "undetermined"}
    rows += [
        ("unit", unit),
        ("method", result.method),
        ("steps x replicas", f"{result.steps} x {result.replicas}"),
        ("burn_in", f"{result.burn_in} ({verdict[result.equilibrated]})"),
        ("stop_reason", result.stop_reason),
        ("wall_time", f"{result.wall_time:.3g} s"),
        ("updates_per_second", f"{result.updates_per_second:.3g}"),
    ]
    return rows


def _verdict(result) -> tuple[int, str]:
    """(exit status, one warning line or "") of a result."""
    return _status(result.interrupted, result.problems)


def _status(interrupted: bool, problems: tuple[str, ...]) -> tuple[int, str]:
    if interrupted:
        return EXIT_INTERRUPTED, "; ".join(problems)
    return (EXIT_UNDETERMINED if problems else 0), "; ".join(problems)


CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


def _rows(result) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for name in CURRENTS:
        rows.append((name, _with_error(result, name)))
    rows.append(("circulation", result.circulation))
    ratio, ratio_error = result.magnification_ratio, result.magnification_ratio_stderr
    if ratio is None:
        ratio_text = "unresolved (I_L or the larger branch current is not resolved)"
    elif result.equilibrated is not True:
        ratio_text = f"{ratio:.3g} (undetermined: the run is not shown to be stationary)"
    elif ratio_error is None:
        ratio_text = f"{ratio:.6g} (error undetermined)"
    else:
        ratio_text = with_error(ratio, ratio_error)
    rows.append(("magnification_ratio", ratio_text))
    rows += _pair_rows(result)
    unit = "per single-spin update attempt" if result.unit == "step" else "per unit time (x N_S)"
    rows.append(("unit", unit))
    rows.append(("method", result.method))
    rows.append(("steps x replicas", f"{result.steps} x {result.replicas}"))
    verdict = {True: "stationary", False: "not stationary", None: "undetermined"}
    rows.append(("burn_in", f"{result.burn_in} ({verdict[result.equilibrated]})"))
    rows.append(("stop_reason", result.stop_reason))
    rows.append(("wall_time", f"{result.wall_time:.3g} s"))
    rows.append(("updates_per_second", f"{result.updates_per_second:.3g}"))
    return rows


def _pair_rows(result) -> list[tuple[str, str]]:
    """<s_a s_b> rows (1-based sites) of a ring or network result, with their status."""
    rows = []
    for entry in correlation_entries(result):
        value, error, status = entry["value"], entry["stderr"], entry["status"]
        if error is None:
            text = f"{value:.8g} (no fluctuation seen; no error bar)"
        else:
            text = with_error(value, error)
            text += "" if status == "determined" else f" ({status})"
        first, second = entry["sites"]
        rows.append((f"<s_{first} s_{second}>", text))
    return rows


def _with_error(result, name: str) -> str:
    return _current_text(
        getattr(result, name),
        getattr(result, name + "_stderr"),
        getattr(result, name + "_bound"),
        result.status(name),
    )
