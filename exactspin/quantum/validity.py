"""Where the Redfield equation (Eq. 26) and its double-precision solve can be trusted.

Two kinds of limits, both stated with their reason:

- representability (refused by :class:`~exactspin.quantum.model.QuantumModel`): the energy scale
  and the relaxation scale must stay below :data:`LARGEST_SCALE`, so that the norms and the SVD
  of the generator (sums of squares of its entries) stay finite in double precision;
- validity of the equation (warnings, the numbers are still the equation's): the Born-Markov
  derivation needs the relaxation rate gamma W to be small against the bath temperature (the
  inverse bath correlation time) and against the system's level spacings; and a steady state
  with an eigenvalue below minus its error bound is not a density matrix (Redfield is not
  positive in general; the paper checked this at its parameters).

This module only diagnoses; it changes no result.
"""

from __future__ import annotations

import math

import numpy as np

#: Largest energy or rate scale accepted: sqrt(max float) x eps, so that a sum of the squares of
#: up to 1/eps^2 entries of that size is still finite.
LARGEST_SCALE = math.sqrt(float(np.finfo(float).max)) * float(np.finfo(float).eps)


def relaxation_rate(generator) -> float:
    """gamma max W over both baths: the fastest dissipative rate of Eq. 26."""
    return generator.model.coupling * max(float(np.max(np.abs(rate))) for rate in generator.rates)


def redfield_validity_warnings(generator) -> list[str]:
    """Warnings when gamma W is not small against min(T_L, T_R) or the largest level spacing."""
    model = generator.model
    rate = relaxation_rate(generator)
    temperature = min(model.bath_temperatures)
    warnings = []
    if rate >= temperature:
        warnings.append(
            f"gamma * max W = {rate:.3g} is not small against the temperature "
            f"min(T_L, T_R) = {temperature:.3g}: the Born-Markov derivation of the Redfield "
            "equation does not hold (reduce gamma)"
        )
    spread = float(generator.energies[-1] - generator.energies[0])
    if spread > 0 and rate >= spread:
        warnings.append(
            f"gamma * max W = {rate:.3g} is not small against the level spread {spread:.3g} of "
            "H_S: the weak-coupling expansion of the Redfield equation does not hold"
        )
    return warnings


def positivity_warning(min_eigenvalue: float, error: float) -> list[str]:
    """A warning when rho has an eigenvalue below -``error`` (its bound, Weyl's inequality)."""
    if min_eigenvalue < -error:
        return [
            f"rho has the eigenvalue {min_eigenvalue:.3g}, below minus its error bound "
            f"{error:.1e}: the Redfield steady state is not positive here"
        ]
    return []
