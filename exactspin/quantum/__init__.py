"""The quantum modified-XXZ ring between two bosonic baths (paper Sec. III).

``QuantumModel`` is the data, ``solve`` the Redfield steady state with every observable,
``steady_state`` the density matrix alone; exact spectra live in
:mod:`exactspin.quantum.spectrum`.
"""

from exactspin.quantum.model import QuantumModel
from exactspin.quantum.solution import QuantumSolution, solve
from exactspin.quantum.steady_state import (
    NonUniqueSteadyStateError,
    SteadyState,
    UnresolvedSteadyStateError,
    steady_state,
)

__all__ = [
    "NonUniqueSteadyStateError",
    "QuantumModel",
    "QuantumSolution",
    "SteadyState",
    "solve",
    "steady_state",
    "UnresolvedSteadyStateError",
]
