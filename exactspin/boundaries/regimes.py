"""Circulation regimes between the zeros of the branch currents.

The label of a stretch is read at its midpoint from the signs of I_U and I_D, each decided only
when it exceeds its error bound (DESIGN: CM needs both branch currents nonzero with the same sign):
both positive is clockwise, both negative anticlockwise, opposite signs parallel, and a current
within its bound makes the stretch undetermined.
"""

from __future__ import annotations

from exactspin.boundaries.result import Regime
from exactspin.boundaries.roots import Evaluator, Unresolved, Zero, sign

UPPER = "upper_branch_current"
LOWER = "lower_branch_current"
BRANCHES = (UPPER, LOWER)


def label(values: dict[str, tuple[float, float]]) -> str:
    """Circulation label from {name: (value, bound)} of I_U and I_D."""
    upper, lower = sign(*values[UPPER]), sign(*values[LOWER])
    if upper == 0 or lower == 0:
        return "undetermined"
    if upper == lower:
        return "clockwise" if upper > 0 else "anticlockwise"
    return "parallel"


def regimes(
    evaluate: Evaluator,
    low: float,
    high: float,
    zeros: list[Zero],
    unresolved: list[Unresolved] = (),
) -> tuple[Regime, ...]:
    """One regime between each pair of consecutive zeros (and the range ends).

    Stretches where a branch current's sign is unresolved are ``"undetermined"`` whatever the
    midpoint says.
    """
    cuts = sorted(
        {low, high}
        | {zero.value for zero in zeros}
        | {x for u in unresolved for x in (u.low, u.high) if low < x < high}
    )
    found: list[Regime] = []
    for start, stop in zip(cuts, cuts[1:], strict=False):
        middle = 0.5 * (start + stop)
        if any(u.low <= middle <= u.high for u in unresolved):
            name = "undetermined"
        else:
            name = label(evaluate(middle))
        if found and found[-1].circulation == name:
            found[-1] = Regime(found[-1].low, stop, name)
        else:
            found.append(Regime(start, stop, name))
    return tuple(found)
