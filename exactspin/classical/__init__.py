"""Classical Ising rings and networks with baths (paper Sec. II): model, rules, exact solvers.

``solve`` gives the exact steady-state currents of a ring, ``solve_network`` the bath and bond
currents of any classical network (the paper's ring included), ``steady_state`` the distribution.
"""

from exactspin.classical.model import ClassicalModel
from exactspin.classical.network_solution import NetworkSolution, solve_network
from exactspin.classical.solution import ClassicalSolution, solve
from exactspin.classical.steady_state import SteadyState, steady_state
from exactspin.ring import Ring

__all__ = [
    "ClassicalModel",
    "ClassicalSolution",
    "NetworkSolution",
    "Ring",
    "SteadyState",
    "solve",
    "solve_network",
    "steady_state",
]
