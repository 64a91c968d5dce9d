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


def number_text(value: Any) -> str:
    """A value as the text tables show it: a float with 12 significant digits, a NaN as
    :data:`UNDEFINED_TEXT`, anything else as ``str``."""
    if isinstance(value, float):
        return UNDEFINED_TEXT if math.isnan(value) else f"{value:.12g}"
    return str(value)


def print_table(rows: list[tuple[str, Any]]) -> None:
    """Print ``name  value`` rows aligned (:func:`number_text`: a NaN, null in the JSON,
    prints as :data:`UNDEFINED_TEXT`, never as ``nan``)."""
    width = max((len(name) for name, _ in rows), default=0)
    for name, value in rows:
        print(f"{name:<{width}}  {number_text(value)}")


__all__ = ["json_text", "number_text", "print_json", "print_table", "to_jsonable"]
