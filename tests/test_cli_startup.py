"""``exactspin GROUP NAME ...`` registers only that command's module: same parser, less start-up.

The table of subcommand names in :mod:`exactspin.cli.commands` is held against what each module
registers, and the help of every grouped command built alone against its help in the full parser.
A fresh interpreter running ``classical solve --help`` must not import sympy (the closed forms'
dependency, ~1 s of start-up).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from exactspin.cli import commands
from exactspin.cli.main import build_parser

GROUPED = [
    (group, module, commands.GROUPED_COMMAND_NAMES[module])
    for group, module in commands.COMMAND_MODULES
    if group is not None
]


def _subcommands(parser, group):
    top = next(action for action in parser._actions if action.dest == "command").choices
    return next(a for a in top[group]._actions if a.dest == f"{group}_command").choices


@pytest.mark.parametrize(("group", "module", "name"), GROUPED)
def test_a_command_built_alone_has_the_help_of_the_full_parser(group, module, name):
    alone = build_parser([group, name, "--nu", "1"])
    assert commands.selected_module([group, name]) == module
    assert list(_subcommands(alone, group)) == [name]
    full = _subcommands(build_parser(), group)[name]
    assert _subcommands(alone, group)[name].format_help() == full.format_help()


def test_other_command_lines_register_every_command():
    for argv in ([], ["classical"], ["classical", "nonsense"], ["--version"], ["report"]):
        assert commands.selected_module(argv) is None
    names = set(_subcommands(build_parser(["classical", "nonsense"]), "classical"))
    assert {name for group, _, name in GROUPED if group == "classical"} == names


def test_classical_solve_starts_without_sympy():
    code = (
        "import sys; from exactspin.cli.main import main\n"
        "try:\n    main(['classical', 'solve', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('sympy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
