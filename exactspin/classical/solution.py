"""Exact steady-state currents of a classical ring: the result object and :func:`solve`.

Signs (docs/conventions.md): I_L, I_R are the energy drawn from each bath (Eq. 6); the bond
current of bond b is the energy moved into it by flips of spin b (Eq. 9), positive clockwise; I_U
is the upper-path bond current (left -> right) and I_D the lower-path one (right -> left), so
I_L = I_U - I_D. Currents are per single-spin update attempt (``unit="step"``, continuous time
divided by N_S) unless ``unit="continuous"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from exactspin.classical import extended
from exactspin.classical.class_solver import DOUBLE_DOUBLE_ROUNDOFF
from exactspin.classical.flips import RATE_ROUNDOFF, SiteFlips
from exactspin.classical.generator import all_site_flips
from exactspin.classical.model import ClassicalModel
from exactspin.classical.observables import spin_correlation
from exactspin.classical.precision import require_double_precision_range
from exactspin.classical.resources import require_memory
from exactspin.classical.steady_state import (
    AUTO,
    METHODS,
    SteadyState,
    initial_distribution,
    steady_state_of_flips,
)
from exactspin.currents import circulation, magnification_ratio
from exactspin.display import class_weighting
from exactspin.validation import ParameterError, require_choice, require_positive

STEP = "step"
CONTINUOUS = "continuous"
UNITS = (STEP, CONTINUOUS)

#: A branch current counts as nonzero when it exceeds this fraction of the gross one-way energy
#: flux through the branch's first bond; at T_L = T_R the net currents are round-off (~1e-18).
CIRCULATION_RELATIVE_THRESHOLD = 1e-9

#: Default accuracy asked of every current (relative), see :func:`solve`.
DEFAULT_ACCURACY = 1e-10

#: Relative rounding of dE = c1 J1 + c2 J2 in double (bath currents; a bond's 2 J is exact).
_ENERGY_ROUNDOFF = np.finfo(float).eps / 2

#: Relative rounding of the per-step scaling and of the double-double sums.
_SUM_ROUNDOFF = np.finfo(float).eps

#: The names of the four headline currents, in the order of :attr:`ClassicalSolution.error_bounds`.
CURRENT_NAMES = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


@dataclass(frozen=True)
class BranchCurrents:
    """Bath and branch currents of one distribution (one closed class or the mixture).

    ``error_bounds`` maps each name of :data:`CURRENT_NAMES` to a computed bound on its error;
    ``bond_current_error_bounds`` does the same for ``bond_currents``.
    """

    left_bath_current: float
    right_bath_current: float
    upper_branch_current: float
    lower_branch_current: float
    bond_currents: tuple[float, ...]
    circulation_threshold: float
    error_bounds: Mapping[str, float]
    bond_current_error_bounds: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready currents and bounds."""
        payload: dict[str, Any] = {name: getattr(self, name) for name in CURRENT_NAMES}
        payload["bond_currents"] = list(self.bond_currents)
        payload["error_bounds"] = {
            **self.error_bounds,
            "bond_currents": list(self.bond_current_error_bounds),
        }
        return payload


