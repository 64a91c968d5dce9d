"""Energy currents between the bonds, fields and baths of any quantum network (Eq. 32 generalised).

H_S = sum_b h_b + sum_s f_s: one bond operator h_b (Eq. 33) per bond [a, b, J, Delta] and one
field term f_s = h sz_s per field. Energy lives in these terms; none is assigned to a site. With
d<X>/dt = i<[H_S, X]> + sum_k Tr[L_k(rho) X] (Eq. 26), the steady state moves energy

- from bond b into bond c through their common site s: I^s_{b->c} = <i [h_b, h_c]> (Eq. 32: the
  ring's I[l] is I^l from bond (l-1, l) into bond (l, l+1)); antisymmetric, I_{c->b} = -I_{b->c};
- from the field at s into bond b at s: F_{s->b} = <i [f_s, h_b]> (``field_currents``); a field
  is a site energy that exchanges energy with the bonds at its site only (it commutes with the
  rest and with every bath coupling), so sum_b F_{s->b} = 0 in the steady state;
- from bath k at site x into bond b at x: B_{k->b} = Tr[L_k(rho) h_b] (Eq. 35 restricted to h_b).
  L_k's adjoint is gamma ([S, X] Lambda + Lambda^dagger [X, S]) with S = sz_x, which vanishes for
  every X commuting with sz_x (bonds away from x, every field), so bath k feeds only the bonds at
  its site and its bath current is the sum of its B_{k->b}.

Continuity, exact for the steady state (and checked in the tests):

- bond: the energy entering bond b = (x, y) through x, E^x_b = sum_{c at x} I^x_{c->b} + F_{x->b}
  + B_{x->b}, and through y, E^y_b, add to zero;
- site: sum over the bonds at s of E^s_b equals the current of the bath at s (0 without one).

The **bond current** J_b of bond [a, b] (energy moved along it from a to b, as classically) is
(E^a_b - E^b_b) / 2, the mean of the energy it takes in at a and passes on at b; equal by bond
continuity, so Kirchhoff holds at every site: sum of J over bonds leaving s minus bonds entering s
= the bath current at s. On the paper's ring J is I_U on the upper bonds and I_D on the lower
ones (clockwise), so :func:`exactspin.network.circulation` gives today's label ("along" =
clockwise).

Master equations other than Eq. 26 (:mod:`exactspin.quantum.equations`): the currents are the
same operators, and B_{k->b} = Tr[L_k(rho) h_b] with that equation's own L_k (its adjoint read
off its matrix, :func:`~exactspin.quantum.equations.dissipator_adjoint`). The commutator forms
(``redfield-lamb-shift``, ``local-lindblad``) feed only the bonds at the bath's site, as above.
The secular, partial secular and ULE dissipators are not commutators with sz_x: bath k also
feeds every other bond (``bulk_bath_currents``, B_{k->b} for b away from x) and every field
(``bath_field_currents``, Tr[L_k(rho) f_s]). These enter no end of a bond, so the bond currents
(still the mean of the two ends' inflow) miss them: bond continuity fails by the bulk inflow, and
Kirchhoff at a site fails by an amount of the order of the currents (reported as the network's
``kirchhoff_errors``); the bath current is the sum of all its parts.

Every current is linear in rho, Tr(O rho), and its error bound is ||O||_F times the error of rho
(:func:`exactspin.quantum.error_bounds.evaluation_error`), plus, for the bath parts, the error of
forming O in the double-precision eigenbasis. Pure functions of a steady state; sites 0-based.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from exactspin.quantum.equations import (
    TensorGenerator,
    acts_at_bath_sites_only,
    dissipator_adjoint,
)
from exactspin.quantum.error_bounds import EPSILON, eigenvector_error, evaluation_error
from exactspin.quantum.hamiltonian import field_operator, network_bond_operators
from exactspin.quantum.solution import FrozenMapping
from exactspin.quantum.steady_state import SteadyState


@dataclass(frozen=True)
class SiteCurrent:
    """I^s_{b->c}: energy per unit time from bond ``from_bond`` into ``to_bond`` through ``site``.

    Each pair of bonds at a site is listed once, oriented from the bond that ends at the site to
    the one that starts there when the bonds' orientations say so, else from the lower index.
    """

    site: int
    from_bond: int
    to_bond: int
    current: float
    error: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: site 1-based, bonds 0-based (indices into the network's bond list)."""
        return {
            "site": self.site + 1,
            "from_bond": self.from_bond,
            "to_bond": self.to_bond,
            "current": self.current,
            "error": self.error,
        }


