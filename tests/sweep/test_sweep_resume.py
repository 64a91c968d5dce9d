"""Kill and resume: a sweep killed mid-run recomputes only its unfinished points.

The sweep runs in a real ``exactspin sweep`` subprocess with a slow deterministic toy solver
that logs every point it computes; the test kills the process (or one of its pool workers) with
SIGKILL once some points are cached, reruns the command, and checks that the rerun computes
exactly the missing points and writes the table of an uninterrupted run, byte for byte.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from conftest import ALLOW, PLUGINS, SLOW

from exactspin.sweep import parse_sweep, run_sweep

POINTS = [float(t) for t in range(1, 11)]
CONFIG = f'solver = "{SLOW}"\nseed = 3\n[fixed]\nnu = 2\n[grid]\ntl = {POINTS}\n'
#: Seconds per point: long enough to kill mid-sweep, short enough for the CI budget.
DELAY = "0.25"
#: Upper bound on any single wait, so a broken test fails instead of hanging.
TIMEOUT = 60.0


@pytest.fixture
def sweep_files(tmp_path):
    config = tmp_path / "sweep.toml"
    config.write_text(CONFIG)
    return config, tmp_path / "cache", tmp_path / "table.csv"


def command(config, cache, out, *extra):
    return [
        sys.executable, "-m", "exactspin.cli.main", "sweep", str(config),
        "--cache", str(cache), "--out", str(out), "--quiet", *ALLOW, *extra,
    ]  # fmt: skip


def environment_for(base, log):
    return {**base, "EXACTSPIN_TOY_LOG": str(log), "EXACTSPIN_TOY_DELAY": DELAY}


def wait_for_cached_points(cache, count):
    deadline = time.monotonic() + TIMEOUT
    while len(list(cache.glob("*/*.json"))) < count:
        assert time.monotonic() < deadline, "the sweep never cached its first points"
        time.sleep(0.05)


def logged(log):
    return [float(line) for line in log.read_text().split()] if log.exists() else []


def cached_points(cache):
    import json

    return {json.loads(path.read_text())["parameters"]["tl"] for path in cache.glob("*/*.json")}


def uninterrupted_table():
    return run_sweep(parse_sweep(CONFIG, allowed_plugins=PLUGINS)).csv_text()


def resume_and_check(config, cache, out, log, environment, computed_before):
    cached_before = cached_points(cache)
    assert computed_before >= cached_before, "a point was cached that was never computed"
    assert 0 < len(cached_before) < len(POINTS), "the kill came too early or too late"
    rerun = subprocess.run(
        command(config, cache, out),
        env=environment_for(environment, log),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert rerun.returncode == 0, rerun.stderr
    recomputed = logged(log)
    assert sorted(recomputed) == sorted(set(POINTS) - cached_before)
    assert out.read_text() == uninterrupted_table()


def test_a_sweep_killed_with_sigkill_resumes_with_only_the_missing_points(
    sweep_files, subprocess_environment, tmp_path
):
    config, cache, out = sweep_files
    first_log = tmp_path / "first.log"
    process = subprocess.Popen(
        command(config, cache, out),
        env=environment_for(subprocess_environment, first_log),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_cached_points(cache, 3)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
    assert process.returncode == -signal.SIGKILL
    assert not out.exists()
    resume_and_check(
        config, cache, out, tmp_path / "second.log", subprocess_environment, set(logged(first_log))
    )


def test_a_killed_pool_worker_stops_the_sweep_cleanly_and_a_rerun_resumes(
    sweep_files, subprocess_environment, tmp_path
):
    config, cache, out = sweep_files
    first_log = tmp_path / "first.log"
    process = subprocess.Popen(
        command(config, cache, out, "--workers", "2"),
        env=environment_for(subprocess_environment, first_log),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_cached_points(cache, 2)
        workers = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, timeout=TIMEOUT
        ).stdout.split()
        assert workers, "the sweep has no worker processes"
        subprocess.run(["kill", "-KILL", workers[0]], check=True, timeout=TIMEOUT)
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)
    assert process.returncode == 1
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [stderr.strip()]
    assert "run the same command again to resume" in stderr
    resume_and_check(
        config, cache, out, tmp_path / "second.log", subprocess_environment, set(logged(first_log))
    )
