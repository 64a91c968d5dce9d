"""Circulation labels and magnification ratio, shared by every solver.

Signs (docs/conventions.md): I_U is positive left -> right along the upper branch, I_D positive
right -> left along the lower branch, so both > 0 is clockwise circulation. Kirchhoff reads
I_L = I_U - I_D. Current magnification (CM) holds when I_U and I_D are nonzero with the same sign.
This module does not compute currents; it only classifies them.
"""

from __future__ import annotations

import math

CLOCKWISE = "clockwise"
ANTICLOCKWISE = "anticlockwise"
PARALLEL = "parallel"
CIRCULATIONS = (CLOCKWISE, ANTICLOCKWISE, PARALLEL)
#: The label of a solve that cannot resolve a branch current's sign (within its error bound).
UNDETERMINED = "undetermined"


def circulation(upper_current: float, lower_current: float, threshold: float) -> str:
    """Label the flow pattern of the two branch currents.

    Parameters
    ----------
    upper_current, lower_current : float
        I_U and I_D in the clockwise convention.
    threshold : float
        A branch current counts as nonzero only when its magnitude exceeds this (absolute) value;
        solvers pass a multiple of their current scale (exact solvers) or of the standard error
        (Monte Carlo).

    Returns
    -------
    str
        ``"clockwise"`` (both > threshold), ``"anticlockwise"`` (both < -threshold), else
        ``"parallel"``.
    """
    if upper_current > threshold and lower_current > threshold:
        return CLOCKWISE
    if upper_current < -threshold and lower_current < -threshold:
        return ANTICLOCKWISE
    return PARALLEL


def magnification_ratio(upper_current: float, lower_current: float, left_current: float) -> float:
    """max(|I_U|, |I_D|) / |I_L|; greater than 1 exactly when the branches circulate.

    Returns ``nan`` when I_L is exactly zero (the ratio is undefined, e.g. at T_L = T_R).
    """
    if left_current == 0:
        return math.nan
    return max(abs(upper_current), abs(lower_current)) / abs(left_current)
