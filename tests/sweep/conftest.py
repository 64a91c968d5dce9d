"""Shared fixtures of the sweep tests: the toy plugin solvers, their opt-in and import path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NOISY = "toy_solvers:noisy"
SLOW = "toy_solvers:slow"
FAILING = "toy_solvers:failing"
UNDETERMINED = "toy_solvers:undetermined"
#: The explicit opt-in the toy plugins need: ``allowed_plugins=`` in Python ...
PLUGINS = ("toy_solvers",)
#: ... and ``--allow-plugin`` on the command line.
ALLOW = ("--allow-plugin", "toy_solvers")

# The toy solvers are imported by name in this process, in pool workers and in subprocesses.
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
