"""Executors: serial, local processes and a Dask cluster write byte-identical tables.

Each point's random stream comes from its grid index, so neither the executor, nor the order in
which points finish, nor which points came from the cache can change a single byte.
"""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from conftest import ALLOW, NOISY, PLUGINS

from exactspin.sweep import ResultCache, Sweep, run_sweep

TOY_SWEEP = Sweep(
    NOISY,
    fixed={"nu": 2},
    grid={"tl": [1.0, 2.0, 3.0, 4.0], "j2": [1.0, 1.5, 2.0]},
    allowed_plugins=PLUGINS,
)
#: The exact classical solver over two axes (Fig. 5(a) and (d) parameters).
CLASSICAL_SWEEP = Sweep(
    "classical",
    fixed={"nu": 2, "nd": 3, "j1": 2.0, "tr": 0.1},
    grid={"tl": [1.0, 2.0], "j2": [1.5, 2.5]},
)
#: A small quantum sweep (4 sites, 2 up).
QUANTUM_SWEEP = Sweep("quantum", fixed={"nu": 1, "nd": 1, "up": 2}, grid={"delta": [0.0, 1.0]})
#: A small Monte Carlo sweep: the real stochastic solver, seeded per point.
MC_SWEEP = Sweep(
    "mc", fixed={"steps": 2000, "replicas": 2, "tr": 0.1}, grid={"tl": [1.0, 2.0], "j2": [1.0, 1.9]}
)


@pytest.fixture(scope="module")
def dask_client():
    """One two-worker local Dask cluster for the whole module (its start-up is slow)."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def tables(result) -> tuple[str, str]:
    return result.csv_text(), result.json_text()


@pytest.mark.parametrize(
    "sweep",
    [TOY_SWEEP, MC_SWEEP, CLASSICAL_SWEEP, QUANTUM_SWEEP],
    ids=["toy", "mc", "classical", "quantum"],
)
def test_serial_processes_threads_and_dask_write_identical_tables(sweep, dask_client):
    serial = tables(run_sweep(sweep))
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert tables(run_sweep(sweep, executor=pool)) == serial
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert tables(run_sweep(sweep, executor=pool)) == serial
    assert tables(run_sweep(sweep, executor=dask_client)) == serial
    assert tables(run_sweep(sweep, executor=dask_client.get_executor())) == serial


def test_a_different_base_seed_gives_different_numbers():
    other = Sweep(
        NOISY,
        fixed=dict(TOY_SWEEP.fixed),
        grid=dict(TOY_SWEEP.grid),
        seed=1,
        allowed_plugins=PLUGINS,
    )
    assert run_sweep(other).csv_text() != run_sweep(TOY_SWEEP).csv_text()


def test_points_taken_from_the_cache_do_not_change_the_table(tmp_path):
    cache = ResultCache(tmp_path)
    full = run_sweep(TOY_SWEEP).csv_text()
    run_sweep(TOY_SWEEP, cache=cache)
    for path in sorted(tmp_path.glob("*/*.json"))[::2]:
        path.unlink()
    with ThreadPoolExecutor(max_workers=2) as pool:
        resumed = run_sweep(TOY_SWEEP, executor=pool, cache=cache)
    assert resumed.csv_text() == full
    assert resumed.computed == (len(TOY_SWEEP) + 1) // 2
    assert resumed.computed + resumed.cached == len(TOY_SWEEP)


def test_the_table_has_one_row_per_point_parameters_first_in_grid_order():
    result = run_sweep(TOY_SWEEP)
    rows = list(csv.DictReader(io.StringIO(result.csv_text())))
    header = result.csv_text().splitlines()[0].split(",")
    assert header[:4] == ["tl", "j2", "nu", "seed"]
    assert [(float(r["tl"]), float(r["j2"])) for r in rows] == [
        (p.parameters["tl"], p.parameters["j2"]) for p in TOY_SWEEP.points()
    ]
    assert [int(r["seed"]) for r in rows] == [p.seed for p in TOY_SWEEP.points()]


def test_csv_and_json_hold_the_same_table_with_exact_floats():
    result = run_sweep(TOY_SWEEP)
    records = json.loads(result.json_text())
    rows = list(csv.DictReader(io.StringIO(result.csv_text())))
    assert [list(record) for record in records] == [list(row) for row in rows]
    for record, row in zip(records, rows, strict=True):
        assert record["ratio"] is None and row["ratio"] == ""  # NaN is undefined, not a number
        assert float(row["upper_branch_current"]) == record["upper_branch_current"]
        assert record["bond_currents[2]"] == float(row["bond_currents[2]"])


def test_results_carry_the_nested_observables_and_flat_rows():
    result = run_sweep(TOY_SWEEP)
    assert len(result.results) == len(result.rows) == len(TOY_SWEEP)
    assert len(result.results[0]["bond_currents"]) == 3
    assert "bond_currents" not in result.columns
    assert result.computed == len(TOY_SWEEP) and result.cached == 0


def test_the_command_runs_on_a_dask_scheduler_address(dask_client, tmp_path, capsys):
    from exactspin.cli.main import main

    config = tmp_path / "sweep.toml"
    config.write_text(f'solver = "{NOISY}"\n[fixed]\nnu = 2\n[grid]\ntl = [1.0, 2.0, 4.0]\n')
    address = dask_client.scheduler.address
    status = main(["sweep", str(config), "--no-cache", "--quiet", "--scheduler", address, *ALLOW])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    expected = Sweep(NOISY, fixed={"nu": 2}, grid={"tl": [1.0, 2.0, 4.0]}, allowed_plugins=PLUGINS)
    assert captured.out == run_sweep(expected).csv_text()
