"""Entry point of the ``exactspin`` command.

Builds the argument parser from the command modules (each exposes ``register(subparsers)``) and
turns every input error into one line on stderr with exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from exactspin import __version__
from exactspin.validation import ParameterError, ResourceError

# The solvers' parallelism is across processes (report, sweeps) or replica threads (Monte Carlo);
# BLAS threads on top of that oversubscribe the cores and slowed the sparse Krylov solves many
# times over on a 2-core machine. A user's explicit setting wins. Set before numpy is imported
# (neither import above imports it).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


#: Exit status for bad input (parameters, files), as argparse uses.
EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full ``exactspin`` parser with every subcommand registered."""
    from exactspin.cli import commands

    parser = OneLineParser(
        prog="exactspin",
        description="Exact, fast and checkable heat-current magnification in spin rings.",
    )
    parser.add_argument("--version", action="version", version=f"exactspin {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    commands.register_all(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``exactspin`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (ParameterError, ResourceError) as error:
        print(f"exactspin: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("exactspin: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
