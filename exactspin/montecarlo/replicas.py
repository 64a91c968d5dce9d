"""Running the units of a Monte Carlo run (chains or multispin words) on worker threads.

The kernels release the GIL, so units advance in parallel on a thread pool. Unit ``u`` owns the
random streams of ``SeedSequence(seed).spawn(U)[u]`` and writes only its own
:class:`~exactspin.montecarlo.batches.BatchLog`, so results do not depend on the number of
workers or on scheduling. Kernels run in chunks and a stop flag is checked between chunks, so a
Ctrl-C stops a run within one chunk (tens of milliseconds) and keeps every finished batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

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


def run_units(
    units: Sequence[Unit],
    logs: Sequence[BatchLog],
    burn_in: int,
    lengths: Sequence[int],
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> bool:
    """Advance every unit: ``burn_in`` discarded steps, then batches of ``lengths`` steps.

    ``progress(n)`` is called from the calling thread with the replica-updates done since its
    last call. A KeyboardInterrupt (Ctrl-C) stops every unit at its next chunk boundary; the
    unfinished batches are dropped and every log is cut to the batches all units finished.

    Returns
    -------
    bool
        True if the run was interrupted.
    """
    lock = threading.Lock()
    pending = [0]
    stop = threading.Event()

    def advance(count: int) -> None:
        with lock:
            pending[0] += count

    def report() -> None:
        with lock:
            count, pending[0] = pending[0], 0
        if progress is not None and count:
            progress(count)

    interrupted = False
    executor = ThreadPoolExecutor(max_workers=workers)
    try:
        futures: list[Future] = [
            executor.submit(_run_unit, unit, log, burn_in, lengths, stop, advance)
            for unit, log in zip(units, logs, strict=True)
        ]
        try:
            while wait(futures, timeout=0.25).not_done:
                report()
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
            _wait_ignoring_interrupts(futures)
        report()
        for future in futures:
            future.result()
    finally:
        stop.set()
        executor.shutdown(wait=True)
    if interrupted:
        finished = min(log.count for log in logs)
        for log in logs:
            log.truncate(finished)
    return interrupted


def _wait_ignoring_interrupts(futures: Sequence[Future]) -> None:
    """Wait for the units to reach their chunk boundary; a second Ctrl-C does not abandon them
    (their logs are being cut to the finished batches)."""
    while True:
        try:
            wait(futures)
            return
        except KeyboardInterrupt:
            continue
