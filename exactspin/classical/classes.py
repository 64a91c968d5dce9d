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

    @property
    def transient(self) -> np.ndarray:
        """The transient states, increasing."""
        return np.flatnonzero(self.labels == TRANSIENT)


def transition_structure(flips: Sequence[SiteFlips]) -> sp.csr_matrix:
    """The transition graph: entry [target, source] is 1 when the rules allow the move."""
    count = flips[0].allowed.size
    index_type = np.int32 if count < 2**31 else np.int64
    sources = [np.flatnonzero(site.allowed).astype(index_type) for site in flips]
    targets = [
        site.target[source].astype(index_type) for site, source in zip(flips, sources, strict=True)
    ]
    rows, columns = np.concatenate(targets), np.concatenate(sources)
    ones = np.ones(rows.size, dtype=np.int8)
    return sp.csr_matrix((ones, (rows, columns)), shape=(count, count))


def closed_classes(transitions: sp.spmatrix) -> ClassDecomposition:
    """Find the closed classes of a chain given by its generator or its transition structure.

    ``transitions[target, source]`` nonzero means the move exists (a generator W, columns
    summing to 0, or :func:`transition_structure`); the diagonal is ignored. A strongly
    connected component is closed when no move leads out of it.
    """
    transitions = sp.csr_matrix(transitions, copy=True)
    transitions.setdiag(0)
    transitions.eliminate_zeros()
    count, component = csgraph.connected_components(transitions, directed=True, connection="strong")
    coo = transitions.tocoo()
    leaving = component[coo.row] != component[coo.col]
    open_components = np.zeros(count, dtype=bool)
    open_components[component[coo.col[leaving]]] = True
    closed = np.flatnonzero(~open_components)
    first_state = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(first_state, component, np.arange(component.size))
    order = closed[np.argsort(first_state[closed])]
    renumber = np.full(count, TRANSIENT, dtype=np.int64)
    renumber[order] = np.arange(order.size)
    return ClassDecomposition(labels=renumber[component], count=int(order.size))


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
