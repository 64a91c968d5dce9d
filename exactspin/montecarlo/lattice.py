"""The Monte Carlo kernels' view of a classical network: bonds, fields, baths as numpy arrays.

Both the paper's ring (:class:`~exactspin.classical.model.ClassicalModel`, any size) and a
:class:`~exactspin.network.Network` become a :class:`Lattice`; the kernels' tables are built from
it (:mod:`~exactspin.montecarlo.network_kernel`). Sites are 0-based; bond b joins
``bond_sites[b, 0]`` (its first site) to ``bond_sites[b, 1]`` with energy -J s_a s_b, a field
adds -h s. The ring is built with vectorized arrays, so a ring of 10^7 sites takes no Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exactspin.classical.model import CCA, Q2R, ClassicalModel


@dataclass(frozen=True, eq=False)
class Lattice:
    """Arrays of a classical network.

    Attributes
    ----------
    sites : int
    bond_sites : (B, 2) int64
        First and second site of every bond (the bond's orientation, Eqs. 8-9).
    couplings : (B,) float
    field_sites : (F,) int64; field_strengths : (F,) float
        On-site fields, energy -h s.
    bath_sites : (M,) int64; bath_temperatures : (M,) float
        In bath (file) order.
    dynamics : {"q2r", "cca"}
        Of every site without a bath.
    demon_unit : float or None

    Compared and hashed by identity, so the kernels' tables can be built once per lattice and
    shared by every unit of a run (:mod:`~exactspin.montecarlo.chains`).
    """

    sites: int
    bond_sites: np.ndarray
    couplings: np.ndarray
    field_sites: np.ndarray
    field_strengths: np.ndarray
    bath_sites: np.ndarray
    bath_temperatures: np.ndarray
    dynamics: str
    demon_unit: float | None

    @property
    def bonds(self) -> int:
        return len(self.couplings)

    @property
    def demon_sites(self) -> np.ndarray:
        """Sites carrying a CCA demon: every site without a bath (none for Q2R)."""
        if self.dynamics != CCA:
            return np.zeros(0, dtype=np.int64)
        bulk = np.ones(self.sites, dtype=bool)
        bulk[self.bath_sites] = False
        return np.flatnonzero(bulk)

    @classmethod
    def from_model(cls, model: ClassicalModel) -> Lattice:
        """The ring of ``model``: bond b joins b -> b+1 mod N_S (clockwise), baths (left, right)."""
        sites = model.sites
        first = np.arange(sites, dtype=np.int64)
        ring = model.ring
        couplings = np.full(sites, float(model.lower_coupling))
        couplings[np.asarray(ring.upper_bonds, dtype=np.int64)] = float(model.upper_coupling)
        return cls(
            sites=sites,
            bond_sites=np.stack([first, (first + 1) % sites], axis=1),
            couplings=couplings,
            field_sites=np.zeros(0, dtype=np.int64),
            field_strengths=np.zeros(0),
            bath_sites=np.array([ring.left_node, ring.right_node], dtype=np.int64),
            bath_temperatures=np.array(
                [model.left_temperature, model.right_temperature], dtype=float
            ),
            dynamics=model.dynamics,
            demon_unit=model.demon_unit if model.dynamics == CCA else None,
        )

    @classmethod
    def from_network(cls, network) -> Lattice:
        """The arrays of a classical :class:`~exactspin.network.Network` (fields h = 0 dropped)."""
        fields = [entry for entry in network.fields if float(entry.strength) != 0.0]
        return cls(
            sites=network.sites,
            bond_sites=np.array([bond.sites for bond in network.bonds], dtype=np.int64).reshape(
                -1, 2
            ),
            couplings=np.array([float(bond.coupling) for bond in network.bonds]),
            field_sites=np.array([entry.site for entry in fields], dtype=np.int64),
            field_strengths=np.array([float(entry.strength) for entry in fields]),
            bath_sites=np.array(network.bath_sites, dtype=np.int64),
            bath_temperatures=np.array(network.bath_temperatures, dtype=float),
            dynamics=network.dynamics or Q2R,
            demon_unit=network.demon_unit,
        )
