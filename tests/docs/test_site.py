"""The documentation site builds with Sphinx, warnings as errors (what ``.ci/run`` runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.slow
def test_site_builds_without_warnings(tmp_path):
    """``sphinx-build -W --keep-going -b html docs OUT`` exits 0 and writes every page."""
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("myst_parser")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            str(DOCS),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for page in ("index.html", "conventions.html", "tutorials/index.html", "api/index.html"):
        assert (tmp_path / page).is_file(), page
