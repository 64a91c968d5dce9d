"""Exact steady-state currents of a classical ring: the result object and :func:`solve`.

Signs (docs/conventions.md): I_L, I_R are the energy drawn from each bath (Eq. 6); the bond
current of bond b is the energy moved into it by flips of spin b (Eq. 9), positive clockwise; I_U
is the upper-path bond current (left -> right) and I_D the lower-path one (right -> left), so
I_L = I_U - I_D. Currents are per single-spin update attempt (``unit="step"``, continuous time
divided by N_S) unless ``unit="continuous"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactspin.classical.generator import all_site_flips, generator_matrix
from exactspin.classical.model import ClassicalModel
from exactspin.classical.observables import (
    bath_current_density,
    bond_current_density,
    class_expectations,
    expectation,
    gross_flux_density,
    spin_correlation,
)
from exactspin.classical.resources import require_memory
from exactspin.classical.steady_state import (
    AUTO,
    METHODS,
    SteadyState,
    initial_distribution,
    steady_state_of_generator,
)
from exactspin.currents import circulation, magnification_ratio
from exactspin.validation import ParameterError, require_choice

STEP = "step"
CONTINUOUS = "continuous"
UNITS = (STEP, CONTINUOUS)

#: A branch current counts as nonzero when it exceeds this fraction of the gross one-way energy
#: flux through the branch's first bond; at T_L = T_R the net currents are round-off (~1e-18).
CIRCULATION_RELATIVE_THRESHOLD = 1e-9


@dataclass(frozen=True)
class BranchCurrents:
    """Bath and branch currents of one distribution (one closed class or the mixture)."""

    left_bath_current: float
    right_bath_current: float
    upper_branch_current: float
    lower_branch_current: float
    bond_currents: tuple[float, ...]
    circulation_threshold: float


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

    @property
    def closed_classes(self) -> int:
        """Number of closed classes of the chain."""
        return self.steady_state.closed_classes

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
        return {
            "left_bath_current": self.left_bath_current,
            "right_bath_current": self.right_bath_current,
            "upper_branch_current": self.upper_branch_current,
            "lower_branch_current": self.lower_branch_current,
            "bond_currents": list(self.bond_currents),
            "circulation": self.circulation,
            "circulation_threshold": self.circulation_threshold,
            "magnification_ratio": self.magnification_ratio,
            "closed_classes": self.closed_classes,
            "class_weights": [float(w) for w in self.steady_state.class_weights],
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
) -> ClassicalSolution:
    """Exact steady-state currents of ``model`` (Eqs. 4, 6, 9).

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

    Returns
    -------
    ClassicalSolution
    """
    if not isinstance(model, ClassicalModel):
        raise ParameterError("model", model, "an exactspin.classical.ClassicalModel")
    require_choice("unit", unit, UNITS)
    require_choice("method", method, METHODS)
    require_memory(model, memory_limit_bytes)
    initial_law = initial_distribution(model, initial)
    flips = all_site_flips(model)
    state = steady_state_of_generator(model, generator_matrix(model, flips), initial_law, method)
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
    )


def _branch_currents(
    model: ClassicalModel, flips: tuple, state: SteadyState, scale: float
) -> tuple[BranchCurrents, tuple[BranchCurrents, ...]]:
    """Currents of the mixture and of each closed class's own law."""
    labels, conditional = state.class_labels, state.conditional_probabilities
    count = state.closed_classes
    ring = model.ring

    def both(density: np.ndarray) -> tuple[float, np.ndarray]:
        return (
            scale * expectation(density, state.probabilities),
            scale * class_expectations(density, conditional, labels, count),
        )

    bonds = [both(bond_current_density(site)) for site in flips]
    left = both(bath_current_density(flips[ring.left_node]))
    right = both(bath_current_density(flips[ring.right_node]))
    upper_bond, lower_bond = ring.upper_bonds[0], ring.lower_bonds[0]
    gross_upper = both(gross_flux_density(flips[upper_bond]))
    gross_lower = both(gross_flux_density(flips[lower_bond]))

    def pick(which: int | None) -> BranchCurrents:
        def value(pair: tuple[float, np.ndarray]) -> float:
            return pair[0] if which is None else float(pair[1][which])

        return BranchCurrents(
            left_bath_current=value(left),
            right_bath_current=value(right),
            upper_branch_current=value(bonds[upper_bond]),
            lower_branch_current=value(bonds[lower_bond]),
            bond_currents=tuple(value(bond) for bond in bonds),
            circulation_threshold=CIRCULATION_RELATIVE_THRESHOLD
            * max(value(gross_upper), value(gross_lower)),
        )

    return pick(None), tuple(pick(index) for index in range(count))
