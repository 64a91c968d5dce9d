"""Classical Ising rings between two baths (paper Sec. II): model, rules and exact solvers.

``solve`` gives the exact steady-state currents, ``steady_state`` the distribution itself.
"""

from exactspin.classical.model import ClassicalModel
from exactspin.classical.solution import ClassicalSolution, solve
from exactspin.classical.steady_state import SteadyState, steady_state
from exactspin.ring import Ring

__all__ = ["ClassicalModel", "ClassicalSolution", "Ring", "SteadyState", "solve", "steady_state"]
