"""Regime boundaries: where the branch currents change sign along one parameter.

:func:`classical_boundaries` (closed form with certified interval isolation on small Q2R rings,
bracketing of the exact numeric solver otherwise) and :func:`quantum_boundaries` (bracketing of
the Redfield solver). Both return a :class:`Boundaries` with the zeros, the circulation regimes
between them, and how each was found.
"""

from exactspin.boundaries.classical import boundaries as classical_boundaries
from exactspin.boundaries.quantum import boundaries as quantum_boundaries
from exactspin.boundaries.result import Boundaries, Regime

__all__ = ["Boundaries", "Regime", "classical_boundaries", "quantum_boundaries"]
