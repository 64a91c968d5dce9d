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

import dataclasses
import os
import time
from collections.abc import Sequence

import numpy as np

from exactspin.classical.model import CCA, Q2R, ClassicalModel
from exactspin.montecarlo.chains import MultispinWord, Segment, SingleChain
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.multispin import RING_WORD_BYTES_PER_SITE, WORD_BITS
from exactspin.montecarlo.network_kernel import slots
from exactspin.montecarlo.network_result import NetworkMonteCarloResult
from exactspin.montecarlo.replicas import DONE, Outcome, run_units
from exactspin.montecarlo.result import CONTINUOUS, STEP, UNITS
from exactspin.montecarlo.rng import replica_seeds
from exactspin.montecarlo.simulation import (
    CCA_CLASSES,
    DEFAULT_BATCHES,
    DEFAULT_CCA_UNITS,
    FIRST_BATCH_STEPS,
    MAX_STEPS,
    MEMORY_LIMIT_BYTES,
    MULTISPIN,
    SINGLE_CHAIN,
    _batch_lengths,
    default_replicas,
    pair_statistics,
    require_finished_batches,
    require_reachable_target,
    undetermined_reason,
)
from exactspin.montecarlo.statistics import (
    DRIFT_THRESHOLD,
    NO_EVENT_BOUND_EVENTS,
    drift_z,
    energy_change_z,
    lag_one_correlation,
    mean_z,
    merged_standard_error,
    transient_reason,
)
from exactspin.network import Network
from exactspin.network.graph import CLASSICAL
from exactspin.validation import (
    ParameterError,
    ResourceError,
    require_choice,
    require_integer,
    require_positive,
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
        for name in _LOG_FIELDS:
            del getattr(self, name)[count:]

    def drop_oldest(self, count: int) -> None:
        """Discard the oldest ``count`` batches; their steps become burn-in."""
        self.discarded += sum(self.lengths[:count])
        for name in _LOG_FIELDS:
            del getattr(self, name)[:count]

    def merge_pairs(self) -> None:
        """Merge batches 2k and 2k + 1 (an odd oldest batch is dropped first, as burn-in)."""
        if self.count % 2:
            self.drop_oldest(1)
        for name in _LOG_FIELDS:
            values = getattr(self, name)
            setattr(self, name, [values[k] + values[k + 1] for k in range(0, len(values), 2)])


_LOG_FIELDS = ("lengths", "bonds", "baths", "pair_sums", "samples")


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
    target_stderr: float | None = None,
    target_absolute_stderr: float | None = None,
    max_seconds: float | None = None,
) -> NetworkMonteCarloResult:
    """Estimate the steady-state bath and bond currents of a classical ``network``.

    Random-sequential dynamics as on the ring (:func:`exactspin.montecarlo.simulate`): each step
    picks one site uniformly; Metropolis with its bath (Eq. 5), else Q2R (flip iff dE = 0
    exactly) or CCA (Eqs. 20-21). Arguments as for :func:`~exactspin.montecarlo.simulate`
    (without a target error): ``replicas`` 1..63 run single chains, a multiple of 64 of at
    least 128 runs multispin words (two words at least, so the spread between units can be
    estimated); ``pairs`` are 0-based. With ``target_stderr`` (relative to each current's
    magnitude) or ``target_absolute_stderr`` the run grows until every bath and bond current
    reaches its target and the run looks stationary, or ``steps`` (burn-in plus measured steps
    per replica) or ``max_seconds`` is spent; the burn-in is then automatic (the oldest half is
    discarded while the run does not look stationary), as on the ring.

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
    lattice = Lattice.from_network(network)
    closed = closed_classes_cause(network, lattice)
    # closed classes (CCA, some Q2R networks) need CCA's default of 17 multispin words
    default = default_replicas(CCA if closed else Q2R)
    if closed and replicas is None and not _multispin_possible(lattice):
        default = DEFAULT_CCA_UNITS  # chains: their errors are undetermined, and say why
    replicas = _validated_replicas(default if replicas is None else replicas)
    multispin = replicas >= WORD_BITS
    seed = require_integer("seed", seed, 0)
    unit = require_choice("unit", unit, UNITS)
    targeted = target_stderr is not None or target_absolute_stderr is not None
    if target_stderr is not None:
        target_stderr = require_positive("target_stderr", target_stderr)
    if target_absolute_stderr is not None:
        target_absolute_stderr = require_positive("target_absolute_stderr", target_absolute_stderr)
    if max_seconds is not None:
        max_seconds = require_positive("max_seconds", max_seconds)
    automatic = targeted and burn_in is None
    default_burn_in = 0 if targeted else steps // 5
    burn_in = require_integer(
        "burn_in", default_burn_in if burn_in is None else burn_in, 0, MAX_STEPS
    )
    if targeted and burn_in >= steps:
        raise ParameterError("burn_in", burn_in, f"below the step budget {steps}")
    pairs = require_site_pairs("pairs", pairs, network.sites)
    unit_count = replicas // WORD_BITS if multispin else replicas
    if targeted:
        where = "for CCA" if lattice.dynamics == CCA else "on this network (closed classes)"
        require_reachable_target(unit_count, batches, bool(closed), multispin, where)
    workers = require_integer(
        "workers", min(os.cpu_count() or 1, unit_count) if workers is None else workers, 1
    )
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
    run = _Run(network, lattice, units, logs, ends, pairs, replicas, seed, unit, multispin, workers,
               None if bar is None else bar.update, closed)  # fmt: skip
    try:
        if targeted:
            target = (target_stderr, target_absolute_stderr)
            return run.to_target(steps, burn_in, automatic, batches, target, max_seconds)
        started = time.perf_counter()
        deadline = None if max_seconds is None else started + max_seconds
        outcome = run.advance(burn_in, _batch_lengths(steps, batches), deadline)
        wall_time = time.perf_counter() - started
        reason = "steps" if outcome.stopped == DONE else outcome.stopped
        require_finished_batches(run.logs, outcome.stopped, max_seconds)
        return run.estimate(burn_in, wall_time, outcome.updates, reason, None)
    finally:
        if bar is not None:
            bar.close()


class _Run:
    """The units and logs of one run, advanced in rounds and estimated."""

    def __init__(self, network, lattice, units, logs, ends, pairs, replicas, seed, unit,
                 multispin, workers, progress, closed) -> None:  # fmt: skip
        self.network, self.lattice, self.units, self.logs = network, lattice, units, logs
        self.ends, self.pairs, self.replicas, self.seed = ends, pairs, replicas, seed
        self.unit, self.multispin, self.workers, self.progress = unit, multispin, workers, progress
        self.closed = closed

    def advance(self, burn_in: int, lengths: list[int], deadline: float | None) -> Outcome:
        return run_units(
            self.units, self.logs, burn_in, lengths, self.workers, self.progress, deadline
        )

    def estimate(self, burn_in, wall_time, updates, reason, target) -> NetworkMonteCarloResult:
        logs = self.logs
        if logs[0].count < 2:
            raise KeyboardInterrupt(f"interrupted after {logs[0].count} finished batches")
        return _estimate(
            self.network, self.lattice, logs, self.ends, self.pairs, self.replicas, self.seed,
            burn_in + logs[0].discarded, self.unit, self.multispin, wall_time, updates, reason,
            target, self.closed,
        )  # fmt: skip

    def to_target(self, budget, burn_in, automatic, batches, target, max_seconds):
        """Rounds of 2 B batches, as :func:`exactspin.montecarlo.simulation._run_to_target`:
        merge neighbouring batches (the length doubles) or, while the run does not look
        stationary and the burn-in is automatic, discard the oldest half."""
        logs = self.logs
        length = max(1, min(max(self.lattice.sites, FIRST_BATCH_STEPS), budget // (2 * batches)))
        started = time.perf_counter()
        deadline = None if max_seconds is None else started + max_seconds
        pending, updates, result = burn_in, 0, None
        while True:
            missing = 2 * batches - logs[0].count
            spent = burn_in + logs[0].discarded + logs[0].steps
            if result is not None and spent + missing * length > budget:
                return dataclasses.replace(result, stop_reason="step budget")
            outcome = self.advance(pending, [length] * missing, deadline)
            updates += outcome.updates
            pending = 0
            wall_time = time.perf_counter() - started
            require_finished_batches(logs, outcome.stopped, max_seconds)
            reason = "running" if outcome.stopped == DONE else outcome.stopped
            result = self.estimate(burn_in, wall_time, updates, reason, target)
            if outcome.stopped != DONE:
                return result
            if result.equilibrated and _target_met(result, target):
                return dataclasses.replace(result, stop_reason="target reached")
            if automatic and result.equilibrated is False:
                for log in logs:
                    log.drop_oldest(log.count // 2)
            else:
                for log in logs:
                    log.merge_pairs()
                length *= 2


def _target_met(result: NetworkMonteCarloResult, target) -> bool:
    """Every bath and bond current within its target error (no events or an undetermined
    error: never met)."""
    relative, absolute = target
    if result.undetermined_baths or result.undetermined_bonds:
        return False
    values = result.bath_currents + result.bond_currents
    errors = result.bath_current_errors + result.bond_current_errors
    for value, error in zip(values, errors, strict=True):
        if error is None:
            return False
        if relative is not None and error > relative * abs(value):
            return False
        if absolute is not None and error > absolute:
            return False
    return True


def _memory_estimate(lattice: Lattice, units: int, batches: int, multispin: bool) -> int:
    width = max(2, int(np.bincount(lattice.bond_sites.ravel(), minlength=lattice.sites).max()) + 1)
    per_site = (
        (3 * 8 + 4 * (1 + width) + RING_WORD_BYTES_PER_SITE)
        if multispin
        else (1 + 4 + 4 * 2 ** (1 + width))
    )
    per_unit = lattice.sites * per_site + lattice.bonds * (8 * batches + 32) + 4096
    return units * per_unit


#: Largest Q2R network whose closed classes are counted exactly before a run (2^N states;
#: 2^18 take about 0.1 s).
MAX_COUNTED_SITES = 18


def closed_classes_cause(network: Network, lattice: Lattice) -> str:
    """Why the network's chain may have several closed classes ("" when it has one).

    A chain stays in the closed class it started in, so its spread between classes is only
    estimated from the spread between units. CCA has closed classes (it conserves the energy
    of bulk spins and demons between node flips). Q2R has them too on many networks: a site
    whose dE = 0 has no solution keeps its spin, and two sites can lock each other. Up to
    :data:`MAX_COUNTED_SITES` sites the classes are counted exactly
    (:func:`exactspin.classical.classes.flip_classes`, as the exact solver does); a larger
    cycle whose bulk sites have two bonds of equal |J| and no field is the paper's ring (one
    class); any other larger network is not known to have one.
    """
    if lattice.dynamics == CCA:
        return CCA_CLASSES
    if lattice.sites <= MAX_COUNTED_SITES:
        from exactspin.classical.classes import flip_classes
        from exactspin.classical.generator import all_site_flips

        count = flip_classes(all_site_flips(ClassicalModel.from_network(network))).count
        if count == 1:
            return ""
        return (
            f"the chain has {count} closed classes (counted exactly) and each unit stays in the "
            "one it started in"
        )
    if _ring_like(lattice):
        return ""
    return (
        f"closed classes cannot be excluded on a network of {lattice.sites} sites (counted "
        f"exactly up to {MAX_COUNTED_SITES}; Q2R sites can freeze or lock each other) and each "
        "unit stays in the one it started in"
    )


def _ring_like(lattice: Lattice) -> bool:
    """A cycle whose every site without a bath has two bonds of equal |J| and no field."""
    site_slots = slots(lattice)
    if not site_slots.cyclic:
        return False
    bulk = np.ones(lattice.sites, dtype=bool)
    bulk[lattice.bath_sites] = False
    couplings = np.abs(site_slots.couplings[bulk])
    return bool(np.all(couplings[:, 0] == couplings[:, 1]))


def _estimate(
    network, lattice, logs, ends, pairs, replicas, seed, burn_in, unit, multispin, wall_time,
    updates, stop_reason, target, cause,
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
    # Merged batch means (statistics.merged_standard_error), as on the ring; CCA's closed
    # classes need 17 independent units for their spread.
    closed = bool(cause)
    # Single chains with closed classes see one class each (simulation.SINGLE_CLASS_CHAINS).
    one_class = not multispin
    errors, determined = merged_standard_error(values, lengths, True, closed, one_class)
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
    # An error below one largest event per replica-step: those events were not sampled.
    quantum = scale * largest / (steps_per_replica * replicas)
    unsettled = seen & ~(determined & (errors >= quantum))
    why = (
        undetermined_reason(len(logs), logs[0].count, closed, per_unit, cause or CCA_CLASSES)
        if unsettled.any()
        else ""
    )

    count = logs[0].count
    drift = drift_z(bath_values, True) if count >= 4 else np.zeros(baths)
    balance = float(mean_z(bath_values.sum(axis=2, keepdims=True), True)[0])
    # The inflow summed over the window is the network's energy change (the batches telescope):
    # a start-up dump in the first batch shows here though the halves and balance miss it.
    change = energy_change_z(bath_values.sum(axis=2) * lengths)
    equilibrated, reason = _equilibration(
        lattice, lengths, seen[:baths], drift, balance, change, count
    )

    pair_sums = np.array([log.pair_sums for log in logs], dtype=float).reshape(len(logs), count, -1)
    samples = np.array([log.samples for log in logs], dtype=float)
    pair_values = pair_sums / np.maximum(samples, 1)[:, :, None] / per_unit
    pair_means = pair_sums.sum(axis=(0, 1)) / max(samples.sum(), 1) / per_unit
    pair_errors, pair_status = pair_statistics(
        pair_values, *merged_standard_error(pair_values, lengths, True, closed, one_class)
    )

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
        pair_correlations_stderr=pair_errors,
        pair_correlations_status=pair_status,
        energy_balance_z=balance,
        energy_change_z=change,
        equilibration_z=tuple(float(z) for z in drift),
        batch_correlation=tuple(float(c) for c in lag_one_correlation(bath_values)),
        equilibrated=equilibrated,
        equilibration_reason=reason,
        drift_threshold=DRIFT_THRESHOLD,
        wall_time=wall_time,
        updates_per_second=updates / wall_time if wall_time > 0 else float("inf"),
        unit=unit,
        stop_reason=stop_reason,
        target_stderr=target,
        undetermined_baths=tuple(int(m) for m in np.flatnonzero(unsettled[bath_block])),
        undetermined_bonds=tuple(int(b) for b in np.flatnonzero(unsettled[bond_block])),
        undetermined_reason=why,
    )


def _equilibration(
    lattice, lengths, seen, drift, balance, change, count
) -> tuple[bool | None, str]:
    if count < 4:
        return None, "fewer than 4 batches: the halves cannot be compared"
    if lengths.min() < lattice.sites:
        return None, (
            f"a batch ({int(lengths.min())} steps) is shorter than one sweep ({lattice.sites} "
            "steps)"
        )
    if not np.all(seen):
        return None, "no energy exchanged with some bath: the energy balance cannot be tested"
    if abs(change) >= DRIFT_THRESHOLD:
        return False, transient_reason("network", change, DRIFT_THRESHOLD)
    scores = np.abs([*drift, balance])
    if np.all(scores < DRIFT_THRESHOLD):
        return True, f"halves agree and the energy balances (every |z| < {DRIFT_THRESHOLD:g})"
    return False, (
        f"the halves disagree or the network gains or loses energy (|z| >= {DRIFT_THRESHOLD:g})"
    )


def _multispin_possible(lattice) -> bool:
    """Whether the network word kernel takes this lattice (CCA sites of high degree it does
    not)."""
    from exactspin.montecarlo.chains import shared_word_tables

    try:
        shared_word_tables(lattice)
    except ParameterError:
        return False
    return True


def _validated_replicas(replicas: object) -> int:
    """``replicas`` as an int: 1..63 single chains or a multiple of 64 of at least 128
    multispin words. One message for every bad value, naming the whole allowed set."""
    allowed = (
        f"an integer 1..{WORD_BITS - 1} (single chains) or a multiple of {WORD_BITS} of at "
        f"least {2 * WORD_BITS} (multispin on a network)"
    )
    try:
        value = require_integer("replicas", replicas, 1)
    except ParameterError:
        raise ParameterError("replicas", replicas, allowed) from None
    if value >= WORD_BITS and (value % WORD_BITS or value < 2 * WORD_BITS):
        raise ParameterError("replicas", value, allowed)
    return value
