"""Ctrl-C stops a run at the next chunk and keeps what is finished (issue 10).

``classical mc --steps 1e12`` used to ignore SIGINT: the thread pool waited for the replicas and a
second SIGINT did nothing. The timeout below only detects that hang; it is not a speed claim.
"""

import _thread
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.montecarlo import simulate

HANG = 120


def test_a_run_interrupted_after_some_batches_returns_them():
    # interrupt_main only reaches a Python-level SIGINT handler: a handler an earlier test left
    # behind (SIG_IGN, or a CLI's) would swallow it and the 10^12-step run would never end
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(2.0, _thread.interrupt_main)
    timer.start()
    try:
        result = simulate(
            ClassicalModel.from_parameters(), 10**12, replicas=64, target_stderr=1e-9, seed=1
        )
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert result.interrupted and result.stop_reason == "interrupted"
    assert result.batches >= 2 and result.steps > 0
    assert result.left_bath_current_stderr > 0


def _interrupt_cli(arguments):
    process = subprocess.Popen(
        [sys.executable, "-m", "exactspin.cli.main", "classical", "mc", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NUMBA_NUM_THREADS": "1"},
    )
    time.sleep(6.0)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("SIGINT did not stop classical mc") from None
    return process.returncode, out, err


def test_sigint_stops_classical_mc_with_status_130():
    status, _, err = _interrupt_cli(["--steps", "1e12", "--json", "--quiet"])
    assert status == 130, err
    assert "Traceback" not in err


@pytest.mark.slow
def test_sigint_prints_the_finished_batches_of_a_target_run():
    status, out, err = _interrupt_cli(
        ["--steps", "1e12", "--target-stderr", "1e-9", "--replicas", "64", "--json", "--quiet"]
    )
    assert status == 130, err
    payload = json.loads(out)
    assert payload["stop_reason"] == "interrupted" and payload["batches"] >= 2
    assert "interrupted" in err and err.count("\n") == 1
