"""Heat currents and spin correlations as functionals of a distribution over states.

Every current is a sum over allowed flips of (energy) x (rate) x P(state), which counts each
unordered pair of configurations once, as Eqs. 6 and 9 do: a current is the expectation of a
per-state *density*. Values here are per unit continuous time; :mod:`exactspin.classical.solution`
converts to per-step units. Nothing here solves.
"""

from __future__ import annotations

import numpy as np

from exactspin.classical.flips import SiteFlips, all_states, spin_values
from exactspin.classical.model import ClassicalModel


def bath_current_density(flips: SiteFlips) -> np.ndarray:
    """dE_i x r_{eta -> eta^i} per state: its expectation is I_alpha of Eq. 6.

    For a nodal site, the energy drawn from its bath.
    """
    return flips.energy_change * flips.rate


def bond_current_density(flips: SiteFlips) -> np.ndarray:
    """dE_{i,i+1} x r_{eta -> eta^i} per state: its expectation is the bond current of Eq. 9.

    Energy moved into bond (i, i+1) by flips of spin i; positive means clockwise (increasing site
    index): left -> right on the upper path, right -> left on the lower path.
    """
    return flips.bond_transfer * flips.rate


def gross_flux_density(flips: SiteFlips) -> np.ndarray:
    """|dE_{i,i+1}| x rate per state: the one-way energy traffic behind a bond current.

    The net current is a difference of such traffic, so its round-off is relative to this.
    """
    return np.abs(flips.bond_transfer) * flips.rate


def expectation(density: np.ndarray, probabilities: np.ndarray) -> float:
    """sum_eta density(eta) P(eta)."""
    return float(np.dot(density, probabilities))


def class_expectations(
    density: np.ndarray, conditional: np.ndarray, labels: np.ndarray, count: int
) -> np.ndarray:
    """The expectation of ``density`` in each closed class's own law (labels -1 ignored)."""
    recurrent = labels >= 0
    return np.bincount(
        labels[recurrent], weights=(density * conditional)[recurrent], minlength=count
    )


def spin_correlation(
    model: ClassicalModel, probabilities: np.ndarray, first: int, second: int
) -> float:
    """<sigma_i sigma_j> = sum_sigma P(sigma) sigma_i sigma_j (Eq. 18), sites 0-based."""
    states = all_states(model)
    product = spin_values(states, first) * spin_values(states, second)
    return float(np.dot(product, probabilities))
