"""``exactspin sweep CONFIG.toml``: run a parameter sweep and write its table (and a plot).

Parses the command line, picks the executor (serial, ``--workers N`` local processes, or a Dask
cluster with ``--scheduler ADDRESS``) and hands over to :mod:`exactspin.sweep`.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from exactspin.validation import ParameterError, require_integer

#: Largest --workers accepted (more processes than this only thrash a machine).
MAX_WORKERS = 1024
#: Seconds to wait for a Dask scheduler before reporting a bad --scheduler address.
SCHEDULER_TIMEOUT = 10
#: Observables plotted when --plot is given without --y.
DEFAULT_PLOT_KEYS = "left_bath_current,upper_branch_current,lower_branch_current"


def default_cache_directory() -> Path:
    """``$XDG_CACHE_HOME/exactspin/sweep`` (``~/.cache/exactspin/sweep`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "exactspin" / "sweep"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` subcommand."""
    parser = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep from a TOML file (any solver, any executor, cached)",
        description=(
            "Run every point of the grid in CONFIG (a TOML file naming the solver and splitting "
            "the parameters into [fixed] values and [grid] axes) and write one row per point, "
            "parameters first, in grid order. Finished points are cached, so an interrupted "
            "sweep resumes where it stopped."
        ),
    )
    parser.add_argument("config", help="sweep file (TOML)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, help="run on N local processes")
    where.add_argument(
        "--scheduler",
        default=None,
        help="run on the Dask cluster at ADDRESS (needs exactspin[dask])",
    )
    parser.add_argument(
        "--cache", default=None, help=f"cache directory (default: {default_cache_directory()})"
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument(
        "--out",
        default=None,
        help="write the table to FILE (.csv or .json); default: CSV on stdout",
    )
    parser.add_argument("--json", action="store_true", help="print the table as JSON on stdout")
    parser.add_argument("--seed", type=int, default=None, help="base seed (overrides the file)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.add_argument("--plot", default=None, help="also plot currents to FILE (PNG, PDF, SVG)")
    parser.add_argument("--x", default=None, help="swept parameter on the plot's x axis")
    parser.add_argument(
        "--y",
        default=DEFAULT_PLOT_KEYS,
        help=f"comma-separated columns to plot ({DEFAULT_PLOT_KEYS})",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Validate everything, run the sweep, write the outputs; 0 on success."""
    from exactspin.sweep import ResultCache, load_sweep, run_sweep

    sweep = load_sweep(args.config, seed=args.seed)
    out_format = _out_format(args.out)
    plot_keys = _plot_request(args, sweep)
    cache = None if args.no_cache else ResultCache(args.cache or default_cache_directory())
    try:
        with ExitStack() as stack:
            executor = _executor(args, stack)
            result = run_sweep(sweep, executor=executor, cache=cache, progress=not args.quiet)
    except BrokenExecutor as error:
        # A worker died (killed, out of memory): finished points are cached, so say how to resume.
        print(
            f"exactspin: error: a worker process died ({error}); finished points are cached, "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return 1
    if args.out is None:
        if args.json:
            sys.stdout.write(result.json_text())
        else:
            sys.stdout.write(result.csv_text())
    elif out_format == ".json":
        result.to_json(args.out)
    else:
        result.to_csv(args.out)
    if plot_keys is not None:
        from exactspin.sweep.plot import plot_sweep

        plot_sweep(result, x=args.x, y=plot_keys, path=args.plot)
    if not args.quiet:
        print(
            f"exactspin sweep: {len(sweep)} points, {result.computed} computed, "
            f"{result.cached} from cache",
            file=sys.stderr,
        )
    return 0


def _out_format(out: str | None) -> str | None:
    if out is None:
        return None
    suffix = Path(out).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ParameterError("out", out, "a file name ending in .csv or .json")
    return suffix


def _plot_request(args: argparse.Namespace, sweep) -> list[str] | None:
    """The plotted columns, checked before any point runs (None when no plot is asked for)."""
    if args.plot is None:
        if args.x is not None:
            raise ParameterError("x", args.x, "used together with --plot FILE")
        return None
    if args.x not in sweep.grid:
        raise ParameterError("x", args.x, "one of the swept parameters: " + ", ".join(sweep.grid))
    keys = [key.strip() for key in args.y.split(",") if key.strip()]
    if not keys:
        raise ParameterError("y", args.y, "a comma-separated list of result columns")
    return keys


def _executor(args: argparse.Namespace, stack: ExitStack):
    """None (serial), a process pool or a Dask client, closed when ``stack`` closes."""
    if args.workers is not None:
        workers = require_integer("workers", args.workers, 1, MAX_WORKERS)
        return stack.enter_context(ProcessPoolExecutor(max_workers=workers))
    if args.scheduler is not None:
        try:
            from distributed import Client
        except ImportError:
            raise ParameterError(
                "scheduler", args.scheduler, "usable only with dask installed (exactspin[dask])"
            ) from None
        try:
            client = Client(args.scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, ValueError, TypeError) as error:
            raise ParameterError(
                "scheduler", args.scheduler, f"the address of a running Dask scheduler ({error})"
            ) from None
        return stack.enter_context(client)
    return None
