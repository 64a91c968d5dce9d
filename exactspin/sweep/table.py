"""The tidy table of a finished sweep: one row per point, CSV and JSON.

Parameter columns come first (grid axes in axis order, then the fixed values, then every other
parameter of a built-in solver at its default, so that a row names its whole point), then the
point seed for stochastic solvers, then the observables, without the parameters echoed by the
solver and without timings. Observables are flattened one way only, in every file: list items by
position (``bond_currents[0]``), dict entries by key (``site_currents.2``), nested as deep as
they go (``correlations[0].value``); an observable that is undefined (None) at a point where
others have a list or dict leaves that point's cells in those columns empty, never a column of
its own. The standard error of column ``name`` is :func:`stderr_column` of it
(``bond_currents_stderr[0]``). Rows are in grid order and every float is written in its shortest
round-trip form, so the same sweep writes byte-identical files whatever executor ran it and
whichever points came from the cache. Both files load with ``pandas.read_csv`` /
``pandas.read_json``. This module formats; it runs nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exactspin.sweep.grid import Sweep

#: Result keys left out of the table: ``parameters`` repeats the parameter columns, ``network``
#: (a network run's echo) is the sweep's network with the axis values of the row's columns, and
#: timings measure the run, not the physics (they would make two runs of one sweep differ).
OMITTED_KEYS = ("parameters", "network", "wall_time", "updates_per_second")


@dataclass(frozen=True)
class SweepResult:
    """The results of a sweep, in grid order.

    Attributes
    ----------
    sweep : Sweep
        The sweep that produced them.
    results : tuple of dict
        Each point's observables (the solver's ``to_dict()``, JSON-normalised).
    computed, cached : int
        How many points were run in this call and how many were read from the cache.
    """

    sweep: Sweep
    results: tuple[dict[str, Any], ...]
    computed: int = 0
    cached: int = 0

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One flat dict per point: parameters, seed (stochastic solvers), observables."""
        flat_results = [flatten(result) for result in self.results]
        containers = {prefix for flat in flat_results for name in flat for prefix in prefixes(name)}
        rows = []
        defaulted = self.sweep.defaulted
        for point, flat in zip(self.sweep.points(), flat_results, strict=True):
            row = {**point.parameters, **defaulted}
            if self.sweep.stochastic:
                row["seed"] = point.seed
            for name, value in flat.items():
                if value is None and name in containers:
                    continue  # undefined here, a list or dict elsewhere: its cells stay empty
                row.setdefault(name, value)
            rows.append(row)
        return rows

    @property
    def columns(self) -> list[str]:
        """Column names: parameters first, then every other key in first-appearance order."""
        columns: dict[str, None] = {}
        for row in self.rows:
            columns.update(dict.fromkeys(row))
        return list(columns)

    def csv_text(self) -> str:
        """The table as CSV (``\\n`` line ends; empty cell for a missing or undefined value)."""
        rows, columns = self.rows, self.columns
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(name)) for name in columns])
        return buffer.getvalue()

    def json_text(self) -> str:
        """The table as a JSON list of records, one per line; undefined values are null."""
        rows, columns = self.rows, self.columns
        records = [json.dumps({name: row.get(name) for name in columns}) for row in rows]
        return "[\n" + ",\n".join(records) + "\n]\n"

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`csv_text` to ``path``."""
        Path(path).write_text(self.csv_text(), encoding="utf-8")

    def to_json(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`json_text` to ``path``."""
        Path(path).write_text(self.json_text(), encoding="utf-8")


def flatten(result: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested observables: ``{"a": {"b": 1}, "c": [2, 3]}`` -> ``a.b``, ``c[0]``, ``c[1]``.

    The top-level :data:`OMITTED_KEYS` are dropped.
    """
    flat: dict[str, Any] = {}
    for key, value in result.items():
        if not prefix and key in OMITTED_KEYS:
            continue
        name = f"{prefix}.{key}" if prefix else str(key)
        flat.update(_flatten_value(name, value))
    return flat


def stderr_column(name: str) -> str:
    """The column holding the standard error of column ``name``.

    ``x`` -> ``x_stderr``, ``x[0]`` -> ``x_stderr[0]``, ``x.a`` -> ``x_stderr.a`` (the solvers
    report errors as a twin observable ``x_stderr`` of the same shape), and for a record with a
    value, ``x[0].value`` -> ``x[0].stderr``.
    """
    if name.endswith(".value"):
        return name[: -len("value")] + "stderr"
    cut = min((name.index(mark) for mark in ".[" if mark in name), default=len(name))
    return f"{name[:cut]}_stderr{name[cut:]}"


def prefixes(name: str) -> list[str]:
    """The containers above a flat column name: ``a.b[0]`` -> ``a``, ``a.b``."""
    return [name[:position] for position, mark in enumerate(name) if mark in ".[" and position]


def _flatten_value(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return flatten(value, prefix=name)
    if isinstance(value, (list, tuple)):
        flat: dict[str, Any] = {}
        for index, item in enumerate(value):
            flat.update(_flatten_value(f"{name}[{index}]", item))
        return flat
    return {name: value}


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)
