"""The batches of one unit's measurement: integer counts per batch, merged and trimmed as a run
grows.

A :class:`BatchLog` turns :class:`~exactspin.montecarlo.chains.Segment` counts into per-batch
rows (the node and branch columns, every bond, the pair sums). Runs that stop on a target error
keep between ``B`` and ``2 B`` batches of equal length: when the log is full, neighbouring
batches are merged (the length doubles), and an automatic burn-in discards the oldest batches.
The arithmetic on counts is exact; currents are formed in :mod:`exactspin.montecarlo.simulation`.
"""

from __future__ import annotations

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo.chains import Segment

#: Columns of :attr:`BatchLog.columns`: net aligned flips (sum of s_i s_j before each accepted
#: flip of i) at the left node with its right and left neighbour, the same at the right node,
#: summed over the left ends of the upper and of the lower bonds.
(
    LEFT_NODE_RIGHT_ALIGNED,
    LEFT_NODE_LEFT_ALIGNED,
    RIGHT_NODE_RIGHT_ALIGNED,
    RIGHT_NODE_LEFT_ALIGNED,
    UPPER_BONDS_ALIGNED,
    LOWER_BONDS_ALIGNED,
) = range(6)
COLUMNS = 6


class BatchLog:
    """Per-batch integer counts of one unit (a chain or a word), oldest first.

    Attributes
    ----------
    lengths : list of int
        Steps in each batch.
    columns : list of (6,) int64
        See the module constants.
    bonds : list of (N,) int64
        Net aligned flips of site b with its right neighbour (the left end of bond b).
    pair_sums : list of (P,) int64; samples : list of int
        Sum of s_a s_b over each batch's samples and the unit's replicas, and the samples.
    discarded : int
        Steps of batches dropped by :meth:`drop_oldest` (they count as burn-in).
    """

    def __init__(self, model: ClassicalModel) -> None:
        ring = model.ring
        self._left = ring.left_node
        self._right = ring.right_node
        self._upper = np.array(ring.upper_bonds, dtype=np.int64)
        self._lower = np.array(ring.lower_bonds, dtype=np.int64)
        self.lengths: list[int] = []
        self.columns: list[np.ndarray] = []
        self.bonds: list[np.ndarray] = []
        self.pair_sums: list[np.ndarray] = []
        self.samples: list[int] = []
        self.discarded = 0

    def append(self, length: int, segments: list[Segment]) -> None:
        """Add one batch of ``length`` steps made of the given segments."""
        bond_aligned = sum(segment.bond_aligned for segment in segments)
        # Bond b joins b -> b+1: its first end is site b (right neighbour b+1), its second end
        # site b+1 (left neighbour b).
        right = bond_aligned[:, 0]
        left = np.roll(bond_aligned[:, 1], 1)
        row = np.zeros(COLUMNS, dtype=np.int64)
        row[LEFT_NODE_RIGHT_ALIGNED] = right[self._left]
        row[LEFT_NODE_LEFT_ALIGNED] = left[self._left]
        row[RIGHT_NODE_RIGHT_ALIGNED] = right[self._right]
        row[RIGHT_NODE_LEFT_ALIGNED] = left[self._right]
        row[UPPER_BONDS_ALIGNED] = right[self._upper].sum()
        row[LOWER_BONDS_ALIGNED] = right[self._lower].sum()
        self.lengths.append(int(length))
        self.columns.append(row)
        self.bonds.append(np.asarray(right, dtype=np.int64).copy())
        self.pair_sums.append(sum(segment.pair_sums for segment in segments))
        self.samples.append(sum(segment.samples for segment in segments))

    @property
    def count(self) -> int:
        """Number of batches."""
        return len(self.lengths)

    @property
    def steps(self) -> int:
        """Measured steps (sum of the batch lengths)."""
        return sum(self.lengths)

    def truncate(self, count: int) -> None:
        """Keep only the oldest ``count`` batches (to align units after an interruption)."""
        for name in ("lengths", "columns", "bonds", "pair_sums", "samples"):
            del getattr(self, name)[count:]

    def drop_oldest(self, count: int) -> None:
        """Discard the oldest ``count`` batches; their steps become burn-in."""
        self.discarded += sum(self.lengths[:count])
        for name in ("lengths", "columns", "bonds", "pair_sums", "samples"):
            del getattr(self, name)[:count]

    def merge_pairs(self) -> None:
        """Merge batches 2k and 2k + 1 (an odd oldest batch is dropped first, as burn-in)."""
        if self.count % 2:
            self.drop_oldest(1)
        for name in ("lengths", "columns", "bonds", "pair_sums", "samples"):
            values = getattr(self, name)
            setattr(self, name, [values[k] + values[k + 1] for k in range(0, len(values), 2)])
