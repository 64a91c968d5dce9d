"""The list of command modules; each registers its own subcommands."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

#: (group, module): group None registers top-level commands, else under ``exactspin GROUP``.
COMMAND_MODULES: tuple[tuple[str | None, str], ...] = (
    ("classical", "exactspin.cli.classical_derive"),
    ("classical", "exactspin.cli.classical_solve"),
    ("classical", "exactspin.cli.classical_mc"),
    ("classical", "exactspin.cli.classical_boundaries"),
    ("quantum", "exactspin.cli.quantum_spectrum"),
    ("quantum", "exactspin.cli.quantum_solve"),
    ("quantum", "exactspin.cli.quantum_boundaries"),
    ("quantum", "exactspin.cli.quantum_heom"),
    (None, "exactspin.cli.report"),
    (None, "exactspin.cli.reference"),
    (None, "exactspin.cli.sweep"),
)

#: The one subcommand each grouped module registers, so that ``exactspin GROUP NAME ...`` imports
#: that module alone (the others pull in sympy, the quantum solvers...: ~1 s of start-up).
GROUPED_COMMAND_NAMES = {
    "exactspin.cli.classical_derive": "derive",
    "exactspin.cli.classical_solve": "solve",
    "exactspin.cli.classical_mc": "mc",
    "exactspin.cli.classical_boundaries": "boundaries",
    "exactspin.cli.quantum_spectrum": "spectrum",
    "exactspin.cli.quantum_solve": "solve",
    "exactspin.cli.quantum_boundaries": "boundaries",
    "exactspin.cli.quantum_heom": "heom",
}

GROUP_HELP = {
    "classical": "Ising rings with Q2R or CCA bulk dynamics (paper Sec. II)",
    "quantum": "modified XXZ ring with Redfield baths (paper Sec. III)",
}


def register_all(subparsers: argparse._SubParsersAction, argv: Sequence[str] | None = None) -> None:
    """Register every command module, grouping ``classical`` and ``quantum`` subcommands.

    When ``argv`` starts with a group and one of its subcommands, only that subcommand's module
    is imported and registered (the parse, the help and the errors of that command are the
    same; every other command line registers everything).
    """
    selected = selected_module(argv)
    groups: dict[str, argparse._SubParsersAction] = {}
    for group, module_name in COMMAND_MODULES:
        if selected is not None and module_name != selected:
            continue
        module = importlib.import_module(module_name)
        if group is None:
            module.register(subparsers)
            continue
        if group not in groups:
            group_parser = subparsers.add_parser(group, help=GROUP_HELP[group])
            groups[group] = group_parser.add_subparsers(
                dest=f"{group}_command", required=True, parser_class=type(group_parser)
            )
        module.register(groups[group])


def selected_module(argv: Sequence[str] | None) -> str | None:
    """The one command module ``argv`` = [GROUP, NAME, ...] needs, or None (all of them)."""
    if argv is None or len(argv) < 2:
        return None
    for group, module_name in COMMAND_MODULES:
        if group == argv[0] and GROUPED_COMMAND_NAMES.get(module_name) == argv[1]:
            return module_name
    return None
