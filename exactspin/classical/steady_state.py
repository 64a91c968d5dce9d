"""The exact steady state of a classical ring: W P = 0 on each closed class, then mixed.

Each closed class (see :mod:`exactspin.classical.classes`) has its own stationary law, found by
pinning one state of the class and solving the remaining equations of W P = 0. The pinned state
is the one of lowest energy, so its probability is never vanishingly small and the solution
neither overflows nor underflows at low temperature. Classes are then mixed with the weights an
initial distribution gives them (default: uniform over all states), never averaged silently: the
count and the per-class laws stay available. Currents and correlations live elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from exactspin.classical.classes import class_weights, closed_classes
from exactspin.classical.flips import ising_energy
from exactspin.classical.generator import all_site_flips, generator_matrix
from exactspin.classical.model import ClassicalModel
from exactspin.classical.resources import require_memory
from exactspin.validation import ParameterError, require_choice

DIRECT = "direct"
ITERATIVE = "iterative"
AUTO = "auto"
METHODS = (AUTO, DIRECT, ITERATIVE)

#: Classes up to this many states are solved by sparse LU under ``method="auto"``.
DIRECT_SIZE_LIMIT = 2**17

#: Relative tolerance of the Krylov solver (on the residual of the pinned system).
ITERATIVE_TOLERANCE = 1e-13

#: Round-off allowance: entries above -this x (largest probability) are clipped to zero.
NEGATIVE_TOLERANCE = 1e-12

#: Tolerance on the total mass and sign of a user-supplied initial distribution.
INITIAL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SteadyState:
    """The stationary distribution of a classical ring (Eq. 4 with dP/dt = 0).

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
    class_probabilities : tuple of numpy.ndarray
        The normalised stationary law of each class, over all states (zero outside the class).
    class_weights : numpy.ndarray
        The weight of each class in :attr:`probabilities` (from the initial distribution).
    residual : float
        max over classes of sum |W P| (continuous-time rates), the solver's accuracy.
    method : str
        The linear solver used: ``"direct"`` (sparse LU) or ``"iterative"`` (GMRES + ILU).
    """

    model: ClassicalModel
    probabilities: np.ndarray
    closed_classes: int
    class_labels: np.ndarray
    class_probabilities: tuple[np.ndarray, ...]
    class_weights: np.ndarray
    residual: float
    method: str


def steady_state(
    model: ClassicalModel,
    initial: np.ndarray | None = None,
    method: str = AUTO,
    memory_limit_bytes: int | None = None,
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
        Sparse LU, GMRES with an incomplete-LU preconditioner, or LU up to
        :data:`DIRECT_SIZE_LIMIT` states per class and GMRES above.
    memory_limit_bytes : int, optional
        Refuse (:class:`~exactspin.validation.ResourceError`) when the estimated peak memory
        exceeds this; default $EXACTSPIN_MEMORY_LIMIT_BYTES or 8 GiB.

    Returns
    -------
    SteadyState
    """
    if not isinstance(model, ClassicalModel):
        raise ParameterError("model", model, "an exactspin.classical.ClassicalModel")
    require_choice("method", method, METHODS)
    initial_law = initial_distribution(model, initial)
    require_memory(model, memory_limit_bytes)
    flips = all_site_flips(model)
    generator = generator_matrix(model, flips)
    return steady_state_of_generator(model, generator, initial_law, method)


def steady_state_of_generator(
    model: ClassicalModel, generator: sp.csr_matrix, initial: np.ndarray, method: str = AUTO
) -> SteadyState:
    """:func:`steady_state` for an already assembled generator of ``model``."""
    decomposition = closed_classes(generator)
    weights = class_weights(generator, decomposition, initial)
    energy = ising_energy(model)
    count = model.state_count
    laws, residuals, used = [], [], set()
    for index in range(decomposition.count):
        members = decomposition.members(index)
        block = generator[members][:, members].tocsc()
        chosen = _method_for(method, members.size)
        used.add(chosen)
        law = _class_law(block, energy[members], chosen)
        residuals.append(float(np.abs(block @ law).sum()))
        full = np.zeros(count)
        full[members] = law
        laws.append(full)
    probabilities = np.zeros(count)
    for weight, law in zip(weights, laws, strict=True):
        probabilities += weight * law
    return SteadyState(
        model=model,
        probabilities=probabilities,
        closed_classes=decomposition.count,
        class_labels=decomposition.labels,
        class_probabilities=tuple(laws),
        class_weights=weights,
        residual=max(residuals),
        method="+".join(sorted(used)),
    )


def _method_for(method: str, size: int) -> str:
    if method != AUTO:
        return method
    return DIRECT if size <= DIRECT_SIZE_LIMIT else ITERATIVE


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


def _class_law(block: sp.csc_matrix, energy: np.ndarray, method: str) -> np.ndarray:
    """Normalised null vector of one closed class's generator block."""
    size = block.shape[0]
    if size == 1:
        return np.ones(1)
    pinned = int(np.argmin(energy))
    law = _pinned_solution(block, pinned, method)
    # Re-pin on the most probable state if the lowest-energy one turned out to be rare, so the
    # ratios stay well scaled (far from equilibrium the two can differ).
    best = int(np.argmax(law))
    if law[pinned] < 1e-6 * law[best]:
        law = _pinned_solution(block, best, method)
    scale = law.max()
    if law.min() < -NEGATIVE_TOLERANCE * scale:
        raise ArithmeticError(
            f"steady-state solve lost accuracy: probability {law.min():.3e} below zero "
            f"(largest {scale:.3e})"
        )
    law = np.clip(law, 0.0, None)
    return law / law.sum()


def _pinned_solution(block: sp.csc_matrix, pinned: int, method: str) -> np.ndarray:
    """Solve W P = 0 with P[pinned] = 1, dropping the (redundant) equation of ``pinned``."""
    size = block.shape[0]
    keep = np.ones(size, dtype=bool)
    keep[pinned] = False
    reduced = block[keep][:, keep].tocsc()
    right_side = -block[keep][:, [pinned]].toarray().ravel()
    if method == DIRECT:
        solution = spla.splu(reduced).solve(right_side)
    else:
        solution = _krylov_solve(reduced, right_side)
    law = np.empty(size)
    law[keep] = solution
    law[pinned] = 1.0
    return law


def _krylov_solve(matrix: sp.csc_matrix, right_side: np.ndarray) -> np.ndarray:
    """GMRES with an incomplete-LU preconditioner; raises if it does not converge."""
    incomplete = spla.spilu(matrix, drop_tol=1e-5, fill_factor=10)
    preconditioner = spla.LinearOperator(matrix.shape, incomplete.solve)
    solution, info = spla.gmres(
        matrix,
        right_side,
        M=preconditioner,
        rtol=ITERATIVE_TOLERANCE,
        atol=0.0,
        restart=100,
        maxiter=50,
    )
    if info != 0:
        raise ArithmeticError(f"GMRES did not converge (info = {info})")
    return solution
