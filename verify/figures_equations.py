"""Figures of the master-equation comparison: I_U and I_D vs Delta per equation, HEOM points.

Replays the committed HEOM references (:mod:`verify.claims_equations`); only the weak-coupling
equations are recomputed. ``python -m verify.figures_equations OUT.png`` writes the figure.
"""

from __future__ import annotations

import sys

import numpy as np

from exactspin.quantum import QuantumModel, solve
from exactspin.quantum.equations import EQUATIONS, EquationModel
from verify.checks import Figure, FigureResult
from verify.claims_equations import DELTAS, load_reference


def currents_vs_delta(path: str, gamma: float = 1e-2, points: int = 61) -> None:
    """Plot I_U and I_D against Delta for every equation (W(0) = T solid, W(0) = 0 dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    deltas = np.linspace(-3.0, 3.0, points)
    figure, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    for axis, equation in zip(axes.ravel(), EQUATIONS, strict=True):
        for zero_frequency, style in (("limit", "-"), ("zero", "--")):
            upper, lower = [], []
            for delta in deltas:
                solution = solve(
                    EquationModel.from_parameters(
                        delta=float(delta),
                        gamma=gamma,
                        equation=equation,
                        zero_frequency=zero_frequency,
                    )
                )
                upper.append(solution.upper_branch_current)
                lower.append(solution.lower_branch_current)
            axis.plot(deltas, upper, "C0" + style, label=f"I_U, W(0) {zero_frequency}")
            axis.plot(deltas, lower, "C1" + style, label=f"I_D, W(0) {zero_frequency}")
        for delta in DELTAS:
            stored = load_reference(QuantumModel.from_parameters(delta=delta, gamma=gamma))
            axis.plot(delta, stored["upper_branch_current"], "ko")
            axis.plot(delta, stored["lower_branch_current"], "ks", mfc="none")
        axis.set_title(equation)
        axis.axhline(0.0, color="0.7", lw=0.5)
    axes[0, 0].legend(fontsize=7)
    for axis in axes[1]:
        axis.set_xlabel("Delta")
    figure.suptitle(f"5(3 up 2 down), T_L = 2, T_R = 1, gamma = {gamma}: HEOM o = I_U, s = I_D")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def fig_equations(quick: bool, directory: str) -> FigureResult:
    """Master equations vs HEOM: I_U, I_D against Delta for every equation, HEOM points."""
    import os

    path = os.path.join(directory, "equations_vs_heom.png")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    currents_vs_delta(path, points=13 if quick else 61)
    caption = (
        "Master equations vs HEOM (5(3up2down), T_L=2, T_R=1, gamma=0.01): I_U (blue), I_D "
        "(orange), W(0)=T solid, W(0)=0 dashed; HEOM (not converged, depth 1) o = I_U, s = I_D"
    )
    return FigureResult("equations_vs_heom", caption, path, "made")


FIGURES = (Figure("equations_vs_heom", "master equations vs HEOM", fig_equations),)


if __name__ == "__main__":
    currents_vs_delta(sys.argv[1])
