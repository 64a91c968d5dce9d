"""Error bounds of the steady-state currents, propagated from the error of rho.

Every current is linear in rho, I = Tr(O rho), so |I(rho) - I(rho_exact)| <= ||O||_F
||rho - rho_exact||_F (Cauchy-Schwarz; the Frobenius norm does not depend on the basis). The
error of rho is the solve's (``SteadyState.density_matrix_error``) plus the error of evaluating
observables in double precision. The operators are

- site current I[l] (Eqs. 32-34): O = i [h_{l-1,l}, h_{l,l+1}];
- bath current I_b = Tr[L_b(rho) H_S] (Eq. 35) = Tr(G_b rho), G_b the Heisenberg-picture
  operator of :func:`~exactspin.quantum.observables.bath_current_operator`.

A current whose magnitude is within its bound has no resolved sign. This module computes
bounds; it decides no labels.
"""

from __future__ import annotations

import numpy as np

from exactspin.quantum.observables import bath_current_operator, site_current_operator
from exactspin.quantum.steady_state import SteadyState

EPSILON = float(np.finfo(float).eps)


def eigenvector_error(generator) -> float:
    """eta = d eps ||H|| / (smallest spacing of distinct levels): the eigenvector error."""
    energies = generator.energies
    scale = float(np.max(np.abs(energies)))
    spacings = np.diff(energies)
    spacings = spacings[spacings > generator.degeneracy_tolerance]
    if not spacings.size or scale == 0:
        return 0.0
    return generator.dimension * EPSILON * scale / float(np.min(spacings))


def evaluation_error(state: SteadyState) -> float:
    """||rho - rho_exact||_F including the error of evaluating observables in double precision.

    Besides the solve's error: the rounding of traces (d^2 eps ||rho||_F) and the error of the
    double-precision eigenvectors that carry rho between the eigenbasis and the configuration
    basis, 2 eta ||rho||_F (:func:`eigenvector_error`, a Davis-Kahan estimate).
    """
    generator = state.generator
    d = generator.dimension
    norm = float(np.linalg.norm(state.density_matrix))
    return state.density_matrix_error + (d * d * EPSILON + 2 * eigenvector_error(generator)) * norm


def bath_current_bounds(state: SteadyState) -> tuple[float, ...]:
    """Error bounds of every bath current (bath order; (I_L, I_R) on the ring).

    Each is ||G_b||_F times the error of rho, plus the error of G_b.

    G_b = gamma (C Lambda - Lambda^T C) is formed from double-precision couplings and level
    differences; its error is taken as 2 gamma ||Lambda||_F (||C||_F (d eps + 2 eta)
    + d eps ||H|| ||S||_F), the last term for the level differences' own rounding.

    A generator stored as per-bath tensors D_b (the Lindblad-type equations of
    :mod:`exactspin.quantum.equations`) has its own G_b = D_b^dagger(H)
    (:func:`~exactspin.quantum.equations.dissipator_adjoint`), with error
    4 ||D_b||_F ||H||_F (d eps + 2 eta) (D_b is quadratic in S, whose entries carry the
    eigenvectors' error).
    """
    generator = state.generator
    d = generator.dimension
    error = evaluation_error(state)
    norm = float(np.linalg.norm(state.density_matrix))
    eta = eigenvector_error(generator)
    energy = float(np.max(np.abs(generator.energies)))
    bounds = []
    tensors = getattr(generator, "dissipators", ())
    if tensors:
        from exactspin.quantum.equations import dissipator_adjoint

        hamiltonian = np.diag(np.asarray(generator.energies, dtype=complex))
        for bath, tensor in enumerate(tensors):
            operator = dissipator_adjoint(generator, bath, hamiltonian)
            operator_error = (
                4
                * float(np.linalg.norm(tensor))
                * float(np.linalg.norm(generator.energies))
                * (d * EPSILON + 2 * eta)
            )
            bounds.append(float(np.linalg.norm(operator)) * error + operator_error * norm)
        return tuple(bounds)
    for bath in range(len(generator.couplings)):
        coupling = generator.couplings[bath]
        damping = float(np.linalg.norm(coupling * generator.rates[bath]))
        commutator = float(np.linalg.norm(coupling * generator.energy_differences()))
        operator_error = (
            2
            * generator.model.coupling
            * damping
            * (
                commutator * (d * EPSILON + 2 * eta)
                + d * EPSILON * energy * float(np.linalg.norm(coupling))
            )
        )
        operator = bath_current_operator(generator, bath)
        bounds.append(float(np.linalg.norm(operator)) * error + operator_error * norm)
    return tuple(bounds)


def site_current_bounds(state: SteadyState) -> dict[int, float]:
    """Error bound of <I[l]> at every bulk site l (0-based)."""
    model = state.model
    basis = state.generator.basis
    error = evaluation_error(state)
    return {
        site: float(
            np.linalg.norm(
                site_current_operator(basis, site, model.ring, model.exchange, model.anisotropy)
            )
            * error
        )
        for site in model.ring.bulk_sites
    }
