"""``solve``: the steady state of a quantum ring (or network) and every observable of Sec. III C.

This module assembles; the physics lives in :mod:`~exactspin.quantum.steady_state` and
:mod:`~exactspin.quantum.observables`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from exactspin.currents import PARALLEL, UNDETERMINED, circulation, magnification_ratio
from exactspin.quantum import error_bounds, observables
from exactspin.quantum.extended_precision import EXTENDED_DIMENSION_LIMIT
from exactspin.quantum.model import QuantumModel
from exactspin.quantum.steady_state import (
    DOUBLE_DIGITS,
    MEMORY_LIMIT,
    SteadyState,
    steady_state,
)
from exactspin.quantum.validity import positivity_warning, redfield_validity_warnings
from exactspin.validation import require_choice

PRECISIONS = ("auto", "double", "extended")

#: Unit of every current (hbar = 1, energies in the units of J).
CURRENT_UNIT = "energy per unit time (hbar = 1; energies in the units of J)"


class FrozenMapping(Mapping):
    """A read-only mapping (picklable, unlike :class:`types.MappingProxyType`)."""

    def __init__(self, data: Mapping):
        self._data = dict(data)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMapping({self._data!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))


@dataclass(frozen=True)
class QuantumSolution:
    """Steady-state currents and observables of a :class:`QuantumModel` (sites 0-based).

    Attributes
    ----------
    model : QuantumModel
    steady_state : SteadyState
        The density matrix and its checks (trace, hermiticity, residual, null-space dimension).
    left_bath_current, right_bath_current : float
        I_L, I_R (Eq. 35), positive into the ring; I_L + I_R = 0.
    site_currents : Mapping
        <I[l]> (Eq. 34) at every bulk site l, clockwise positive (read-only).
    upper_branch_current, lower_branch_current : float
        I_U at the first upper bulk site (left -> right), I_D at the first lower bulk site
        (right -> left). Kirchhoff: I_L = I_U - I_D.
    left_bath_current_bound, right_bath_current_bound : float
        Error bounds of I_L, I_R (:mod:`~exactspin.quantum.error_bounds`).
    site_current_bounds : Mapping
        Error bound of every site current (read-only).
    upper_branch_current_bound, lower_branch_current_bound : float
        Error bounds of I_U and I_D.
    circulation : str
        ``"clockwise"``, ``"anticlockwise"`` or ``"parallel"`` (:mod:`exactspin.currents`) when
        both branch currents exceed their error bounds, the steady state's dimension is
        certified and I_L + I_R = 0 holds within the bounds; otherwise ``"undetermined"``.
    undetermined_reasons : tuple of str
        Why the circulation is undetermined (empty when it is not).
    magnification_ratio : float
        max(|I_U|, |I_D|) / |I_L|; nan when |I_L| is within its bound or the circulation is
        undetermined.
    warnings : tuple of str
        Everything the solve and the validity checks found (:mod:`~exactspin.quantum.validity`),
        the undetermined reasons included.
    site_magnetization : tuple of float
        M_i (Eq. 36), i = 0..N_S-1.
    level_energies, level_degeneracies, level_populations : tuple
        Distinct sector levels, ascending, and the population of each (Fig. 11a-b).
    eigenstate_populations : tuple of float
        <E_k|rho|E_k> per eigenstate.
    ergotropy_sector, ergotropy_full : float
        Eq. 41 over the sector's levels (as in Fig. 11d) and over all 2^N_S levels.
    """

    model: QuantumModel
    steady_state: SteadyState = field(repr=False)
    left_bath_current: float
    right_bath_current: float
    site_currents: Mapping[int, float]
    upper_branch_current: float
    lower_branch_current: float
    left_bath_current_bound: float
    right_bath_current_bound: float
    site_current_bounds: Mapping[int, float]
    upper_branch_current_bound: float
    lower_branch_current_bound: float
    circulation: str
    undetermined_reasons: tuple[str, ...]
    magnification_ratio: float
    warnings: tuple[str, ...]
    site_magnetization: tuple[float, ...]
    level_energies: tuple[float, ...]
    level_degeneracies: tuple[int, ...]
    level_populations: tuple[float, ...]
    eigenstate_populations: tuple[float, ...]
    ergotropy_sector: float
    ergotropy_full: float

    @property
    def min_eigenvalue(self) -> float:
        """Smallest eigenvalue of rho (negative flags a Redfield positivity failure)."""
        return self.steady_state.min_eigenvalue

    @property
    def determined(self) -> bool:
        """Whether every reported label is resolved by the solve."""
        return not self.undetermined_reasons

    @property
    def steady_state_dimension(self) -> int:
        """Null-space dimension of the generator; > 1 means several steady states."""
        return self.steady_state.dimension

    @property
    def steady_state_member(self) -> str:
        """Which steady state the observables belong to (``"unique"`` when there is one)."""
        return self.steady_state.member

    def zz_correlation(self, site_a: int, site_b: int) -> float:
        """<sz_a sz_b> (Eq. 37), 0-based sites."""
        return observables.zz_correlation(self.steady_state, site_a, site_b)

    def concurrence(self, site_a: int, site_b: int) -> float:
        """Concurrence (Eq. 38) of sites a, b (0-based)."""
        return observables.concurrence(self.steady_state, site_a, site_b)

    def to_dict(self, pair: tuple[int, int] = (1, 2), method: str | None = None) -> dict[str, Any]:
        """JSON-ready summary; ``pair`` is 0-based (the default is the paper's spins 2 and 3).

        ``parameters`` echoes every input of the solve, defaults included: the model's, the
        pair (1-based) and the requested ``method`` (default: the method used).
        """
        state = self.steady_state
        return {
            "unit": CURRENT_UNIT,
            "left_bath_current": self.left_bath_current,
            "right_bath_current": self.right_bath_current,
            "upper_branch_current": self.upper_branch_current,
            "lower_branch_current": self.lower_branch_current,
            "site_currents": {str(site + 1): value for site, value in self.site_currents.items()},
            "left_bath_current_bound": self.left_bath_current_bound,
            "right_bath_current_bound": self.right_bath_current_bound,
            "upper_branch_current_bound": self.upper_branch_current_bound,
            "lower_branch_current_bound": self.lower_branch_current_bound,
            "site_current_bounds": {
                str(site + 1): value for site, value in self.site_current_bounds.items()
            },
            "circulation": self.circulation,
            "undetermined_reasons": list(self.undetermined_reasons),
            "magnification_ratio": self.magnification_ratio,
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
            "steady_state_dimension": self.steady_state_dimension,
            "steady_state_dimension_certified": state.dimension_certified,
            "steady_state_member": self.steady_state_member,
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

    def _repr_html_(self) -> str:
        """A table of the currents (with their unit) and the parameters, for Jupyter."""
        from exactspin.display import quantum_solution_html

        return quantum_solution_html(self)


def solve(
    model: QuantumModel,
    method: str = "auto",
    memory_limit: float = MEMORY_LIMIT,
    precision: str = "auto",
):
    """Steady state of Eq. 26 in the model's sector and its observables (Eqs. 32-41).

    Returns a :class:`QuantumSolution` (branch currents, circulation) for the paper's ring built
    from its parameters and a
    :class:`~exactspin.quantum.network_solution.NetworkQuantumSolution` (bath, site, field and
    bond currents, cycles) for a model built from a network.

    Parameters
    ----------
    model : QuantumModel
    method : {"auto", "dense", "iterative"}
        See :func:`exactspin.quantum.steady_state.steady_state`. With several steady states the
        dense method returns the long-time limit of the maximally mixed sector state (flagged by
        ``steady_state_dimension`` > 1 and ``steady_state_member``); the iterative one raises
        :class:`~exactspin.quantum.steady_state.NonUniqueSteadyStateError`.
    memory_limit : float
        Bytes; larger problems raise :class:`~exactspin.validation.ResourceError` up front.
    precision : {"auto", "double", "extended"}
        ``"auto"``: double precision, re-solved in extended precision (dense sectors up to
        :data:`~exactspin.quantum.extended_precision.EXTENDED_DIMENSION_LIMIT`) when the
        double-precision error bounds leave the circulation or the ratio unresolved. The others
        are passed to :func:`~exactspin.quantum.steady_state.steady_state`.

    Notes
    -----
    Nothing is compared with a fixed threshold: a current is nonzero when it exceeds its error
    bound (:mod:`~exactspin.quantum.error_bounds`), and the circulation is ``"undetermined"``
    (with the reasons in ``undetermined_reasons``) when a branch current is within its bound,
    the null-space dimension is not certified, or I_L + I_R = 0 fails beyond the bounds.
    """
    precision = require_choice("precision", precision, PRECISIONS)
    if isinstance(model, QuantumModel) and not model.is_ring:
        from exactspin.quantum import network_solution

        network_solution.check_network_model(model)
        assemble, unresolved = network_solution.assemble_network, network_solution.unresolved
    else:
        assemble, unresolved = _assemble, _unresolved
    state = steady_state(
        model,
        method=method,
        memory_limit=memory_limit,
        precision="extended" if precision == "extended" else "double",
    )
    solution = assemble(model, state)
    refinable = (
        precision == "auto"
        and state.method == "dense"
        and state.precision_digits == DOUBLE_DIGITS
        and model.dimension <= EXTENDED_DIMENSION_LIMIT
        # The extended-precision twin implements Eq. 26 only (not the other master equations).
        and getattr(model, "equation", "redfield") == "redfield"
    )
    if refinable and unresolved(solution):
        state = steady_state(model, method="dense", memory_limit=memory_limit, precision="extended")
        solution = assemble(model, state)
    return solution


def _unresolved(solution: QuantumSolution) -> bool:
    """A ring label is undetermined or I_L is within its bound (worth an extended re-solve)."""
    return bool(solution.undetermined_reasons) or not (
        abs(solution.left_bath_current) > solution.left_bath_current_bound
    )


def _assemble(model: QuantumModel, state: SteadyState) -> QuantumSolution:
    left, right = observables.bath_currents(state)
    left_bound, right_bound = error_bounds.bath_current_bounds(state)
    currents = observables.site_currents(state)
    bounds = error_bounds.site_current_bounds(state)
    upper_site = model.ring.upper_bulk_sites[0]
    lower_site = model.ring.lower_bulk_sites[0]
    upper, lower = currents[upper_site], currents[lower_site]
    structural_zero = _branch_currents_vanish(model) and all(
        abs(value) <= bounds[site] for value, site in ((upper, upper_site), (lower, lower_site))
    )
    reasons = _undetermined_reasons(
        structural_zero,
        state,
        left,
        right,
        left_bound,
        right_bound,
        upper,
        lower,
        bounds[upper_site],
        bounds[lower_site],
    )
    resolved = not reasons and abs(left) > left_bound
    if structural_zero:
        # I_U = I_D = 0 by construction (equation_note): no circulation, ratio exactly 0.
        ratio = 0.0 if resolved else math.nan
    else:
        ratio = magnification_ratio(upper, lower, left) if resolved else math.nan
    energies, degeneracies = observables.distinct_levels(state)
    min_eigenvalue = state.min_eigenvalue
    warnings = (
        list(state.warnings)
        + redfield_validity_warnings(state.generator)
        + positivity_warning(min_eigenvalue, error_bounds.evaluation_error(state))
        + [reason for reason in reasons if reason not in state.warnings]
    )
    return QuantumSolution(
        model=model,
        steady_state=state,
        left_bath_current=left,
        right_bath_current=right,
        site_currents=FrozenMapping(currents),
        upper_branch_current=upper,
        lower_branch_current=lower,
        left_bath_current_bound=left_bound,
        right_bath_current_bound=right_bound,
        site_current_bounds=FrozenMapping(bounds),
        upper_branch_current_bound=bounds[upper_site],
        lower_branch_current_bound=bounds[lower_site],
        circulation=(
            UNDETERMINED
            if reasons
            else PARALLEL
            if structural_zero
            else circulation(upper, lower, 0.0)
        ),
        undetermined_reasons=tuple(reasons),
        magnification_ratio=ratio,
        warnings=tuple(warnings),
        site_magnetization=observables.site_magnetization(state),
        level_energies=tuple(float(e) for e in energies),
        level_degeneracies=tuple(int(g) for g in degeneracies),
        level_populations=tuple(float(p) for p in observables.level_populations(state)),
        eigenstate_populations=tuple(float(p) for p in observables.eigenstate_populations(state)),
        ergotropy_sector=observables.ergotropy_sector(state),
        ergotropy_full=observables.ergotropy_full(state),
    )


def _branch_currents_vanish(model: QuantumModel) -> bool:
    """The equation makes I_U and I_D zero identically (see equations.equation_note)."""
    if getattr(model, "equation", "redfield") == "redfield":
        return False
    from exactspin.quantum.equations import currents_vanish_identically

    return currents_vanish_identically(model)


def _undetermined_reasons(
    structural_zero: bool,
    state: SteadyState,
    left: float,
    right: float,
    left_bound: float,
    right_bound: float,
    upper: float,
    lower: float,
    upper_bound: float,
    lower_bound: float,
) -> list[str]:
    """Why the solve cannot resolve the circulation label (empty when it can).

    ``structural_zero``: the equation makes I_U = I_D = 0 identically and both lie within their
    bounds, so their signs are not asked for.
    """
    reasons = []
    if not state.dimension_certified:
        reasons.append(f"steady state undetermined: {state.null_space_criterion}")
    if abs(left + right) > left_bound + right_bound:
        reasons.append(
            f"energy balance fails: I_L + I_R = {left + right:.3g} exceeds its error bound "
            f"{left_bound + right_bound:.1e}"
        )
    for name, value, bound in (("I_U", upper, upper_bound), ("I_D", lower, lower_bound)):
        if not structural_zero and not abs(value) > bound:
            reasons.append(
                f"{name} = {value:.3g} is within its error bound {bound:.1e} of 0: its sign is "
                "not resolved"
            )
    return reasons
