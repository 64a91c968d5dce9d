"""The exact steady state of a classical network: each closed class solved alone, then mixed.

Closed classes are found on the transition graph, i.e. from which moves the rules allow
(:mod:`exactspin.classical.classes`), never from rate magnitudes, so an underflowing rate can not
split a class. Each class is solved as its own chain, halved by the global spin-flip symmetry
(:mod:`exactspin.classical.class_chain`; not with fields, which break it), by mixed-precision
iterative refinement with a computed componentwise error bound
(:mod:`exactspin.classical.class_solver`, which gives the method and the literature). Classes are
mixed with the weights an initial distribution gives them (default uniform over all states), never
averaged silently: the count, sizes and per-class laws stay available. Currents and correlations
live elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from exactspin.classical.aggregation import energy_aggregates
from exactspin.classical.class_chain import class_chain, spin_flip_mask
from exactspin.classical.class_solver import (
    DIRECT,
    DIRECT_SIZE_LIMIT,
    ITERATIVE,
    ClassLaw,
    UndeterminedError,
    solve_class,
)
from exactspin.classical.classes import class_weights, flip_classes
from exactspin.classical.flips import SiteFlips, ising_energy
from exactspin.classical.generator import all_site_flips, generator_matrix
from exactspin.classical.model import ClassicalModel
from exactspin.classical.precision import require_double_precision_range
from exactspin.classical.resources import require_memory
from exactspin.validation import ParameterError, require_choice

AUTO = "auto"
METHODS = (AUTO, DIRECT, ITERATIVE)

#: Tolerance on the total mass and sign of a user-supplied initial distribution.
INITIAL_TOLERANCE = 1e-9

__all__ = [
    "AUTO",
    "DIRECT",
    "ITERATIVE",
    "METHODS",
    "SteadyState",
    "UndeterminedError",
    "initial_distribution",
    "steady_state",
    "steady_state_of_flips",
]


@dataclass(frozen=True)
class SteadyState:
    """The stationary distribution of a classical ring (Eq. 4 with dP/dt = 0).

    Every array is read-only: a result is a value, editing it cannot change another result.

    Attributes
    ----------
    model : ClassicalModel
        The model solved.
    probabilities : numpy.ndarray
        P(eta) over all states, in the encoding of :mod:`exactspin.classical.states`.
    closed_classes : int
        Number of closed classes (1 for an ergodic chain).
    class_labels : numpy.ndarray
        Closed-class index of every state, -1 for a transient state.
    class_sizes : tuple of int
        Number of states of each closed class.
    conditional_probabilities : numpy.ndarray
        P(eta | class of eta): every class's own stationary law, side by side (0 on transients).
    conditional_probabilities_low : numpy.ndarray
        The part of P(eta | class) below double precision (the law is kept as a double-double
        so that currents, differences of large opposite flows, lose nothing in the sum).
    conditional_error_bounds : numpy.ndarray
        Computed bound on |P_exact(eta | class) - P(eta | class)| for every state.
    class_weights : numpy.ndarray
        The weight of each class in :attr:`probabilities` (from the initial distribution).
    residual : float
        max over classes of sum |W P| for the class's own law (continuous-time rates).
    method : str
        The approximate solve under the refinement: ``"direct"`` (sparse LU), ``"iterative"``
        (Krylov) or ``"direct+iterative"`` when classes used both.
    """

    model: ClassicalModel
    probabilities: np.ndarray
    closed_classes: int
    class_labels: np.ndarray
    class_sizes: tuple[int, ...]
    conditional_probabilities: np.ndarray
    conditional_probabilities_low: np.ndarray
    conditional_error_bounds: np.ndarray
    class_weights: np.ndarray
    residual: float
    method: str

    def class_distribution(self, index: int) -> np.ndarray:
        """The normalised stationary law of closed class ``index``, over all states."""
        if not 0 <= index < self.closed_classes:
            raise ParameterError("index", index, f"a class index in [0, {self.closed_classes - 1}]")
        return np.where(self.class_labels == index, self.conditional_probabilities, 0.0)

    @property
    def class_probabilities(self) -> tuple[np.ndarray, ...]:
        """Every class's law as a full-length array (memory: classes x states floats)."""
        return tuple(self.class_distribution(k) for k in range(self.closed_classes))

    @property
    def probability_error_bounds(self) -> np.ndarray:
        """Computed bound on |P_exact(eta) - P(eta)| of the mixture (weights taken as exact)."""
        weights = np.where(self.class_labels >= 0, self.class_weights[self.class_labels], 0.0)
        return weights * self.conditional_error_bounds


