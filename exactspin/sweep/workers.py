"""A local process pool whose workers never outlive the sweep that started them.

Three ways a sweep process can end leave :class:`concurrent.futures.ProcessPoolExecutor` workers
behind or waiting: SIGKILL of the parent (no Python code runs, the workers are orphaned and
keep computing), Ctrl-C (the terminal sends SIGINT to every worker too, each prints a traceback,
and the pool's shutdown waits for the running points), and an error. :class:`WorkerPool` fixes
all three:

- each worker asks the Linux kernel to kill it when its parent dies (``prctl(PR_SET_PDEATHSIG)``
  through ctypes, which works even while the worker is deep in compiled code) and also runs a
  watchdog thread that exits when ``os.getppid()`` changes (every POSIX system). The kernel's
  signal fires when the parent *thread* that started the worker ends, and workers start at the
  first ``submit``: submit from a thread that lives as long as the pool (the runner submits from
  its calling thread);
- workers ignore SIGINT: Ctrl-C is the parent's to handle;
- leaving the pool's ``with`` block on an exception (Ctrl-C included) terminates the workers
  instead of waiting for them; finished points are already cached by the runner.

This module manages processes; it knows nothing about sweeps.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: Linux ``prctl`` option: the signal a process receives when its parent thread ends.
PR_SET_PDEATHSIG = 1
#: Seconds between two checks of the watchdog thread.
WATCHDOG_INTERVAL = 0.2
#: Seconds to wait for a terminated worker to exit.
TERMINATE_TIMEOUT = 5.0


class WorkerPool(ProcessPoolExecutor):
    """A ``ProcessPoolExecutor`` of ``workers`` processes that die with this process.

    Parameters
    ----------
    workers : int
        Number of worker processes.
    """

    def __init__(self, workers: int):
        super().__init__(max_workers=workers, initializer=start_worker, initargs=(os.getpid(),))

    def __exit__(self, exc_type, exc_value, traceback) -> bool:
        if exc_type is None:
            self.shutdown(wait=True)
        else:
            self.terminate()
        return False

    def terminate(self) -> None:
        """Drop the queued points and stop the running workers now (SIGTERM, then wait)."""
        processes = list((getattr(self, "_processes", None) or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(TERMINATE_TIMEOUT)


def start_worker(parent_pid: int) -> None:
    """Initializer of every worker: ignore Ctrl-C and die with the parent ``parent_pid``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        _ask_kernel_for_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _ask_kernel_for_death_signal() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog thread still covers this worker


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCHDOG_INTERVAL)
    os._exit(1)
