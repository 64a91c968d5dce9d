"""Parameter sweeps over any model parameter, for any solver, on any executor, with a cache.

>>> from exactspin.sweep import Sweep, run_sweep
>>> sweep = Sweep(solver="classical", fixed={"nu": 2, "nd": 3}, grid={"tl": [1.0, 2.0]})
>>> result = run_sweep(sweep)                         # doctest: +SKIP
>>> result.to_csv("fig5a.csv")                        # doctest: +SKIP
"""

from exactspin.sweep.cache import ResultCache
from exactspin.sweep.config import load_sweep, parse_sweep
from exactspin.sweep.grid import Point, Sweep, point_seed
from exactspin.sweep.runner import run_sweep
from exactspin.sweep.table import SweepResult

__all__ = [
    "Point",
    "ResultCache",
    "Sweep",
    "SweepResult",
    "load_sweep",
    "parse_sweep",
    "point_seed",
    "run_sweep",
]
