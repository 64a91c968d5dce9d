"""Spin correlations as functionals of a distribution over states (Eq. 18).

The heat currents (Eqs. 6, 9) are sums over allowed flips of (energy) x (rate) x P(state); they
are evaluated, in double-double and with their error bounds, by
:mod:`exactspin.classical.solution`. Nothing here solves.
"""

from __future__ import annotations

import numpy as np

from exactspin.classical.flips import all_states, spin_values
from exactspin.classical.model import ClassicalModel


def spin_correlation(
    model: ClassicalModel, probabilities: np.ndarray, first: int, second: int
) -> float:
    """<sigma_i sigma_j> = sum_sigma P(sigma) sigma_i sigma_j (Eq. 18), sites 0-based."""
    states = all_states(model)
    product = spin_values(states, first) * spin_values(states, second)
    return float(np.dot(product, probabilities))
