"""Figures of the master-equation comparison: I_U and I_D vs Delta per equation with HEOM
points, and the relative error of each equation against HEOM vs gamma.

Replays the committed HEOM references (:mod:`verify.claims_equations`); only the weak-coupling
equations are recomputed. ``python -m verify.figures_equations OUT.png [ERRORS.png]`` writes
the figures.
"""

from __future__ import annotations

import sys

import numpy as np

from exactspin.quantum import QuantumModel, solve
from exactspin.quantum.equations import EQUATIONS, EquationModel
from verify.checks import Figure, FigureResult
from verify.claims_equations import DELTAS, GAMMAS, comparison_rows, load_reference


def currents_vs_delta(path: str, gamma: float = 1e-2, points: int = 61) -> None:
    """Plot I_U and I_D against Delta for every equation (W(0) = T solid, W(0) = 0 dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    deltas = np.linspace(-3.0, 3.0, points)
    figure, axes = plt.subplots(3, 3, figsize=(13, 10), sharex=True)
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
    for axis in axes[-1]:
        axis.set_xlabel("Delta")
    figure.suptitle(f"5(3 up 2 down), T_L = 2, T_R = 1, gamma = {gamma}: HEOM o = I_U, s = I_D")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def references_text(gamma: float | None = None) -> str:
    """How the committed references were made: converged or not, deepest depth, last terms."""
    parts = []
    for candidate in GAMMAS if gamma is None else (gamma,):
        for delta in DELTAS:
            stored = load_reference(QuantumModel.from_parameters(delta=delta, gamma=candidate))
            rows = stored["convergence_table"]
            parts.append(
                f"Delta={delta} gamma={candidate:g}: "
                f"{'converged' if stored['converged'] else 'not converged'}, depths up to "
                f"{max(row['depth'] for row in rows)}, {rows[-1]['terms']}-term fit"
            )
    return "; ".join(parts)


def fig_equations(quick: bool, directory: str) -> FigureResult:
    """Master equations vs HEOM: I_U, I_D against Delta for every equation, HEOM points."""
    import os

    path = os.path.join(directory, "equations_vs_heom.png")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    currents_vs_delta(path, points=13 if quick else 61)
    caption = (
        "Master equations vs HEOM (5(3up2down), T_L=2, T_R=1, gamma=0.01): I_U (blue), I_D "
        "(orange), W(0)=T solid, W(0)=0 dashed; HEOM o = I_U, s = I_D ("
        + references_text(1e-2)
        + ")"
    )
    return FigureResult("equations_vs_heom", caption, path, "made")


def relative_error_vs_gamma(path: str, deltas=DELTAS, gammas=GAMMAS) -> None:
    """Relative error of every equation against the committed HEOM references, vs gamma.

    Relative error: max over (I_L, I_U, I_D) of |I - I_HEOM| / max |I_HEOM|. The grey line is the
    references' own error estimate (the largest of their last depth and terms steps, fit error
    and solve error; the fit error alone where no depth step was taken): differences below it
    are not resolved by the reference.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(deltas), figsize=(5 * len(deltas), 4.5), sharey=True)
    axes = np.atleast_1d(axes)
    for axis, delta in zip(axes, deltas, strict=True):
        tables = [comparison_rows(delta, gamma) for gamma in gammas]
        for index, row in enumerate(tables[0][1:]):
            errors = [table[1 + index]["relative_error"] for table in tables]
            style = "-" if row["zero_frequency"] == "limit" else "--"
            colour = f"C{index // 2 % 10}"
            label = f"{row['equation']}, W(0) {row['zero_frequency']}"
            axis.loglog(
                gammas, np.maximum(errors, 1e-6), style, color=colour, marker="o", label=label
            )
        own_errors = []
        for table, gamma in zip(tables, gammas, strict=True):
            stored = load_reference(QuantumModel.from_parameters(delta=delta, gamma=gamma))
            estimate = table[0]["heom_error"]
            if not np.isfinite(estimate):
                estimate = stored["convergence_table"][-1].get("fit_current_error", np.nan)
            own_errors.append(estimate)
        axis.loglog(gammas, own_errors, color="0.5", lw=3, alpha=0.6, label="HEOM error estimate")
        axis.set_title(f"Delta = {delta}")
        axis.set_xlabel("gamma")
    axes[0].set_ylabel("max |I - I_HEOM| / max |I_HEOM|")
    axes[-1].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    figure.suptitle("5(3 up 2 down), T_L = 2, T_R = 1: master equations against HEOM")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def fig_relative_error(quick: bool, directory: str) -> FigureResult:
    """Relative error of each master equation against HEOM vs gamma (committed references)."""
    import os

    path = os.path.join(directory, "equations_error_vs_gamma.png")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    relative_error_vs_gamma(path, deltas=DELTAS[:1] if quick else DELTAS)
    caption = (
        "Relative error (max over I_L, I_U, I_D, of max |I_HEOM|) of every master equation "
        f"against the committed HEOM references vs gamma ({', '.join(f'{g:g}' for g in GAMMAS)}"
        "); W(0)=T solid, W(0)=0 dashed; grey: the references' own error estimate "
        "(differences below it are unresolved); references: " + references_text()
    )
    return FigureResult("equations_error_vs_gamma", caption, path, "made")


FIGURES = (
    Figure("equations_vs_heom", "master equations vs HEOM", fig_equations),
    Figure("equations_error_vs_gamma", "master equations: error vs gamma", fig_relative_error),
)


if __name__ == "__main__":
    currents_vs_delta(sys.argv[1])
    if len(sys.argv) > 2:
        relative_error_vs_gamma(sys.argv[2])
