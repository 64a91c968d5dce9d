"""``solve``: the steady state of a quantum ring and every observable of Sec. III C, as one result.

This module assembles; the physics lives in :mod:`~exactspin.quantum.steady_state` and
:mod:`~exactspin.quantum.observables`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from exactspin.currents import circulation, magnification_ratio
from exactspin.quantum import observables
from exactspin.quantum.model import QuantumModel
from exactspin.quantum.steady_state import MEMORY_LIMIT, SteadyState, steady_state


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
    site_currents : dict
        <I[l]> (Eq. 34) at every bulk site l, clockwise positive.
    upper_branch_current, lower_branch_current : float
        I_U at the first upper bulk site (left -> right), I_D at the first lower bulk site
        (right -> left). Kirchhoff: I_L = I_U - I_D.
    current_threshold : float
        Branch currents below this are "zero" for the circulation label:
        :data:`~exactspin.quantum.observables.CURRENT_THRESHOLD` x gamma max(T) max(|J|, |Delta|).
    circulation : str
        ``"clockwise"``, ``"anticlockwise"`` or ``"parallel"`` (:mod:`exactspin.currents`).
    magnification_ratio : float
        max(|I_U|, |I_D|) / |I_L|; nan when |I_L| is below the threshold.
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
    site_currents: dict[int, float]
    upper_branch_current: float
    lower_branch_current: float
    current_threshold: float
    circulation: str
    magnification_ratio: float
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

    def to_dict(self, pair: tuple[int, int] = (1, 2)) -> dict[str, Any]:
        """JSON-ready summary; ``pair`` is 0-based (the default is the paper's spins 2 and 3)."""
        state = self.steady_state
        return {
            "left_bath_current": self.left_bath_current,
            "right_bath_current": self.right_bath_current,
            "upper_branch_current": self.upper_branch_current,
            "lower_branch_current": self.lower_branch_current,
            "site_currents": {str(site + 1): value for site, value in self.site_currents.items()},
            "circulation": self.circulation,
            "current_threshold": self.current_threshold,
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
            "steady_state_dimension": self.steady_state_dimension,
            "steady_state_member": self.steady_state_member,
            "method": state.method,
            "parameters": self.model.parameters(),
        }

    def _repr_html_(self) -> str:
        """A table of the currents (with their unit) and the parameters, for Jupyter."""
        from exactspin.display import quantum_solution_html

        return quantum_solution_html(self)


def solve(
    model: QuantumModel, method: str = "auto", memory_limit: float = MEMORY_LIMIT
) -> QuantumSolution:
    """Steady state of Eq. 26 in the model's sector and its observables (Eqs. 32-41).

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
    """
    state = steady_state(model, method=method, memory_limit=memory_limit)
    left, right = observables.bath_currents(state)
    currents = observables.site_currents(state)
    upper = currents[model.ring.upper_bulk_sites[0]]
    lower = currents[model.ring.lower_bulk_sites[0]]
    threshold = observables.CURRENT_THRESHOLD * observables.current_scale(state)
    ratio = magnification_ratio(upper, lower, left) if abs(left) > threshold else math.nan
    energies, degeneracies = observables.distinct_levels(state)
    return QuantumSolution(
        model=model,
        steady_state=state,
        left_bath_current=left,
        right_bath_current=right,
        site_currents=currents,
        upper_branch_current=upper,
        lower_branch_current=lower,
        current_threshold=threshold,
        circulation=circulation(upper, lower, threshold),
        magnification_ratio=ratio,
        site_magnetization=observables.site_magnetization(state),
        level_energies=tuple(float(e) for e in energies),
        level_degeneracies=tuple(int(g) for g in degeneracies),
        level_populations=tuple(float(p) for p in observables.level_populations(state)),
        eigenstate_populations=tuple(float(p) for p in observables.eigenstate_populations(state)),
        ergotropy_sector=observables.ergotropy_sector(state),
        ergotropy_full=observables.ergotropy_full(state),
    )