@dataclass(frozen=True)
class FieldCurrent:
    """F_{s->b}: energy per unit time from the field at ``site`` into ``bond``."""

    site: int
    bond: int
    current: float
    error: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: site 1-based, bond 0-based."""
        return {
            "site": self.site + 1,
            "bond": self.bond,
            "current": self.current,
            "error": self.error,
        }


@dataclass(frozen=True)
class BathBondCurrent:
    """B_{k->b}: energy per unit time from bath ``bath`` (bath order) into ``bond`` at its site."""

    bath: int
    bond: int
    current: float
    error: float


@dataclass(frozen=True)
class BathFieldCurrent:
    """Tr[L_k(rho) f_s]: energy per unit time from bath ``bath`` into the field at ``site``
    (zero for the commutator forms, which are not listed)."""

    bath: int
    site: int
    current: float
    error: float

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: bath 0-based (bath order), site 1-based."""
        return {
            "bath": self.bath,
            "site": self.site + 1,
            "current": self.current,
            "error": self.error,
        }


@dataclass(frozen=True)
class NetworkCurrents:
    """Every current between the terms of H_S, and the bond currents built from them.

    ``bath_bond_currents`` are the bonds at each bath's site; ``bulk_bath_currents`` and
    ``bath_field_currents`` the bath's direct action elsewhere (empty for Eq. 26 and the other
    commutator forms, see the module docstring).
    """

    site_currents: tuple[SiteCurrent, ...]
    field_currents: tuple[FieldCurrent, ...]
    bath_bond_currents: tuple[BathBondCurrent, ...]
    bond_currents: tuple[float, ...]
    bond_current_errors: tuple[float, ...]
    #: (site, bond) -> (E^s_b, its error): energy entering bond b through site s (read-only).
    inflow: Mapping[tuple[int, int], tuple[float, float]]
    bulk_bath_currents: tuple[BathBondCurrent, ...] = ()
    bath_field_currents: tuple[BathFieldCurrent, ...] = ()


def oriented_pair(network, site: int, first: int, second: int) -> tuple[int, int]:
    """(from, to) for two bonds at ``site``: the bond ending there first when one ends and one
    starts there, else the lower index first."""
    low, high = sorted((first, second))
    ends = {b: network.bonds[b].second == site for b in (low, high)}
    if ends[high] and not ends[low]:
        return high, low
    return low, high


