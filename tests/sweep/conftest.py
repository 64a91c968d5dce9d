"""Shared fixtures of the sweep tests: toy solver specs and their import path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NOISY = "python:toy_solvers:noisy"
SLOW = "python:toy_solvers:slow"

# The toy solvers are imported by spec in this process, in pool workers and in subprocesses.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture
def subprocess_environment() -> dict[str, str]:
    """The environment for a child ``exactspin`` process that can import the toy solvers."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), *filter(None, [environment.get("PYTHONPATH")])]
    )
    environment["NUMBA_NUM_THREADS"] = "1"
    return environment
