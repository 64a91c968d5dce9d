"""The quantum ring model (paper Sec. III A-B): geometry, sector, couplings, baths, D = 0 choice.

A model is data; :mod:`exactspin.quantum.steady_state` and :mod:`exactspin.quantum.solution`
solve it. Nothing here builds operators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from exactspin.parameters import QUANTUM
from exactspin.quantum.basis import MAX_SITES
from exactspin.quantum.bath import ZERO_FREQUENCY_LIMIT, ZERO_FREQUENCY_OPTIONS
from exactspin.quantum.validity import LARGEST_SCALE
from exactspin.ring import Ring
from exactspin.validation import (
    ParameterError,
    require_choice,
    require_finite,
    require_integer,
    require_positive,
)


@dataclass(frozen=True)
class QuantumModel:
    """The modified XXZ ring (Eq. 22) between two ohmic baths (Eqs. 24-30), in one sector.

    Parameters
    ----------
    ring : Ring
        Geometry; the left bath couples to sz of site 0, the right bath to sz of site N_U+1
        (0-based; paper sites 1 and N_U+2, Eq. 24). Both branches need a bulk site, because the
        branch currents of Eq. 32 are measured at one.
    up_spins : int
        N_E of the sector N_S(N_E up, N_G down), 0..N_S.
    exchange : float
        J (finite).
    anisotropy : float
        Delta (finite).
    left_temperature, right_temperature : float
        T_L and T_R (k_B = 1), positive.
    coupling : float
        gamma (the paper's sqrt(gamma) = 0.1), positive.
    cutoff : float
        Omega_c of Eq. 30, positive.
    zero_frequency : {"limit", "zero"}
        Bath rate at zero energy difference: W(0) = T or W(0) = 0 (see
        :mod:`exactspin.quantum.bath`).
    """

    ring: Ring
    up_spins: int
    exchange: float = 1.0
    anisotropy: float = 0.0
    left_temperature: float = 2.0
    right_temperature: float = 1.0
    coupling: float = 0.01
    cutoff: float = 10.0
    zero_frequency: str = ZERO_FREQUENCY_LIMIT

    def __post_init__(self) -> None:
        if not isinstance(self.ring, Ring):
            raise ParameterError("ring", self.ring, "an exactspin.ring.Ring")
        if self.ring.upper_spins < 1:
            raise ParameterError("nu", self.ring.upper_spins, "an integer >= 1 (Eq. 32)")
        if self.ring.lower_spins < 1:
            raise ParameterError("nd", self.ring.lower_spins, "an integer >= 1 (Eq. 32)")
        if self.ring.sites > MAX_SITES:
            raise ParameterError(
                "nu", self.ring.upper_spins, f"such that nu + nd + 2 <= {MAX_SITES}"
            )
        set_ = object.__setattr__
        set_(self, "up_spins", require_integer("up", self.up_spins, 0, self.ring.sites))
        set_(self, "exchange", require_finite("j", self.exchange))
        set_(self, "anisotropy", require_finite("delta", self.anisotropy))
        set_(self, "left_temperature", require_positive("tl", self.left_temperature))
        set_(self, "right_temperature", require_positive("tr", self.right_temperature))
        set_(self, "coupling", require_positive("gamma", self.coupling))
        set_(self, "cutoff", require_positive("omega_c", self.cutoff))
        set_(
            self,
            "zero_frequency",
            require_choice("zero_frequency", self.zero_frequency, ZERO_FREQUENCY_OPTIONS),
        )
        self._check_scales()

    def _check_scales(self) -> None:
        """Refuse energy and rate scales whose generator norms overflow double precision."""
        limit = f"{LARGEST_SCALE:.1e}"
        energy = self.sites * (2 * abs(self.exchange) + abs(self.anisotropy))
        if energy > LARGEST_SCALE:
            name, value = (
                ("j", self.exchange)
                if 2 * abs(self.exchange) >= abs(self.anisotropy)
                else ("delta", self.anisotropy)
            )
            raise ParameterError(
                name,
                value,
                f"such that N_S (2 |J| + |Delta|) <= {limit} (the generator's norm overflows "
                "double precision beyond)",
            )
        temperature = max(self.bath_temperatures)
        # W(D) <= |D| + T (Eq. 28), so gamma (T + energy) bounds the dissipator's entries.
        if self.coupling * (temperature + energy) > LARGEST_SCALE:
            name, value = (
                ("gamma", self.coupling)
                if energy >= temperature
                else (
                    ("tl", self.left_temperature)
                    if self.left_temperature >= self.right_temperature
                    else ("tr", self.right_temperature)
                )
            )
            raise ParameterError(
                name,
                value,
                f"such that gamma (max(T_L, T_R) + N_S (2 |J| + |Delta|)) <= {limit} (the bath "
                "rates overflow double precision beyond)",
            )

    @classmethod
    def from_parameters(cls, **parameters: Any) -> QuantumModel:
        """Build a model from the CLI's parameter names (:data:`exactspin.parameters.QUANTUM`);
        omitted ones take its defaults, the paper's Fig. 10a setup."""
        values = QUANTUM.complete(parameters)
        return cls(
            ring=Ring(values["nu"], values["nd"]),
            up_spins=values["up"],
            exchange=values["j"],
            anisotropy=values["delta"],
            left_temperature=values["tl"],
            right_temperature=values["tr"],
            coupling=values["gamma"],
            cutoff=values["omega_c"],
            zero_frequency=values["zero_frequency"],
        )

    def parameters(self) -> dict[str, Any]:
        """The model as a flat dict with the CLI's parameter names (JSON-ready)."""
        return QUANTUM.export(self)

    @property
    def sites(self) -> int:
        """N_S."""
        return self.ring.sites

    @property
    def dimension(self) -> int:
        """d = C(N_S, N_E), the dimension of the sector."""
        return math.comb(self.sites, self.up_spins)

    @property
    def bath_sites(self) -> tuple[int, int]:
        """(left, right): the sites whose sz couples to the left and the right bath (Eq. 24)."""
        return self.ring.left_node, self.ring.right_node

    @property
    def bath_temperatures(self) -> tuple[float, float]:
        """(T_L, T_R)."""
        return self.left_temperature, self.right_temperature
