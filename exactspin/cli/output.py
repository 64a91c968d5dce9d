"""Printing results: JSON (numpy-aware) and plain text. The only place the CLI writes stdout."""

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


def json_text(payload: dict[str, Any]) -> str:
    """One strict JSON object as text (what :func:`print_json` prints)."""
    return json.dumps(to_jsonable(payload), indent=2, allow_nan=False)


def print_json(payload: dict[str, Any]) -> None:
    """Print one JSON object on stdout."""
    print(json_text(payload))


def print_table(rows: list[tuple[str, Any]]) -> None:
    """Print ``name  value`` rows aligned."""
    width = max((len(name) for name, _ in rows), default=0)
    for name, value in rows:
        text = f"{value:.12g}" if isinstance(value, float) else str(value)
        print(f"{name:<{width}}  {text}")
