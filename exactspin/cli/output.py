"""Printing results: JSON (numpy-aware, :mod:`exactspin.jsonable`) and plain text.

The only place the CLI writes stdout. ``to_jsonable`` is re-exported for the commands.
"""

from __future__ import annotations

import json
import math
from typing import Any

from exactspin.jsonable import to_jsonable


def json_text(payload: dict[str, Any]) -> str:
    """One strict JSON object as text (what :func:`print_json` prints)."""
    return json.dumps(to_jsonable(payload), indent=2, allow_nan=False)


def print_json(payload: dict[str, Any]) -> None:
    """Print one JSON object on stdout."""
    print(json_text(payload))


#: How the text output shows a number the result leaves undefined (NaN; null in the JSON).
UNDEFINED_TEXT = "undetermined"


def print_table(rows: list[tuple[str, Any]]) -> None:
    """Print ``name  value`` rows aligned; a NaN (null in the JSON) prints as
    :data:`UNDEFINED_TEXT`, never as ``nan``."""
    width = max((len(name) for name, _ in rows), default=0)
    for name, value in rows:
        if isinstance(value, float) and math.isnan(value):
            text = UNDEFINED_TEXT
        else:
            text = f"{value:.12g}" if isinstance(value, float) else str(value)
        print(f"{name:<{width}}  {text}")


__all__ = ["json_text", "print_json", "print_table", "to_jsonable"]
