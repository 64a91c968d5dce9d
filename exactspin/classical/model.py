"""The classical Ising-ring model: geometry, couplings, bath temperatures and bulk dynamics.

A model is data; the solvers (symbolic, numeric, Monte Carlo) take it as input. Nothing here
solves anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from exactspin.parameters import CLASSICAL
from exactspin.ring import Ring
from exactspin.validation import (
    ParameterError,
    require_choice,
    require_finite,
    require_positive,
)

Q2R = "q2r"
CCA = "cca"
DYNAMICS = (Q2R, CCA)

#: Demon values per bulk site for CCA (Eq. 20): d_i in {0, 1, 2, 3}.
DEMON_LEVELS = 4


@dataclass(frozen=True)
class ClassicalModel:
    """An Ising ring between two baths (Eqs. 2, 17, 20).

    Parameters
    ----------
    ring : Ring
        Geometry (N_U, N_D).
    upper_coupling : float
        J1, coupling of the upper-path bonds (Eq. 17). Any finite nonzero real.
    lower_coupling : float
        J2, coupling of the lower-path bonds.
    left_temperature, right_temperature : float
        T_L and T_R (k_B = 1), positive and finite.
    dynamics : {"q2r", "cca"}
        Bulk dynamics: Q2R (Eq. 10) or the Creutz cellular automaton (Eqs. 20-21).
    demon_unit : float or None
        mu, the demon energy quantum of CCA (positive, finite); must be None for Q2R.
    """

    ring: Ring
    upper_coupling: float
    lower_coupling: float
    left_temperature: float
    right_temperature: float
    dynamics: str = Q2R
    demon_unit: float | None = field(default=None)

    def __post_init__(self) -> None:
        if not isinstance(self.ring, Ring):
            raise ParameterError("ring", self.ring, "an exactspin.ring.Ring")
        set_ = object.__setattr__
        set_(self, "upper_coupling", _nonzero_coupling("j1", self.upper_coupling))
        set_(self, "lower_coupling", _nonzero_coupling("j2", self.lower_coupling))
        set_(self, "left_temperature", require_positive("tl", self.left_temperature))
        set_(self, "right_temperature", require_positive("tr", self.right_temperature))
        set_(self, "dynamics", require_choice("dynamics", self.dynamics, DYNAMICS))
        if self.dynamics == CCA:
            if self.demon_unit is None:
                raise ParameterError("mu", None, "a positive finite number for CCA dynamics")
            set_(self, "demon_unit", require_positive("mu", self.demon_unit))
        elif self.demon_unit is not None:
            raise ParameterError("mu", self.demon_unit, "omitted (None) for Q2R dynamics")

    @classmethod
    def from_parameters(cls, **parameters: Any) -> ClassicalModel:
        """Build a model from the CLI's parameter names (:data:`exactspin.parameters.CLASSICAL`);
        omitted ones take its defaults, the paper's Fig. 5 point."""
        values = CLASSICAL.complete(parameters)
        return cls(
            ring=Ring(values["nu"], values["nd"]),
            upper_coupling=values["j1"],
            lower_coupling=values["j2"],
            left_temperature=values["tl"],
            right_temperature=values["tr"],
            dynamics=values["dynamics"],
            demon_unit=values["mu"],
        )

    def parameters(self) -> dict[str, Any]:
        """The model as a flat dict with the CLI's parameter names (JSON-ready)."""
        return CLASSICAL.export(self)

    @property
    def sites(self) -> int:
        """N_S."""
        return self.ring.sites

    @property
    def demon_sites(self) -> tuple[int, ...]:
        """Sites that carry a CCA demon: the bulk sites (none for Q2R)."""
        return self.ring.bulk_sites if self.dynamics == CCA else ()

    @property
    def state_count(self) -> int:
        """Number of configurations: 2^N_S for Q2R, 2^N_S * 4^(N_U+N_D) for CCA."""
        return 2**self.sites * DEMON_LEVELS ** len(self.demon_sites)

    def bond_coupling(self, bond: int) -> float:
        """J_b of bond ``b`` (J1 on the upper path, J2 on the lower path)."""
        return self.upper_coupling if self.ring.is_upper_bond(bond) else self.lower_coupling

    @property
    def bond_couplings(self) -> tuple[float, ...]:
        """J_b for every bond b = 0..N_S-1."""
        ring = self.ring
        return (self.upper_coupling,) * len(ring.upper_bonds) + (self.lower_coupling,) * len(
            ring.lower_bonds
        )

    def bath_temperature(self, site: int) -> float | None:
        """T of the bath touching ``site``, or None for a bulk site."""
        if site == self.ring.left_node:
            return self.left_temperature
        if site == self.ring.right_node:
            return self.right_temperature
        return None

    @property
    def energy_scale(self) -> float:
        """max(|J1|, |J2|): the natural unit of energy and of currents."""
        return max(abs(self.upper_coupling), abs(self.lower_coupling))


def _nonzero_coupling(name: str, value: object) -> float:
    result = require_finite(name, value)
    if result == 0 or not math.isfinite(result):
        raise ParameterError(name, value, "a finite nonzero real number")
    return result
