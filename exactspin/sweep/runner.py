"""Running a sweep through any ``concurrent.futures``-style executor, with a cache.

Serial by default; pass a ``ProcessPoolExecutor`` for local processes or a
``dask.distributed.Client`` (or its ``get_executor()``) for a cluster. Results are cached in the
calling process as each point finishes, so an interrupted sweep (Ctrl-C, a killed process)
keeps every finished point and the next run computes only the rest. The point seeds come from the
grid indices, so the numbers are the same whatever the executor and the completion order.
"""

from __future__ import annotations

import sys
from concurrent.futures import Executor, Future, as_completed
from typing import Any

from tqdm import tqdm

from exactspin.sweep.cache import ResultCache, point_key
from exactspin.sweep.grid import Point, Sweep
from exactspin.sweep.solvers import evaluate_point
from exactspin.sweep.table import SweepResult


def run_sweep(
    sweep: Sweep,
    executor: Any = None,
    cache: ResultCache | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run every point of ``sweep`` not already in ``cache``; return all results in grid order.

    Parameters
    ----------
    sweep : Sweep
        The points (validated when the sweep was built).
    executor : concurrent.futures.Executor, dask.distributed.Client or None
        Where to run the points; None runs them one after another in this process.
    cache : ResultCache or None
        Finished points are read from and written to it (atomically, as each one finishes).
    progress : bool
        Show a progress bar on stderr (points done / total, elapsed, time left).

    Returns
    -------
    SweepResult
        Results in grid order, with how many points were computed and how many came cached.
    """
    points = sweep.points()
    results: list[dict[str, Any] | None] = [None] * len(points)
    keys = {point.index: _key(sweep, point) for point in points}
    if cache is not None:
        for point in points:
            results[point.index] = cache.load(keys[point.index])
    pending = [point for point in points if results[point.index] is None]
    bar = tqdm(
        total=len(points),
        initial=len(points) - len(pending),
        disable=not (progress and pending),
        unit="point",
        desc="sweep",
        file=sys.stderr,
    )

    def finish(point: Point, result: dict[str, Any]) -> None:
        results[point.index] = result
        if cache is not None:
            identity = {"solver": sweep.solver, "parameters": point.parameters, "seed": point.seed}
            cache.store(keys[point.index], result, identity)
        bar.update(1)

    with bar:
        if executor is None:
            for point in pending:
                finish(point, evaluate_point(sweep.solver, point.parameters, point.seed))
        else:
            _run_parallel(_as_executor(executor), sweep.solver, pending, finish)
    return SweepResult(
        sweep=sweep,
        results=tuple(result for result in results if result is not None),
        computed=len(pending),
        cached=len(points) - len(pending),
    )


def _run_parallel(executor: Executor, solver: str, pending: list[Point], finish) -> None:
    futures: dict[Future, Point] = {
        executor.submit(evaluate_point, solver, point.parameters, point.seed): point
        for point in pending
    }
    try:
        for future in as_completed(futures):
            finish(futures[future], future.result())
    finally:
        # On an error or Ctrl-C, points not yet started are dropped; finished ones are cached.
        for future in futures:
            future.cancel()


def _as_executor(executor: Any) -> Executor:
    """A concurrent.futures view of ``executor`` (a Dask Client offers one)."""
    if hasattr(executor, "get_executor"):
        return executor.get_executor()
    if not hasattr(executor, "submit"):
        raise TypeError(f"not an executor: {executor!r}")
    return executor


def _key(sweep: Sweep, point: Point) -> str:
    return point_key(sweep.solver, point.parameters, point.seed if sweep.stochastic else None)
