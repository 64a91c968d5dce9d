"""Sphinx configuration of the exactspin documentation (API reference, tutorials, conventions).

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (warnings are errors).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import exactspin

project = "exactspin"
author = "the exactspin authors"
copyright = "2026, the exactspin authors"
release = exactspin.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "tutorials/output"]
root_doc = "index"

templates_path = ["_templates"]
autosummary_generate = True
autodoc_member_order = "bysource"
autodoc_typehints = "none"
# numpydoc lists attributes and methods itself; autosummary tables of them would duplicate.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False


html_theme = "alabaster"
html_static_path: list[str] = []


# The docstrings write mathematics as plain text, where |x| is an absolute value and |r, k> a
# ket; reST would read the bars as substitution references. Escape them outside inline literals
# and literal blocks, so the page shows exactly what the docstring says.
_INLINE_LITERAL = re.compile(r"(``.*?``)")


def _escape_bars(line: str) -> str:
    parts = _INLINE_LITERAL.split(line)
    return "".join(
        part if index % 2 else part.replace("|", "\\|") for index, part in enumerate(parts)
    )


def _escape_docstring_bars(app, what, name, obj, options, lines) -> None:
    literal_indent = None
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if literal_indent is not None:
            if not stripped or indent > literal_indent:
                continue
            literal_indent = None
        lines[index] = _escape_bars(line)
        if stripped.endswith("::"):
            literal_indent = indent


TUTORIALS = Path(__file__).parent / "tutorials"
TUTORIAL_SCRIPTS = ("fig5a_three_ways.py", "crosscheck_your_code.py")


def _run_tutorials(app) -> None:
    """Run every tutorial script; its stdout (and figures) go to tutorials/output/ for the pages.

    A tutorial that exits non-zero has found a disagreement: the build stops there.
    """
    output = TUTORIALS / "output"
    output.mkdir(exist_ok=True)
    for script in TUTORIAL_SCRIPTS:
        completed = subprocess.run(
            [sys.executable, str(TUTORIALS / script), "--out", str(output)],
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"tutorial {script} exited with status {completed.returncode}:\n"
                + completed.stdout
                + completed.stderr
            )
        (output / script.replace(".py", ".txt")).write_text(completed.stdout, encoding="utf-8")


def setup(app):
    app.connect("autodoc-process-docstring", _escape_docstring_bars)
    app.connect("builder-inited", _run_tutorials)
