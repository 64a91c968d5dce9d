"""Exact regime boundaries of a classical ring: where I_U and I_D change sign along one parameter.

Two routes, named in the result:

- **closed form** (Q2R rings up to :data:`CLOSED_FORM_SITES` sites): the sympy steady state
  (:mod:`exactspin.classical.symbolic`) gives each branch current as N/D, rational in
  exponentials of the parameters, with D a sum of positive terms. Every zero of N on the range
  is isolated by interval arithmetic (:mod:`exactspin.boundaries.intervals`), so the list is
  complete and each zero is bracketed to the tolerance: ``certified`` is True.
- **bracketing** (any ring): the exact numeric solver on a grid, each sign decided only beyond
  the current's error bound, zeros refined by bisection (:mod:`exactspin.boundaries.roots`).
  Pairs of zeros closer than the grid step can be missed: ``certified`` is False.

Swept parameters: ``j1``, ``j2``, ``tl``, ``tr``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from exactspin.boundaries import intervals, roots
from exactspin.boundaries.regimes import BRANCHES, regimes
from exactspin.boundaries.result import Boundaries
from exactspin.classical.model import Q2R, ClassicalModel
from exactspin.classical.solution import solve
from exactspin.classical.symbolic import derive
from exactspin.classical.symbolic_model import (
    BETA_L,
    BETA_R,
    LOWER_COUPLING,
    LOWER_STRONGER,
    UPPER_COUPLING,
    UPPER_STRONGER,
    exact_number,
)
from exactspin.ring import Ring
from exactspin.validation import ParameterError, UnresolvedError, require_choice

VARIABLES = ("j1", "j2", "tl", "tr")
METHODS = ("auto", "closed-form", "bracketing")
#: Largest ring the automatic choice derives in closed form (N_S = 5 takes ~10 s to derive).
CLOSED_FORM_SITES = 4
#: Largest ring ``method="closed-form"`` accepts.
CLOSED_FORM_SITES_LIMIT = 5
#: Default relative width to which each zero is bracketed.
TOLERANCE = 1e-13
#: Grid of the bracketing route.
GRID_POINTS = 161


def _model_at(model: ClassicalModel, vary: str, value: float) -> ClassicalModel:
    return ClassicalModel.from_parameters(**{**model.parameters(), vary: value})


def _numeric_evaluator(model: ClassicalModel, vary: str) -> roots.Evaluator:
    @lru_cache(maxsize=4096)
    def evaluate(value: float) -> dict[str, tuple[float, float]]:
        try:
            solution = solve(_model_at(model, vary, value))
        except UnresolvedError:
            return {name: (float("nan"), float("inf")) for name in BRANCHES}
        # The solver's computed bound on each current (refined steady state, docs/conventions.md).
        return {
            name: (float(getattr(solution, name)), float(solution.error_bounds[name]))
            for name in BRANCHES
        }

    return evaluate


def boundaries(
    model: ClassicalModel,
    vary: str,
    low: float,
    high: float,
    *,
    method: str = "auto",
    tolerance: float = TOLERANCE,
    points: int = GRID_POINTS,
) -> Boundaries:
    """Every sign change of I_U and I_D as ``vary`` runs over [low, high].

    Parameters
    ----------
    model : ClassicalModel
        The ring; its value of ``vary`` is ignored.
    vary : {"j1", "j2", "tl", "tr"}
    low, high : float
        The range, inside the parameter's allowed range (couplings > 0, temperatures > 0).
    method : {"auto", "closed-form", "bracketing"}
        ``auto`` takes the closed form for Q2R rings of up to :data:`CLOSED_FORM_SITES` sites.
    tolerance : float
        Relative width of each zero's bracket.
    points : int
        Grid of the bracketing route (and of nothing else).

    Returns
    -------
    Boundaries
    """
    require_choice("vary", vary, VARIABLES)
    require_choice("method", method, METHODS)
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
        raise ParameterError("range", (low, high), "finite LO < HI with 0 < LO (J > 0, T > 0)")
    if not 0 < tolerance < 1:
        raise ParameterError("tolerance", tolerance, "a number in (0, 1)")
    if points < 3:
        raise ParameterError("points", points, "an integer >= 3")
    _model_at(model, vary, low), _model_at(model, vary, high)  # validate both ends
    closed = model.dynamics == Q2R and (
        model.sites <= CLOSED_FORM_SITES
        or (method == "closed-form" and model.sites <= CLOSED_FORM_SITES_LIMIT)
    )
    if method == "closed-form" and not closed:
        raise ParameterError(
            "method",
            method,
            f"'bracketing' for this ring (closed forms: Q2R with N_S <= {CLOSED_FORM_SITES_LIMIT})",
        )
    evaluate = _numeric_evaluator(model, vary)
    notes: list[str] = []
    if closed and method != "bracketing":
        zeros, unresolved = _closed_form_zeros(model, vary, low, high, tolerance)
        route = "closed form (sympy), zeros isolated by interval arithmetic (mpmath.iv)"
        certified = not unresolved
        if unresolved:
            notes.append("some pieces of the range did not close: a zero may hide there")
    else:
        zeros, unresolved = roots.bracket_zeros(evaluate, BRANCHES, low, high, points, tolerance)
        route = f"exact numeric solver on {points} points, bisection of sign changes"
        certified = False
        notes.append(
            "bracketing finds sign changes between grid points: two zeros closer than the grid "
            f"step ({(high - low) / (points - 1):.3g}) or a double zero can be missed"
        )
    parameters = {**model.parameters(), vary: low}
    return Boundaries(
        model="classical",
        parameters=parameters,
        vary=vary,
        low=low,
        high=high,
        method=route,
        certified=certified,
        zeros=tuple(zeros),
        unresolved=tuple(unresolved),
        regimes=regimes(evaluate, low, high, zeros, unresolved),
        notes=tuple(notes),
    )


def _closed_form_zeros(model, vary, low, high, tolerance):
    zeros: list[roots.Zero] = []
    unresolved: list[roots.Unresolved] = []
    for piece_low, piece_high, order in _pieces(model, vary, low, high):
        for name in BRANCHES:
            function, derivative = _interval_functions(model, vary, order, name)
            found = intervals.isolate(
                function,
                derivative,
                piece_low,
                piece_high,
                tolerance,
                min_width=tolerance * max(1.0, abs(piece_high)),
            )
            zeros += [
                roots.Zero(name, a, b, certified=True, stop="located") for a, b in found.zeros
            ]
            unresolved += [
                roots.Unresolved(name, a, b, "interval isolation did not close (double zero?)")
                for a, b in found.undecided
            ]
    zeros = _unique(sorted(zeros, key=lambda z: (z.value, z.name)))
    return zeros, unresolved


def _unique(zeros):
    kept: list[roots.Zero] = []
    for zero in zeros:
        if kept and kept[-1].name == zero.name and zero.low <= kept[-1].high:
            continue
        kept.append(zero)
    return kept


def _pieces(model, vary, low, high):
    """Sub-ranges on which one ordering of J1, J2 holds (the closed forms differ by order)."""
    if vary not in ("j1", "j2"):
        order = UPPER_STRONGER if model.upper_coupling >= model.lower_coupling else LOWER_STRONGER
        return [(low, high, order)]
    other = model.lower_coupling if vary == "j1" else model.upper_coupling
    below = UPPER_STRONGER if vary == "j2" else LOWER_STRONGER
    above = LOWER_STRONGER if vary == "j2" else UPPER_STRONGER
    if high <= other:
        return [(low, high, below)]
    if low >= other:
        return [(low, high, above)]
    return [(low, other, below), (other, high, above)]


@lru_cache(maxsize=16)
def _derivation(upper_spins: int, lower_spins: int, order: str):
    return derive(Ring(upper_spins, lower_spins), Q2R, order)


_PARAMETER = sp.Symbol("p", positive=True)


def _interval_functions(model, vary, order, name):
    """Interval extensions of N(p) and N'(p), N the numerator of the current ``name``."""
    solution = _derivation(model.ring.upper_spins, model.ring.lower_spins, order)
    rational = solution.currents(physical=False)[name]
    numerator, denominator = sp.fraction(sp.together(rational))
    symbols = [symbol for symbol, _ in solution.variables]
    if not _positive_polynomial(denominator, symbols):
        numerator = numerator / denominator  # keep the sign of D inside the enclosure
    fixed = {
        UPPER_COUPLING: exact_number("j1", model.upper_coupling),
        LOWER_COUPLING: exact_number("j2", model.lower_coupling),
        BETA_L: 1 / exact_number("tl", model.left_temperature),
        BETA_R: 1 / exact_number("tr", model.right_temperature),
    }
    swept = {
        "j1": (UPPER_COUPLING, _PARAMETER),
        "j2": (LOWER_COUPLING, _PARAMETER),
        "tl": (BETA_L, 1 / _PARAMETER),
        "tr": (BETA_R, 1 / _PARAMETER),
    }[vary]
    fixed[swept[0]] = swept[1]
    expression = sp.sympify(numerator).xreplace(dict(solution.variables)).xreplace(fixed)
    modules = [{"exp": intervals.iv.exp, "mpf": intervals.iv.mpf}, "mpmath"]
    function = sp.lambdify(_PARAMETER, expression, modules=modules)
    derivative = sp.lambdify(_PARAMETER, sp.diff(expression, _PARAMETER), modules=modules)
    return function, derivative


def _positive_polynomial(expression, symbols) -> bool:
    """True when ``expression`` is a nonzero polynomial with positive coefficients."""
    try:
        polynomial = sp.Poly(sp.expand(expression), *symbols)
    except sp.PolynomialError:
        return False
    coefficients = polynomial.coeffs()
    return bool(coefficients) and all(c.is_positive for c in coefficients)
