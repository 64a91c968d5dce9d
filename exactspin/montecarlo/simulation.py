"""The Monte Carlo entry point: validate, run units in rounds, turn flip counts into currents.

Currents come from integer flip counts (Eq. 6 for the baths, Eq. 9 for the bonds): the energy of a
flip of site i with neighbours l, r is known from (s_l s_i, s_i s_r), so the kernels only count
flips and the energies are multiplied in once, here, without rounding drift.

A run either measures a fixed number of steps, or (``target_stderr``) grows until every current
reaches its target error, with an automatic burn-in: batches are doubled in length as the run
grows, and while the run does not look stationary its oldest half is discarded as burn-in.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from types import MappingProxyType

import numpy as np

from exactspin.classical.model import CCA, ClassicalModel
from exactspin.currents import UNDETERMINED, magnification_ratio
from exactspin.montecarlo import batches as columns
from exactspin.montecarlo.batches import BatchLog
from exactspin.montecarlo.chains import MultispinWord, SingleChain
from exactspin.montecarlo.kernel import site_couplings
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.multispin import RING_WORD_BYTES_PER_SITE, WORD_BITS
from exactspin.montecarlo.replicas import DEADLINE, DONE, Unit, run_units
from exactspin.montecarlo.result import (
    CONTINUOUS,
    CURRENT_NAMES,
    RESOLVED,
    SIGNIFICANCE,
    STEP,
    UNITS,
    UNRESOLVED,
    MonteCarloResult,
    current_status,
)
from exactspin.montecarlo.rng import replica_seeds
from exactspin.montecarlo.statistics import (
    DRIFT_THRESHOLD,
    MIN_DEGREES_OF_FREEDOM,
    NO_EVENT_BOUND_EVENTS,
    drift_z,
    energy_change_z,
    error_degrees_of_freedom,
    lag_one_correlation,
    linear_combination_standard_error,
    mean_z,
    merged_standard_error,
    transient_reason,
)
from exactspin.validation import (
    ParameterError,
    ResourceError,
    require_choice,
    require_integer,
    require_positive,
    require_site_pairs,
)

#: Replicas when none are asked for; fixed (not the core count) so results are machine-independent.
DEFAULT_REPLICAS = 4
#: Units of CCA's default: a CCA replica stays in the closed class it started in, so only the
#: spread between independent units estimates the spread between classes; MIN_DEGREES_OF_FREEDOM
#: + 1 units give it the degrees of freedom every error needs.
DEFAULT_CCA_UNITS = MIN_DEGREES_OF_FREEDOM + 1
#: CCA's default replicas: DEFAULT_CCA_UNITS multispin words. Each of a word's 64 replicas
#: starts in its own random state, so a unit averages 64 classes: 17 single chains see only 17
#: classes, and a new user's trial found a network whose bond current lived in classes none of
#: them visited (printed as 0 within an error 4000 times smaller than the exact current).
DEFAULT_CCA_REPLICAS = DEFAULT_CCA_UNITS * WORD_BITS
#: Why single chains cannot give errors where replicas stay in closed classes.
SINGLE_CLASS_CHAINS = (
    "each single chain stays in the closed class it started in, so {units} chains see only "
    "{units} classes, and a class none of them visited is missing from the estimate and its "
    "error alike; use multispin words (--replicas {replicas} or more: 64 classes per unit)"
)


def default_replicas(dynamics: str) -> int:
    """Replicas of a run that asks for none: :data:`DEFAULT_REPLICAS` single chains, or
    :data:`DEFAULT_CCA_REPLICAS` (17 multispin words) for CCA (closed classes)."""
    return DEFAULT_CCA_REPLICAS if dynamics == CCA else DEFAULT_REPLICAS


#: Batches per unit for batch means (>= 4: the equilibration check compares two halves).
DEFAULT_BATCHES = 20
#: Largest ring: the kernel scales a 64-bit word by N_S with 32-bit halves.
MAX_SITES = 2**32 - 1
#: Most steps per replica: flip counters are int64, and 10^15 steps already take weeks.
MAX_STEPS = 10**15
#: Memory a run may use for its units' state, counters and batches (bytes).
MEMORY_LIMIT_BYTES = 8 * 2**30
#: First batch length of a run with a target error, in steps (at least one sweep).
FIRST_BATCH_STEPS = 1024
#: ``burn_in`` value asking for the automatic burn-in (runs with a target error only).
AUTO = "auto"
SINGLE_CHAIN, MULTISPIN = "single-chain", "multispin"


def simulate(
    model: ClassicalModel,
    steps: int,
    replicas: int | None = None,
    seed: int = 0,
    burn_in: int | str | None = None,
    pairs: Sequence[tuple[int, int]] = (),
    progress: bool = False,
    batches: int = DEFAULT_BATCHES,
    workers: int | None = None,
    *,
    target_stderr: float | None = None,
    target_absolute_stderr: float | None = None,
    max_seconds: float | None = None,
    unit: str = STEP,
) -> MonteCarloResult:
    """Estimate the steady-state currents of ``model`` by random-sequential Monte Carlo.

    Each step picks one site uniformly and attempts to flip it: Metropolis with the bath at the
    nodes (Eq. 5), Q2R (Eq. 10) or CCA (Eqs. 20-21) in the bulk. This is the continuous-time chain
    of Eq. 4 in discrete time, so currents come out per update attempt, as in Eq. 14.

    Parameters
    ----------
    model : ClassicalModel
    steps : int
        Measured single-spin update attempts per replica (>= ``batches``). With a target error,
        the budget instead: the run grows in rounds (batches doubling in length) and burn-in
        plus measured steps per replica never exceed it.
    replicas : int, optional
        Chains, each started from a uniformly random state (spins and demons), the exact
        solver's default initial distribution. 1..63 run single chains (default 4, or 17 for
        CCA: :func:`default_replicas`); a multiple of 64 runs the multispin kernel, 64 replicas
        per machine word sharing one random site sequence. CCA needs >= 128 (two words) to
        run, and 17 independent units (chains, or words) for determined errors: a CCA chain
        stays in the closed class it started in, and only the spread between units estimates
        the spread between classes, with units - 1 degrees of freedom.
    seed : int
        Root of ``numpy.random.SeedSequence``; unit u (chain or word) uses child u, so the
        numbers do not depend on ``workers``.
    burn_in : int or "auto", optional
        Discarded steps per replica before measuring; default ``steps // 5``, or "auto" (the
        default with a target error): discard the oldest half of the run while it does not look
        stationary. The result reports the total discarded.
    pairs : sequence of (int, int)
        0-based site pairs whose <s_i s_j> to sample (once every N_S steps).
    progress : bool
        Show a tqdm bar (after 2 s) on stderr, with the estimated time to the target.
    batches : int
        Batches per unit for the batch-means error bars (>= 4); a run with a target error keeps
        between this many and twice as many.
    workers : int, optional
        Threads running units; default: the number of cores, at most the number of units. Has
        no effect on the numbers.
    target_stderr : float, optional
        Run until every current's standard error is at most this fraction of its magnitude (and
        the run looks stationary), or the budget is spent.
    target_absolute_stderr : float, optional
        The same with an absolute error, in the unit of the result; both may be given.
    max_seconds : float, optional
        Wall-time budget of any run, checked between kernel chunks (tens of milliseconds): the
        units stop, the unfinished batches are dropped and ``stop_reason`` is "time budget"
        (the numbers then depend on the machine's speed). Without a target the planned run
        (burn-in, then ``batches`` batches of ``steps / batches``) is cut short, so it raises
        ResourceError when fewer than two batches were finished; a target error grows the run
        from short batches instead.
    unit : {"step", "continuous"}
        Currents per update attempt (default), or per unit time of Eq. 4 (x N_S).

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    ParameterError
        On any invalid argument, before running anything.
    ResourceError
        When the run would need more than :data:`MEMORY_LIMIT_BYTES`.
    """
    if not isinstance(model, ClassicalModel):
        raise ParameterError("model", model, "an exactspin.classical.model.ClassicalModel")
    batches = require_integer("batches", batches, 4)
    steps = require_integer("steps", steps, batches, MAX_STEPS)
    replicas = _validated_replicas(
        default_replicas(model.dynamics) if replicas is None else replicas, model.dynamics == CCA
    )
    multispin = replicas >= WORD_BITS
    seed = require_integer("seed", seed, 0)
    targeted = target_stderr is not None or target_absolute_stderr is not None
    if target_stderr is not None:
        target_stderr = require_positive("target_stderr", target_stderr)
    if target_absolute_stderr is not None:
        target_absolute_stderr = require_positive("target_absolute_stderr", target_absolute_stderr)
    if max_seconds is not None:
        max_seconds = require_positive("max_seconds", max_seconds)
    unit = require_choice("unit", unit, UNITS)
    automatic = burn_in == AUTO or (burn_in is None and targeted)
    if automatic and not targeted:
        raise ParameterError("burn_in", burn_in, 'an integer >= 0 ("auto" needs a target)')
    if automatic:
        burn_in = 0
    elif burn_in is None:
        burn_in = steps // 5
    burn_in = require_integer("burn_in", burn_in, 0, MAX_STEPS)
    if targeted and burn_in >= steps:
        raise ParameterError("burn_in", burn_in, f"below the step budget {steps}")
    pairs = _validated_pairs(pairs, model.sites)
    unit_count = replicas // WORD_BITS if multispin else replicas
    if targeted:
        require_reachable_target(unit_count, batches, model.dynamics == CCA, multispin)
    cores = os.cpu_count() or 1
    workers = require_integer("workers", min(cores, unit_count) if workers is None else workers, 1)
    if model.sites > MAX_SITES:
        raise ParameterError("nu", model.ring.upper_spins, f"such that N_S <= {MAX_SITES}")
    log_batches = 2 * batches if targeted else batches
    needed = memory_estimate(model.sites, unit_count, log_batches, len(pairs), multispin)
    if needed > MEMORY_LIMIT_BYTES:
        raise ResourceError(
            f"Monte Carlo of {replicas} replicas of {model.sites} sites needs about "
            f"{needed / 2**30:.1f} GiB, above the limit of {MEMORY_LIMIT_BYTES / 2**30:.1f} GiB; "
            "use fewer replicas (or a smaller ring)"
        )

    chain_type = MultispinWord if multispin else SingleChain
    lattice = Lattice.from_model(model)  # one lattice: its tables are shared by the units
    units = [chain_type(lattice, sequence, pairs) for sequence in replica_seeds(seed, unit_count)]
    logs = [BatchLog(model) for _ in units]
    settings = _Settings(
        model, replicas, batches, seed, pairs, unit, target_stderr, target_absolute_stderr
    )
    bar = None
    if progress:
        from tqdm import tqdm

        # With a target the total is the budget; the bar's postfix gives the time to the target.
        total = replicas * (steps if targeted else steps + burn_in)
        bar = tqdm(total=total, unit="upd", unit_scale=True, delay=2.0)
    try:
        if targeted:
            return _run_to_target(
                settings, units, logs, steps, burn_in, automatic, max_seconds, workers, bar
            )
        started = time.perf_counter()
        lengths = _batch_lengths(steps, batches)
        deadline = None if max_seconds is None else started + max_seconds
        outcome = run_units(units, logs, burn_in, lengths, workers, _updater(bar), deadline)
        wall_time = time.perf_counter() - started
        reason = "steps" if outcome.stopped == DONE else outcome.stopped
        require_finished_batches(logs, outcome.stopped, max_seconds)
        return _estimate(settings, logs, burn_in, reason, wall_time, outcome.updates)
    finally:
        if bar is not None:
            bar.close()


def _validated_replicas(replicas: object, cca: bool) -> int:
    """``replicas`` as an int: 1..63 single chains or a multiple of 64 multispin words (CCA
    words need at least 128). One message for every bad value, naming the whole allowed set."""
    smallest = 2 * WORD_BITS if cca else WORD_BITS
    allowed = (
        f"an integer 1..{WORD_BITS - 1} (single chains) or a multiple of {WORD_BITS} "
        f"(multispin words)" + (f" of at least {smallest} for CCA" if cca else "")
    )
    try:
        value = require_integer("replicas", replicas, 1)
    except ParameterError:
        raise ParameterError("replicas", replicas, allowed) from None
    if value >= WORD_BITS and (value % WORD_BITS or value < smallest):
        raise ParameterError("replicas", value, allowed)
    return value


class _Settings:
    """What every estimate of one run shares."""

    def __init__(
        self,
        model: ClassicalModel,
        replicas: int,
        batches: int,
        seed: int,
        pairs: tuple[tuple[int, int], ...],
        unit: str,
        target: float | None,
        absolute_target: float | None,
    ) -> None:
        self.model = model
        self.replicas = replicas
        self.batches = batches
        self.seed = seed
        self.pairs = pairs
        self.unit = unit
        self.target = target
        self.absolute_target = absolute_target
        self.method = MULTISPIN if replicas >= WORD_BITS else SINGLE_CHAIN
        self.replicas_per_unit = WORD_BITS if self.method == MULTISPIN else 1


def _updater(bar) -> Callable[[int], None] | None:
    return None if bar is None else bar.update


def _run_to_target(
    settings: _Settings,
    units: list[Unit],
    logs: list[BatchLog],
    budget: int,
    burn_in: int,
    automatic: bool,
    max_seconds: float | None,
    workers: int,
    bar,
) -> MonteCarloResult:
    """Rounds of batches until the target is met, the run is stopped or the budget is spent.

    Each round fills the logs to ``2 B`` batches of the current length and estimates. If the run
    does not look stationary and the burn-in is automatic, the oldest half becomes burn-in;
    otherwise neighbouring batches are merged and the batch length doubles, so the run (and the
    spacing of the checks) grows geometrically.
    """
    batches = settings.batches
    length = max(1, min(max(settings.model.sites, FIRST_BATCH_STEPS), budget // (2 * batches)))
    started = time.perf_counter()
    deadline = None if max_seconds is None else started + max_seconds
    pending_burn_in = burn_in
    updates = 0
    result = None
    while True:
        missing = 2 * batches - logs[0].count
        spent = burn_in + logs[0].discarded + logs[0].steps
        if result is not None and spent + missing * length > budget:
            return _replace_reason(result, "step budget")
        outcome = run_units(
            units, logs, pending_burn_in, [length] * missing, workers, _updater(bar), deadline
        )
        updates += outcome.updates
        pending_burn_in = 0
        wall_time = time.perf_counter() - started
        if outcome.stopped != DONE:
            require_finished_batches(logs, outcome.stopped, max_seconds)
            return _estimate(settings, logs, burn_in, outcome.stopped, wall_time, updates)
        result = _estimate(settings, logs, burn_in, "running", wall_time, updates)
        if result.equilibrated and _target_met(settings, result):
            return _replace_reason(result, "target reached")
        if bar is not None:
            bar.set_postfix_str(_time_to_target(settings, result), refresh=False)
        if automatic and result.equilibrated is False:
            for log in logs:
                log.drop_oldest(log.count // 2)
        else:
            for log in logs:
                log.merge_pairs()
            length *= 2


def require_reachable_target(
    units: int, batches: int, closed: bool, multispin: bool, cause: str = "for CCA"
) -> None:
    """Refuse a target error no run of ``units`` x ``batches`` could meet: its errors would
    have fewer than MIN_DEGREES_OF_FREEDOM however long it ran (a run with a target keeps B to
    2 B batches), so it would spend its whole budget and report undetermined errors. Single
    chains with closed classes never meet one (:data:`SINGLE_CLASS_CHAINS`)."""
    if closed and not multispin:
        raise ParameterError(
            "replicas",
            units,
            f"a multiple of 64, at least {DEFAULT_CCA_REPLICAS}, with a target error {cause} "
            "(single chains stay in their closed classes: their errors are undetermined)",
        )
    if error_degrees_of_freedom(units, batches, closed) >= MIN_DEGREES_OF_FREEDOM:
        return
    per_unit = WORD_BITS if multispin else 1
    if closed and units - 1 < MIN_DEGREES_OF_FREEDOM:
        raise ParameterError(
            "replicas",
            units * per_unit,
            f"at least {(MIN_DEGREES_OF_FREEDOM + 1) * per_unit} with a target error {cause} "
            f"({MIN_DEGREES_OF_FREEDOM + 1} independent {'words' if multispin else 'chains'}: "
            "the spread between closed classes needs them)",
        )
    raise ParameterError(
        "batches",
        batches,
        f"at least {-(-MIN_DEGREES_OF_FREEDOM // units) + 1} with {units} units and a target "
        f"error (units x (batches - 1) >= {MIN_DEGREES_OF_FREEDOM} degrees of freedom)",
    )


def require_finished_batches(logs: list[BatchLog], stopped: str, max_seconds: float | None) -> None:
    """Refuse a run its deadline stopped before two batches were finished (nothing to estimate
    an error from), naming the budget; an interruption is left to :func:`_estimate`."""
    if stopped == DEADLINE and logs[0].count < 2:
        raise ResourceError(
            f"max_seconds = {max_seconds:g} ran out after {logs[0].count} finished batches "
            "(2 at least are needed): allow more time, plan fewer steps (burn-in plus "
            "batches of steps / batches each), or give a target error (the run then grows from "
            "short batches and stops at the budget with what it finished)"
        )


def _replace_reason(result: MonteCarloResult, reason: str) -> MonteCarloResult:
    return replace(result, stop_reason=reason)


def _target_errors(settings: _Settings, result: MonteCarloResult) -> list[tuple[float, float]]:
    """(error, allowed error) per current and target; an error of None counts as infinite."""
    pairs = []
    for name in CURRENT_NAMES:
        error = getattr(result, name + "_stderr")
        # No events, or batches still correlated: the error is not known to be small.
        error = math.inf if error is None or name in result.undetermined_errors else error
        if settings.target is not None:
            pairs.append((error, settings.target * abs(getattr(result, name))))
        if settings.absolute_target is not None:
            pairs.append((error, settings.absolute_target))
    return pairs


def _target_met(settings: _Settings, result: MonteCarloResult) -> bool:
    return all(error <= allowed for error, allowed in _target_errors(settings, result))


def _time_to_target(settings: _Settings, result: MonteCarloResult) -> str:
    """ "target in ~X s": errors fall as 1 / sqrt(steps), so the run needs (error / allowed)^2
    times its measured steps."""
    factors = [
        (error / allowed) ** 2 if allowed > 0 else math.inf
        for error, allowed in _target_errors(settings, result)
    ]
    factor = max(factors, default=1.0)
    if not math.isfinite(factor) or result.updates_per_second <= 0:
        return "target: no estimate yet"
    remaining = max(0.0, factor - 1.0) * result.steps * settings.replicas
    return f"target in ~{remaining / result.updates_per_second:.0f} s"


def _batch_lengths(steps: int, batches: int) -> list[int]:
    """Split ``steps`` into ``batches`` lengths differing by at most one (longer ones first)."""
    base, extra = divmod(steps, batches)
    return [base + (b < extra) for b in range(batches)]


#: Bytes per site of the lattice and the kernel tables shared by every unit of a run.
SHARED_BYTES_PER_SITE = 160


def memory_estimate(sites: int, units: int, batches: int, pairs: int, multispin: bool) -> int:
    """Bytes held at once: per unit its state and counters, and per batch every bond's count.

    A chain keeps a byte of state and eight int32 counters per site; a word three uint64 planes
    and three int32 counters per site, and on the ring
    :data:`~exactspin.montecarlo.multispin.RING_WORD_BYTES_PER_SITE` while a chunk runs and its
    counts are unpacked (:func:`~exactspin.montecarlo.multispin.run_word`); both hand back int64
    copies of their counts per chunk.
    """
    state = (3 * 8 + 3 * 4 + RING_WORD_BYTES_PER_SITE) if multispin else (1 + 8 * 4)
    per_site = state + 8 * 8 + 8 * batches
    per_unit = sites * per_site + batches * (columns.COLUMNS + pairs + 2) * 8 + 4096
    # The lattice and the kernels' tables (slots, links), built once and shared by the units.
    shared = sites * SHARED_BYTES_PER_SITE
    return units * per_unit + shared


def _validated_pairs(pairs: Sequence[tuple[int, int]], sites: int) -> tuple[tuple[int, int], ...]:
    return require_site_pairs("pairs", pairs, sites)


def _energy_weights(model: ClassicalModel) -> np.ndarray:
    """(6, 4): energy of each count column towards I_L, I_R, I_U, I_D (before dividing by
    steps and by the number of bonds of the branch)."""
    ring = model.ring
    left_j_left, left_j_right = site_couplings(model, ring.left_node)
    right_j_left, right_j_right = site_couplings(model, ring.right_node)
    weights = np.zeros((columns.COLUMNS, 4))
    weights[columns.LEFT_NODE_RIGHT_ALIGNED, 0] = 2 * left_j_right
    weights[columns.LEFT_NODE_LEFT_ALIGNED, 0] = 2 * left_j_left
    weights[columns.RIGHT_NODE_RIGHT_ALIGNED, 1] = 2 * right_j_right
    weights[columns.RIGHT_NODE_LEFT_ALIGNED, 1] = 2 * right_j_left
    weights[columns.UPPER_BONDS_ALIGNED, 2] = 2 * model.upper_coupling / len(ring.upper_bonds)
    weights[columns.LOWER_BONDS_ALIGNED, 3] = 2 * model.lower_coupling / len(ring.lower_bonds)
    return weights


def _largest_event_energies(model: ClassicalModel) -> np.ndarray:
    """Most energy one flip moves into each current (per bond for the branches)."""
    ring = model.ring
    left = site_couplings(model, ring.left_node)
    right = site_couplings(model, ring.right_node)
    return np.array(
        [
            2 * (abs(left[0]) + abs(left[1])),
            2 * (abs(right[0]) + abs(right[1])),
            2 * abs(model.upper_coupling) / len(ring.upper_bonds),
            2 * abs(model.lower_coupling) / len(ring.lower_bonds),
        ]
    )


def _estimate(
    settings: _Settings,
    logs: list[BatchLog],
    burn_in: int,
    stop_reason: str,
    wall_time: float,
    updates: int,
) -> MonteCarloResult:
    model = settings.model
    count = logs[0].count
    if count < 2:
        # Only an interruption leaves fewer batches than validation asked for: nothing to report.
        raise KeyboardInterrupt(f"interrupted after {count} finished batches")
    per_unit = settings.replicas_per_unit
    # CCA conserves the energy of bulk spins and demons between node flips: closed classes.
    between = closed = model.dynamics == CCA
    scale = float(model.sites) if settings.unit == CONTINUOUS else 1.0
    lengths = np.array([log.lengths for log in logs], dtype=float)  # (U, B)
    counts = np.array([log.columns for log in logs], dtype=float)  # (U, B, 6)
    steps_per_replica = int(logs[0].steps)
    replica_steps = lengths[:, :, None] * per_unit
    currents = scale * (counts @ _energy_weights(model)) / replica_steps
    pair_sums = np.array([log.pair_sums for log in logs], dtype=float).reshape(len(logs), count, -1)
    samples = np.array([log.samples for log in logs], dtype=float)
    pair_values = pair_sums / np.maximum(samples, 1)[:, :, None] / per_unit
    values = np.concatenate([currents, pair_values], axis=2)

    # Means weight batches by their length: the exact total energy over the total steps.
    current_means = (currents * lengths[:, :, None]).sum(axis=(0, 1)) / lengths.sum()
    pair_means = pair_sums.sum(axis=(0, 1)) / max(samples.sum(), 1) / per_unit
    # Merged batch means: short runs whose batches are still correlated get longer batches, or
    # an undetermined error rather than a small one.
    # Single chains with closed classes see one class each (SINGLE_CLASS_CHAINS).
    one_class = per_unit == 1
    errors, determined = merged_standard_error(values, lengths, between, closed, one_class)
    # A current that is exactly zero in every batch has shown no fluctuation to estimate an
    # error from: no event moved energy there (or every batch cancelled exactly, which at low
    # temperature is a flip and its reversal). It gets a bound instead of 0 +- 0.
    seen = np.any(currents != 0, axis=(0, 1))
    independent_steps = steps_per_replica * len(logs)
    bounds = scale * NO_EVENT_BOUND_EVENTS * _largest_event_energies(model) / independent_steps

    drift = drift_z(currents, between) if count >= 4 else np.zeros(4)
    # I_L + I_R is the energy flowing into the ring per step (Eq. 6): the ring's energy (Eq. 17,
    # plus mu times the demons for CCA) is bounded, so in a steady state it averages to zero.
    net_inflow = currents[:, :, 0:1] + currents[:, :, 1:2]
    balance = float(mean_z(net_inflow, between)[0])
    # The same inflow summed over the window is the ring's energy change, E_end - E_start: a
    # start-up dump in the first batch is many single-batch spreads, however the halves look.
    change = energy_change_z(net_inflow[:, :, 0] * lengths)
    equilibrated, reason = _equilibration(
        model, lengths, seen, np.abs([*drift, balance]), abs(change), count
    )

    bond_means, bond_errors, bond_determined = _bond_statistics(
        model, logs, scale, replica_steps, lengths, between, closed, one_class
    )
    resolved = np.abs(bond_means) > SIGNIFICANCE * bond_errors
    bond_status = np.where(bond_determined, np.where(resolved, RESOLVED, UNRESOLVED), UNDETERMINED)

    estimates: dict[str, float | None] = {}
    for index, name in enumerate(CURRENT_NAMES):
        estimates[name] = float(current_means[index])
        estimates[name + "_stderr"] = float(errors[index]) if seen[index] else None
        estimates[name + "_bound"] = None if seen[index] else float(bounds[index])
    # One more event of the largest kind would move a mean by this much: an error below it
    # means the batches have not sampled those events (their spread alone would make it
    # larger), so the error is not yet known.
    quantum = scale * _largest_event_energies(model) / (steps_per_replica * settings.replicas)
    settled = determined[:4] & (errors[:4] >= quantum)
    undetermined = tuple(
        name for index, name in enumerate(CURRENT_NAMES) if seen[index] and not settled[index]
    )
    ratio, ratio_error = _magnification(
        estimates, currents, lengths, between, undetermined, closed, one_class
    )
    error_reason = undetermined_reason(len(logs), count, closed, per_unit) if undetermined else ""
    pair_errors, pair_status = pair_statistics(pair_values, errors[4:], determined[4:])
    return MonteCarloResult(
        model=model,
        steps=steps_per_replica,
        burn_in=burn_in + logs[0].discarded,
        replicas=settings.replicas,
        batches=count,
        seed=settings.seed,
        method=settings.method,
        pairs=settings.pairs,
        **estimates,
        bond_currents=tuple(bond_means.tolist()),
        bond_currents_stderr=tuple(bond_errors.tolist()),
        bond_currents_status=tuple(bond_status.tolist()),
        pair_correlations=tuple(float(v) for v in pair_means),
        pair_correlations_stderr=pair_errors,
        pair_correlations_status=pair_status,
        undetermined_reason=error_reason,
        equilibration_z=MappingProxyType(
            dict(zip(CURRENT_NAMES, (float(z) for z in drift), strict=True))
        ),
        energy_balance_z=balance,
        energy_change_z=change,
        equilibrated=equilibrated,
        equilibration_reason=reason,
        drift_threshold=DRIFT_THRESHOLD,
        batch_correlation=MappingProxyType(
            dict(
                zip(
                    CURRENT_NAMES,
                    (float(c) for c in lag_one_correlation(currents)),
                    strict=True,
                )
            )
        ),
        magnification_ratio=ratio,
        magnification_ratio_stderr=ratio_error,
        undetermined_errors=undetermined,
        stop_reason=stop_reason,
        target_stderr=settings.target,
        wall_time=wall_time,
        updates_per_second=updates / wall_time if wall_time > 0 else math.inf,
        unit=settings.unit,
    )


#: Bonds whose batch values are turned into floats at once, so a ring of millions of sites needs
#: no float copy of every bond's batches.
BOND_BLOCK = 2**16


def _bond_statistics(
    model: ClassicalModel,
    logs: list[BatchLog],
    scale: float,
    replica_steps: np.ndarray,
    lengths: np.ndarray,
    between: bool,
    closed: bool,
    one_class: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard error and determined flag of every bond current (Eq. 9), computed block
    by block."""
    couplings = 2 * np.array(model.bond_couplings)
    means = np.empty(model.sites)
    errors = np.empty(model.sites)
    determined = np.empty(model.sites, dtype=bool)
    for start in range(0, model.sites, BOND_BLOCK):
        block = slice(start, min(start + BOND_BLOCK, model.sites))
        counts = np.array([[row[block] for row in log.bonds] for log in logs], dtype=float)
        rates = scale * couplings[block] * counts / replica_steps
        means[block] = (rates * lengths[:, :, None]).sum(axis=(0, 1)) / lengths.sum()
        errors[block], determined[block] = merged_standard_error(
            rates, lengths, between, closed, one_class
        )
    return means, errors, determined


def _equilibration(
    model: ClassicalModel,
    lengths: np.ndarray,
    seen: np.ndarray,
    z_scores: np.ndarray,
    change_z: float,
    count: int,
) -> tuple[bool | None, str]:
    """(equilibrated, reason): None when the run cannot test stationarity."""
    if count < 4:
        return None, "fewer than 4 batches: the halves cannot be compared"
    if lengths.min() < model.sites:
        return None, (
            f"a batch ({int(lengths.min())} steps) is shorter than one sweep ({model.sites} "
            "steps): the ring has not been updated often enough to test"
        )
    if not (seen[0] and seen[1]):
        return None, "no energy exchanged with a bath: the energy balance cannot be tested"
    if change_z >= DRIFT_THRESHOLD:
        return False, transient_reason("ring", change_z, DRIFT_THRESHOLD)
    if np.all(z_scores < DRIFT_THRESHOLD):
        return True, (
            "halves agree and the energy balances, over the batches and over the window "
            f"(every |z| < {DRIFT_THRESHOLD:g})"
        )
    return False, (
        f"the halves disagree or the ring gains or loses energy (|z| >= {DRIFT_THRESHOLD:g})"
    )


def _magnification(
    estimates: dict[str, float | None],
    currents: np.ndarray,
    lengths: np.ndarray,
    between: bool,
    undetermined: tuple[str, ...] = (),
    closed: bool = False,
    one_class: bool = False,
) -> tuple[float | None, float | None]:
    """max(|I_U|, |I_D|) / |I_L| and its delta-method error.

    The ratio is None unless I_L and the larger branch current are resolved. Its error is the
    merged batch-means error of the linearised ratio (the gradient of I / I_L applied to each
    batch, so the covariance of the two currents within a batch is kept); it is None
    (undetermined) when that error is, or when the error of I_L or of the larger branch current
    is undetermined: a ratio of currents whose errors are not known has no known error.
    """
    left = estimates["left_bath_current"]
    upper = estimates["upper_branch_current"]
    lower = estimates["lower_branch_current"]
    larger = "upper_branch_current" if abs(upper) >= abs(lower) else "lower_branch_current"
    for name in ("left_bath_current", larger):
        if current_status(estimates[name], estimates[name + "_stderr"], SIGNIFICANCE) != RESOLVED:
            return None, None
    ratio = magnification_ratio(upper, lower, left)
    if undetermined and {"left_bath_current", larger} & set(undetermined):
        return ratio, None
    gradient = np.zeros(4)
    gradient[0] = -ratio * math.copysign(1.0, left) / abs(left)
    branch = 2 if larger == "upper_branch_current" else 3
    gradient[branch] = math.copysign(1.0, estimates[larger]) / abs(left)
    error, determined = linear_combination_standard_error(
        currents, gradient, lengths, between, closed, one_class
    )
    return ratio, (error if determined else None)


#: Why a ring or network chain has closed classes, for :func:`undetermined_reason`.
CCA_CLASSES = "CCA chains stay in the closed classes they started in"
#: Why an error is undetermined when its degrees of freedom were enough.
CORRELATED_BATCHES = (
    "batch averages still correlated after merging, or too few of the largest events seen; "
    "run longer"
)


def undetermined_reason(
    units: int, batches: int, closed: bool, per_unit: int, cause: str = CCA_CLASSES
) -> str:
    """Why errors of ``units`` x ``batches`` batch averages are undetermined, for the warning.

    Too few degrees of freedom (:func:`~exactspin.montecarlo.statistics.error_degrees_of_freedom`)
    is said with the numbers and what to change; otherwise the batch averages stayed correlated
    after merging, or the largest events were too few to have been sampled.
    """
    kind = "words of 64 replicas" if per_unit > 1 else "chains"
    needed = MIN_DEGREES_OF_FREEDOM + 1
    if closed and per_unit == 1:
        return f"{cause}: " + SINGLE_CLASS_CHAINS.format(units=units, replicas=DEFAULT_CCA_REPLICAS)
    if closed and units < needed:
        replicas = f"--replicas {needed * per_unit}" if per_unit > 1 else f"--replicas {needed}"
        return (
            f"{cause}, and only the spread "
            f"between {units} independent {kind} estimates the spread between classes "
            f"({units - 1} degrees of freedom, {MIN_DEGREES_OF_FREEDOM} needed); use {replicas} "
            "or more"
        )
    if error_degrees_of_freedom(units, batches, closed) < MIN_DEGREES_OF_FREEDOM:
        return (
            f"{units} {kind} x ({batches} - 1) batches leave "
            f"{units * (batches - 1)} degrees of freedom in the batch variance, "
            f"{MIN_DEGREES_OF_FREEDOM} needed; use more --batches or --replicas"
        )
    return CORRELATED_BATCHES


def pair_statistics(
    values: np.ndarray, errors: np.ndarray, determined: np.ndarray
) -> tuple[tuple[float | None, ...], tuple[str, ...]]:
    """(errors, statuses) of the pair correlations from their batch values (U, B, P).

    A product s_a s_b that never changed leaves every batch equal: no spread to estimate an
    error from, so no error (status "no fluctuation") rather than +- 0.
    """
    frozen = np.ptp(values.reshape(-1, values.shape[2]), axis=0) == 0 if values.size else []
    pair_errors = []
    statuses = []
    for error, settled, still in zip(errors, determined, frozen, strict=True):
        pair_errors.append(None if still else float(error))
        statuses.append(
            "no fluctuation" if still else ("determined" if settled else "undetermined")
        )
    return tuple(pair_errors), tuple(statuses)
