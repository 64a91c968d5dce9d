"""Running the units of a Monte Carlo run (chains or multispin words) on worker threads.

The kernels release the GIL, so units advance in parallel on a thread pool. Unit ``u`` owns the
random streams of ``SeedSequence(seed).spawn(U)[u]`` and writes only its own
:class:`~exactspin.montecarlo.batches.BatchLog`, so results do not depend on the number of
workers or on scheduling. Kernels run in chunks and a stop flag is checked between chunks, so a
Ctrl-C, or a wall-time deadline, stops a run within one chunk (tens of milliseconds) and keeps
every finished batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import NamedTuple

from exactspin.montecarlo.batches import BatchLog
from exactspin.montecarlo.chains import MultispinWord, Segment, SingleChain

Unit = SingleChain | MultispinWord


def _run_steps(
    unit: Unit, steps: int, stop: threading.Event, advance: Callable[[int], None]
) -> list[Segment] | None:
    """``steps`` steps of ``unit`` in chunks; None if ``stop`` was set before they were done."""
    segments = []
    done = 0
    while done < steps:
        if stop.is_set():
            return None
        chunk = min(unit.chunk_steps, steps - done)
        segments.append(unit.advance(chunk))
        done += chunk
        advance(chunk * unit.replicas)
    return segments


def _run_unit(
    unit: Unit,
    log: BatchLog,
    burn_in: int,
    lengths: Sequence[int],
    stop: threading.Event,
    advance: Callable[[int], None],
) -> None:
    """Discard ``burn_in`` steps, then append one batch per entry of ``lengths`` to ``log``."""
    if burn_in and _run_steps(unit, burn_in, stop, advance) is None:
        return
    for length in lengths:
        segments = _run_steps(unit, int(length), stop, advance)
        if segments is None:
            return
        log.append(int(length), segments)


#: :attr:`Outcome.stopped` of a run that did all its steps, was stopped by Ctrl-C, or by its
#: deadline.
DONE, INTERRUPTED, DEADLINE = "done", "interrupted", "time budget"


class Outcome(NamedTuple):
    """How :func:`run_units` ended, and the replica-updates the units really did (burn-in and
    measured, finished batches or not), for an honest updates-per-second."""

    stopped: str
    updates: int


def run_units(
    units: Sequence[Unit],
    logs: Sequence[BatchLog],
    burn_in: int,
    lengths: Sequence[int],
    workers: int,
    progress: Callable[[int], None] | None = None,
    deadline: float | None = None,
) -> Outcome:
    """Advance every unit: ``burn_in`` discarded steps, then batches of ``lengths`` steps.

    ``progress(n)`` is called from the calling thread with the replica-updates done since its
    last call. A KeyboardInterrupt (Ctrl-C), or ``time.perf_counter()`` passing ``deadline``,
    stops every unit at its next chunk boundary; the unfinished batches are dropped and every
    log is cut to the batches all units finished.
    """
    lock = threading.Lock()
    pending = [0]
    done = [0]
    stop = threading.Event()

    def advance(count: int) -> None:
        with lock:
            pending[0] += count
            done[0] += count

    def report() -> None:
        with lock:
            count, pending[0] = pending[0], 0
        if progress is not None and count:
            progress(count)

    stopped = DONE
    executor = ThreadPoolExecutor(max_workers=workers)
    try:
        futures: list[Future] = [
            executor.submit(_run_unit, unit, log, burn_in, lengths, stop, advance)
            for unit, log in zip(units, logs, strict=True)
        ]
        try:
            while wait(futures, timeout=_poll(deadline)).not_done:
                report()
                if deadline is not None and time.perf_counter() >= deadline:
                    stopped = DEADLINE
                    stop.set()
                    _wait_ignoring_interrupts(futures)
        except KeyboardInterrupt:
            stopped = INTERRUPTED
            stop.set()
            _wait_ignoring_interrupts(futures)
        report()
        for future in futures:
            future.result()
    finally:
        stop.set()
        executor.shutdown(wait=True)
    if stopped != DONE:
        finished = min(log.count for log in logs)
        for log in logs:
            log.truncate(finished)
    return Outcome(stopped, done[0])


def _poll(deadline: float | None) -> float:
    """Seconds to wait before the next progress report: 0.25, or less to meet the deadline."""
    if deadline is None:
        return 0.25
    return min(0.25, max(0.0, deadline - time.perf_counter()))


def _wait_ignoring_interrupts(futures: Sequence[Future]) -> None:
    """Wait for the units to reach their chunk boundary; a second Ctrl-C does not abandon them
    (their logs are being cut to the finished batches)."""
    while True:
        try:
            wait(futures)
            return
        except KeyboardInterrupt:
            continue
