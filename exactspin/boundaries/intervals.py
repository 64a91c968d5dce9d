"""Certified isolation of the zeros of a closed form by interval arithmetic (mpmath.iv).

On a piece [a, b] of the range: if the interval enclosure of f excludes 0, f has no zero there;
if the enclosure of f' excludes 0, f is monotone there and has exactly one zero iff f(a) and f(b)
have opposite signs (then bisection narrows it, each sign again decided by an enclosure); else
the piece is split. A piece still undecided at ``min_width`` is reported, never guessed: it holds a
zero of even multiplicity, two zeros closer than ``min_width``, or a near-tangency.

Enclosures are computed at :data:`DIGITS` decimal digits, with every constant of the closed form
(exact rationals) enclosed too, so a decided sign is a proven sign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mpmath import iv

#: Working precision of the interval evaluations.
DIGITS = 40

IntervalFunction = Callable[[object], object]


@dataclass(frozen=True)
class Isolated:
    """Zeros proven to lie each alone in a bracket, and pieces where the proof did not close."""

    zeros: tuple[tuple[float, float], ...]
    undecided: tuple[tuple[float, float], ...]


def _excludes_zero(enclosure) -> bool:
    return enclosure.a > 0 or enclosure.b < 0


def _point_sign(function: IntervalFunction, x: float) -> int:
    value = function(iv.mpf(x))
    if value.a > 0:
        return 1
    if value.b < 0:
        return -1
    return 0


def isolate(
    function: IntervalFunction,
    derivative: IntervalFunction,
    low: float,
    high: float,
    tolerance: float,
    min_width: float,
    max_pieces: int = 20000,
) -> Isolated:
    """Every zero of ``function`` on [low, high], each in a bracket narrower than the tolerance.

    Parameters
    ----------
    function, derivative : callable
        Interval extensions of f and f' (take and return ``mpmath.iv.mpf``).
    low, high : float
        The range.
    tolerance : float
        Brackets are narrowed to ``tolerance * max(1, |x|)``.
    min_width : float
        Pieces narrower than this are not split further (reported as undecided).
    max_pieces : int
        Work limit; pieces left when it is reached are reported as undecided.
    """
    zeros: list[tuple[float, float]] = []
    undecided: list[tuple[float, float]] = []
    pieces = [(low, high)]
    examined = 0
    with _precision():
        while pieces:
            a, b = pieces.pop()
            examined += 1
            if examined > max_pieces:
                undecided.append((a, b))
                continue
            box = iv.mpf([a, b])
            if _excludes_zero(function(box)):
                continue
            if _excludes_zero(derivative(box)):
                sign_a, sign_b = _point_sign(function, a), _point_sign(function, b)
                if sign_a == 0 or sign_b == 0:
                    # A zero at (or within the enclosure width of) an end: narrow it from
                    # inside by splitting, where the other end's sign is decided.
                    if b - a > min_width:
                        middle = 0.5 * (a + b)
                        pieces += [(a, middle), (middle, b)]
                    else:
                        zeros.append((a, b))
                    continue
                if sign_a != sign_b:
                    zeros.append(_narrow(function, a, b, sign_a, tolerance))
                continue
            if b - a <= min_width:
                undecided.append((a, b))
                continue
            middle = 0.5 * (a + b)
            pieces += [(a, middle), (middle, b)]
    return Isolated(tuple(_merge(sorted(zeros))), tuple(sorted(undecided)))


def _narrow(function, a, b, sign_a, tolerance) -> tuple[float, float]:
    while b - a > tolerance * max(1.0, abs(a), abs(b)):
        middle = 0.5 * (a + b)
        if middle in (a, b):
            break
        sign_middle = _point_sign(function, middle)
        if sign_middle == 0:
            break
        if sign_middle == sign_a:
            a = middle
        else:
            b = middle
    return a, b


def _merge(brackets):
    merged: list[tuple[float, float]] = []
    for a, b in brackets:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


class _precision:
    def __enter__(self):
        self.saved = iv.dps
        iv.dps = DIGITS

    def __exit__(self, *exc):
        iv.dps = self.saved
