"""Monte Carlo on any classical network: bath currents (Eq. 6) and bond currents (Eqs. 8-9).

The units (single chains, or multispin words of 64 replicas) are those of the ring
(:mod:`exactspin.montecarlo.chains`), fed a :class:`~exactspin.montecarlo.lattice.Lattice` of
the network. They count net aligned flips per bond end and field; the energies are multiplied in
here: a flip of site a with s_a s_b = +1 (before it) moves 2 J_ab into bond [a, b], and the
energy drawn from a bath is the sum of what the flips of its site move into the site's bonds and
field. Error bars are batch means over time of the unit-averaged currents, with the spread
between units added (:func:`~exactspin.montecarlo.statistics.standard_error`): a network's chain
may be reducible (a Q2R site whose bonds never cancel is frozen; CCA conserves its energy), and
then the units differ by the closed class they started in.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from exactspin.montecarlo.chains import MultispinWord, Segment, SingleChain
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.multispin import WORD_BITS
from exactspin.montecarlo.network_result import NetworkMonteCarloResult
from exactspin.montecarlo.replicas import run_units
from exactspin.montecarlo.result import CONTINUOUS, STEP, UNITS
from exactspin.montecarlo.rng import replica_seeds
from exactspin.montecarlo.simulation import (
    DEFAULT_BATCHES,
    DEFAULT_REPLICAS,
    MAX_STEPS,
    MEMORY_LIMIT_BYTES,
    MULTISPIN,
    SINGLE_CHAIN,
    _batch_lengths,
)
from exactspin.montecarlo.statistics import (
    DRIFT_THRESHOLD,
    NO_EVENT_BOUND_EVENTS,
    batch_standard_error,
    drift_z,
    mean_z,
)
from exactspin.network import Network
from exactspin.network.graph import CLASSICAL
from exactspin.validation import (
    ParameterError,
    ResourceError,
    require_choice,
    require_integer,
    require_site_pairs,
)


class NetworkBatchLog:
    """Per-batch integer counts of one unit on a network, oldest first.

    Attributes
    ----------
    lengths : list of int
    bonds : list of (B,) int64
        Net aligned flips of each bond's first site with its second.
    baths : list of (E,) int64
        Net aligned flips of the bath sites' bond ends and fields (see :func:`bath_ends`).
    pair_sums : list of (P,) int64; samples : list of int
    """

    def __init__(self, ends: np.ndarray) -> None:
        self._ends = ends
        self.lengths: list[int] = []
        self.bonds: list[np.ndarray] = []
        self.baths: list[np.ndarray] = []
        self.pair_sums: list[np.ndarray] = []
        self.samples: list[int] = []
        self.discarded = 0

    def append(self, length: int, segments: list[Segment]) -> None:
        bond_aligned = sum(segment.bond_aligned for segment in segments)
        field_aligned = sum(segment.field_aligned for segment in segments)
        flat = np.concatenate([np.asarray(bond_aligned).ravel(), np.asarray(field_aligned)])
        self.lengths.append(int(length))
        self.bonds.append(np.asarray(bond_aligned)[:, 0].astype(np.int64))
        self.baths.append(flat[self._ends].astype(np.int64))
        self.pair_sums.append(sum(segment.pair_sums for segment in segments))
        self.samples.append(sum(segment.samples for segment in segments))

    @property
    def count(self) -> int:
        return len(self.lengths)

    @property
    def steps(self) -> int:
        return sum(self.lengths)

    def truncate(self, count: int) -> None:
        for name in ("lengths", "bonds", "baths", "pair_sums", "samples"):
            del getattr(self, name)[count:]


def bath_ends(lattice: Lattice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(entries, bath, energy per aligned flip) of every bond end and field at a bath site.

    Entries index ``concat(bond_aligned.ravel(), field_aligned)``: bond b's first end is 2b, its
    second 2b + 1, field f is 2B + f. A flip with the site aligned to the other end moves
    2 J (2 (-h) for a field's ghost down spin) out of the bath into that bond (Eq. 6).
    """
    entries, baths, energies = [], [], []
    for bath, site in enumerate(lattice.bath_sites.tolist()):
        for end in range(2):
            for bond in np.flatnonzero(lattice.bond_sites[:, end] == site).tolist():
                entries.append(2 * bond + end)
                baths.append(bath)
                energies.append(2.0 * lattice.couplings[bond])
        for field in np.flatnonzero(lattice.field_sites == site).tolist():
            entries.append(2 * lattice.bonds + field)
            baths.append(bath)
            energies.append(-2.0 * lattice.field_strengths[field])
    return (
        np.array(entries, dtype=np.int64),
        np.array(baths, dtype=np.int64),
        np.array(energies, dtype=float),
    )


