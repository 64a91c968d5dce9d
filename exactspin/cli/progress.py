"""An elapsed-time line on stderr for long computations that cannot report a fraction done.

Used by ``classical derive``, whose sympy solve has no progress hook: the user sees that the
command is alive and how its time compares with the estimate it printed first.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Seconds between two progress lines.
PROGRESS_INTERVAL = 10.0


@contextmanager
def elapsed_ticker(
    label: str,
    expected_seconds: float | None,
    enabled: bool = True,
    interval: float = PROGRESS_INTERVAL,
) -> Iterator[None]:
    """Print ``label: N s elapsed (expected ~M s)`` on stderr every ``interval`` seconds
    (``label: N s elapsed`` when ``expected_seconds`` is None: no estimate is made)."""
    if not enabled:
        yield
        return
    stop = threading.Event()
    started = time.perf_counter()

    def tick() -> None:
        while not stop.wait(interval):
            elapsed = time.perf_counter() - started
            expected = "" if expected_seconds is None else f" (expected ~{expected_seconds:.0f} s)"
            print(f"{label}: {elapsed:.0f} s elapsed{expected}", file=sys.stderr, flush=True)

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
