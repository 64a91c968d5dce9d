"""The tutorials under docs/tutorials run as scripts and reach the conclusions they state.

Each script checks its own claims (Monte Carlo within 5 standard errors of the exact currents,
closed form equal to the sparse solver, an independent toy solver passing ``crosscheck`` and two
deliberate convention mistakes failing it) and exits 1 otherwise; these tests run them as a user
would and read their output.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"


def run_tutorial(name: str, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TUTORIALS / name), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_fig5a_three_ways_agree(tmp_path):
    """Sparse exact, Monte Carlo and closed form give the same Fig. 5(a) currents; CM clockwise."""
    completed = run_tutorial("fig5a_three_ways.py", tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert "Monte Carlo agrees within 5 standard errors, the closed form to 1e-09" in lines
    # Fig. 5(a): clockwise circulation at the caption's T_L = 2, in every method's table.
    fig5_point = next(line for line in lines if line.split()[:1] == ["2"])
    assert fig5_point.split()[4] == "clockwise"
    assert lines.count("       circulation: clockwise (exact: clockwise)") == 4
    assert (tmp_path / "fig5a_three_ways.png").stat().st_size > 10_000


def test_crosscheck_tutorial_passes_the_toy_and_catches_the_mistakes(tmp_path):
    """The toy solver's 12 values pass; the per-unit-time and sign mistakes fail 8 of 12."""
    completed = run_tutorial("crosscheck_your_code.py", tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "12 values compared: 12 passed, 0 failed" in completed.stdout
    assert "12 values compared: 4 passed, 8 failed" in completed.stdout
    assert {path.name for path in tmp_path.iterdir()} == {"toy.csv", "mistaken.csv"}