def simulate_network(
    network: Network,
    steps: int,
    replicas: int | None = None,
    seed: int = 0,
    burn_in: int | None = None,
    pairs: Sequence[tuple[int, int]] = (),
    progress: bool = False,
    batches: int = DEFAULT_BATCHES,
    workers: int | None = None,
    *,
    unit: str = STEP,
) -> NetworkMonteCarloResult:
    """Estimate the steady-state bath and bond currents of a classical ``network``.

    Random-sequential dynamics as on the ring (:func:`exactspin.montecarlo.simulate`): each step
    picks one site uniformly; Metropolis with its bath (Eq. 5), else Q2R (flip iff dE = 0
    exactly) or CCA (Eqs. 20-21). Arguments as for :func:`~exactspin.montecarlo.simulate`
    (without a target error): ``replicas`` 1..63 run single chains, a multiple of 64 of at
    least 128 runs multispin words (two words at least, so the spread between units can be
    estimated); ``pairs`` are 0-based.

    Raises
    ------
    ParameterError
        On a quantum network or any invalid argument, before running anything.
    ResourceError
        When the run would need more than the memory limit.
    """
    if not isinstance(network, Network) or network.kind != CLASSICAL:
        raise ParameterError("network", network, "a classical exactspin.network.Network")
    batches = require_integer("batches", batches, 4)
    steps = require_integer("steps", steps, batches, MAX_STEPS)
    replicas = require_integer("replicas", DEFAULT_REPLICAS if replicas is None else replicas, 1)
    multispin = replicas >= WORD_BITS
    if multispin and (replicas % WORD_BITS or replicas < 2 * WORD_BITS):
        raise ParameterError(
            "replicas",
            replicas,
            "1..63 (single chains) or a multiple of 64 of at least 128 (multispin on a network)",
        )
    seed = require_integer("seed", seed, 0)
    unit = require_choice("unit", unit, UNITS)
    burn_in = require_integer("burn_in", steps // 5 if burn_in is None else burn_in, 0, MAX_STEPS)
    pairs = require_site_pairs("pairs", pairs, network.sites)
    unit_count = replicas // WORD_BITS if multispin else replicas
    workers = require_integer(
        "workers", min(os.cpu_count() or 1, unit_count) if workers is None else workers, 1
    )
    lattice = Lattice.from_network(network)
    needed = _memory_estimate(lattice, unit_count, batches, multispin)
    if needed > MEMORY_LIMIT_BYTES:
        raise ResourceError(
            f"Monte Carlo of {replicas} replicas of {network.sites} sites needs about "
            f"{needed / 2**30:.1f} GiB; use fewer replicas"
        )
    chain_type = MultispinWord if multispin else SingleChain
    units = [chain_type(lattice, sequence, pairs) for sequence in replica_seeds(seed, unit_count)]
    ends = bath_ends(lattice)
    logs = [NetworkBatchLog(ends[0]) for _ in units]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=replicas * (steps + burn_in), unit="upd", unit_scale=True, delay=2.0)
    try:
        started = time.perf_counter()
        interrupted = run_units(
            units,
            logs,
            burn_in,
            _batch_lengths(steps, batches),
            workers,
            None if bar is None else bar.update,
        )
        wall_time = time.perf_counter() - started
    finally:
        if bar is not None:
            bar.close()
    if interrupted and logs[0].count < 2:
        raise KeyboardInterrupt(f"interrupted after {logs[0].count} finished batches")
    return _estimate(
        network, lattice, logs, ends, pairs, replicas, seed, burn_in, unit, multispin, wall_time,
        replicas * (steps + burn_in),
    )  # fmt: skip


def _memory_estimate(lattice: Lattice, units: int, batches: int, multispin: bool) -> int:
    width = max(2, int(np.bincount(lattice.bond_sites.ravel(), minlength=lattice.sites).max()) + 1)
    per_site = (3 * 8 + 4 * (1 + width)) if multispin else (1 + 4 + 4 * 2 ** (1 + width))
    per_unit = lattice.sites * per_site + lattice.bonds * (8 * batches + 32) + 4096
    return units * per_unit


