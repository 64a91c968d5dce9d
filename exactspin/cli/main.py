"""Entry point of the ``exactspin`` command.

Builds the argument parser from the command modules (each exposes ``register(subparsers)``) and
turns every input error into one line on stderr with exit status 2, never a traceback. Every
command's ``--help`` shows the default of each option. When the reader of stdout goes away
(``exactspin ... --json | head``) the command stops quietly with status 141 (128 + SIGPIPE, what a
shell reports for a process killed by a broken pipe), so a pipeline with ``pipefail`` still
sees that the output was cut.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from exactspin import __version__
from exactspin.validation import ParameterError, ResourceError, UnresolvedError

# The solvers' parallelism is across processes (report, sweeps) or replica threads (Monte Carlo);
# BLAS threads on top of that oversubscribe the cores and slowed the sparse Krylov solves many
# times over on a 2-core machine. A user's explicit setting wins. Set before numpy is imported
# (neither import above imports it).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


#: Exit status for bad input (parameters, files), as argparse uses.
EXIT_USAGE = 2

#: Exit status when stdout was closed by its reader: 128 + SIGPIPE, as a shell reports it.
EXIT_BROKEN_PIPE = 141


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Help text that ends with ``(default: X)`` for every option that has a default.

    Options whose help already says what the default is, flags (default False) and options
    without a default (None) are left as written.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            "default" in text
            or action.default in (None, False, argparse.SUPPRESS, [], ())
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``exactspin`` parser: every subcommand, or only the one ``argv`` names (start-up).

    See :func:`exactspin.cli.commands.register_all`.
    """
    from exactspin.cli import commands

    parser = OneLineParser(
        prog="exactspin",
        description="Exact, fast and checkable heat-current magnification in spin rings.",
    )
    parser.add_argument("--version", action="version", version=f"exactspin {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    commands.register_all(subparsers, argv)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``exactspin`` command; returns the exit status."""
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        return int(args.handler(args) or 0)
    except (ParameterError, ResourceError) as error:
        print(f"exactspin: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except UnresolvedError as error:
        print(f"exactspin: undetermined: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("exactspin: interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again.

    (The recipe of the Python documentation on SIGPIPE.) In-process callers whose stdout is not
    a file (tests) have nothing to redirect.
    """
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
