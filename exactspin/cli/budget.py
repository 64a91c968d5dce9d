"""A time and memory budget enforced while a computation without progress hooks runs.

``classical derive`` estimates its run time and memory before it starts and refuses what would
exceed ``--max-seconds`` or the memory limit; past the sizes its cost model was fitted on the
estimate is an extrapolation, so :func:`budget` also watches the run: a thread checks the elapsed
time and the process's peak resident memory every fraction of a second and, past either limit,
stops the computation (raising :class:`~exactspin.validation.ResourceError` in the main thread,
exit status 2 on the command line) with what was measured and what was estimated. It also prints
the elapsed-time line every few seconds that :func:`exactspin.cli.progress.elapsed_ticker` prints.

The stop is delivered as a signal handled by Python (``_thread.interrupt_main`` with SIGUSR1),
so it takes effect between two bytecodes of the main thread: sympy's polynomial arithmetic is
Python code, so a derivation stops within a fraction of a second (one long integer product at
most). Off the main thread (where Python cannot install a handler) the budget only reports.
"""

from __future__ import annotations

import _thread
import resource
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from exactspin.cli.progress import PROGRESS_INTERVAL
from exactspin.validation import ResourceError

#: Seconds between two checks of the elapsed time and memory.
CHECK_INTERVAL = 0.2

#: Bytes per unit of ``ru_maxrss`` (KiB on Linux, bytes on macOS).
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024


def peak_resident_bytes() -> int:
    """The process's peak resident memory so far (bytes)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * _RSS_UNIT


@contextmanager
def budget(
    label: str,
    max_seconds: float,
    max_bytes: int,
    estimate: str,
    expected_seconds: float,
    progress: bool = True,
    interval: float = PROGRESS_INTERVAL,
) -> Iterator[None]:
    """Run the body; stop it with ResourceError past ``max_seconds`` or ``max_bytes``.

    ``estimate`` is the one-line estimate printed before the run (quoted in the error);
    ``expected_seconds`` is shown on the progress lines when ``progress``.
    """
    stop = threading.Event()
    reason: list[str] = []
    started = time.perf_counter()
    enforce = threading.current_thread() is threading.main_thread()
    previous = None

    def handler(signum, frame):  # noqa: ARG001 - signal handler signature
        raise ResourceError(reason[0] if reason else f"{label}: stopped")

    if enforce:
        previous = signal.signal(signal.SIGUSR1, handler)

    def watch() -> None:
        last_line = started
        while not stop.wait(CHECK_INTERVAL):
            now = time.perf_counter()
            elapsed = now - started
            memory = peak_resident_bytes()
            if not reason and (elapsed > max_seconds or memory > max_bytes):
                what = (
                    f"ran {elapsed:.1f} s, over --max-seconds {max_seconds:g}"
                    if elapsed > max_seconds
                    else f"reached {memory / 2**30:.2f} GiB of memory, over the limit of "
                    f"{max_bytes / 2**30:.2f} GiB ($EXACTSPIN_MEMORY_LIMIT_BYTES)"
                )
                reason.append(
                    f"{label.removeprefix('exactspin ')}: stopped: it {what}; the estimate was "
                    f"{estimate} (the estimate "
                    "is an extrapolation here; use 'exactspin classical solve' for numbers)"
                )
            if reason and enforce:
                # Again at every check until the body has ended: a library the body is in
                # (sympy falls back from one algorithm to another under ``except Exception``)
                # can swallow one stop, and a single interrupt then let the run go on for good.
                _thread.interrupt_main(signal.SIGUSR1)
                continue
            if progress and now - last_line >= interval:
                last_line = now
                print(
                    f"{label}: {elapsed:.0f} s elapsed (expected ~{expected_seconds:.0f} s), "
                    f"{memory / 2**20:.0f} MiB",
                    file=sys.stderr,
                    flush=True,
                )

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        if enforce:
            signal.signal(signal.SIGUSR1, previous)


__all__ = ["budget", "peak_resident_bytes"]
