"""Heat currents and spin correlations as functionals of a distribution over states.

Every current is a sum over allowed flips of (energy) x (rate) x P(state), which counts each
unordered pair of configurations once, as Eqs. 6 and 9 do. Values here are per unit continuous
time; :mod:`exactspin.classical.solution` converts to per-step units. Nothing here solves.
"""

from __future__ import annotations

import numpy as np

from exactspin.classical.flips import SiteFlips, all_states, spin_values
from exactspin.classical.model import ClassicalModel


def bath_current(flips: SiteFlips, probabilities: np.ndarray) -> float:
    """I_alpha of Eq. 6: energy drawn from the bath by flips of its nodal spin ``flips.site``."""
    return float(np.dot(flips.energy_change * flips.rate, probabilities))


def bond_current(flips: SiteFlips, probabilities: np.ndarray) -> float:
    """Eq. 9: energy moved into bond (i, i+1) by flips of spin i = ``flips.site``.

    Positive means clockwise (increasing site index): left -> right on the upper path,
    right -> left on the lower path.
    """
    return float(np.dot(flips.bond_transfer * flips.rate, probabilities))


def gross_bond_flux(flips: SiteFlips, probabilities: np.ndarray) -> float:
    """sum |dE_{i,i+1}| x rate x P: the one-way energy traffic behind :func:`bond_current`.

    The net current is a difference of such traffic, so its round-off is relative to this.
    """
    return float(np.dot(np.abs(flips.bond_transfer) * flips.rate, probabilities))


def spin_correlation(
    model: ClassicalModel, probabilities: np.ndarray, first: int, second: int
) -> float:
    """<sigma_i sigma_j> = sum_sigma P(sigma) sigma_i sigma_j (Eq. 18), sites 0-based."""
    states = all_states(model)
    product = spin_values(states, first) * spin_values(states, second)
    return float(np.dot(product, probabilities))
