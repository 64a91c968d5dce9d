"""The Monte Carlo entry point: validate, run replicas, turn flip counts into currents.

Currents come from integer flip counts (Eq. 6 for the baths, Eq. 9 for the bonds): the energy of a
flip of site i with neighbours l, r is known from (s_l s_i, s_i s_r), so the kernel only counts
flips per neighbourhood and the energies are multiplied in once, here, without rounding drift.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence

import numpy as np

from exactspin.classical.model import CCA, ClassicalModel
from exactspin.montecarlo import replicas as replica_runner
from exactspin.montecarlo.kernel import site_couplings
from exactspin.montecarlo.result import CURRENT_NAMES, MonteCarloResult
from exactspin.montecarlo.rng import replica_seeds
from exactspin.montecarlo.statistics import (
    DRIFT_THRESHOLD,
    batch_standard_error,
    drift_z,
    lag_one_correlation,
    mean_z,
    standard_error,
)
from exactspin.validation import (
    ParameterError,
    ResourceError,
    require_integer,
    require_site_pairs,
)

#: Replicas when none are asked for; fixed (not the core count) so results are machine-independent.
DEFAULT_REPLICAS = 4
#: Batches per replica for batch means (>= 4: the equilibration check compares two halves).
DEFAULT_BATCHES = 20
#: Largest ring: the kernel scales a 64-bit word by N_S with 32-bit halves.
MAX_SITES = 2**32 - 1
#: Most measured steps per replica: flip counters are int64, and 10^15 steps already take weeks.
MAX_STEPS = 10**15
#: Memory a run may use for its replicas' state and counters (bytes); see ``memory_estimate``.
MEMORY_LIMIT_BYTES = 8 * 2**30


def simulate(
    model: ClassicalModel,
    steps: int,
    replicas: int | None = None,
    seed: int = 0,
    burn_in: int | None = None,
    pairs: Sequence[tuple[int, int]] = (),
    progress: bool = False,
    batches: int = DEFAULT_BATCHES,
    workers: int | None = None,
) -> MonteCarloResult:
    """Estimate the steady-state currents of ``model`` by random-sequential Monte Carlo.

    Each step picks one site uniformly and attempts to flip it: Metropolis with the bath at the
    nodes (Eq. 5), Q2R (Eq. 10) or CCA (Eqs. 20-21) in the bulk. This is the continuous-time chain
    of Eq. 4 in discrete time, so currents come out per update attempt, as in Eq. 14.

    Parameters
    ----------
    model : ClassicalModel
    steps : int
        Measured single-spin update attempts per replica (>= ``batches``).
    replicas : int, optional
        Independent chains, each started from a uniformly random state (spins and demons), the
        exact solver's default initial distribution. Default :data:`DEFAULT_REPLICAS`.
    seed : int
        Root of ``numpy.random.SeedSequence``; replica r uses child r, so a given replica draws
        the same numbers whatever ``replicas`` and ``workers`` are.
    burn_in : int, optional
        Discarded steps per replica before measuring; default ``steps // 5``. The result reports
        whether the two halves of the measurement agree (``equilibrated``).
    pairs : sequence of (int, int)
        0-based site pairs whose <s_i s_j> to sample (once every N_S steps).
    progress : bool
        Show a tqdm bar (after 2 s) on stderr.
    batches : int
        Batches per replica for the batch-means error bars (>= 4).
    workers : int, optional
        Threads running replicas; default: the number of cores, at most ``replicas``. Has no
        effect on the numbers.

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    ParameterError
        On any invalid argument, before running anything.
    """
    if not isinstance(model, ClassicalModel):
        raise ParameterError("model", model, "an exactspin.classical.model.ClassicalModel")
    batches = require_integer("batches", batches, 4)
    steps = require_integer("steps", steps, batches, MAX_STEPS)
    replicas = require_integer("replicas", DEFAULT_REPLICAS if replicas is None else replicas, 1)
    seed = require_integer("seed", seed, 0)
    burn_in = require_integer("burn_in", steps // 5 if burn_in is None else burn_in, 0, MAX_STEPS)
    pairs = _validated_pairs(pairs, model.sites)
    cores = os.cpu_count() or 1
    workers = require_integer("workers", min(cores, replicas) if workers is None else workers, 1)
    if model.sites > MAX_SITES:
        raise ParameterError("nu", model.ring.upper_spins, f"such that N_S <= {MAX_SITES}")
    needed = memory_estimate(model.sites, replicas, batches, len(pairs))
    if needed > MEMORY_LIMIT_BYTES:
        raise ResourceError(
            f"Monte Carlo of {replicas} replicas of {model.sites} sites needs about "
            f"{needed / 2**30:.1f} GiB, above the limit of {MEMORY_LIMIT_BYTES / 2**30:.1f} GiB; "
            "use fewer replicas (or a smaller ring)"
        )

    sequences = replica_seeds(seed, replicas)
    started = time.perf_counter()
    if progress:
        from tqdm import tqdm

        with tqdm(
            total=replicas * (burn_in + steps), unit="step", unit_scale=True, delay=2.0
        ) as bar:
            records = replica_runner.run_replicas(
                model, sequences, steps, burn_in, batches, pairs, workers, bar.update
            )
    else:
        records = replica_runner.run_replicas(
            model, sequences, steps, burn_in, batches, pairs, workers
        )
    wall_time = time.perf_counter() - started
    return _estimate(model, records, steps, burn_in, replicas, batches, seed, pairs, wall_time)


def memory_estimate(sites: int, replicas: int, batches: int, pairs: int) -> int:
    """Bytes held at once: per replica, the flip counters (int32 and int64 per site and
    neighbourhood), per-site state and bond accumulators, and per-batch counts."""
    per_site = 8 * 4 + 8 * 8 + 8 * 5
    per_replica = sites * per_site + batches * (8 + pairs) * 8 + 4096
    return replicas * per_replica


def _validated_pairs(pairs: Sequence[tuple[int, int]], sites: int) -> tuple[tuple[int, int], ...]:
    return require_site_pairs("pairs", pairs, sites)


def _batch_currents(model: ClassicalModel, record: replica_runner.ReplicaRecord) -> np.ndarray:
    """(B, 4 + P): I_L, I_R, I_U, I_D per step and <s_a s_b> of each pair, per batch."""
    ring = model.ring
    counts = record.batch_counts.astype(float)
    length = record.batch_lengths.astype(float)
    left_j_left, left_j_right = site_couplings(model, ring.left_node)
    right_j_left, right_j_right = site_couplings(model, ring.right_node)
    runner = replica_runner
    columns = [
        2
        * (
            left_j_right * counts[:, runner.LEFT_NODE_RIGHT_ALIGNED]
            + left_j_left * counts[:, runner.LEFT_NODE_LEFT_ALIGNED]
        )
        / length,
        2
        * (
            right_j_right * counts[:, runner.RIGHT_NODE_RIGHT_ALIGNED]
            + right_j_left * counts[:, runner.RIGHT_NODE_LEFT_ALIGNED]
        )
        / length,
        2
        * model.upper_coupling
        * counts[:, runner.UPPER_BONDS_ALIGNED]
        / (length * len(ring.upper_bonds)),
        2
        * model.lower_coupling
        * counts[:, runner.LOWER_BONDS_ALIGNED]
        / (length * len(ring.lower_bonds)),
    ]
    pair_columns = counts[:, runner.NODE_COLUMNS :] / record.batch_samples[:, None]
    return np.column_stack([*columns, pair_columns])


def _estimate(
    model: ClassicalModel,
    records: list[replica_runner.ReplicaRecord],
    steps: int,
    burn_in: int,
    replicas: int,
    batches: int,
    seed: int,
    pairs: tuple[tuple[int, int], ...],
    wall_time: float,
) -> MonteCarloResult:
    between = model.dynamics == CCA
    values = np.stack([_batch_currents(model, record) for record in records])
    # Means weight batches by their length (lengths differ by at most one step): this is the
    # exact total energy divided by the total number of steps.
    lengths = np.stack([record.batch_lengths for record in records]).astype(float)
    samples = np.stack([record.batch_samples for record in records]).astype(float)
    current_means = (values[:, :, :4] * lengths[:, :, None]).sum(axis=(0, 1)) / lengths.sum()
    pair_means = (values[:, :, 4:] * samples[:, :, None]).sum(axis=(0, 1)) / samples.sum()
    errors = batch_standard_error(values, between)
    drift = drift_z(values[:, :, :4], between)
    # I_L + I_R is the energy flowing into the ring per step (Eq. 6): in a steady state the
    # ring's energy (Eq. 17, plus mu times the demons for CCA) is bounded, so it averages to zero.
    # A net flow many standard errors from zero means the ring was still heating or cooling:
    # this catches a start-up transient that the half-against-half test dilutes.
    net_inflow = values[:, :, 0:1] + values[:, :, 1:2]
    balance = float(mean_z(net_inflow, between)[0])
    correlation = lag_one_correlation(values[:, :, :4])

    couplings = 2 * np.array(model.bond_couplings)
    alignment_total = sum(record.bond_alignment_total for record in records)
    bond_means = couplings * alignment_total / (replicas * steps)
    rate_sum = np.stack([record.bond_alignment_rate_sum for record in records])
    rate_square_sum = np.stack([record.bond_alignment_rate_square_sum for record in records])
    rate_variance = np.maximum(rate_square_sum - rate_sum**2 / batches, 0.0) / (batches - 1)
    bond_errors = np.abs(couplings) * standard_error(
        rate_sum / batches, rate_variance, batches, between
    )
    estimates: dict[str, float] = {}
    for index, name in enumerate(CURRENT_NAMES):
        estimates[name] = float(current_means[index])
        estimates[name + "_stderr"] = float(errors[index])
    total_updates = replicas * (steps + burn_in)
    return MonteCarloResult(
        model=model,
        steps=steps,
        burn_in=burn_in,
        replicas=replicas,
        batches=batches,
        seed=seed,
        pairs=pairs,
        **estimates,
        bond_currents=tuple(bond_means.tolist()),
        bond_currents_stderr=tuple(bond_errors.tolist()),
        pair_correlations=tuple(float(v) for v in pair_means),
        pair_correlations_stderr=tuple(float(v) for v in errors[4:]),
        equilibration_z=tuple(zip(CURRENT_NAMES, (float(z) for z in drift), strict=True)),
        energy_balance_z=balance,
        equilibrated=bool(np.all(np.abs([*drift, balance]) < DRIFT_THRESHOLD)),
        drift_threshold=DRIFT_THRESHOLD,
        batch_correlation=tuple(zip(CURRENT_NAMES, (float(c) for c in correlation), strict=True)),
        wall_time=wall_time,
        updates_per_second=total_updates / wall_time if wall_time > 0 else math.inf,
    )
