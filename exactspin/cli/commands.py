"""The list of command modules; each registers its own subcommands."""

from __future__ import annotations

import argparse
import importlib

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

GROUP_HELP = {
    "classical": "Ising rings with Q2R or CCA bulk dynamics (paper Sec. II)",
    "quantum": "modified XXZ ring with Redfield baths (paper Sec. III)",
}


def register_all(subparsers: argparse._SubParsersAction) -> None:
    """Register every command module, grouping ``classical`` and ``quantum`` subcommands."""
    groups: dict[str, argparse._SubParsersAction] = {}
    for group, module_name in COMMAND_MODULES:
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
