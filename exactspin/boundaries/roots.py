"""Zeros of a function known only through evaluations with an error bound (bracketing).

A value counts as having a sign only when it exceeds its error bound; a zero is located by
bisection between two values of opposite, resolved sign, and is known to the width of the last
bracket. This module knows nothing of physics; :mod:`exactspin.boundaries.classical` and
:mod:`exactspin.boundaries.quantum` give it the currents of the exact solvers.

What it cannot do: certify that no zero was missed. Two zeros closer than the sampling step (or a
double zero, where the function touches 0 without changing sign) leave no sign change on the grid;
:mod:`exactspin.boundaries.intervals` certifies on closed forms where they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

#: Evaluate the named functions at a point: name -> (value, absolute error bound).
Evaluator = Callable[[float], dict[str, tuple[float, float]]]


@dataclass(frozen=True)
class Zero:
    """A sign change of one function, bracketed in [low, high]."""

    name: str
    low: float
    high: float
    certified: bool
    #: "located" (bracket narrower than the tolerance) or "resolution" (the values in the
    #: bracket fell inside their error bound before the tolerance was reached).
    stop: str

    @property
    def value(self) -> float:
        return 0.5 * (self.low + self.high)

    @property
    def uncertainty(self) -> float:
        return 0.5 * (self.high - self.low)


@dataclass(frozen=True)
class Unresolved:
    """A stretch [low, high] where a function's sign could not be decided."""

    name: str
    low: float
    high: float
    reason: str


def sign(value: float, bound: float) -> int:
    """+1 or -1 when |value| exceeds ``bound``, else 0 (undecided)."""
    if not np.isfinite(value) or abs(value) <= bound:
        return 0
    return 1 if value > 0 else -1


def bracket_zeros(
    evaluate: Evaluator,
    names: tuple[str, ...],
    low: float,
    high: float,
    points: int,
    tolerance: float,
) -> tuple[list[Zero], list[Unresolved]]:
    """Every sign change of each named function on a grid of ``points``, refined by bisection.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(x)`` -> {name: (value, bound)}.
    names : tuple of str
        The functions to follow.
    low, high : float
        The range, low < high.
    points : int
        Grid points (>= 2), endpoints included.
    tolerance : float
        Bisection stops when the bracket is narrower than ``tolerance * max(1, |x|)``.

    Returns
    -------
    zeros, unresolved : list of Zero, list of Unresolved
        Zeros are not certified (see the module docstring).
    """
    grid = np.linspace(low, high, points)
    samples = [evaluate(float(x)) for x in grid]
    zeros: list[Zero] = []
    unresolved: list[Unresolved] = []
    for name in names:
        signs = [sign(*sample[name]) for sample in samples]
        _collect_unresolved(name, grid, signs, unresolved)
        resolved = [i for i, s in enumerate(signs) if s != 0]
        for left, right in zip(resolved, resolved[1:], strict=False):
            if signs[left] != signs[right]:
                zeros.append(
                    _bisect(
                        evaluate,
                        name,
                        float(grid[left]),
                        float(grid[right]),
                        signs[left],
                        tolerance,
                    )
                )
    return sorted(zeros, key=lambda z: (z.value, z.name)), unresolved


def _collect_unresolved(name, grid, signs, unresolved) -> None:
    start = None
    for index, value in enumerate(signs + [1]):
        if value == 0 and start is None:
            start = index
        elif value != 0 and start is not None:
            unresolved.append(
                Unresolved(
                    name,
                    float(grid[max(start - 1, 0)]),
                    float(grid[min(index, len(grid) - 1)]),
                    "value within the solver's error bound at every sample here",
                )
            )
            start = None


def _bisect(evaluate, name, low, high, low_sign, tolerance) -> Zero:
    """Narrow the bracket [low, high] of a sign change to the tolerance.

    Brent's method (scipy) proposes the zero in a few evaluations; the bracket reported is
    then proven by two resolved values of opposite sign around it, widened tenfold until
    both signs are decided. Bisection finishes the job if Brent's proposal cannot be bracketed.
    """
    width = tolerance * max(1.0, abs(low), abs(high))

    def value(x: float) -> float:
        return evaluate(x)[name][0]

    try:
        guess = brentq(value, low, high, xtol=width / 4, rtol=4 * np.finfo(float).eps)
    except ValueError:
        guess = None
    if guess is not None:
        step = width / 2
        while guess - step > low and guess + step < high:
            left = sign(*evaluate(guess - step)[name])
            right = sign(*evaluate(guess + step)[name])
            if left == low_sign and right == -low_sign:
                # Widened past the tolerance: the values near the zero are within their bound.
                stop = "located" if step <= width / 2 else "resolution"
                return Zero(name, guess - step, guess + step, certified=False, stop=stop)
            if left == -low_sign:
                high = guess - step
                break
            if right == low_sign:
                low = guess + step
                break
            step *= 10
    return _bisection(evaluate, name, low, high, low_sign, tolerance)


def _bisection(evaluate, name, low, high, low_sign, tolerance) -> Zero:
    while high - low > tolerance * max(1.0, abs(low), abs(high)):
        middle = 0.5 * (low + high)
        if middle in (low, high):
            break
        middle_sign = sign(*evaluate(middle)[name])
        if middle_sign == 0:
            return Zero(name, low, high, certified=False, stop="resolution")
        if middle_sign == low_sign:
            low = middle
        else:
            high = middle
    return Zero(name, low, high, certified=False, stop="located")
