"""The quantum modified-XXZ ring, or any quantum spin network, between bosonic baths (Sec. III).

``QuantumModel`` is the data (``from_parameters`` for the paper's ring, ``from_network`` for any
network), ``solve`` the Redfield steady state with every observable (a ``QuantumSolution`` for the
ring, a ``NetworkQuantumSolution`` for a network),
``steady_state`` the density matrix alone; exact spectra live in
:mod:`exactspin.quantum.spectrum`.
"""

from exactspin.quantum.model import QuantumModel
from exactspin.quantum.network_solution import NetworkQuantumSolution
from exactspin.quantum.solution import QuantumSolution, solve
from exactspin.quantum.steady_state import (
    NonUniqueSteadyStateError,
    SteadyState,
    UnresolvedSteadyStateError,
    steady_state,
)

__all__ = [
    "NetworkQuantumSolution",
    "NonUniqueSteadyStateError",
    "QuantumModel",
    "QuantumSolution",
    "SteadyState",
    "solve",
    "steady_state",
    "UnresolvedSteadyStateError",
]
