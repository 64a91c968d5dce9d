"""``exactspin classical mc``: Monte Carlo estimate of the currents of a classical ring.

Same model options as ``classical solve`` (defaults: the paper's Fig. 5 point), plus the run
options. Parsing and printing only; the work is :func:`exactspin.montecarlo.simulate`.
"""

from __future__ import annotations

import argparse
import sys

from exactspin.cli.classical_options import add_model_arguments, model_from_arguments
from exactspin.cli.output import print_json, print_table
from exactspin.validation import ParameterError, require_integer


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``mc`` subcommand."""
    parser = subparsers.add_parser(
        "mc",
        help="random-sequential Monte Carlo with error bars (any ring size)",
        description="Estimate steady-state heat currents per single-spin update attempt by "
        "Monte Carlo, with batch-means standard errors. A branch current counts as nonzero "
        "for the circulation label when |I| > 3 x the larger branch standard error.",
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--steps", default="10000000", help="measured update attempts per replica (e.g. 1e8)"
    )
    parser.add_argument("--replicas", default=None, help="independent chains (default 4)")
    parser.add_argument("--seed", default="0", help="root seed (same seed, same numbers)")
    parser.add_argument(
        "--burn-in", default=None, help="discarded steps per replica (default steps/5)"
    )
    parser.add_argument("--batches", default="20", help="batches per replica for error bars")
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
    parser.set_defaults(handler=run)


def _count(name: str, text: str | None) -> int | None:
    """An integer option that may be written as 1e8."""
    if text is None:
        return None
    try:
        value: float | int = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise ParameterError(name, text, "an integer (e.g. 1000000 or 1e6)") from None
    return require_integer(name, value, 0)


def run(args: argparse.Namespace) -> int:
    """Handler of ``exactspin classical mc``."""
    from exactspin.montecarlo import simulate

    model = model_from_arguments(args)
    pairs = [(_count("pair", a), _count("pair", b)) for a, b in args.pair]
    if any(a < 1 or b < 1 for a, b in pairs):
        raise ParameterError("pair", args.pair, "1-based site indices")
    result = simulate(
        model,
        steps=_count("steps", args.steps),
        replicas=_count("replicas", args.replicas),
        seed=_count("seed", args.seed),
        burn_in=_count("burn_in", args.burn_in),
        pairs=[(a - 1, b - 1) for a, b in pairs],
        progress=not (args.quiet or args.json),
        batches=_count("batches", args.batches),
        workers=_count("workers", args.workers),
    )
    if not result.equilibrated:
        print(
            "exactspin: warning: the run does not look stationary (its halves disagree or the ring "
            f"gains or loses energy, |z| >= {result.drift_threshold:g}); increase --burn-in or "
            "--steps",
            file=sys.stderr,
        )
    if args.json:
        print_json(result.to_dict())
        return 0
    rows: list[tuple[str, object]] = []
    for name in ("left_bath_current", "right_bath_current"):
        rows.append((name, _with_error(getattr(result, name), getattr(result, name + "_stderr"))))
    for name in ("upper_branch_current", "lower_branch_current"):
        rows.append((name, _with_error(getattr(result, name), getattr(result, name + "_stderr"))))
    threshold = f"|I| > {result.circulation_threshold:.2g}, 3 x the larger branch stderr"
    rows.append(("circulation", f"{result.circulation} (nonzero: {threshold})"))
    rows.append(("magnification_ratio", result.magnification_ratio))
    for (a, b), value, error in zip(
        result.pairs, result.pair_correlations, result.pair_correlations_stderr, strict=True
    ):
        rows.append((f"<s_{a + 1} s_{b + 1}>", _with_error(value, error)))
    rows.append(("unit", "per single-spin update attempt"))
    rows.append(("steps x replicas", f"{result.steps} x {result.replicas}"))
    rows.append(("burn_in", f"{result.burn_in} (equilibrated: {result.equilibrated})"))
    rows.append(("updates_per_second", f"{result.updates_per_second:.3g}"))
    print_table(rows)
    return 0


def _with_error(value: float, error: float) -> str:
    return f"{value:.8g} +- {error:.2g}"
