"""Plotting a sweep: currents against one swept parameter, circulation regimes shaded.

The shading follows the paper's figures (Fig. 5 caption): green for clockwise, gray for
parallel and yellow for anticlockwise circulation, each point's regime spanning half-way to its
neighbours. This module draws; it runs no solver.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from exactspin.currents import ANTICLOCKWISE, CLOCKWISE, PARALLEL
from exactspin.sweep.table import SweepResult, stderr_column
from exactspin.validation import ParameterError

#: Background colours of the circulation regimes, as in the paper's figures.
REGIME_COLOURS = {CLOCKWISE: "green", PARALLEL: "gray", ANTICLOCKWISE: "yellow"}
REGIME_ALPHA = 0.25
#: The time units of currents (the ``unit`` observable), in words for axis labels.
STEP = "step"
CONTINUOUS = "continuous"
UNIT_WORDS = {STEP: "energy per update attempt", CONTINUOUS: "energy per unit time"}


def regime_spans(x: Sequence[float], circulation: Sequence[Any]) -> list[tuple[float, float, str]]:
    """Merge the points' regimes into ``(start, end, regime)`` spans along sorted ``x``.

    Each point owns the interval half-way to its neighbours (the first and last reach the ends
    of the data); adjacent points in the same regime merge. Unknown labels are left unshaded.
    """
    order = sorted(range(len(x)), key=lambda i: x[i])
    xs = [x[i] for i in order]
    labels = [circulation[i] for i in order]
    spans: list[tuple[float, float, str]] = []
    for position, (value, label) in enumerate(zip(xs, labels, strict=True)):
        start = xs[0] if position == 0 else (xs[position - 1] + value) / 2
        end = xs[-1] if position == len(xs) - 1 else (value + xs[position + 1]) / 2
        if label not in REGIME_COLOURS:
            continue
        if spans and spans[-1][2] == label and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end, label)
        else:
            spans.append((start, end, label))
    return spans


def plot_sweep(
    result: SweepResult, x: str, y: Sequence[str], path: str | os.PathLike[str] | None = None
):
    """Plot columns ``y`` of ``result`` against the swept parameter ``x``.

    Other swept axes give one line per combination of their values. The circulation regimes
    are shaded when the plot shows a single series of points with a ``circulation`` column.
    Columns with a standard-error twin (Monte Carlo; :func:`stderr_column`) get error bars;
    undefined values (an undetermined current) are left out, and so is the shading of a point
    whose circulation is not a regime (``undetermined``).

    Parameters
    ----------
    result : SweepResult
    x : str
        A grid axis of the sweep.
    y : sequence of str
        Table columns to plot (e.g. ``upper_branch_current``).
    path : path-like, optional
        Where to save the figure; the format follows the suffix.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    sweep = result.sweep
    if x not in sweep.swept:
        raise ParameterError("x", x, "one of the swept parameters: " + ", ".join(sweep.swept))
    columns = result.columns
    for key in y:
        if key not in columns:
            raise ParameterError("y", key, "a column of the sweep table: " + ", ".join(columns))
    others = [name for name in sweep.swept if name != x]
    series: dict[tuple, list[dict[str, Any]]] = {}
    for row in result.rows:
        series.setdefault(tuple(row[name] for name in others), []).append(row)

    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    axes = figure.add_subplot()
    for values, rows in series.items():
        rows = sorted(rows, key=lambda row: row[x])
        xs = [row[x] for row in rows]
        suffix = ", ".join(f"{n}={v}" for n, v in zip(others, values, strict=True))
        for key in y:
            ys = [_number(row.get(key)) for row in rows]
            errors = [_number(row.get(stderr_column(key))) for row in rows]
            label = f"{key} ({suffix})" if suffix else key
            if stderr_column(key) in columns:
                axes.errorbar(xs, ys, yerr=errors, marker="o", markersize=3, capsize=2, label=label)
            else:
                axes.plot(xs, ys, marker="o", markersize=3, label=label)
    if len(series) == 1 and "circulation" in columns:
        rows = next(iter(series.values()))
        spans = regime_spans([row[x] for row in rows], [row["circulation"] for row in rows])
        for start, end, regime in spans:
            axes.axvspan(start, end, color=REGIME_COLOURS[regime], alpha=REGIME_ALPHA, linewidth=0)
    axes.axhline(0.0, color="black", linewidth=0.5)
    axes.set_xlabel(x)
    axes.set_ylabel(y_label(result, y))
    axes.set_title(f"exactspin sweep ({sweep.solver})", fontsize="medium")
    axes.legend(fontsize="small")
    if path is not None:
        figure.savefig(path, dpi=150)
    return figure


def y_label(result: SweepResult, y: Sequence[str]) -> str:
    """The y axis label: the observable's name, and for heat currents their unit.

    Classical and Monte Carlo currents are per update attempt or per unit time as their
    ``unit`` column says; quantum currents are per unit time (Eq. 35). A single column is named
    itself; several currents are "heat current" (the legend names each); anything else is
    "value".
    """
    currents = all("current" in key for key in y)
    name = y[0] if len(y) == 1 else "heat current" if currents else "value"
    if not currents:
        return name
    units = {row.get("unit") for row in result.rows}
    if result.sweep.solver == "quantum":
        units = {CONTINUOUS}
    if len(units) != 1 or next(iter(units)) not in UNIT_WORDS:
        return name
    return f"{name} ({UNIT_WORDS[next(iter(units))]})"


def require_plot_format(name: str, path: str | os.PathLike[str]) -> None:
    """Raise :class:`ParameterError` unless matplotlib can write a figure to ``path``'s suffix."""
    from matplotlib.figure import Figure

    formats = Figure().canvas.get_supported_filetypes()
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if suffix not in formats:
        raise ParameterError(
            name, str(path), "a file name ending in ." + ", .".join(sorted(formats))
        )


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)
