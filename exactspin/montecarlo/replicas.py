"""Running independent replicas of the kernel on worker threads, with progress reporting.

The kernel releases the GIL, so replicas run in parallel on a thread pool. Replica ``r`` owns the
random streams of ``SeedSequence(seed).spawn(R)[r]`` and writes only its own record, so results
do not depend on the number of workers or on scheduling. This module counts flips; turning counts
into currents and error bars happens in :mod:`exactspin.montecarlo.simulation`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo.kernel import (
    NEIGHBOURHOODS,
    acceptance_table,
    alignment_weights,
    configuration_entries,
    neighbour_table,
    run_chain,
)
from exactspin.montecarlo.rng import generator_state

#: Steps per kernel call: bounds the int32 flip counters (< 2^31) and sets progress granularity.
CHUNK_STEPS = 2**24

#: Columns of :attr:`ReplicaRecord.batch_counts` before the pair sums.
(
    LEFT_NODE_RIGHT_ALIGNED,
    LEFT_NODE_LEFT_ALIGNED,
    RIGHT_NODE_RIGHT_ALIGNED,
    RIGHT_NODE_LEFT_ALIGNED,
    UPPER_BONDS_ALIGNED,
    LOWER_BONDS_ALIGNED,
) = range(6)
NODE_COLUMNS = 6


@dataclass(frozen=True)
class ReplicaRecord:
    """Integer flip counts of one replica after its burn-in.

    Attributes
    ----------
    batch_lengths : (B,) int64
        Steps in each batch.
    batch_counts : (B, 6 + P) int64
        Per batch: net aligned flips (sum of s_i s_{i+-1} before each accepted flip of i) at the
        left node to its right and left neighbour, the same at the right node, summed over the
        upper bonds' left ends and the lower bonds' left ends; then the sum of s_a s_b over the
        samples of each pair.
    batch_samples : (B,) int64
        Pair samples taken in each batch.
    bond_alignment_total : (N_S,) int64
        Net aligned flips of site b with its right neighbour over the whole measurement (bond b).
    bond_alignment_rate_sum, bond_alignment_rate_square_sum : (N_S,) float
        Sum over batches of (net aligned flips of bond b / batch length), and of its square.
    final_entries : (N_S,) uint8
        The kernel's table entries of every site at the end (spins and demons).
    """

    batch_lengths: np.ndarray
    batch_counts: np.ndarray
    batch_samples: np.ndarray
    bond_alignment_total: np.ndarray
    bond_alignment_rate_sum: np.ndarray
    bond_alignment_rate_square_sum: np.ndarray
    final_entries: np.ndarray


def batch_lengths(steps: int, batches: int) -> np.ndarray:
    """Split ``steps`` into ``batches`` lengths differing by at most one (longer ones first)."""
    base, extra = divmod(steps, batches)
    return np.array([base + (b < extra) for b in range(batches)], dtype=np.int64)


def initial_entries(model: ClassicalModel, sequence: np.random.SeedSequence) -> np.ndarray:
    """A uniformly random configuration (spins, and demons on CCA bulk sites) as table entries.

    Uniform over all states is the default initial distribution of the exact solver, so for CCA
    the replicas land in each closed class with probability proportional to its size.
    """
    generator = np.random.default_rng(sequence)
    occupations = generator.integers(0, 2, model.sites)
    demons = np.zeros(model.sites, dtype=np.int64)
    demon_sites = list(model.demon_sites)
    if demon_sites:
        demons[demon_sites] = generator.integers(0, 4, len(demon_sites))
    return configuration_entries(model, occupations, demons)


def run_replica(
    model: ClassicalModel,
    sequence: np.random.SeedSequence,
    steps: int,
    burn_in: int,
    batches: int,
    pairs: Sequence[tuple[int, int]],
    advance: Callable[[int], None] = lambda steps: None,
) -> ReplicaRecord:
    """Run one replica: random start, ``burn_in`` discarded steps, ``batches`` measured batches.

    ``advance(n)`` is called after every kernel call with the number of steps just done.
    """
    sites = model.sites
    table = acceptance_table(model)
    neighbours = neighbour_table(sites)
    start_sequence, stream_sequence = sequence.spawn(2)
    entries = initial_entries(model, start_sequence)
    generator = generator_state(stream_sequence)
    pair_sites = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    pair_sums = np.zeros(len(pair_sites), dtype=np.int64)
    sample_interval = sites if len(pair_sites) else CHUNK_STEPS
    chunk = max(1, CHUNK_STEPS // sites) * sites
    flips = np.zeros(sites * NEIGHBOURHOODS, dtype=np.int32)
    right_weight, left_weight = alignment_weights()
    ring = model.ring
    upper = list(ring.upper_bonds)
    lower = list(ring.lower_bonds)

    def run(length: int) -> tuple[np.ndarray, int]:
        """Advance ``length`` steps; return the flips per (site, neighbourhood) and samples."""
        total = np.zeros((sites, NEIGHBOURHOODS), dtype=np.int64)
        samples = 0
        done = 0
        while done < length:
            block = min(chunk, length - done)
            flips[:] = 0
            samples += run_chain(
                block,
                sample_interval,
                generator,
                entries,
                table,
                neighbours,
                flips,
                pair_sites,
                pair_sums,
            )
            total += flips.reshape(sites, NEIGHBOURHOODS)
            done += block
            advance(block)
        return total, samples

    run(burn_in)
    lengths = batch_lengths(steps, batches)
    counts = np.zeros((batches, NODE_COLUMNS + len(pair_sites)), dtype=np.int64)
    samples = np.zeros(batches, dtype=np.int64)
    alignment_total = np.zeros(sites, dtype=np.int64)
    rate_sum = np.zeros(sites)
    rate_square_sum = np.zeros(sites)
    for batch, length in enumerate(lengths):
        pair_sums[:] = 0
        batch_flips, samples[batch] = run(int(length))
        right_aligned = batch_flips @ right_weight
        left_aligned = batch_flips @ left_weight
        counts[batch, LEFT_NODE_RIGHT_ALIGNED] = right_aligned[ring.left_node]
        counts[batch, LEFT_NODE_LEFT_ALIGNED] = left_aligned[ring.left_node]
        counts[batch, RIGHT_NODE_RIGHT_ALIGNED] = right_aligned[ring.right_node]
        counts[batch, RIGHT_NODE_LEFT_ALIGNED] = left_aligned[ring.right_node]
        counts[batch, UPPER_BONDS_ALIGNED] = right_aligned[upper].sum()
        counts[batch, LOWER_BONDS_ALIGNED] = right_aligned[lower].sum()
        counts[batch, NODE_COLUMNS:] = pair_sums
        alignment_total += right_aligned
        rate = right_aligned / length
        rate_sum += rate
        rate_square_sum += rate**2
    return ReplicaRecord(
        batch_lengths=lengths,
        batch_counts=counts,
        batch_samples=samples,
        bond_alignment_total=alignment_total,
        bond_alignment_rate_sum=rate_sum,
        bond_alignment_rate_square_sum=rate_square_sum,
        final_entries=entries.copy(),
    )


def run_replicas(
    model: ClassicalModel,
    sequences: Sequence[np.random.SeedSequence],
    steps: int,
    burn_in: int,
    batches: int,
    pairs: Sequence[tuple[int, int]],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> list[ReplicaRecord]:
    """Run one replica per seed sequence on ``workers`` threads; records in replica order.

    ``progress(n)`` is called from the calling thread with the steps done since the last call.
    """
    lock = threading.Lock()
    pending = [0]

    def advance(count: int) -> None:
        with lock:
            pending[0] += count

    def report() -> None:
        with lock:
            count, pending[0] = pending[0], 0
        if progress is not None and count:
            progress(count)

    with ThreadPoolExecutor(max_workers=workers) as executor:
        futures = [
            executor.submit(run_replica, model, sequence, steps, burn_in, batches, pairs, advance)
            for sequence in sequences
        ]
        while wait(futures, timeout=0.25).not_done:
            report()
        report()
        return [future.result() for future in futures]
