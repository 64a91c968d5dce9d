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

#: Up to this many recurrent states ``method="auto"`` uses sparse LU. LU is exact whatever the
#: conditioning, but the state graph is hypercube-like and the factors fill in fast: one
#: 4096-state class already costs ~1 s, where BiCGSTAB takes milliseconds.
DIRECT_SIZE_LIMIT = 2**11

#: When BiCGSTAB and GMRES both fail (very stiff rates, e.g. T << |J|), LU is tried up to this size.
DIRECT_FALLBACK_LIMIT = 2**14

#: Relative tolerance of the Krylov solver (on the residual of the pinned system).
ITERATIVE_TOLERANCE = 1e-13

#: Round-off allowance: entries above -this x (largest probability) are clipped to zero.
NEGATIVE_TOLERANCE = 1e-12

#: A pinned state whose probability is below this x the class's largest gets re-pinned.
RARE_PIN = 1e-6

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
    conditional_probabilities : numpy.ndarray
        P(eta | class of eta): every class's own stationary law, side by side (0 on transients).
    class_weights : numpy.ndarray
        The weight of each class in :attr:`probabilities` (from the initial distribution).
    residual : float
        max over classes of sum |W P| for the class's own law (continuous-time rates).
    method : str
        The linear solver used: ``"direct"`` (sparse LU) or ``"iterative"`` (BiCGSTAB + Jacobi).
    """

    model: ClassicalModel
    probabilities: np.ndarray
    closed_classes: int
    class_labels: np.ndarray
    conditional_probabilities: np.ndarray
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
        Sparse LU, BiCGSTAB with a Jacobi preconditioner (GMRES if it breaks down, LU up to
        :data:`DIRECT_FALLBACK_LIMIT` states if both fail), or LU up to
        :data:`DIRECT_SIZE_LIMIT` recurrent states and the iterative path above.
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
    require_memory(model, memory_limit_bytes)
    initial_law = initial_distribution(model, initial)
    flips = all_site_flips(model)
    generator = generator_matrix(model, flips)
    return steady_state_of_generator(model, generator, initial_law, method)


def steady_state_of_generator(
    model: ClassicalModel, generator: sp.csr_matrix, initial: np.ndarray, method: str = AUTO
) -> SteadyState:
    """:func:`steady_state` for an already assembled generator of ``model``.

    All closed classes are solved in one linear system: the generator restricted to recurrent
    states is block diagonal, one block per class, and pinning one state per class makes it
    nonsingular without coupling the blocks.
    """
    decomposition = closed_classes(generator)
    weights = class_weights(generator, decomposition, initial)
    labels = decomposition.labels
    recurrent = np.flatnonzero(labels >= 0)
    block_labels = labels[recurrent]
    blocks = sp.csr_matrix(generator)[recurrent][:, recurrent].tocsc()
    chosen = _method_for(method, recurrent.size)
    energy = ising_energy(model)[recurrent]
    pinned = _best_per_class(-energy, block_labels)
    law, chosen = _pinned_law(blocks, block_labels, pinned, chosen)
    best = _best_per_class(law, block_labels)
    if np.any(law[pinned] < RARE_PIN * law[best]):
        # The lowest-energy state turned out rare (far from equilibrium they can differ):
        # re-pin on the most probable state so the ratios stay well scaled.
        law, chosen = _pinned_law(blocks, block_labels, best, chosen)
    residual = np.bincount(block_labels, weights=np.abs(blocks @ law))
    conditional = np.zeros(model.state_count)
    conditional[recurrent] = law
    probabilities = np.zeros(model.state_count)
    probabilities[recurrent] = law * weights[block_labels]
    return SteadyState(
        model=model,
        probabilities=probabilities,
        closed_classes=decomposition.count,
        class_labels=labels,
        conditional_probabilities=conditional,
        class_weights=weights,
        residual=float(residual.max()),
        method=chosen,
    )


def _best_per_class(score: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Index (into ``score``) of the largest score in each class, in class order."""
    order = np.lexsort((-score, labels))
    first = np.ones(order.size, dtype=bool)
    first[1:] = labels[order[1:]] != labels[order[:-1]]
    return order[first]


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


def _pinned_law(
    blocks: sp.csc_matrix, labels: np.ndarray, pinned: np.ndarray, method: str
) -> tuple[np.ndarray, str]:
    """Per-class normalised null vector of the block-diagonal ``blocks``, P[pinned] = 1 first.

    The equation of each pinned state is redundant (columns sum to zero) and is dropped.
    Returns the law and the method that produced it.
    """
    size = blocks.shape[0]
    keep = np.ones(size, dtype=bool)
    keep[pinned] = False
    law = np.empty(size)
    law[pinned] = 1.0
    if keep.any():
        reduced = blocks[keep][:, keep].tocsc()
        right_side = -np.asarray(blocks[keep][:, pinned].sum(axis=1)).ravel()
        if method == ITERATIVE:
            try:
                law[keep] = _krylov_solve(reduced, right_side)
            except ArithmeticError:
                if size > DIRECT_FALLBACK_LIMIT:
                    raise
                method = DIRECT
        if method == DIRECT:
            law[keep] = spla.splu(reduced).solve(right_side)
    scale = np.zeros(pinned.size)
    np.maximum.at(scale, labels, np.abs(law))
    if np.any(law < -NEGATIVE_TOLERANCE * scale[labels]):
        worst = float(np.min(law / scale[labels]))
        raise ArithmeticError(
            f"steady-state solve lost accuracy: a probability is {worst:.3e} x the largest of "
            "its class"
        )
    law = np.clip(law, 0.0, None)
    return law / np.bincount(labels, weights=law)[labels], method


def _krylov_solve(matrix: sp.csc_matrix, right_side: np.ndarray) -> np.ndarray:
    """BiCGSTAB with a Jacobi preconditioner, GMRES if BiCGSTAB breaks down.

    Incomplete LU costs far more than it saves here (the factors fill like the full LU);
    the diagonal (escape rates) is a cheap and adequate preconditioner for these chains.
    """
    inverse_diagonal = 1.0 / matrix.diagonal()
    preconditioner = spla.LinearOperator(
        matrix.shape, lambda vector: inverse_diagonal * vector, dtype=float
    )
    matrix = matrix.tocsr()
    solution, info = spla.bicgstab(
        matrix, right_side, M=preconditioner, rtol=ITERATIVE_TOLERANCE, atol=0.0, maxiter=20000
    )
    if info != 0:
        solution, info = spla.gmres(
            matrix,
            right_side,
            M=preconditioner,
            rtol=ITERATIVE_TOLERANCE,
            atol=0.0,
            restart=200,
            maxiter=200,
        )
    if info != 0:
        raise ArithmeticError(
            f"Krylov solve of the steady state did not converge (info = {info}); the rates are "
            f"probably too stiff (T << |J|) for an iterative solve at this size; sparse LU "
            f"(method='direct') is exact but its memory grows steeply with the ring"
        )
    return solution
