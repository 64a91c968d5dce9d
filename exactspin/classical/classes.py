"""Closed (recurrent) classes of a Markov generator and the weight an initial law gives each.

A chain with several closed classes has one stationary law per class; which mixture is "the"
steady state depends on where the chain starts. This module finds the classes (strongly
connected components with no way out) and the probability of ending in each from an initial
distribution, including the mass that flows out of transient states. It solves no steady state.

Classes are a property of the transition graph, which moves the rules allow, not of how large
their rates are: :func:`transition_structure` gives that graph from the flips' ``allowed``
masks, so a Metropolis rate exp(-dE/T) that underflows can never split a class (issue 10: at
T = 0.01 the Fig. 5 ring was reported as two classes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from exactspin.classical.flips import SiteFlips

#: Label of a transient state in :attr:`ClassDecomposition.labels`.
TRANSIENT = -1


@dataclass(frozen=True)
class ClassDecomposition:
    """The closed classes of a generator.

    Attributes
    ----------
    labels : numpy.ndarray
        Class index 0..count-1 of every state, :data:`TRANSIENT` (-1) for transient states.
        Classes are numbered in order of their smallest state.
    count : int
        Number of closed classes.
    """

    labels: np.ndarray
    count: int

    def members(self, index: int) -> np.ndarray:
        """The states of closed class ``index``, increasing."""
        return np.flatnonzero(self.labels == index)

    def all_members(self) -> list[np.ndarray]:
        """The states of every closed class, each increasing: one stable sort of the labels
        instead of one scan of all states per class (CCA rings have hundreds of classes)."""
        if self.count == 1 and not np.any(self.labels == TRANSIENT):
            return [np.arange(self.labels.size)]
        order = np.argsort(self.labels, kind="stable")
        sizes = np.bincount(self.labels[self.labels >= 0], minlength=self.count)
        start = self.labels.size - int(sizes.sum())  # the transient states sort first
        bounds = start + np.concatenate(([0], np.cumsum(sizes)))
        return [order[bounds[k] : bounds[k + 1]] for k in range(self.count)]

    @property
    def transient(self) -> np.ndarray:
        """The transient states, increasing."""
        return np.flatnonzero(self.labels == TRANSIENT)


def flip_classes(flips: Sequence[SiteFlips]) -> ClassDecomposition:
    """The closed classes of the chain the flips define (same result as
    ``closed_classes(transition_structure(flips))``).

    When every allowed move s -> t has its reverse t -> s allowed (true of Metropolis, Q2R and
    CCA flips: a flip undoes itself and the reverse energy change is allowed), the strongly
    connected components are the connected components of the undirected graph and none has a
    way out, so no state is transient; they are found by union-find over the moves, without
    building a matrix. Otherwise the general search of :func:`closed_classes` runs.
    """
    count = flips[0].allowed.size
    index_type = np.int32 if count < 2**31 else np.int64
    parent = np.arange(count, dtype=index_type)
    for site in flips:
        if not _join_reversible_moves(site.allowed, site.target, parent):
            return closed_classes(transition_structure(flips))
    labels, classes = _label_roots(parent)
    return ClassDecomposition(labels=labels, count=int(classes))


@numba.njit(cache=True)
def _find(parent, state):
    """Root of ``state``'s set, halving the path on the way."""
    while parent[state] != state:
        parent[state] = parent[parent[state]]
        state = parent[state]
    return state


@numba.njit(cache=True)
def _join_reversible_moves(allowed, target, parent):
    """Union the two ends of every allowed move; False as soon as one has no reverse."""
    for state in range(allowed.size):
        if allowed[state]:
            other = target[state]
            if not allowed[other] or target[other] != state:
                return False
            first, second = _find(parent, state), _find(parent, other)
            if first != second:
                # The larger root points at the smaller, so a set's root is its smallest state.
                if first < second:
                    parent[second] = first
                else:
                    parent[first] = second
    return True


@numba.njit(cache=True)
def _label_roots(parent):
    """Class index of every state, classes numbered in order of their smallest state."""
    labels = np.empty(parent.size, dtype=np.int64)
    classes = 0
    for state in range(parent.size):
        root = _find(parent, state)
        if root == state:
            labels[state] = classes
            classes += 1
        else:
            labels[state] = labels[root]
    return labels, classes


