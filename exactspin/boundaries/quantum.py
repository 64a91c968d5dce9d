"""Regime boundaries of the quantum ring's Redfield currents along one parameter (bracketing).

The Redfield steady state has no closed form here, so zeros of I_U and I_D are bracketed on a
grid with the numeric solver (:mod:`exactspin.boundaries.roots`), each sign decided only beyond
the current's error bound, and refined by bisection. Points where the steady state is not unique
(e.g. Delta = 0 in some sectors) are undecided, never guessed. Not certified: two zeros closer
than the grid step can be missed.

Swept parameters: ``delta``, ``tl``, ``tr``, ``j``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from exactspin.boundaries import roots
from exactspin.boundaries.regimes import BRANCHES, regimes
from exactspin.boundaries.result import Boundaries
from exactspin.quantum import QuantumModel
from exactspin.quantum import solve as solve_quantum
from exactspin.quantum.steady_state import UnresolvedSteadyStateError
from exactspin.validation import ParameterError, require_choice

VARIABLES = ("delta", "tl", "tr", "j")
TOLERANCE = 1e-12
GRID_POINTS = 161


def _model_at(model: QuantumModel, vary: str, value: float) -> QuantumModel:
    return QuantumModel.from_parameters(**{**model.parameters(), vary: value})


def _evaluator(model: QuantumModel, vary: str) -> roots.Evaluator:
    @lru_cache(maxsize=4096)
    def evaluate(value: float) -> dict[str, tuple[float, float]]:
        try:
            # Double precision only: a point it cannot resolve (near a level crossing) stays
            # undecided instead of paying for an extended-precision solve at every probe.
            solution = solve_quantum(_model_at(model, vary, value), precision="double")
        except UnresolvedSteadyStateError:
            return {name: (float("nan"), float("inf")) for name in BRANCHES}
        balance = abs(solution.left_bath_current + solution.right_bath_current)
        if (
            solution.steady_state_dimension != 1
            or not solution.steady_state.dimension_certified
            or balance > solution.left_bath_current_bound + solution.right_bath_current_bound
        ):
            return {name: (float("nan"), float("inf")) for name in BRANCHES}
        # Each current's own bound, propagated from the steady state's error (Redfield solve).
        return {
            name: (float(getattr(solution, name)), float(getattr(solution, name + "_bound")))
            for name in BRANCHES
        }

    return evaluate


def boundaries(
    model: QuantumModel,
    vary: str,
    low: float,
    high: float,
    *,
    tolerance: float = TOLERANCE,
    points: int = GRID_POINTS,
) -> Boundaries:
    """Every sign change of the Redfield I_U and I_D found as ``vary`` runs over [low, high].

    Parameters
    ----------
    model : QuantumModel
        The ring; its value of ``vary`` is ignored.
    vary : {"delta", "tl", "tr", "j"}
    low, high : float
        The range (temperatures > 0).
    tolerance : float
        Relative width of each zero's bracket.
    points : int
        Grid points.
    """
    require_choice("vary", vary, VARIABLES)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ParameterError("range", (low, high), "finite LO < HI")
    if not 0 < tolerance < 1:
        raise ParameterError("tolerance", tolerance, "a number in (0, 1)")
    if points < 3:
        raise ParameterError("points", points, "an integer >= 3")
    _model_at(model, vary, low), _model_at(model, vary, high)  # validate both ends
    evaluate = _evaluator(model, vary)
    zeros, unresolved = roots.bracket_zeros(evaluate, BRANCHES, low, high, points, tolerance)
    notes = (
        f"Redfield ({model.zero_frequency!r} zero-frequency convention) on {points} points, "
        "bisection of sign changes; two zeros closer than the grid step "
        f"({(high - low) / (points - 1):.3g}) or a double zero can be missed",
    )
    return Boundaries(
        model="quantum",
        parameters={**model.parameters(), vary: low},
        vary=vary,
        low=low,
        high=high,
        method=f"Redfield steady state on {points} points, bisection of sign changes",
        certified=False,
        zeros=tuple(zeros),
        unresolved=tuple(unresolved),
        regimes=regimes(evaluate, low, high, zeros, unresolved),
        notes=notes,
    )
