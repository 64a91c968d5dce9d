"""The point cache: hits and misses, atomic writes, corrupt files recomputed."""

from __future__ import annotations

import json
import os

import pytest
from conftest import NOISY, PLUGINS

from exactspin.sweep import ResultCache, Sweep, run_sweep
from exactspin.sweep.cache import point_key

SWEEP = Sweep(NOISY, fixed={"nu": 2}, grid={"tl": [1.0, 2.0, 3.0]}, allowed_plugins=PLUGINS)


def cache_files(directory):
    return sorted(directory.glob("*/*.json"))


def test_a_second_run_reads_every_point_from_the_cache(tmp_path):
    cache = ResultCache(tmp_path)
    first = run_sweep(SWEEP, cache=cache)
    second = run_sweep(SWEEP, cache=cache)
    assert (first.computed, first.cached) == (3, 0)
    assert (second.computed, second.cached) == (0, 3)
    assert second.csv_text() == first.csv_text()
    assert len(cache_files(tmp_path)) == 3


def test_a_new_point_on_an_axis_is_the_only_miss(tmp_path):
    cache = ResultCache(tmp_path)
    run_sweep(SWEEP, cache=cache)
    # Point seeds follow the grid index, so keep the old points at their indices.
    longer = Sweep(
        NOISY, fixed={"nu": 2}, grid={"tl": [1.0, 2.0, 3.0, 4.0]}, allowed_plugins=PLUGINS
    )
    result = run_sweep(longer, cache=cache)
    assert (result.computed, result.cached) == (1, 3)


def test_the_key_covers_solver_parameters_seed_and_version():
    base = point_key("mc", {"tl": 1.0}, 7)
    assert point_key("mc", {"tl": 1.0}, 7) == base
    assert point_key("classical", {"tl": 1.0}, 7) != base
    assert point_key("mc", {"tl": 1.5}, 7) != base
    assert point_key("mc", {"tl": 1.0}, 8) != base
    assert point_key("mc", {"tl": 1.0}, 7, version="0.0.0") != base


def test_deterministic_solvers_share_cache_entries_across_seeds():
    deterministic = Sweep("classical", grid={"tl": [1.0, 2.0]}, seed=0)
    reseeded = Sweep("classical", grid={"tl": [1.0, 2.0]}, seed=99)
    assert not deterministic.stochastic
    from exactspin.sweep.runner import _key

    for a, b in zip(deterministic.points(), reseeded.points(), strict=True):
        assert a.seed != b.seed
        assert _key(deterministic, a) == _key(reseeded, b)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated by a crash mid-write
        lambda text: "",  # empty
        lambda text: "\x00\xff garbage",  # not JSON
        lambda text: text.replace('"upper_branch_current":', '"upper_branch_current":1e9+', 1),
        lambda text: json.dumps({**json.loads(text), "key": "0" * 64}),  # another point's file
        lambda text: json.dumps({**json.loads(text), "result": {"x": 1}}),  # checksum mismatch
        lambda text: "[1, 2, 3]",
    ],
)
def test_corrupt_cache_files_are_recomputed(tmp_path, damage):
    cache = ResultCache(tmp_path)
    expected = run_sweep(SWEEP, cache=cache).csv_text()
    victim = cache_files(tmp_path)[1]
    victim.write_bytes(damage(victim.read_text()).encode("utf-8", "surrogateescape"))
    result = run_sweep(SWEEP, cache=cache)
    assert (result.computed, result.cached) == (1, 2)
    assert result.csv_text() == expected
    assert run_sweep(SWEEP, cache=cache).cached == 3  # the damaged file was rewritten


def test_a_store_leaves_one_complete_file_and_no_temporary(tmp_path):
    cache = ResultCache(tmp_path)
    cache.store("ab" + "0" * 62, {"x": 1.5}, {"solver": "toy"})
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["ab" + "0" * 62 + ".json"]
    assert cache.load("ab" + "0" * 62) == {"x": 1.5}


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    cache = ResultCache(tmp_path)
    key = "cd" + "1" * 62
    cache.store(key, {"x": 1.0}, {})

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError):
        cache.store(key, {"x": 2.0}, {})
    assert cache.load(key) == {"x": 1.0}
    assert [p.name for p in (tmp_path / "cd").iterdir()] == [key + ".json"]


def test_a_result_that_is_not_json_is_never_half_written(tmp_path):
    cache = ResultCache(tmp_path)
    with pytest.raises(ValueError):
        cache.store("ef" + "2" * 62, {"x": float("nan")}, {})
    assert cache_files(tmp_path) == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
