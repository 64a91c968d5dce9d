"""The steady state of a quantum network model and its observables, as one result.

:func:`exactspin.quantum.solution.solve` returns this for a model built from a network
(:meth:`~exactspin.quantum.model.QuantumModel.from_network`); the paper's ring built from its
parameters keeps :class:`~exactspin.quantum.solution.QuantumSolution` and its branch currents.
This module assembles; the physics lives in :mod:`~exactspin.quantum.network_currents`,
:mod:`~exactspin.quantum.observables` and :mod:`~exactspin.quantum.error_bounds`.

Every master equation of :mod:`exactspin.quantum.equations` runs on networks (an
:class:`~exactspin.quantum.equations.EquationModel` built from a network): the generator sums
the network's baths, and the bath-into-bond currents use the equation's own dissipator
(:mod:`~exactspin.quantum.network_currents`); :attr:`NetworkQuantumSolution.kirchhoff_errors`
and :func:`~exactspin.quantum.equations.equation_checks` report what Kirchhoff misses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exactspin.network import Circulation, circulation
from exactspin.network.cycles import NONE, UNDETERMINED
from exactspin.network.labels import cycle_label
from exactspin.quantum import error_bounds, observables
from exactspin.quantum.model import QuantumModel
from exactspin.quantum.network_currents import NetworkCurrents, network_currents
from exactspin.quantum.solution import CURRENT_UNIT
from exactspin.quantum.steady_state import SteadyState
from exactspin.quantum.validity import positivity_warning, redfield_validity_warnings


@dataclass(frozen=True)
class NetworkQuantumSolution:
    """Steady-state currents and observables of a quantum network (sites 0-based).

    Attributes
    ----------
    model : QuantumModel
    steady_state : SteadyState
    bath_currents, bath_current_errors : tuple of float
        I_k of Eq. 35 (bath k's dissipator alone), positive into the network, in bath order, and
        their error bounds; they sum to zero.
    currents : NetworkCurrents
        Site currents between bond pairs, field and bath-into-bond currents, bond currents
        (:mod:`~exactspin.quantum.network_currents`).
    cycles : tuple of Circulation
        :func:`exactspin.network.circulation` of the bond currents with their error bounds.
    undetermined_reasons : tuple of str
        Why a printed label is unresolved: an uncertified steady state, energy balance failing
        beyond the bounds, or a cycle whose label is "undetermined".
    warnings : tuple of str
    site_magnetization : tuple of float
        <sigma^z_s> (Eq. 36) in site order.
    level_energies, level_degeneracies, level_populations, eigenstate_populations : tuple
    ergotropy_sector, ergotropy_full : float
        Eq. 41 over the sector's levels and over all 2^N levels.
    """

    model: QuantumModel
    steady_state: SteadyState = field(repr=False)
    bath_currents: tuple[float, ...]
    bath_current_errors: tuple[float, ...]
    currents: NetworkCurrents = field(repr=False)
    cycles: tuple[Circulation, ...]
    undetermined_reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    site_magnetization: tuple[float, ...]
    level_energies: tuple[float, ...]
    level_degeneracies: tuple[int, ...]
    level_populations: tuple[float, ...]
    eigenstate_populations: tuple[float, ...]
    ergotropy_sector: float
    ergotropy_full: float

    @property
    def determined(self) -> bool:
        """Whether every reported label is resolved by the solve."""
        return not self.undetermined_reasons

    @property
    def min_eigenvalue(self) -> float:
        """Smallest eigenvalue of rho."""
        return self.steady_state.min_eigenvalue

    @property
    def bond_currents(self) -> tuple[float, ...]:
        """J_b along every bond from its first to its second site (bond order)."""
        return self.currents.bond_currents

    @property
    def bond_current_errors(self) -> tuple[float, ...]:
        return self.currents.bond_current_errors

    @property
    def kirchhoff_errors(self) -> tuple[float, ...]:
        """Per site (site order): the bond currents out of the site minus those into it, minus
        the bath current there (0 without a bath). Zero to rounding for Eq. 26 and the other
        commutator forms; of the order of the currents for the secular, partial secular and
        ULE equations, whose baths act on distant bonds directly."""
        network = self.model.network
        bath_at: dict[int, float] = {}
        for site, value in zip(network.bath_sites, self.bath_currents, strict=True):
            bath_at[site] = bath_at.get(site, 0.0) + value
        return tuple(
            float(
                sum(sign * self.bond_currents[bond] for bond, sign in network.incident_bonds(site))
                - bath_at.get(site, 0.0)
            )
            for site in range(network.sites)
        )

    def zz_correlation(self, site_a: int, site_b: int) -> float:
        """<sz_a sz_b> (Eq. 37), 0-based sites."""
        return observables.zz_correlation(self.steady_state, site_a, site_b)

    def concurrence(self, site_a: int, site_b: int) -> float:
        """Concurrence (Eq. 38) of sites a, b (0-based)."""
        return observables.concurrence(self.steady_state, site_a, site_b)

    def to_dict(
        self, pair: tuple[int, int] | None = None, method: str | None = None
    ) -> dict[str, Any]:
        """JSON-ready, in the network vocabulary (sites 1-based, bonds 0-based).

        ``pair`` (0-based; default the first bond's sites) selects the correlation and the
        concurrence.
        """
        network = self.model.network
        if pair is None:
            pair = network.bonds[0].sites
        state = self.steady_state
        result: dict[str, Any] = {
            "unit": CURRENT_UNIT,
            "network": network.to_dict(),
            "bath_currents": list(self.bath_currents),
            "bath_current_errors": list(self.bath_current_errors),
            "error_kind": "bound",
            "site_currents": [entry.to_dict() for entry in self.currents.site_currents],
        }
        if network.fields:
            result["field_currents"] = [entry.to_dict() for entry in self.currents.field_currents]
        if self.currents.bulk_bath_currents or self.currents.bath_field_currents:
            result["bulk_bath_currents"] = [
                {"bath": e.bath, "bond": e.bond, "current": e.current, "error": e.error}
                for e in self.currents.bulk_bath_currents
            ]
            result["bath_field_currents"] = [
                entry.to_dict() for entry in self.currents.bath_field_currents
            ]
        result.update(
            {
                "bond_currents": list(self.bond_currents),
                "bond_current_errors": list(self.bond_current_errors),
                "cycles": [entry.to_dict() for entry in self.cycles],
                "undetermined_reasons": list(self.undetermined_reasons),
                "site_magnetization": list(self.site_magnetization),
                "pair": [pair[0] + 1, pair[1] + 1],
                "zz_correlation": self.zz_correlation(*pair),
                "concurrence": self.concurrence(*pair),
                "level_energies": list(self.level_energies),
                "level_degeneracies": list(self.level_degeneracies),
                "level_populations": list(self.level_populations),
                "ergotropy_sector": self.ergotropy_sector,
                "ergotropy_full": self.ergotropy_full,
                "min_eigenvalue": self.min_eigenvalue,
                "trace": state.trace,
                "hermiticity_error": state.hermiticity_error,
                "residual": state.residual,
                "density_matrix_error": state.density_matrix_error,
                "steady_state_dimension": state.dimension,
                "steady_state_dimension_certified": state.dimension_certified,
                "steady_state_member": state.member,
                "null_space_gap": state.null_space_gap,
                "null_space_rounding_level": state.null_space_rounding_level,
                "null_space_criterion": state.null_space_criterion,
                "precision_digits": state.precision_digits,
                "method": state.method,
                "iterations": state.iterations,
                "warnings": list(self.warnings),
                "parameters": {
                    **self.model.parameters(),
                    "pair": [pair[0] + 1, pair[1] + 1],
                    "method": state.method if method is None else method,
                },
            }
        )
        return result


def check_network_model(model: QuantumModel) -> None:
    """Refuse what the network solution does not implement (before any solve): nothing today,
    every equation of :data:`~exactspin.quantum.equations.EQUATIONS` runs on networks (the model
    validated its name)."""


def assemble_network(model: QuantumModel, state: SteadyState) -> NetworkQuantumSolution:
    """Every observable of a network model's steady state."""
    network = model.network
    bath = observables.bath_currents(state)
    bath_errors = error_bounds.bath_current_bounds(state)
    currents = network_currents(state)
    cycles = circulation(network, currents.bond_currents, currents.bond_current_errors)
    if _bond_currents_vanish(model) and all(
        abs(value) <= error
        for value, error in zip(currents.bond_currents, currents.bond_current_errors, strict=True)
    ):
        # Every bond current is zero by construction (equation_note) and within its error.
        cycles = tuple(Circulation(entry.cycle, NONE, 0.0) for entry in cycles)
    reasons = []
    if not state.dimension_certified:
        reasons.append(f"steady state undetermined: {state.null_space_criterion}")
    if abs(sum(bath)) > sum(bath_errors):
        reasons.append(
            f"energy balance fails: the bath currents sum to {sum(bath):.3g}, beyond their "
            f"error bounds {sum(bath_errors):.1e}"
        )
    for index, entry in enumerate(cycles):
        if entry.label == UNDETERMINED:
            reasons.append(
                f"{cycle_label(index, entry.cycle.sites)}: a bond current is within its error "
                "bound of 0 "
                "and none disagrees, so whether the currents circulate is not resolved"
            )
    energies, degeneracies = observables.distinct_levels(state)
    min_eigenvalue = state.min_eigenvalue
    warnings = (
        list(state.warnings)
        + redfield_validity_warnings(state.generator)
        + positivity_warning(min_eigenvalue, error_bounds.evaluation_error(state))
        + [reason for reason in reasons if reason not in state.warnings]
    )
    return NetworkQuantumSolution(
        model=model,
        steady_state=state,
        bath_currents=tuple(bath),
        bath_current_errors=tuple(bath_errors),
        currents=currents,
        cycles=cycles,
        undetermined_reasons=tuple(reasons),
        warnings=tuple(warnings),
        site_magnetization=observables.site_magnetization(state),
        level_energies=tuple(float(e) for e in energies),
        level_degeneracies=tuple(int(g) for g in degeneracies),
        level_populations=tuple(float(p) for p in observables.level_populations(state)),
        eigenstate_populations=tuple(float(p) for p in observables.eigenstate_populations(state)),
        ergotropy_sector=observables.ergotropy_sector(state),
        ergotropy_full=observables.ergotropy_full(state),
    )


def _bond_currents_vanish(model: QuantumModel) -> bool:
    """The equation makes every bond current zero identically (see equations.equation_note)."""
    if getattr(model, "equation", "redfield") == "redfield":
        return False
    from exactspin.quantum.equations import currents_vanish_identically

    return currents_vanish_identically(model)


def unresolved(solution: NetworkQuantumSolution) -> bool:
    """True when an extended-precision re-solve could help: a label is undetermined or no bath
    current exceeds its bound."""
    return bool(solution.undetermined_reasons) or not any(
        abs(value) > bound
        for value, bound in zip(solution.bath_currents, solution.bath_current_errors, strict=True)
    )
