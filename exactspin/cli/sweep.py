"""``exactspin sweep CONFIG.toml``: run a parameter sweep and write its table (and a plot).

Parses the command line, checks every output path and the estimated cost before any point runs,
picks the executor (serial, ``--workers N`` local processes, or a Dask cluster with
``--scheduler ADDRESS``) and hands over to :mod:`exactspin.sweep`.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import BrokenExecutor
from contextlib import ExitStack
from pathlib import Path

from exactspin.sweep.estimate import CONSENT_POINTS, CONSENT_SECONDS, format_duration
from exactspin.sweep.plugins import ENTRY_POINT_GROUP
from exactspin.validation import ParameterError, require_integer

#: Largest --workers accepted (more processes than this only thrash a machine).
MAX_WORKERS = 1024
#: Seconds to wait for a Dask scheduler before reporting a bad --scheduler address.
SCHEDULER_TIMEOUT = 10
#: Exit status of a sweep that stopped on a failed point or a dead worker.
EXIT_FAILURE = 1
#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
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
            "parameters first, in grid order. A network solver (classical-network, mc-network, "
            'quantum-network) names a file, network = "net.toml" (relative to CONFIG), and '
            "sweeps its numbers: bath<k>_t, bond<k>_j, bond<k>_delta, field<k>_h (k 1-based in "
            "file order). Finished points are cached, so an interrupted "
            "sweep resumes where it stopped. A sweep file is data: it never makes exactspin "
            "import or run code; a plugin solver 'module:function' runs only with "
            "--allow-plugin module. Paths and the estimated run time are checked before any "
            f"point runs; past {CONSENT_POINTS} points or {format_duration(CONSENT_SECONDS)} "
            "the sweep needs --yes."
        ),
    )
    parser.add_argument("config", help="sweep file (TOML)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="run the points on N local worker processes, one point per process at a time "
        "(default: serially, in this process)",
    )
    where.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on the Dask cluster at ADDRESS, needs exactspin[dask] (default: no cluster)",
    )
    parser.add_argument(
        "--allow-plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="allow the sweep file's solver 'MODULE:function' to import and run code from "
        "MODULE (or its submodules); repeatable (default: none; installed plugins of the "
        f"'{ENTRY_POINT_GROUP}' entry-point group need no flag)",
    )
    parser.add_argument(
        "--cache",
        default=None,
        metavar="DIR",
        help=f"cache directory (default: {default_cache_directory()})",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the cache (default: off)"
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="write the table to FILE (.csv or .json) (default: CSV on stdout)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the table as JSON on stdout (default: CSV)"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="base seed (default: the file's, else 0)"
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help=f"run a sweep past {CONSENT_POINTS} points or an estimated "
        f"{format_duration(CONSENT_SECONDS)} (default: refuse it)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no estimate, progress bar or summary (default: off)"
    )
    parser.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="also plot the --y columns to FILE (PNG, PDF, SVG) (default: no plot)",
    )
    parser.add_argument(
        "--x",
        default=None,
        metavar="PARAMETER",
        help="swept parameter on the plot's x axis (default: the only one, if one is swept)",
    )
    parser.add_argument(
        "--y",
        default=DEFAULT_PLOT_KEYS,
        metavar="COLUMNS",
        help=f"comma-separated columns to plot (default: {DEFAULT_PLOT_KEYS})",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Validate everything, run the sweep, write the outputs; 0 on success."""
    from exactspin.sweep import ResultCache, load_sweep, run_sweep
    from exactspin.sweep.estimate import estimate_sweep, require_consent
    from exactspin.sweep.paths import require_writable_directory, require_writable_file
    from exactspin.sweep.runner import PointError

    sweep = load_sweep(args.config, seed=args.seed, allowed_plugins=args.allow_plugin)
    out_format = _out_format(args.out)
    plot_keys = _plot_request(args, sweep)
    workers = args.workers
    if workers is not None:
        workers = require_integer("workers", workers, 1, MAX_WORKERS)
    if args.out is not None:
        require_writable_file("out", args.out)
    if args.plot is not None:
        require_writable_file("plot", args.plot)
    cache = None
    if not args.no_cache:
        directory = args.cache or default_cache_directory()
        cache = ResultCache(require_writable_directory("cache", directory))
    estimate = estimate_sweep(sweep, workers=workers or 1)
    require_consent(estimate, args.yes)
    if not args.quiet:
        print(f"exactspin sweep: {estimate.describe()}", file=sys.stderr)
    try:
        with ExitStack() as stack:
            executor = _executor(args, workers, stack)
            result = run_sweep(sweep, executor=executor, cache=cache, progress=not args.quiet)
    except BrokenExecutor as error:
        # A worker died (killed, out of memory): finished points are cached, so say how to resume.
        print(
            f"exactspin: error: a worker process died ({error}); finished points are cached, "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except PointError as error:
        print(f"exactspin: error: {error}; finished points are cached", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(
            "exactspin: interrupted; finished points are cached, run the same command again to "
            "resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
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

        plot_sweep(result, x=plot_keys[0], y=plot_keys[1], path=args.plot)
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


def _plot_request(args: argparse.Namespace, sweep) -> tuple[str, list[str]] | None:
    """The plot's x parameter and y columns, checked before any point runs (None: no plot)."""
    if args.plot is None:
        if args.x is not None:
            raise ParameterError("x", args.x, "used together with --plot FILE")
        return None
    swept = list(sweep.swept)
    x = args.x
    if x is None and len(swept) == 1:
        x = swept[0]
    if x not in swept:
        allowed = "one of the swept parameters: " + ", ".join(swept) if swept else "swept"
        raise ParameterError("x", x, allowed + " (a plot needs a swept parameter)")
    from exactspin.sweep.plot import require_plot_format

    require_plot_format("plot", args.plot)
    keys = [key.strip() for key in args.y.split(",") if key.strip()]
    if not keys:
        raise ParameterError("y", args.y, "a comma-separated list of result columns")
    return x, keys


def _executor(args: argparse.Namespace, workers: int | None, stack: ExitStack):
    """None (serial), a worker pool or a Dask client, closed when ``stack`` closes."""
    if workers is not None:
        from exactspin.sweep.workers import WorkerPool

        return stack.enter_context(WorkerPool(workers))
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
