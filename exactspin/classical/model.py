"""The classical Ising model on a network: geometry, couplings, fields, baths and bulk dynamics.

A model holds an :class:`exactspin.network.Network` of kind "classical"; the paper's two-branch
ring (Eq. 17) is one network, built by :func:`exactspin.network.classical_ring`, and a ring model
also keeps its ring parameters (N_U, N_D, J1, J2, T_L, T_R) for the ring-only views (branch
currents, clockwise circulation, magnification). A model is data; the solvers (symbolic, numeric,
Monte Carlo) take it as input. Nothing here solves anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from exactspin.network import Network, classical_ring
from exactspin.network.graph import CLASSICAL
from exactspin.parameters import CLASSICAL as CLASSICAL_PARAMETERS
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
    """An Ising network with baths (Eqs. 2, 17, 20); the paper's ring by its parameters.

    Build a ring as ``ClassicalModel(ring, j1, j2, tl, tr, dynamics, mu)`` (or
    :meth:`from_parameters`) and any network with :meth:`from_network`. Either way
    :attr:`network` is what the engines read (neighbours, bond couplings, fields, baths); the
    ring fields are None for a network that is not one of the paper's rings.

    Parameters
    ----------
    ring : Ring or None
        Geometry (N_U, N_D); None for a network model.
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
    source_network : Network or None
        The network of a network model (:meth:`from_network` passes it); a ring model builds
        its network from the ring parameters on first use of :attr:`network` (lazily, so a
        Monte Carlo ring of 10^9 sites never builds one).
    """

    ring: Ring | None
    upper_coupling: float | None
    lower_coupling: float | None
    left_temperature: float | None
    right_temperature: float | None
    dynamics: str = Q2R
    demon_unit: float | None = field(default=None)
    source_network: Network | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.ring is None and self.source_network is not None:
            _check_network(self.source_network)
            object.__setattr__(self, "dynamics", self.source_network.dynamics)
            object.__setattr__(self, "demon_unit", self.source_network.demon_unit)
            return
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
        if self.source_network is not None:
            _check_network(self.source_network)

    @property
    def network(self) -> Network:
        """The network the engines read (a ring's is built once, on first use)."""
        if self.source_network is not None:
            return self.source_network
        cached = self.__dict__.get("_ring_network")
        if cached is None:
            ring = self.ring
            cached = classical_ring(
                ring.upper_spins,
                ring.lower_spins,
                self.upper_coupling,
                self.lower_coupling,
                self.left_temperature,
                self.right_temperature,
                self.dynamics,
                self.demon_unit,
            )
            object.__setattr__(self, "_ring_network", cached)
        return cached

    @classmethod
    def from_parameters(cls, **parameters: Any) -> ClassicalModel:
        """Build a model from the CLI's parameter names (:data:`exactspin.parameters.CLASSICAL`);
        omitted ones take its defaults, the paper's Fig. 5 point."""
        values = CLASSICAL_PARAMETERS.complete(parameters)
        return cls(
            ring=Ring(values["nu"], values["nd"]),
            upper_coupling=values["j1"],
            lower_coupling=values["j2"],
            left_temperature=values["tl"],
            right_temperature=values["tr"],
            dynamics=values["dynamics"],
            demon_unit=values["mu"],
        )

    @classmethod
    def from_network(cls, network: Network) -> ClassicalModel:
        """The model of a classical ``network`` (a paper's ring keeps its ring parameters)."""
        _check_network(network)
        ring = ring_parameters(network)
        if ring is not None:
            return cls.from_parameters(**ring).with_network(network)
        return cls(None, None, None, None, None, network.dynamics, network.demon_unit, network)

    def with_network(self, network: Network) -> ClassicalModel:
        """The same ring model carrying ``network`` (equal to its own, e.g. with a name)."""
        return ClassicalModel(
            self.ring,
            self.upper_coupling,
            self.lower_coupling,
            self.left_temperature,
            self.right_temperature,
            self.dynamics,
            self.demon_unit,
            network,
        )

    @property
    def is_ring(self) -> bool:
        """Whether this is one of the paper's two-branch rings (ring-only views exist)."""
        return self.ring is not None

    def parameters(self) -> dict[str, Any]:
        """The model as a flat dict with the CLI's parameter names (JSON-ready).

        A network model gives ``{"network": network.to_dict()}``.
        """
        if self.ring is None:
            return {"network": self.network.to_dict()}
        return CLASSICAL_PARAMETERS.export(self)

    @property
    def sites(self) -> int:
        """N_S (the number of sites of the network)."""
        return self.ring.sites if self.ring is not None else self.network.sites

    @property
    def demon_sites(self) -> tuple[int, ...]:
        """Sites that carry a CCA demon: the sites without a bath, increasing (none for Q2R)."""
        if self.dynamics != CCA:
            return ()
        return self.ring.bulk_sites if self.ring is not None else self.network.bulk_sites

    @property
    def has_fields(self) -> bool:
        """Whether any site has a field -h s (which breaks the global spin-flip symmetry)."""
        if self.ring is not None:
            return False
        return any(entry.strength != 0 for entry in self.network.fields)

    @property
    def state_count(self) -> int:
        """Number of configurations: 2^N_S for Q2R, 2^N_S * 4^(N_U+N_D) for CCA."""
        return 2**self.sites * DEMON_LEVELS ** len(self.demon_sites)

    def bond_coupling(self, bond: int) -> float:
        """J_b of bond ``b`` (on a ring: J1 on the upper path, J2 on the lower path)."""
        if self.ring is not None:
            return self.upper_coupling if self.ring.is_upper_bond(bond) else self.lower_coupling
        return float(self.network.bonds[bond].coupling)

    @property
    def bond_couplings(self) -> tuple[float, ...]:
        """J_b for every bond, in network (file) order (on a ring b = 0..N_S-1)."""
        ring = self.ring
        if ring is not None:
            upper, lower = len(ring.upper_bonds), len(ring.lower_bonds)
            return (self.upper_coupling,) * upper + (self.lower_coupling,) * lower
        return tuple(float(bond.coupling) for bond in self.network.bonds)

    def bath_temperature(self, site: int) -> float | None:
        """T of the bath touching ``site``, or None for a site without a bath."""
        if self.ring is not None:
            if site == self.ring.left_node:
                return self.left_temperature
            if site == self.ring.right_node:
                return self.right_temperature
            return None
        return self.network.bath_temperature(site)

    @property
    def energy_scale(self) -> float:
        """max |J|, |h| (on a ring max(|J1|, |J2|)): the natural unit of energy and currents."""
        if self.ring is not None:
            return max(abs(self.upper_coupling), abs(self.lower_coupling))
        return self.network.energy_scale


def _check_network(network: object) -> None:
    if not isinstance(network, Network):
        raise ParameterError("network", network, "an exactspin.network.Network")
    if network.kind != CLASSICAL:
        raise ParameterError(
            "network", network.kind, "a classical network (bonds [a, b, J] without Delta)"
        )


def ring_parameters(network: Network) -> dict[str, Any] | None:
    """The ring parameters (nu, nd, j1, j2, tl, tr, dynamics, mu) when ``network`` is one of
    the paper's rings numbered as :func:`exactspin.network.classical_ring` numbers them, else
    None (fields, other baths, other couplings or numbering make it a general network)."""
    if network.kind != CLASSICAL or network.fields or len(network.baths) != 2:
        return None
    sites = network.sites
    left, right = network.bath_sites
    nu = right - 1
    if left != 0 or not 0 <= nu <= sites - 2 or len(network.bonds) != sites:
        return None
    values = {
        "nu": nu,
        "nd": sites - 2 - nu,
        "j1": float(network.bonds[0].coupling),
        "j2": float(network.bonds[-1].coupling),
        "tl": network.bath_temperatures[0],
        "tr": network.bath_temperatures[1],
        "dynamics": network.dynamics,
        "mu": network.demon_unit,
    }
    try:
        built = classical_ring(**values)
    except ParameterError:
        return None
    return values if built == network.replace(name=built.name) else None


def _nonzero_coupling(name: str, value: object) -> float:
    result = require_finite(name, value)
    if result == 0 or not math.isfinite(result):
        raise ParameterError(name, value, "a finite nonzero real number")
    return result
