"""Random-sequential Monte Carlo of the classical rings, for rings too large for exact solvers.

The kernel (:mod:`~exactspin.montecarlo.kernel`) is an implementation of its own of the dynamics
of docs/conventions.md, checked against the exact solver by the tests; :func:`simulate` runs it.
"""

from exactspin.montecarlo.result import MonteCarloResult
from exactspin.montecarlo.simulation import simulate

__all__ = ["MonteCarloResult", "simulate"]
