"""Matplotlib helpers shared by the figure modules: axis labels, regime shading, legends, saving.

Every axis is labelled with the paper's symbol and its unit (``k_B = 1`` and ``hbar = 1``; the
classical energies are in the units the couplings J1, J2 are given in, the quantum ones in units
of the exchange J). Shaded circulation regimes appear in the legend as patches, Monte Carlo
error bars as one entry. Only drawing; the numbers come from the figure modules.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

#: Background colours of the paper (Fig. 5 caption): clockwise, parallel, anticlockwise.
REGIME_COLOURS = {"clockwise": "green", "parallel": "gray", "anticlockwise": "yellow"}
REGIME_ALPHA = 0.15

#: Axis labels: symbol and unit. Classical energies (T, J2, mu) share the unit of the couplings
#: ("energy units"; the paper gives J1 = 2, J2 = 1.9 as plain numbers).
CLASSICAL_LABELS = {
    "tl": "$T_L$ (energy units, $k_B = 1$)",
    "tr": "$T_R$ (energy units, $k_B = 1$)",
    "j2": "$J_2$ (energy units)",
    "nu": "$N_U$ (upper-branch bulk spins)",
    "mu": "$\\mu$ (energy units)",
}
CLASSICAL_CURRENT_LABEL = "$I$ (energy per spin-update attempt)"
QUANTUM_LABELS = {"delta": "$\\Delta$ / J", "tl": "$T_L$ / J ($k_B = 1$)"}
QUANTUM_CURRENT_LABEL = "heat current $I$ ($J^2/\\hbar$)"
QUANTUM_ENERGY_LABEL = "energy $E$ / J"

#: Style of Monte Carlo points: visible caps and a legend entry for the error bars.
MONTE_CARLO_STYLE = {"fmt": "o", "ms": 3.5, "capsize": 3.5, "elinewidth": 1.2, "capthick": 1.2}
MONTE_CARLO_LABEL = "Monte Carlo (bars: 1 standard error)"

CURRENT_STYLES = {
    "left_bath_current": ("$I_L$", "tab:blue"),
    "upper_branch_current": ("$I_U$", "tab:red"),
    "lower_branch_current": ("$I_D$", "tab:green"),
}


def new_axes(title: str, xlabel: str, ylabel: str = CLASSICAL_CURRENT_LABEL):
    """A single-panel figure."""
    figure, axes = plt.subplots(figsize=(5.2, 3.8), dpi=110)
    axes.set_title(title, fontsize=9)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    return figure, axes


def shade_regimes(axes, xs, labels) -> tuple[str, ...]:
    """Shade contiguous runs of equal circulation labels, boundaries at grid midpoints.

    Shading is drawn only when more than one regime occurs (the paper's convention: a white
    background when the whole panel is in one regime). Returns the regimes shaded, for
    :func:`legend`.
    """
    if len(set(labels)) < 2:
        return ()
    xs = list(xs)
    edges = [xs[0]] + [(a + b) / 2 for a, b in zip(xs[:-1], xs[1:], strict=True)] + [xs[-1]]
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            axes.axvspan(
                edges[start],
                edges[i],
                color=REGIME_COLOURS[labels[start]],
                alpha=REGIME_ALPHA,
                lw=0,
            )
            start = i
    return tuple(regime for regime in REGIME_COLOURS if regime in set(labels))


def shade_exact_regimes(axes, regimes) -> tuple[str, ...]:
    """Shade the regimes of a boundary search (:class:`exactspin.boundaries.Boundaries`).

    Ends are the zeros of I_U and I_D, not grid midpoints; undetermined stretches stay white.
    Returns the regimes shaded, for :func:`legend`.
    """
    labels = {r.circulation for r in regimes if r.circulation in REGIME_COLOURS}
    if len(labels) < 2:
        return ()
    for regime in regimes:
        if regime.circulation in REGIME_COLOURS:
            axes.axvspan(
                regime.low,
                regime.high,
                color=REGIME_COLOURS[regime.circulation],
                alpha=REGIME_ALPHA,
                lw=0,
            )
    return tuple(regime for regime in REGIME_COLOURS if regime in labels)


def legend(axes, regimes: tuple[str, ...] = (), **options) -> None:
    """The axes' legend with a patch per shaded regime ("shaded: clockwise", ...)."""
    handles, labels = axes.get_legend_handles_labels()
    for regime in regimes:
        handles.append(Patch(color=REGIME_COLOURS[regime], alpha=3 * REGIME_ALPHA, lw=0))
        labels.append(f"shaded: {regime}")
    options.setdefault("fontsize", 7)
    axes.legend(handles, labels, **options)


def save(figure, directory: str, name: str) -> str:
    """Write ``directory/name.png`` and close the figure; return the path."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{name}.png")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def new_pair(title: str, xlabel: str, ylabel: str = QUANTUM_CURRENT_LABEL, titles=("", "")):
    """Two side-by-side panels sharing a title (one per zero-frequency convention)."""
    figure, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), dpi=110)
    figure.suptitle(title, fontsize=9)
    for ax, subtitle in zip(axes, titles, strict=True):
        ax.set_title(subtitle, fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    return figure, axes
