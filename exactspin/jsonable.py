"""JSON-ready values: numpy scalars and arrays, tuples and non-finite floats made plain.

Used by the library (sweep results, the solver registry, reference export) and by the command
line's printing; it lives here so that no library module imports :mod:`exactspin.cli`.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and non-finite floats into JSON-ready values.

    Non-finite floats become ``null`` so the output is strict JSON.
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_round_trip(value: Any) -> Any:
    """``value`` as it reads back from strict JSON (what a cache or a file gives back)."""
    return json.loads(json.dumps(to_jsonable(value), allow_nan=False))
