"""The result of a boundary search: the sign changes of the branch currents and the regimes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exactspin.boundaries.roots import Unresolved, Zero


@dataclass(frozen=True)
class Regime:
    """A stretch of the swept parameter with one circulation label (clockwise, ...)."""

    low: float
    high: float
    circulation: str


@dataclass(frozen=True)
class Boundaries:
    """Sign changes of I_U and I_D along one parameter, and the circulation regimes between.

    Attributes
    ----------
    model : str
        ``"classical"`` or ``"quantum"``.
    parameters : dict
        Every model parameter (CLI names); the swept one holds its value at ``low``.
    vary : str
        The swept parameter.
    low, high : float
        The range searched.
    method : str
        How the zeros were found (closed form with interval arithmetic, or bracketing of the
        exact numeric solver).
    certified : bool
        True when every zero in the range is proven found (interval isolation on a closed form);
        False for bracketing, which can miss pairs of zeros closer than the grid step.
    zeros : tuple of Zero
        Each sign change, bracketed.
    unresolved : tuple of Unresolved
        Stretches where a current's sign could not be decided (within its error bound, or an
        interval piece that did not close).
    regimes : tuple of Regime
        Between consecutive zeros, the circulation label at the stretch's midpoint.
    notes : tuple of str
    """

    model: str
    parameters: dict[str, Any]
    vary: str
    low: float
    high: float
    method: str
    certified: bool
    zeros: tuple[Zero, ...]
    unresolved: tuple[Unresolved, ...]
    regimes: tuple[Regime, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the keys of ``exactspin classical boundaries --json``)."""
        return {
            "model": self.model,
            "parameters": dict(self.parameters),
            "vary": self.vary,
            "range": [self.low, self.high],
            "method": self.method,
            "certified": self.certified,
            "boundaries": [
                {
                    "value": zero.value,
                    "current": zero.name,
                    "uncertainty": zero.uncertainty,
                    "bracket": [zero.low, zero.high],
                    "certified": zero.certified,
                }
                for zero in self.zeros
            ],
            "regimes": [
                {"from": regime.low, "to": regime.high, "circulation": regime.circulation}
                for regime in self.regimes
            ],
            "unresolved": [
                {"current": u.name, "from": u.low, "to": u.high, "reason": u.reason}
                for u in self.unresolved
            ],
            "notes": list(self.notes),
        }
