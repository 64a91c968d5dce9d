"""Running a sweep through any ``concurrent.futures``-style executor, with a cache.

Serial by default; pass a process pool (:class:`exactspin.sweep.workers.WorkerPool`) for local
processes or a ``dask.distributed.Client`` (or its ``get_executor()``) for a cluster. Points are
taken from the grid lazily and at most ``in_flight`` of them are submitted at a time, so neither
memory nor the executor's queue grows with the grid. Results are cached in the calling process as
each point finishes, so an interrupted sweep (Ctrl-C, a killed process) keeps every finished point
and the next run computes only the rest. The point seeds come from the grid indices, so the
numbers are the same whatever the executor and the completion order.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from typing import Any

from tqdm import tqdm

from exactspin.sweep.cache import ResultCache, point_key
from exactspin.sweep.grid import Point, Sweep
from exactspin.sweep.solvers import SolverEntry, evaluate_point
from exactspin.sweep.table import SweepResult

#: Points submitted to an executor ahead of their results (bounds memory and queue length).
DEFAULT_IN_FLIGHT = 64


class PointError(RuntimeError):
    """A solver failed at one point of a sweep; the message names the point.

    Attributes
    ----------
    index : int
        The point's grid index.
    parameters : dict
        The swept parameters of the point (the fixed ones are the same for every point).
    error : BaseException
        What the solver raised.
    """

    def __init__(self, index: int, parameters: dict[str, Any], error: BaseException):
        self.index = index
        self.parameters = parameters
        self.error = error
        where = ", ".join(f"{name}={value!r}" for name, value in parameters.items())
        detail = " ".join(str(error).split()) or "(no message)"
        super().__init__(
            f"point {index} ({where or 'the only point'}) failed: {type(error).__name__}: {detail}"
        )


def run_sweep(
    sweep: Sweep,
    executor: Any = None,
    cache: ResultCache | None = None,
    progress: bool = False,
    in_flight: int = DEFAULT_IN_FLIGHT,
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
    in_flight : int
        Most points submitted to ``executor`` at once.

    Returns
    -------
    SweepResult
        Results in grid order, with how many points were computed and how many came cached.

    Raises
    ------
    PointError
        The solver raised at a point; points finished before it stay cached.
    """
    total = len(sweep)
    results: list[dict[str, Any] | None] = [None] * total
    computed = 0
    bar = tqdm(total=total, disable=not progress, unit="point", desc="sweep", file=sys.stderr)

    def uncached() -> Iterator[Point]:
        for point in sweep.points():
            stored = None if cache is None else cache.load(_key(sweep, point))
            if stored is None:
                yield point
            else:
                results[point.index] = stored
                bar.update(1)

    def finish(point: Point, result: dict[str, Any]) -> None:
        nonlocal computed
        results[point.index] = result
        computed += 1
        if cache is not None:
            identity = {"solver": sweep.solver, "parameters": point.parameters, "seed": point.seed}
            cache.store(_key(sweep, point), result, identity)
        bar.update(1)

    with bar:
        if executor is None:
            for point in uncached():
                try:
                    result = evaluate_point(sweep.entry, point.parameters, point.seed)
                except Exception as error:
                    raise _point_error(sweep, point, error) from error
                finish(point, result)
        else:
            _run_parallel(_as_executor(executor), sweep, uncached(), finish, max(1, int(in_flight)))
    return SweepResult(
        sweep=sweep,
        results=tuple(result for result in results if result is not None),
        computed=computed,
        cached=total - computed,
    )


def _run_parallel(
    executor: Executor,
    sweep: Sweep,
    points: Iterable[Point],
    finish: Callable[[Point, dict[str, Any]], None],
    in_flight: int,
) -> None:
    entry: SolverEntry = sweep.entry
    waiting = iter(points)
    running: dict[Future, Point] = {}
    try:
        while True:
            for point in waiting:
                future = executor.submit(evaluate_point, entry, point.parameters, point.seed)
                running[future] = point
                if len(running) >= in_flight:
                    break
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda future: running[future].index):
                point = running.pop(future)
                try:
                    result = future.result()
                except BrokenExecutor:
                    raise
                except Exception as error:
                    raise _point_error(sweep, point, error) from error
                finish(point, result)
    finally:
        # On an error or Ctrl-C, points not yet started are dropped; finished ones are cached.
        for future in running:
            future.cancel()


def _point_error(sweep: Sweep, point: Point, error: BaseException) -> PointError:
    swept = {name: point.parameters[name] for name in sweep.swept}
    return PointError(point.index, swept, error)


def _as_executor(executor: Any) -> Executor:
    """A concurrent.futures view of ``executor`` (a Dask Client offers one)."""
    if hasattr(executor, "get_executor"):
        return executor.get_executor()
    if not hasattr(executor, "submit"):
        raise TypeError(f"not an executor: {executor!r}")
    return executor


def _key(sweep: Sweep, point: Point) -> str:
    """The cache key of ``point``: a network solver's key holds the whole network (two networks
    with the same axis values are different points)."""
    parameters = point.parameters
    if sweep.network is not None:
        parameters = {**parameters, "network": sweep.network.to_dict()}
    return point_key(sweep.solver, parameters, point.seed if sweep.stochastic else None)