def network_currents(state: SteadyState) -> NetworkCurrents:
    """All the currents of the module docstring for the steady state of a network model."""
    generator = state.generator
    network = generator.model.network
    basis = generator.basis
    rho = state.sector_density_matrix
    error = evaluation_error(state)
    bonds = network_bond_operators(basis, network)

    def expectation(operator: np.ndarray) -> float:
        return float(np.real(np.sum(operator * rho.T)))

    inflow: dict[tuple[int, int], list[float]] = {}

    def add(site: int, bond: int, value: float, bound: float) -> None:
        entry = inflow.setdefault((site, bond), [0.0, 0.0])
        entry[0] += value
        entry[1] += bound

    site_currents = []
    for site in range(network.sites):
        incident = [bond for bond, _ in network.incident_bonds(site)]
        for position, first in enumerate(incident):
            add(site, first, 0.0, 0.0)
            for second in incident[position + 1 :]:
                source, target = oriented_pair(network, site, first, second)
                operator = 1j * (bonds[source] @ bonds[target] - bonds[target] @ bonds[source])
                value = expectation(operator)
                bound = float(np.linalg.norm(operator)) * error
                site_currents.append(SiteCurrent(site, source, target, value, bound))
                add(site, target, value, bound)
                add(site, source, -value, bound)
    field_currents = []
    for entry in network.fields:
        term = field_operator(basis, entry.site, entry.strength)
        for bond, _ in network.incident_bonds(entry.site):
            operator = 1j * (term @ bonds[bond] - bonds[bond] @ term)
            value = expectation(operator)
            bound = float(np.linalg.norm(operator)) * error
            field_currents.append(FieldCurrent(entry.site, bond, value, bound))
            add(entry.site, bond, value, bound)
    bath_bond = []
    bulk, bath_field = [], []
    local = acts_at_bath_sites_only(generator.model)
    for bath, site in enumerate(network.bath_sites):
        for bond, _ in network.incident_bonds(site):
            value, bound = _bath_into_bond(state, bath, bonds[bond], error)
            bath_bond.append(BathBondCurrent(bath, bond, value, bound))
            add(site, bond, value, bound)
        if local:
            continue
        for bond, entry in enumerate(network.bonds):
            if site not in entry.sites:
                value, bound = _bath_into_bond(state, bath, bonds[bond], error)
                bulk.append(BathBondCurrent(bath, bond, value, bound))
        for entry in network.fields:
            term = field_operator(basis, entry.site, entry.strength)
            value, bound = _bath_into_bond(state, bath, term, error)
            bath_field.append(BathFieldCurrent(bath, entry.site, value, bound))
    bond_currents, bond_errors = [], []
    for index, bond in enumerate(network.bonds):
        tail, tail_error = inflow[(bond.first, index)]
        head, head_error = inflow[(bond.second, index)]
        bond_currents.append((tail - head) / 2)
        bond_errors.append((tail_error + head_error) / 2)
    return NetworkCurrents(
        site_currents=tuple(site_currents),
        field_currents=tuple(field_currents),
        bath_bond_currents=tuple(bath_bond),
        bond_currents=tuple(bond_currents),
        bond_current_errors=tuple(bond_errors),
        inflow=FrozenMapping({key: (value[0], value[1]) for key, value in inflow.items()}),
        bulk_bath_currents=tuple(bulk),
        bath_field_currents=tuple(bath_field),
    )


def bath_into_bond_operator(generator, bath: int, bond_operator: np.ndarray) -> np.ndarray:
    """G with Tr[L_k(rho) h_b] = Tr(G rho) in the eigenbasis: gamma ([S, X] Lambda + Lambda^dagger
    [X, S]), X = h_b in the eigenbasis, S = S^k, Lambda = S * W^k (the adjoint of Eq. 26's L_k,
    with or without the Lamb shift). A generator stored as per-bath tensors (the Lindblad-type
    equations) gives its own adjoint (:func:`~exactspin.quantum.equations.dissipator_adjoint`).
    ``bond_operator`` may be any term of H_S (a field too), in the sector basis."""
    vectors = generator.eigenvectors
    operator = vectors.T @ bond_operator @ vectors
    if isinstance(generator, TensorGenerator):
        return dissipator_adjoint(generator, bath, operator)
    coupling = generator.couplings[bath]
    damping = coupling * generator.rates[bath]
    commutator = coupling @ operator - operator @ coupling
    return generator.model.coupling * (commutator @ damping - damping.conj().T @ commutator)


def _bath_into_bond(state: SteadyState, bath: int, bond_operator: np.ndarray, error: float):
    """(B_{k->b}, its bound). The bound adds to ||G||_F times the error of rho the error of G
    from the double-precision eigenvectors: 4 gamma ||Lambda||_F ||S||_F ||h_b||_F (d eps + 2 eta)
    times ||rho||_F; for a tensor generator 4 ||D_k||_F ||h_b||_F (d eps + 2 eta) (D_k is
    quadratic in S, whose entries carry the eigenvectors' error)."""
    generator = state.generator
    rho = state.density_matrix
    operator = bath_into_bond_operator(generator, bath, bond_operator)
    value = float(np.real(np.sum(operator * rho.T)))
    eta = eigenvector_error(generator)
    if isinstance(generator, TensorGenerator):
        operator_error = (
            4
            * float(np.linalg.norm(generator.dissipators[bath]))
            * float(np.linalg.norm(bond_operator))
            * (generator.dimension * EPSILON + 2 * eta)
        )
    else:
        coupling = generator.couplings[bath]
        damping = float(np.linalg.norm(coupling * generator.rates[bath]))
        operator_error = (
            4
            * generator.model.coupling
            * damping
            * float(np.linalg.norm(coupling))
            * float(np.linalg.norm(bond_operator))
            * (generator.dimension * EPSILON + 2 * eta)
        )
    bound = float(np.linalg.norm(operator)) * error + operator_error * float(np.linalg.norm(rho))
    return value, bound