@dataclass(frozen=True)
class ClassicalSolution:
    """Exact steady-state heat currents and correlations of a classical ring.

    Attributes
    ----------
    model : ClassicalModel
        The model solved.
    steady_state : SteadyState
        The distribution the observables are taken in.
    unit : {"step", "continuous"}
        Time unit of every current.
    left_bath_current, right_bath_current : float
        I_L, I_R (Eq. 6): energy drawn from the left (right) bath.
    bond_currents : tuple of float
        Eq. 9 at every bond b = 0..N_S-1 (bond b joins sites b and b+1), positive clockwise.
    upper_branch_current : float
        I_U: bond current of the upper path, positive left -> right.
    lower_branch_current : float
        I_D: bond current of the lower path, positive right -> left (clockwise).
    circulation : str
        ``"clockwise"``, ``"anticlockwise"`` or ``"parallel"`` (see
        :func:`exactspin.currents.circulation`), with threshold :attr:`circulation_threshold`.
    circulation_threshold : float
        :data:`CIRCULATION_RELATIVE_THRESHOLD` x the larger gross flux of the two branches.
    magnification_ratio : float
        max(|I_U|, |I_D|) / |I_L|; ``nan`` when |I_L| is below the threshold (equilibrium).
    class_currents : tuple of BranchCurrents
        The currents of each closed class's own stationary law.
    error_bounds : mapping
        Computed bound on the error of each current of :data:`CURRENT_NAMES` (same unit).
    bond_current_error_bounds : tuple of float
        Computed bound on the error of each bond current.
    accuracy : float
        The relative accuracy asked of every current.
    determined : bool
        Whether every current is resolved: its bound is at most ``accuracy`` x |current|, or
        the current plus its bound stays below :attr:`circulation_threshold` (it is zero at the
        stated threshold whatever the error). When False, the numbers must not be reported.
    """

    model: ClassicalModel
    steady_state: SteadyState
    unit: str
    left_bath_current: float
    right_bath_current: float
    bond_currents: tuple[float, ...]
    upper_branch_current: float
    lower_branch_current: float
    circulation: str
    circulation_threshold: float
    magnification_ratio: float
    class_currents: tuple[BranchCurrents, ...]
    error_bounds: Mapping[str, float]
    bond_current_error_bounds: tuple[float, ...]
    accuracy: float
    determined: bool

    @property
    def closed_classes(self) -> int:
        """Number of closed classes of the chain."""
        return self.steady_state.closed_classes

    @property
    def relative_error_bound(self) -> float:
        """max over the currents of bound / |current| (inf for a current that is exactly 0)."""
        pairs = [(getattr(self, name), self.error_bounds[name]) for name in CURRENT_NAMES]
        pairs += list(zip(self.bond_currents, self.bond_current_error_bounds, strict=True))
        return max(
            (bound / abs(value) if value else (0.0 if bound == 0 else math.inf))
            for value, bound in pairs
        )

    def correlation(self, first: int, second: int) -> float:
        """<sigma_i sigma_j> (Eq. 18), sites 0-based (paper: i + 1, j + 1)."""
        sites = self.model.sites
        for name, site in (("first", first), ("second", second)):
            if isinstance(site, bool) or not isinstance(site, (int, np.integer)):
                raise ParameterError(name, site, f"a site index in [0, {sites - 1}]")
            if not 0 <= site < sites:
                raise ParameterError(name, site, f"a site index in [0, {sites - 1}]")
        return spin_correlation(
            self.model, self.steady_state.probabilities, int(first), int(second)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the keys of ``exactspin classical solve --json``)."""
        state = self.steady_state
        return {
            "left_bath_current": self.left_bath_current,
            "right_bath_current": self.right_bath_current,
            "upper_branch_current": self.upper_branch_current,
            "lower_branch_current": self.lower_branch_current,
            "bond_currents": list(self.bond_currents),
            "error_bounds": {
                **self.error_bounds,
                "bond_currents": list(self.bond_current_error_bounds),
            },
            "relative_error_bound": self.relative_error_bound,
            "accuracy": self.accuracy,
            "determined": self.determined,
            "circulation": self.circulation,
            "circulation_threshold": self.circulation_threshold,
            "magnification_ratio": self.magnification_ratio,
            "closed_classes": self.closed_classes,
            "class_sizes": list(state.class_sizes),
            "class_weights": [float(w) for w in state.class_weights],
            "class_weighting": class_weighting(state.class_sizes, state.class_weights),
            "class_currents": [
                {"size": size, "weight": float(weight), **currents.to_dict()}
                for size, weight, currents in zip(
                    state.class_sizes, state.class_weights, self.class_currents, strict=True
                )
            ],
            "method": state.method,
            "unit": self.unit,
            "parameters": self.model.parameters(),
        }

    def _repr_html_(self) -> str:
        """A table of the currents (with their unit) and the parameters, for Jupyter."""
        from exactspin.display import classical_solution_html

        return classical_solution_html(self)


def solve(
    model: ClassicalModel,
    initial: np.ndarray | None = None,
    unit: str = STEP,
    method: str = AUTO,
    memory_limit_bytes: int | None = None,
    accuracy: float = DEFAULT_ACCURACY,
    progress: Callable[[int, int], None] | None = None,
) -> ClassicalSolution:
    """Exact steady-state currents of ``model`` (Eqs. 4, 6, 9), each with an error bound.

    Parameters
    ----------
    model : ClassicalModel
        The ring and its dynamics.
    initial : array_like, optional
        Initial distribution deciding the weights of the closed classes (default uniform).
    unit : {"step", "continuous"}
        Currents per single-spin update attempt (continuous time / N_S) or per unit time.
    method : {"auto", "direct", "iterative"}
        Linear solver, see :func:`exactspin.classical.steady_state`.
    memory_limit_bytes : int, optional
        Refuse larger problems with :class:`~exactspin.validation.ResourceError`.
    accuracy : float
        Relative accuracy asked of every current (sets :attr:`ClassicalSolution.determined`).
    progress : callable, optional
        ``progress(classes_done, classes)``, see :func:`exactspin.classical.steady_state`.

    Returns
    -------
    ClassicalSolution

    Notes
    -----
    A current is sum_eta dE(eta) r(eta) P(eta) over the flips of one site (Eqs. 6, 9); its
    error bound is sum |dE| r |dP| with dP the computed componentwise bound of the steady
    state, plus the rounding of the rates (double-double), of dE for the bath
    currents, and of the double-double sum, each relative to the gross flow sum |dE| r P.
    Currents at low temperature are differences of large opposite flows; the absolute values
    in the bound are what accounts for it.
    """
    if not isinstance(model, ClassicalModel):
        raise ParameterError("model", model, "an exactspin.classical.ClassicalModel")
    if not model.is_ring:
        raise ParameterError(
            "model",
            model.network.name or "a network",
            "one of the paper's rings (for any network use exactspin.classical.solve_network)",
        )
    require_choice("unit", unit, UNITS)
    require_choice("method", method, METHODS)
    accuracy = require_positive("accuracy", accuracy)
    require_double_precision_range(model)
    require_memory(model, memory_limit_bytes)
    initial_law = initial_distribution(model, initial)
    flips = all_site_flips(model)
    state = steady_state_of_flips(model, flips, initial_law, method, progress)
    scale = 1.0 / model.sites if unit == STEP else 1.0
    total, per_class = _branch_currents(model, flips, state, scale)
    upper, lower = total.upper_branch_current, total.lower_branch_current
    threshold = total.circulation_threshold
    ratio = (
        magnification_ratio(upper, lower, total.left_bath_current)
        if abs(total.left_bath_current) > threshold
        else math.nan
    )
    return ClassicalSolution(
        model=model,
        steady_state=state,
        unit=unit,
        left_bath_current=total.left_bath_current,
        right_bath_current=total.right_bath_current,
        bond_currents=total.bond_currents,
        upper_branch_current=upper,
        lower_branch_current=lower,
        circulation=circulation(upper, lower, threshold),
        circulation_threshold=threshold,
        magnification_ratio=ratio,
        class_currents=per_class,
        error_bounds=total.error_bounds,
        bond_current_error_bounds=total.bond_current_error_bounds,
        accuracy=accuracy,
        determined=_resolved(total, accuracy),
    )


def _resolved(currents: BranchCurrents, accuracy: float) -> bool:
    values = [getattr(currents, name) for name in CURRENT_NAMES] + list(currents.bond_currents)
    bounds = [currents.error_bounds[name] for name in CURRENT_NAMES]
    bounds += list(currents.bond_current_error_bounds)
    threshold = currents.circulation_threshold
    return all(
        bound <= accuracy * abs(value) or abs(value) + bound < threshold
        for value, bound in zip(values, bounds, strict=True)
    )


@dataclass(frozen=True)
class _Expectation:
    """sum c P of one density, for the mixture and per class, with bounds (already scaled)."""

    value: float
    bound: float
    class_values: np.ndarray
    class_bounds: np.ndarray


def flow_expectation(
    state: SteadyState, scale: float
) -> Callable[[SiteFlips, np.ndarray, bool], _Expectation]:
    """``expectation(site, energy, exact_energy)``: sum energy x rate x P over the flips of
    one site (Eqs. 6, 9), for the mixture and each closed class, with computed bounds."""
    count = state.closed_classes
    labels = state.class_labels
    # One class without transients (every Q2R ring): no need to sort 2^N_S labels, nor to
    # gather every array into class order (the state order is already that).
    whole = count == 1 and not np.any(labels < 0)
    order = None if whole else np.argsort(labels, kind="stable")

    def ordered_by_class(values: np.ndarray) -> np.ndarray:
        return values if order is None else values[order]

    starts = (
        np.array([0, labels.size])
        if whole
        else np.searchsorted(labels[order], np.arange(count + 1))
    )
    high = ordered_by_class(state.conditional_probabilities)
    low = ordered_by_class(state.conditional_probabilities_low)
    bounds = ordered_by_class(state.conditional_error_bounds)
    weights = state.class_weights

    rate_roundoff = RATE_ROUNDOFF + DOUBLE_DOUBLE_ROUNDOFF

    def expectation(site: SiteFlips, energy: np.ndarray, exact_energy: bool) -> _Expectation:
        """sum energy x rate x P over the flips of ``site`` (energy 0 where not allowed)."""
        ordered = ordered_by_class(np.where(site.allowed, energy, 0.0))
        rate_high = ordered_by_class(site.rate)
        rate_low = (
            np.zeros(labels.size)
            if site.rate_correction is None
            else ordered_by_class(site.rate_correction)
        )
        magnitude = np.abs(ordered) * rate_high
        values, errors = np.zeros(count), np.zeros(count)
        for k in range(count):
            part = slice(starts[k], starts[k + 1])
            value_high, value_low = extended.compensated_flow_sum(
                ordered[part], rate_high[part], rate_low[part], high[part], low[part]
            )
            values[k] = scale * (value_high + value_low)
            gross = float(np.dot(magnitude[part], high[part]))
            # Rounding: each term's double-double rate and product (rate_roundoff), the
            # double-double running sum (at most 2^-100 of sum |terms| per addition, so
            # n x 2^-100 in all), the double energies of bath flips; then the one rounding of
            # the double-double total to double and its product with the scale (2 eps |value|).
            # The sum is carried in double-double, so its rounding is not eps x gross: near
            # equilibrium, where the net current is ~1e-7 of the gross flux, that cruder
            # term alone exceeded 1e-10 of the current.
            terms = starts[k + 1] - starts[k]
            roundoff = (
                rate_roundoff
                + terms * DOUBLE_DOUBLE_ROUNDOFF
                + (0.0 if exact_energy else _ENERGY_ROUNDOFF)
            )
            # A flow that is 0 carries no error even where the law's bound is infinite.
            propagated = np.dot(magnitude[part], np.where(magnitude[part] > 0, bounds[part], 0))
            errors[k] = scale * (float(propagated) + roundoff * gross) + 2 * _SUM_ROUNDOFF * abs(
                values[k]
            )
        mixture_high, mixture_low = extended.compensated_dot(values, weights, np.zeros(count))
        mixture_bound = float(np.dot(errors, weights)) + _SUM_ROUNDOFF * float(
            np.dot(np.abs(values), weights)
        )
        return _Expectation(mixture_high + mixture_low, mixture_bound, values, errors)

    return expectation


def _branch_currents(
    model: ClassicalModel, flips: tuple, state: SteadyState, scale: float
) -> tuple[BranchCurrents, tuple[BranchCurrents, ...]]:
    """Currents of the mixture and of each closed class's own law."""
    count = state.closed_classes
    ring = model.ring
    expectation = flow_expectation(state, scale)

    bonds = [expectation(site, site.bond_transfer, True) for site in flips]
    left_flips, right_flips = flips[ring.left_node], flips[ring.right_node]
    left = expectation(left_flips, left_flips.energy_change, False)
    right = expectation(right_flips, right_flips.energy_change, False)
    upper_bond, lower_bond = ring.upper_bonds[0], ring.lower_bonds[0]
    upper_flips, lower_flips = flips[upper_bond], flips[lower_bond]
    gross_upper = expectation(upper_flips, np.abs(upper_flips.bond_transfer), True)
    gross_lower = expectation(lower_flips, np.abs(lower_flips.bond_transfer), True)

    def pick(which: int | None) -> BranchCurrents:
        def value(item: _Expectation) -> float:
            return item.value if which is None else float(item.class_values[which])

        def bound(item: _Expectation) -> float:
            return item.bound if which is None else float(item.class_bounds[which])

        named = (left, right, bonds[upper_bond], bonds[lower_bond])
        return BranchCurrents(
            left_bath_current=value(left),
            right_bath_current=value(right),
            upper_branch_current=value(bonds[upper_bond]),
            lower_branch_current=value(bonds[lower_bond]),
            bond_currents=tuple(value(bond) for bond in bonds),
            circulation_threshold=CIRCULATION_RELATIVE_THRESHOLD
            * max(value(gross_upper), value(gross_lower)),
            error_bounds=MappingProxyType(
                {name: bound(item) for name, item in zip(CURRENT_NAMES, named, strict=True)}
            ),
            bond_current_error_bounds=tuple(bound(bond) for bond in bonds),
        )

    return pick(None), tuple(pick(index) for index in range(count))
