"""Deterministic seeded test solvers: plugins ``toy_solvers:<name>``, allowed explicitly.

They stand in for the physics solvers where a test needs a solver that is fast, slow on purpose,
or observable from a fresh process (the sweep subprocess cannot be monkeypatched). The directory
of this file must be on ``sys.path`` (``PYTHONPATH`` for subprocesses).
"""

from __future__ import annotations

import os
import time

import numpy as np

#: File to which :func:`slow` appends the point it computes (one ``tl`` per line), if set.
LOG_VARIABLE = "EXACTSPIN_TOY_LOG"


def noisy(parameters: dict, seed: int) -> dict:
    """Seeded random 'currents' that depend on the parameters: any seed mix-up changes them."""
    generator = np.random.default_rng(seed)
    scale = sum(float(value) for value in parameters.values() if not isinstance(value, str))
    upper, lower = generator.normal(scale, 1.0, size=2)
    return {
        "upper_branch_current": upper,
        "lower_branch_current": lower,
        "left_bath_current": upper - lower,
        "bond_currents": generator.normal(size=3),
        "circulation": "clockwise" if upper > 0 and lower > 0 else "parallel",
        "ratio": float("nan"),
    }


def slow(parameters: dict, seed: int) -> dict:
    """:func:`noisy` after a pause, logging each computed point to ``$EXACTSPIN_TOY_LOG``.

    The pause is ``$EXACTSPIN_TOY_DELAY`` seconds, or :data:`HANG_SECONDS` from ``tl`` =
    ``$EXACTSPIN_TOY_HANG_FROM`` on (points that only an interruption ends).
    """
    hang_from = os.environ.get(HANG_VARIABLE)
    if hang_from is not None and parameters["tl"] >= float(hang_from):
        time.sleep(HANG_SECONDS)
    time.sleep(float(os.environ.get("EXACTSPIN_TOY_DELAY", "0.2")))
    log = os.environ.get(LOG_VARIABLE)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{parameters['tl']!r}\n")
    return noisy(parameters, seed)


#: Points with ``tl`` at or above this value (if set) sleep :data:`HANG_SECONDS` in :func:`slow`.
HANG_VARIABLE = "EXACTSPIN_TOY_HANG_FROM"
HANG_SECONDS = 600.0


def failing(parameters: dict, seed: int) -> dict:
    """:func:`noisy`, except that the point ``tl == 2.0`` divides by zero."""
    if parameters["tl"] == 2.0:
        return {"ratio": 1 / 0}
    return noisy(parameters, seed)


def undetermined(parameters: dict, seed: int) -> dict:
    """A result that could not be resolved: no events, so no currents and no regime."""
    return {
        "upper_branch_current": None,
        "upper_branch_current_stderr": None,
        "bond_currents": None if parameters["tl"] < 2.0 else [0.5, 0.25],
        "bond_currents_stderr": None if parameters["tl"] < 2.0 else [0.1, 0.05],
        "site_currents": {"2": 0.5, "4": -0.5},
        "circulation": "undetermined",
    }