def _estimate(
    network, lattice, logs, ends, pairs, replicas, seed, burn_in, unit, multispin, wall_time,
    updates,
) -> NetworkMonteCarloResult:  # fmt: skip
    per_unit = WORD_BITS if multispin else 1
    scale = float(lattice.sites) if unit == CONTINUOUS else 1.0
    lengths = np.array([log.lengths for log in logs], dtype=float)  # (U, nb)
    replica_steps = lengths[:, :, None] * per_unit
    entries, bath_of, energies = ends
    baths = len(lattice.bath_sites)
    weights = np.zeros((len(entries), baths))
    weights[np.arange(len(entries)), bath_of] = energies
    bath_counts = np.array([log.baths for log in logs], dtype=float).reshape(
        len(logs), -1, len(entries)
    )
    bath_values = scale * (bath_counts @ weights) / replica_steps
    bond_counts = np.array([log.bonds for log in logs], dtype=float)
    bond_values = scale * 2.0 * lattice.couplings * bond_counts / replica_steps
    values = np.concatenate([bath_values, bond_values], axis=2)
    means = (values * lengths[:, :, None]).sum(axis=(0, 1)) / lengths.sum()
    errors = batch_standard_error(values, True)
    seen = np.any(values != 0, axis=(0, 1))
    steps_per_replica = int(logs[0].steps)
    independent = steps_per_replica * len(logs)
    largest = np.concatenate(
        [
            np.bincount(bath_of, weights=np.abs(energies), minlength=baths),
            2.0 * np.abs(lattice.couplings),
        ]
    )
    bounds = scale * NO_EVENT_BOUND_EVENTS * largest / independent

    count = logs[0].count
    drift = drift_z(bath_values, True) if count >= 4 else np.zeros(baths)
    balance = float(mean_z(bath_values.sum(axis=2, keepdims=True), True)[0])
    equilibrated, reason = _equilibration(lattice, lengths, seen[:baths], drift, balance, count)

    pair_sums = np.array([log.pair_sums for log in logs], dtype=float).reshape(len(logs), count, -1)
    samples = np.array([log.samples for log in logs], dtype=float)
    pair_values = pair_sums / np.maximum(samples, 1)[:, :, None] / per_unit
    pair_means = pair_sums.sum(axis=(0, 1)) / max(samples.sum(), 1) / per_unit
    pair_errors = batch_standard_error(pair_values, True) if pair_values.shape[2] else np.zeros(0)

    def errors_of(block: slice) -> tuple[float | None, ...]:
        return tuple(
            float(e) if s else None for e, s in zip(errors[block], seen[block], strict=True)
        )

    def bounds_of(block: slice) -> tuple[float | None, ...]:
        return tuple(
            None if s else float(b) for b, s in zip(bounds[block], seen[block], strict=True)
        )

    bath_block, bond_block = slice(0, baths), slice(baths, None)
    return NetworkMonteCarloResult(
        network=network,
        steps=steps_per_replica,
        burn_in=burn_in,
        replicas=replicas,
        batches=count,
        seed=seed,
        method=MULTISPIN if multispin else SINGLE_CHAIN,
        bath_currents=tuple(float(v) for v in means[bath_block]),
        bath_current_errors=errors_of(bath_block),
        bath_current_bounds=bounds_of(bath_block),
        bond_currents=tuple(float(v) for v in means[bond_block]),
        bond_current_errors=errors_of(bond_block),
        bond_current_bounds=bounds_of(bond_block),
        pairs=tuple(pairs),
        pair_correlations=tuple(float(v) for v in pair_means),
        pair_correlations_stderr=tuple(float(v) for v in pair_errors),
        energy_balance_z=balance,
        equilibration_z=tuple(float(z) for z in drift),
        equilibrated=equilibrated,
        equilibration_reason=reason,
        drift_threshold=DRIFT_THRESHOLD,
        wall_time=wall_time,
        updates_per_second=updates / wall_time if wall_time > 0 else float("inf"),
        unit=unit,
    )


def _equilibration(lattice, lengths, seen, drift, balance, count) -> tuple[bool | None, str]:
    if count < 4:
        return None, "fewer than 4 batches: the halves cannot be compared"
    if lengths.min() < lattice.sites:
        return None, (
            f"a batch ({int(lengths.min())} steps) is shorter than one sweep ({lattice.sites} "
            "steps)"
        )
    if not np.all(seen):
        return None, "no energy exchanged with some bath: the energy balance cannot be tested"
    scores = np.abs([*drift, balance])
    if np.all(scores < DRIFT_THRESHOLD):
        return True, f"halves agree and the energy balances (every |z| < {DRIFT_THRESHOLD:g})"
    return False, (
        f"the halves disagree or the network gains or loses energy (|z| >= {DRIFT_THRESHOLD:g})"
    )
