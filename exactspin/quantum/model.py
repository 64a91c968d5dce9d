"""The quantum model (paper Sec. III A-B): a quantum spin network, its sector, baths, D = 0 choice.

The network (:class:`exactspin.network.Network` of kind "quantum") carries the bonds [a, b, J,
Delta] (the bond operator of Eq. 33), the fields h sz_site, the baths [site, T] (each coupling
through sz at its site, Eq. 24) and ``up``, the magnetization sector. The model adds what is common
to all its baths: gamma, the ohmic cutoff Omega_c of J(w) = w exp(-w/Omega_c) (Eq. 30) and the
zero-frequency convention of Eq. 28. The paper's ring is one network
(:func:`exactspin.network.quantum_ring`): a model built by :meth:`QuantumModel.from_parameters`
keeps the ring's own names (``ring``, ``exchange``, ...) and its branch observables (I_U, I_D),
one built by :meth:`QuantumModel.from_network` has only the network.

A model is data; :mod:`exactspin.quantum.steady_state` and :mod:`exactspin.quantum.solution`
solve it. Nothing here builds operators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from exactspin.network import Network, quantum_ring
from exactspin.network.graph import QUANTUM
from exactspin.parameters import QUANTUM as SPECIFICATION
from exactspin.parameters import QUANTUM_BATH
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

#: The ring's own parameters and their defaults (the paper's Fig. 10a setup).
RING_DEFAULTS = {
    parameter.attribute: parameter.default
    for parameter in SPECIFICATION.parameters
    if parameter.name in ("j", "delta", "tl", "tr")
}


@dataclass(frozen=True)
class QuantumModel:
    """A quantum spin network (Eqs. 22, 33) between ohmic baths (Eqs. 24-30), in one sector.

    Give either ``ring`` (the paper's ring, with ``exchange`` ... ``right_temperature``; the
    network is derived with :func:`exactspin.network.quantum_ring`) or ``network`` (any quantum
    network; the ring-only fields stay None). :meth:`from_parameters` and :meth:`from_network`
    are the usual ways in.

    Parameters
    ----------
    ring : Ring or None
        Geometry of the paper's ring; the left bath couples to sz of site 0, the right bath to sz
        of site N_U+1 (0-based; paper sites 1 and N_U+2, Eq. 24). Both branches need a bulk
        site, because the branch currents of Eq. 32 are measured at one.
    up_spins : int or None
        N_E of the sector N_S(N_E up, N_G down), 0..N_S (a network model takes the network's).
    exchange, anisotropy : float or None
        The ring's J and Delta (finite); None for a network model (default 1, 0 for a ring).
    left_temperature, right_temperature : float or None
        The ring's T_L and T_R (k_B = 1), positive; None for a network model (default 2, 1).
    coupling : float
        gamma (the paper's sqrt(gamma) = 0.1), positive, the same for every bath.
    cutoff : float
        Omega_c of Eq. 30, positive.
    zero_frequency : {"limit", "zero"}
        Bath rate at zero energy difference: W(0) = T or W(0) = 0 (see
        :mod:`exactspin.quantum.bath`).
    network : Network or None
        The quantum network; derived from the ring when ``ring`` is given (a given network must
        then equal the derived one).
    """

    ring: Ring | None = None
    up_spins: int | None = None
    exchange: float | None = None
    anisotropy: float | None = None
    left_temperature: float | None = None
    right_temperature: float | None = None
    coupling: float = 0.01
    cutoff: float = 10.0
    zero_frequency: str = ZERO_FREQUENCY_LIMIT
    network: Network | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "coupling", require_positive("gamma", self.coupling))
        set_(self, "cutoff", require_positive("omega_c", self.cutoff))
        set_(
            self,
            "zero_frequency",
            require_choice("zero_frequency", self.zero_frequency, ZERO_FREQUENCY_OPTIONS),
        )
        if self.ring is None:
            self._check_network()
        else:
            self._check_ring()
        self._check_scales()

    def _check_ring(self) -> None:
        set_ = object.__setattr__
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
        if self.up_spins is None:
            raise ParameterError("up", None, f"an integer in 0..{self.ring.sites}")
        for name, default in RING_DEFAULTS.items():
            if getattr(self, name) is None:
                set_(self, name, default)
        set_(self, "up_spins", require_integer("up", self.up_spins, 0, self.ring.sites))
        set_(self, "exchange", require_finite("j", self.exchange))
        set_(self, "anisotropy", require_finite("delta", self.anisotropy))
        set_(self, "left_temperature", require_positive("tl", self.left_temperature))
        set_(self, "right_temperature", require_positive("tr", self.right_temperature))
        derived = quantum_ring(
            self.ring.upper_spins,
            self.ring.lower_spins,
            self.up_spins,
            self.exchange,
            self.anisotropy,
            self.left_temperature,
            self.right_temperature,
        )
        if self.network is not None and self.network != derived:
            raise ParameterError(
                "network", self.network.name, "the ring's own network (or no ring with a network)"
            )
        set_(self, "network", derived)

    def _check_network(self) -> None:
        network = self.network
        if not isinstance(network, Network):
            raise ParameterError("network", network, "an exactspin.network.Network (or a ring)")
        if network.kind != QUANTUM:
            raise ParameterError("bonds", f"{network.kind} bonds", "quantum bonds [a, b, J, Delta]")
        pairs = [frozenset(bond.sites) for bond in network.bonds]
        if len(set(pairs)) != len(pairs):
            raise ParameterError(
                "bonds", "two bonds between one pair of sites", "one bond per pair of sites"
            )
        if network.sites > MAX_SITES:
            raise ParameterError("sites", network.sites, f"an integer in [2, {MAX_SITES}]")
        for name in RING_DEFAULTS:
            if getattr(self, name) is not None:
                raise ParameterError(
                    name, getattr(self, name), "None for a network model (the network has it)"
                )
        if self.up_spins is not None and self.up_spins != network.up_spins:
            raise ParameterError("up", self.up_spins, f"the network's up = {network.up_spins}")
        object.__setattr__(self, "up_spins", network.up_spins)

    def _check_scales(self) -> None:
        """Refuse energy and rate scales whose generator norms overflow double precision."""
        limit = f"{LARGEST_SCALE:.1e}"
        ring = self.ring is not None
        if ring:
            energy = self.sites * (2 * abs(self.exchange) + abs(self.anisotropy))
        else:
            energy = sum(2 * abs(b.coupling) + abs(b.anisotropy) for b in self.network.bonds)
            energy += sum(abs(f.strength) for f in self.network.fields)
        if energy > LARGEST_SCALE:
            if not ring:
                network = self.network
                bond = max(
                    range(len(network.bonds)),
                    key=lambda b: (
                        2 * abs(network.bonds[b].coupling) + abs(network.bonds[b].anisotropy)
                    ),
                )
                raise network.error(
                    f"bonds[{bond}]",
                    network.bond_entry(bond),
                    f"couplings with sum of 2 |J| + |Delta| + |h| over the network at most "
                    f"{limit} (it is {energy:.3g}; the generator's norm overflows double "
                    "precision beyond)",
                )
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
            if energy >= temperature:
                name, value = "gamma", self.coupling
            elif not ring:
                name, value = "baths", temperature
            elif self.left_temperature >= self.right_temperature:
                name, value = "tl", self.left_temperature
            else:
                name, value = "tr", self.right_temperature
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
        values = SPECIFICATION.complete(parameters)
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

    @classmethod
    def from_network(
        cls,
        network: Network,
        gamma: float = SPECIFICATION["gamma"].default,
        omega_c: float = SPECIFICATION["omega_c"].default,
        zero_frequency: str = SPECIFICATION["zero_frequency"].default,
    ) -> QuantumModel:
        """A model of any quantum network (its sector is the network's ``up``)."""
        return cls(network=network, coupling=gamma, cutoff=omega_c, zero_frequency=zero_frequency)

    @property
    def is_ring(self) -> bool:
        """True for the paper's ring built from its parameters (branch observables exist)."""
        return self.ring is not None

    def parameters(self) -> dict[str, Any]:
        """The model as a flat dict with the CLI's parameter names (JSON-ready).

        A network model echoes gamma, omega_c and zero_frequency only: the rest is the network
        (``network.to_dict()``).
        """
        return SPECIFICATION.export(self, None if self.is_ring else QUANTUM_BATH)

    @property
    def sites(self) -> int:
        """N_S."""
        return self.network.sites

    @property
    def dimension(self) -> int:
        """d = C(N_S, N_E), the dimension of the sector."""
        return math.comb(self.sites, self.up_spins)

    @property
    def energy_scale(self) -> float:
        """max |J|, |Delta|, |h| over the network (the ring's max(|J|, |Delta|))."""
        return self.network.energy_scale

    @property
    def bath_sites(self) -> tuple[int, ...]:
        """The site whose sz couples to each bath (Eq. 24), in bath order ((left, right) on the
        ring)."""
        return self.network.bath_sites

    @property
    def bath_temperatures(self) -> tuple[float, ...]:
        """Each bath's temperature, in bath order ((T_L, T_R) on the ring)."""
        return self.network.bath_temperatures
