"""Orchestration of the verification suite: run every check and figure, then write the report.

Checks and figures are independent tasks, run in a process pool (``workers``) or in-process
(``workers=1``), with one progress line on stderr per finished task. An engine that has not
landed yields "not run" rows rather than an error, so the suite runs at every stage of the
project. This module does no physics and no rendering (see :mod:`verify.render`).
"""

from __future__ import annotations

import concurrent.futures
import importlib
import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass, replace

from verify.checks import (
    FAILED,
    NOT_RUN,
    CheckResult,
    EngineMissing,
    FigureResult,
    OptionalDependencyMissing,
)

#: Modules holding ``CHECKS`` (tuple of Check), in report order.
CHECK_MODULES = (
    "verify.crosschecks_classical",
    "verify.crosschecks_quantum",
    "verify.claims_classical",
    "verify.claims_quantum",
    "verify.claims_equations",
    "verify.networks",
)
#: Modules holding ``FIGURES`` (tuple of Figure), in report order.
FIGURE_MODULES = (
    "verify.figures_classical",
    "verify.figures_quantum",
    "verify.figures_equations",
    "verify.networks",
)


@dataclass(frozen=True)
class Task:
    """One unit of work, named so that it can be sent to another process."""

    module: str
    name: str
    kind: str  # "check" or "figure"


def discover() -> list[Task]:
    """Every check and figure of the suite, in report order."""
    tasks = []
    for module_name in CHECK_MODULES:
        for check in importlib.import_module(module_name).CHECKS:
            tasks.append(Task(module_name, check.name, "check"))
    for module_name in FIGURE_MODULES:
        for figure in importlib.import_module(module_name).FIGURES:
            tasks.append(Task(module_name, figure.name, "figure"))
    return tasks


def execute(task: Task, quick: bool, figure_directory: str) -> CheckResult | FigureResult:
    """Run one task; missing engines become "not run", exceptions become "failed"."""
    module = importlib.import_module(task.module)
    start = time.perf_counter()
    if task.kind == "check":
        check = next(c for c in module.CHECKS if c.name == task.name)
        try:
            result = check.function(quick)
        except (EngineMissing, OptionalDependencyMissing) as error:
            result = CheckResult(
                check.name, check.kind, check.statement, "", "", NOT_RUN, str(error)
            )
        except Exception:
            result = CheckResult(
                check.name,
                check.kind,
                check.statement,
                "",
                "",
                FAILED,
                "error: " + traceback.format_exc(limit=4),
            )
        return replace(result, seconds=time.perf_counter() - start)
    figure = next(f for f in module.FIGURES if f.name == task.name)
    try:
        result = figure.function(quick, figure_directory)
    except (EngineMissing, OptionalDependencyMissing) as error:
        result = FigureResult(figure.name, figure.caption, "", NOT_RUN, str(error))
    except Exception:
        result = FigureResult(
            figure.name, figure.caption, "", FAILED, "error: " + traceback.format_exc(limit=4)
        )
    return replace(result, seconds=time.perf_counter() - start)


def _progress(done: int, total: int, task: Task, result, started: float) -> None:
    status = result.verdict if isinstance(result, CheckResult) else result.status
    print(
        f"[{done}/{total}] {time.perf_counter() - started:6.1f}s  {task.kind} {task.name}: "
        f"{status} ({result.seconds:.1f}s)",
        file=sys.stderr,
        flush=True,
    )


def run_all(
    quick: bool, figure_directory: str, workers: int = 1, only: str | None = None
) -> list[CheckResult | FigureResult]:
    """Run every task (or those whose name contains ``only``); results in report order."""
    tasks = [t for t in discover() if only is None or only in t.name]
    os.makedirs(figure_directory, exist_ok=True)
    started = time.perf_counter()
    results: dict[Task, CheckResult | FigureResult] = {}
    if workers <= 1:
        for task in tasks:
            results[task] = execute(task, quick, figure_directory)
            _progress(len(results), len(tasks), task, results[task], started)
    else:
        # Each worker process runs its numba kernels single-threaded: the pool is the parallelism.
        os.environ.setdefault("NUMBA_NUM_THREADS", "1")
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {pool.submit(execute, t, quick, figure_directory): t for t in tasks}
            for future in concurrent.futures.as_completed(futures):
                task = futures[future]
                results[task] = future.result()
                _progress(len(results), len(tasks), task, results[task], started)
    return [results[t] for t in tasks]


def main(
    out: str = "reports",
    quick: bool = False,
    workers: int = 1,
    only: str | None = None,
    recompute_heom: bool = False,
) -> int:
    """Run the suite, write ``out/index.md``, ``out/results.json``, ``out/figures/``.

    With ``recompute_heom`` the committed HEOM references (``verify/data/heom/*.json``) are
    recomputed first (:func:`verify.heom_reference.write_all`, expensive, progress on stderr);
    otherwise the checks replay them as committed.

    Returns the exit status: 0 when no check failed and no engine was missing, else 1.
    """
    from verify import render

    figure_directory = os.path.join(out, "figures")
    started = time.perf_counter()
    if recompute_heom:
        from verify import heom_reference

        heom_reference.write_all(progress=lambda line: print(line, file=sys.stderr, flush=True))
    results = run_all(quick, figure_directory, workers, only)
    checks = [r for r in results if isinstance(r, CheckResult)]
    figures = [r for r in results if isinstance(r, FigureResult)]
    summary = render.write_report(out, checks, figures, quick, time.perf_counter() - started)
    print(render.summary_line(summary), file=sys.stderr)
    failed = any(c.is_failure for c in checks) or any(f.status == FAILED for f in figures)
    return 1 if failed else 0
