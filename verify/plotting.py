"""Matplotlib helpers shared by the figure modules: regime shading, styles, saving (Agg, PNG).

Only drawing; the numbers come from the figure modules.
"""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

#: Background colours of the paper (Fig. 5 caption): clockwise, parallel, anticlockwise.
REGIME_COLOURS = {"clockwise": "green", "parallel": "gray", "anticlockwise": "yellow"}
REGIME_ALPHA = 0.15

CURRENT_STYLES = {
    "left_bath_current": ("I_L", "tab:blue"),
    "upper_branch_current": ("I_U", "tab:red"),
    "lower_branch_current": ("I_D", "tab:green"),
}


def new_axes(title: str, xlabel: str, ylabel: str = "I"):
    """A single-panel figure."""
    figure, axes = plt.subplots(figsize=(5.2, 3.8), dpi=110)
    axes.set_title(title, fontsize=9)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    return figure, axes


def shade_regimes(axes, xs, labels) -> None:
    """Shade contiguous runs of equal circulation labels, boundaries at grid midpoints.

    Shading is drawn only when more than one regime occurs (the paper's convention: a white
    background when the whole panel is in one regime).
    """
    if len(set(labels)) < 2:
        return
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


def save(figure, directory: str, name: str) -> str:
    """Write ``directory/name.png`` and close the figure; return the path."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{name}.png")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def new_pair(title: str, xlabel: str, ylabel: str = "I", titles=("", "")):
    """Two side-by-side panels sharing a title (one per zero-frequency convention)."""
    figure, axes = plt.subplots(1, 2, figsize=(9.5, 3.8), dpi=110)
    figure.suptitle(title, fontsize=9)
    for ax, subtitle in zip(axes, titles, strict=True):
        ax.set_title(subtitle, fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    return figure, axes