def steady_state(
    model: ClassicalModel,
    initial: np.ndarray | None = None,
    method: str = AUTO,
    memory_limit_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SteadyState:
    """Solve W P = 0 (Eq. 4) for every closed class and mix them by ``initial``.

    Parameters
    ----------
    model : ClassicalModel
        The ring and its dynamics.
    initial : array_like, optional
        Initial distribution over all states (nonnegative, summing to 1) deciding the weight of
        each closed class; default uniform, so each class weighs its share of the states.
    method : {"auto", "direct", "iterative"}
        The approximate solve under the refinement: sparse LU, Krylov (BiCGSTAB/GMRES, LU
        fallback for moderate sizes), or LU up to
        :data:`~exactspin.classical.class_solver.DIRECT_SIZE_LIMIT` states per (halved) class
        and Krylov above.
    memory_limit_bytes : int, optional
        Refuse (:class:`~exactspin.validation.ResourceError`) when the estimated peak memory
        exceeds this; default $EXACTSPIN_MEMORY_LIMIT_BYTES or 8 GiB.
    progress : callable, optional
        Called as ``progress(classes_done, classes_to_solve)`` after each class.

    Returns
    -------
    SteadyState

    Raises
    ------
    UndeterminedError
        When no solver available at this size can resolve a class (very stiff and large).
    """
    if not isinstance(model, ClassicalModel):
        raise ParameterError("model", model, "an exactspin.classical.ClassicalModel")
    require_choice("method", method, METHODS)
    require_double_precision_range(model)
    require_memory(model, memory_limit_bytes)
    initial_law = initial_distribution(model, initial)
    return steady_state_of_flips(model, all_site_flips(model), initial_law, method, progress)


def steady_state_of_flips(
    model: ClassicalModel,
    flips: tuple[SiteFlips, ...],
    initial: np.ndarray,
    method: str = AUTO,
    progress: Callable[[int, int], None] | None = None,
) -> SteadyState:
    """:func:`steady_state` from already computed flips of ``model`` (validated inputs)."""
    decomposition = flip_classes(flips)
    labels = decomposition.labels
    if decomposition.transient.size:
        weights = class_weights(generator_matrix(model, flips), decomposition, initial)
    else:
        weights = np.bincount(labels, weights=initial, minlength=decomposition.count)
    energy = ising_energy(model)
    mask = spin_flip_mask(model.sites)
    count = model.state_count
    high, low, bounds = np.zeros(count), np.zeros(count), np.zeros(count)
    members_of = decomposition.all_members()
    if model.has_fields:
        # A field -h s breaks the global spin flip: every class is solved whole, unlumped.
        partners = [-1] * len(members_of)
    else:
        partners = [int(labels[members[0] ^ mask]) for members in members_of]
    methods, residual = set(), 0.0
    for index, members in enumerate(members_of):
        partner = partners[index]
        if 0 <= partner < index:
            # The spin flip maps this class onto one already solved: its law, mirrored.
            mirror = members ^ mask
            high[members], low[members] = high[mirror], low[mirror]
            bounds[members] = bounds[mirror]
        else:
            chain = class_chain(flips, members, partner == index, model.sites)
            chosen = method
            if method == AUTO:
                chosen = DIRECT if chain.size <= DIRECT_SIZE_LIMIT else ITERATIVE
            aggregates = None
            if chosen == ITERATIVE:
                aggregates = energy_aggregates(model, chain.states, energy[chain.states])
            law = solve_class(chain, energy[chain.states], chosen, aggregates)
            _spread(law, chain.states, chain.lumped, mask, high, low, bounds)
            methods.add(law.method)
            residual = max(residual, law.residual)
        if progress is not None:
            progress(index + 1, decomposition.count)
    recurrent = labels >= 0
    probabilities = np.zeros(count)
    probabilities[recurrent] = high[recurrent] * weights[labels[recurrent]]
    return SteadyState(
        model=model,
        probabilities=_frozen(probabilities),
        closed_classes=decomposition.count,
        class_labels=_frozen(labels),
        class_sizes=tuple(int(members.size) for members in members_of),
        conditional_probabilities=_frozen(high),
        conditional_probabilities_low=_frozen(low),
        conditional_error_bounds=_frozen(bounds),
        class_weights=_frozen(weights),
        residual=float(residual),
        method="+".join(sorted(methods)) or DIRECT,
    )


def _spread(
    law: ClassLaw,
    states: np.ndarray,
    lumped: bool,
    mask: int,
    high: np.ndarray,
    low: np.ndarray,
    bounds: np.ndarray,
) -> None:
    """Write a class law onto the full state space (a lumped pair's mass split evenly)."""
    share = 0.5 if lumped else 1.0
    targets = (states, states ^ mask) if lumped else (states,)
    for target in targets:
        high[target] = share * law.high
        low[target] = share * law.low
        bounds[target] = share * law.error_bounds


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def initial_distribution(model: ClassicalModel, initial: object) -> np.ndarray:
    """``initial`` validated as a distribution over all states; uniform when None."""
    count = model.state_count
    if initial is None:
        return np.full(count, 1.0 / count)
    allowed = f"a nonnegative array of {count} probabilities summing to 1"
    try:
        law = np.asarray(initial, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError("initial", initial, allowed) from None
    if (
        law.shape != (count,)
        or not np.all(np.isfinite(law))
        or np.any(law < 0)
        or abs(law.sum() - 1) > INITIAL_TOLERANCE
    ):
        raise ParameterError("initial", "array of shape " + str(law.shape), allowed)
    return law / law.sum()
