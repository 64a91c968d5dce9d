"""Random-sequential Monte Carlo of the classical rings and networks, for sizes too large for
exact solvers (:func:`simulate` on the paper's ring, :func:`simulate_network` on any network).

The kernel (:mod:`~exactspin.montecarlo.kernel`) is an implementation of its own of the dynamics
of docs/conventions.md, checked against the exact solver by the tests; :func:`simulate` runs it.
"""

from exactspin.montecarlo.network_result import NetworkMonteCarloResult
from exactspin.montecarlo.network_simulation import simulate_network
from exactspin.montecarlo.result import MonteCarloResult
from exactspin.montecarlo.simulation import simulate

__all__ = ["MonteCarloResult", "NetworkMonteCarloResult", "simulate", "simulate_network"]
