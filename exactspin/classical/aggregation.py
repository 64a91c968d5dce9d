"""The coarse level of the Krylov preconditioner: states aggregated by the energy of bond groups.

Jacobi-preconditioned BiCGSTAB on the pinned steady-state system A x = b (A = -W on the unpinned
states, :mod:`exactspin.classical.class_solver`) spends most of its iterations on a plateau: the
slow modes of the chain are the redistribution of energy between the baths and along the ring
(bulk flips are fast and conserve the energy, bath flips at low temperature are slow), and a
diagonal preconditioner does not see them. A two-level additive preconditioner removes them,

    M^-1 v = D^-1 v + P A_c^-1 P^T v,    A_c = P^T A P,

with P the piecewise-constant prolongation of a partition of the states into aggregates (the
aggregation methods for Markov chains: Takahashi's iterative aggregation-disaggregation, Stewart,
Introduction to the Numerical Solution of Markov Chains, Ch. 6; Horton and Leutenegger 1994;
De Sterck et al., SIAM J. Sci. Comput. 32, 40 (2010)). The aggregates here are the states of
equal total energy and equal energy in each of :data:`BOND_GROUPS` consecutive groups of bonds
(on a ring: arcs of the ring), so the coarse level sees where the energy sits. On the 2^20-state
Q2R ring this cuts BiCGSTAB's iterations from ~110 to ~45 at 1e-11.

A_c is assembled from the moves, GTH-style (Grassmann, Taksar and Heyman 1985): its diagonal is
the flow out of each aggregate (to other aggregates and to the pinned state), never a difference
of stored escape rates and internal moves, so it carries no cancellation. A_c is then a column
diagonally dominant Z-matrix in which every column reaches a strictly dominant one (every state
of a closed class reaches the pinned state), hence a nonsingular M-matrix; it is small (at most
:data:`MAX_AGGREGATES`) and inverted densely. The preconditioner only steers the approximate
solve: the refinement and the certified bound of the class solver check its result from the
moves themselves, so a poor coarse level costs iterations, never accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.linalg

from exactspin.classical.class_chain import ClassChain
from exactspin.classical.flips import ising_energy, spin_values
from exactspin.classical.model import ClassicalModel

#: Consecutive groups of bonds whose energies, with the total energy, label an aggregate.
BOND_GROUPS = 4

#: Most aggregates kept (A_c is dense); fewer bond groups are tried until the count fits.
MAX_AGGREGATES = 2048

#: Most aggregates per square root of the class size: a dense coarse solve (2 k^2 flops, twice
#: per iteration) then costs at most ~8 passes over a vector, against ~12 per state for the two
#: sparse products. On the Fig. 8 CCA ring (16384-state halved classes) 2048 aggregates made the
#: solve 40% slower for 7% fewer iterations.
AGGREGATES_PER_ROOT_STATE = 2


@dataclass(frozen=True)
class CoarseSpace:
    """P and A_c^-1 (A_c = P^T A P) for the unpinned states of one class.

    Attributes
    ----------
    aggregates : numpy.ndarray
        Aggregate (0..size-1, int32) of every unpinned state, in the order of A's rows.
    inverse : numpy.ndarray
        A_c^-1, dense (a product with it is one BLAS call; two triangular solves cost twice
        as much at 1272 aggregates, and a preconditioner needs no backward-stable solve).
    size : int
        Number of aggregates.
    """

    aggregates: np.ndarray
    inverse: np.ndarray
    size: int

    def solve(self, right_side: np.ndarray) -> np.ndarray:
        """A_c^-1 v."""
        return self.inverse @ right_side


def energy_aggregates(
    model: ClassicalModel, states: np.ndarray, energy: np.ndarray | None = None
) -> np.ndarray | None:
    """Aggregate label (0..k-1, int32) of every state in ``states`` (global codes), or None.

    States share an aggregate when they have the same total energy (Eqs. 2, 17, 20: demons and
    fields included; ``energy``, computed when not given) and the same energy in each of
    :data:`BOND_GROUPS` consecutive groups of the network's bonds; fewer groups are used while
    the count exceeds :data:`MAX_AGGREGATES` or :data:`AGGREGATES_PER_ROOT_STATE` x sqrt(number
    of states). None when even the total energy alone gives too many aggregates, or fewer than
    two.
    """
    if energy is None:
        energy = ising_energy(model, states)
    total = _codes(energy)
    bonds = model.network.bonds
    limit = min(MAX_AGGREGATES, int(AGGREGATES_PER_ROOT_STATE * np.sqrt(states.size)))
    for groups in range(min(BOND_GROUPS, len(bonds)), 0, -1):
        key = total
        if groups > 1:
            edges = np.linspace(0, len(bonds), groups + 1).astype(int)
            for start, stop in zip(edges[:-1], edges[1:], strict=True):
                group = _group_energy_codes(states, bonds[start:stop])
                key = _compact(key * (int(group.max()) + 1) + group)
        count = int(key.max()) + 1 if key.size else 0
        if count <= limit:
            if count < 2:
                return None
            return key.astype(np.int32)
    return None


#: Bonds per group up to which a group's energy is read from a table of its alignment patterns.
_PATTERN_BONDS = 16


def _group_energy_codes(states: np.ndarray, bonds) -> np.ndarray:
    """0..k-1 numbering of the energy -sum J s_a s_b of ``bonds`` in every state (int64)."""
    if len(bonds) > _PATTERN_BONDS:
        energy = np.zeros(states.size)
        for bond in bonds:
            alignment = spin_values(states, bond.first) * spin_values(states, bond.second)
            energy -= float(bond.coupling) * alignment
        return _codes(energy)
    # The energy depends on the bonds' alignments only: number the 2^k patterns' energies once.
    pattern = np.zeros(states.size, dtype=np.int64)
    for k, bond in enumerate(bonds):
        pattern |= (1 ^ ((states >> bond.first) ^ (states >> bond.second)) & 1) << k
    table = np.zeros(1 << len(bonds))
    for code in range(table.size):
        for k, bond in enumerate(bonds):
            table[code] -= float(bond.coupling) * (1 if (code >> k) & 1 else -1)
    return _codes(table)[pattern]


def _codes(values: np.ndarray) -> np.ndarray:
    """0..k-1 numbering of the distinct values, in increasing order (int64)."""
    return np.unique(values, return_inverse=True)[1].astype(np.int64).ravel()


def _compact(key: np.ndarray) -> np.ndarray:
    """0..k-1 numbering of the distinct nonnegative integers of ``key`` (int64)."""
    if key.size == 0 or int(key.max()) > 8 * key.size:
        return _codes(key)
    present = np.bincount(key) > 0
    return (np.cumsum(present) - 1)[key]


def coarse_space(chain: ClassChain, keep: np.ndarray, labels: np.ndarray) -> CoarseSpace | None:
    """The coarse level for the pinned system of ``chain`` (``keep``: the unpinned states).

    ``labels`` gives the aggregate of every local state; aggregates left empty by the pinning
    are dropped. None when A_c cannot be inverted in double (singular or non-finite).
    """
    unpinned = labels[keep]
    used, aggregates = np.unique(unpinned, return_inverse=True)
    aggregates = aggregates.astype(np.int32).ravel()
    size = int(used.size)
    if size < 2:
        return None
    local = np.full(labels.size, -1, dtype=np.int32)
    local[keep] = aggregates
    matrix = _coarse_matrix(chain.sources, chain.targets, chain.rate, local, size)
    with np.errstate(all="ignore"):
        try:
            inverse = scipy.linalg.inv(matrix, check_finite=True)
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not np.all(np.isfinite(inverse)):
        return None
    return CoarseSpace(aggregates=aggregates, inverse=inverse, size=size)


@numba.njit(cache=True)
def _coarse_matrix(sources, targets, rate, local, size):
    """A_c = P^T A P from the moves; -1 in ``local`` marks the pinned state.

    Column J of A_c: the flow out of aggregate J on its diagonal (moves to another aggregate
    or to the pinned state), minus the flow into aggregate I off it. Moves within an aggregate
    and out of the pinned state do not enter (P^T A P sums them to zero or drops them).
    """
    matrix = np.zeros((size, size))
    for move in range(sources.size):
        source = local[sources[move]]
        if source < 0:
            continue
        target = local[targets[move]]
        if target == source:
            continue
        matrix[source, source] += rate[move]
        if target >= 0:
            matrix[target, source] -= rate[move]
    return matrix