def transition_structure(flips: Sequence[SiteFlips]) -> sp.csc_matrix:
    """The transition graph: entry [target, source] is 1 when the rules allow the move.

    Built column by column (CSC: column ``source`` lists its targets in site order) straight
    from the flips, with int32 indices below 2^31 states, so no COO triple is sorted.
    """
    count = flips[0].allowed.size
    moves_per_state = np.zeros(count, dtype=np.int64)
    for site in flips:
        moves_per_state += site.allowed
    total = int(moves_per_state.sum())
    index_type = np.int32 if max(count, total) < 2**31 else np.int64
    indptr = np.zeros(count + 1, dtype=index_type)
    np.cumsum(moves_per_state, out=indptr[1:])
    del moves_per_state
    fill = indptr[:-1].copy()
    indices = np.empty(total, dtype=index_type)
    for site in flips:
        _scatter_targets(site.allowed, site.target, fill, indices)
    ones = np.ones(total, dtype=np.int8)
    return sp.csc_matrix((ones, indices, indptr), shape=(count, count))


def closed_classes(transitions: sp.spmatrix) -> ClassDecomposition:
    """Find the closed classes of a chain given by its generator or its transition structure.

    ``transitions[target, source]`` nonzero means the move exists (a generator W, columns
    summing to 0, or :func:`transition_structure`); the diagonal is ignored (a self-loop
    neither joins two components nor leaves one). A strongly connected component is closed
    when no move leads out of it.
    """
    by_source = sp.csc_matrix(transitions)
    if by_source.nnz and not np.all(by_source.data):
        by_source = by_source.copy()
        by_source.eliminate_zeros()
    # Row ``source`` of the transpose lists the targets: the same graph reversed, which has the
    # same strongly connected components; read without copying the index arrays.
    reversed_graph = sp.csr_matrix(
        (by_source.data, by_source.indices, by_source.indptr), shape=by_source.shape
    )
    count, component = csgraph.connected_components(
        reversed_graph, directed=True, connection="strong"
    )
    component = component.astype(np.int32 if count < 2**31 else np.int64, copy=False)
    open_components, first_state = _open_components(
        by_source.indptr, by_source.indices, component, count
    )
    closed = np.flatnonzero(~open_components)
    order = closed[np.argsort(first_state[closed], kind="stable")]
    renumber = np.full(count, TRANSIENT, dtype=np.int64)
    renumber[order] = np.arange(order.size)
    return ClassDecomposition(labels=renumber[component], count=int(order.size))


@numba.njit(cache=True)
def _scatter_targets(allowed, target, fill, indices):
    """Append one site's allowed targets to each state's column (``fill``: next free slot)."""
    for state in range(allowed.size):
        if allowed[state]:
            indices[fill[state]] = target[state]
            fill[state] += 1


@numba.njit(cache=True)
def _open_components(indptr, indices, component, count):
    """Whether each component has a move (source -> target) into another one, and its
    smallest state (the first met in a scan of the states)."""
    leaves = np.zeros(count, dtype=np.bool_)
    first_state = np.full(count, -1, dtype=np.int64)
    for source in range(indptr.size - 1):
        own = component[source]
        if first_state[own] < 0:
            first_state[own] = source
        if leaves[own]:
            continue
        for position in range(indptr[source], indptr[source + 1]):
            if component[indices[position]] != own:
                leaves[own] = True
                break
    return leaves, first_state


def class_weights(
    generator: sp.spmatrix, decomposition: ClassDecomposition, initial: np.ndarray
) -> np.ndarray:
    """Probability that the chain started from ``initial`` ends in each closed class.

    The mass on a class stays there; the mass on transient states spends an expected time tau
    in them, -W_TT tau = P0_T, and leaks into class k at the rate sum_{c in k} (W_kT tau)_c.

    Returns
    -------
    numpy.ndarray
        One weight per closed class; they sum to the total mass of ``initial``.
    """
    labels = decomposition.labels
    weights = np.bincount(
        labels[labels >= 0], weights=initial[labels >= 0], minlength=decomposition.count
    )
    transient = decomposition.transient
    if transient.size == 0 or not np.any(initial[transient]):
        return weights
    matrix = sp.csr_matrix(generator)
    occupation = spla.spsolve(
        sp.csc_matrix(-matrix[transient][:, transient]), initial[transient].astype(float)
    )
    inflow = np.asarray(matrix[:, transient] @ np.atleast_1d(occupation)).ravel()
    recurrent = labels >= 0
    weights += np.bincount(
        labels[recurrent], weights=inflow[recurrent], minlength=decomposition.count
    )
    return weights
