"""Worker processes end with the sweep: after SIGKILL of the parent, and after Ctrl-C.

Each test runs a real ``exactspin sweep`` subprocess with the slow toy solver, whose points from
``tl = 3`` on sleep for minutes (only an interruption ends them), in its own session so that
Ctrl-C can be sent to the whole process group as a terminal does.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ALLOW, SLOW

POINTS = [float(t) for t in range(1, 9)]
CONFIG = f'solver = "{SLOW}"\nseed = 3\n[fixed]\nnu = 2\n[grid]\ntl = {POINTS}\n'
#: Upper bound on any single wait, so a broken test fails instead of hanging.
TIMEOUT = 30.0


@pytest.fixture
def sweep_command(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(CONFIG)
    cache = tmp_path / "cache"
    return cache, [
        sys.executable, "-m", "exactspin.cli.main", "sweep", str(config), "--cache", str(cache),
        "--out", str(tmp_path / "table.csv"), "--quiet", *ALLOW,
    ]  # fmt: skip


def start(command, environment, *extra):
    environment = {
        **environment,
        "EXACTSPIN_TOY_DELAY": "0.05",
        "EXACTSPIN_TOY_HANG_FROM": "3.0",
    }
    return subprocess.Popen(
        [*command, *extra],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_until(condition, message):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def cached_points(cache):
    return sorted(
        json.loads(path.read_text())["parameters"]["tl"] for path in cache.glob("*/*.json")
    )


def children(pid: int) -> list[int]:
    listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in listed.split()]


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def kill_all(pids):
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
def test_workers_die_when_the_sweep_is_killed(sweep_command, subprocess_environment):
    cache, command = sweep_command
    process = start(command, subprocess_environment, "--workers", "2")
    workers: list[int] = []
    try:
        wait_until(lambda: cached_points(cache) == [1.0, 2.0], "the first points never finished")
        workers = children(process.pid)
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
        # Both workers are asleep in a point that lasts minutes: only their parent's death ends it.
        wait_until(lambda: not any(alive(pid) for pid in workers), "orphaned workers live on")
    finally:
        process.kill()
        kill_all(workers)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
@pytest.mark.parametrize("extra", [(), ("--workers", "2")], ids=["serial", "workers"])
def test_ctrl_c_stops_the_sweep_keeps_finished_points_and_exits_130(
    sweep_command, subprocess_environment, extra
):
    cache, command = sweep_command
    process = start(command, subprocess_environment, *extra)
    workers: list[int] = []
    try:
        wait_until(lambda: cached_points(cache) == [1.0, 2.0], "the first points never finished")
        workers = children(process.pid)
        time.sleep(0.2)  # let the serial sweep (or every worker) enter a point that hangs
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 130
        assert "Traceback" not in stderr
        assert stderr.strip().splitlines() == [stderr.strip()]
        assert "interrupted" in stderr and "cached" in stderr
        assert cached_points(cache) == [1.0, 2.0]
        wait_until(lambda: not any(alive(pid) for pid in workers), "workers outlive Ctrl-C")
    finally:
        process.kill()
        kill_all(workers)
