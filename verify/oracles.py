"""Independent, obviously-right twins of the quantum engines, used only by the verification suite.

- :func:`sector_hamiltonian`: Eq. 22 built from Kronecker products of Pauli matrices and
  restricted to a magnetization sector by selecting basis states (no code shared with
  :mod:`exactspin.quantum`);
- :func:`qutip_steady_state`: the non-secular Bloch-Redfield steady state from QuTiP 5
  (``bloch_redfield_tensor`` with ``sec_cutoff=-1``) and the currents of Eqs. 32-35 from it.

Sites are 0-based; site 0 touches the left bath, site N_U+1 the right bath (docs/conventions.md).
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np

from verify.checks import OptionalDependencyMissing

PAULI_X = np.array([[0, 1], [1, 0]], dtype=complex)
PAULI_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
PAULI_Z = np.array([[1, 0], [0, -1]], dtype=complex)
IDENTITY = np.eye(2, dtype=complex)


def site_operator(single: np.ndarray, site: int, sites: int) -> np.ndarray:
    """``single`` acting on ``site`` of ``sites`` spins (site 0 is the leftmost factor)."""
    factors = [single if k == site else IDENTITY for k in range(sites)]
    return reduce(np.kron, factors)


def bond_energy(sites: int, a: int, b: int, exchange: float, anisotropy: float) -> np.ndarray:
    """h_ab = J(sx sx + sy sy) + Delta sz' sz', sz' = (sz + 1)/2 (Eq. 33), full space."""
    up_a = (site_operator(PAULI_Z, a, sites) + np.eye(2**sites)) / 2
    up_b = (site_operator(PAULI_Z, b, sites) + np.eye(2**sites)) / 2
    return (
        exchange
        * (
            site_operator(PAULI_X, a, sites) @ site_operator(PAULI_X, b, sites)
            + site_operator(PAULI_Y, a, sites) @ site_operator(PAULI_Y, b, sites)
        )
        + anisotropy * up_a @ up_b
    )


def sector_states(sites: int, up: int) -> np.ndarray:
    """Indices (Kronecker order, site 0 = most significant factor) of states with ``up`` up spins.

    Factor state 0 of PAULI_Z is +1 (up), so a bit 0 in the index means "up".
    """
    return np.array([s for s in range(2**sites) if sites - bin(s).count("1") == up], dtype=np.int64)


def restrict(operator: np.ndarray, states: np.ndarray) -> np.ndarray:
    """The block of ``operator`` on the span of ``states``."""
    return operator[np.ix_(states, states)]


def sector_hamiltonian(sites: int, up: int, exchange: float, anisotropy: float) -> np.ndarray:
    """Eq. 22 on a ring of ``sites`` spins, restricted to ``up`` up spins (dense, Hermitian)."""
    full = sum(bond_energy(sites, b, (b + 1) % sites, exchange, anisotropy) for b in range(sites))
    return restrict(full, sector_states(sites, up))


def bath_weight(frequency: float, temperature: float, cutoff: float, zero: str) -> float:
    """W(D) = D exp(-|D|/Omega_c) / (exp(D/T) - 1) (Eq. 28 closed form, docs/conventions.md).

    At D = 0 (|D| below 1e-9) the value is T (``zero="limit"``) or 0 (``zero="zero"``).
    """
    if abs(frequency) < 1e-9:
        return temperature if zero == "limit" else 0.0
    return frequency * math.exp(-abs(frequency) / cutoff) / math.expm1(frequency / temperature)


def qutip_steady_state(parameters: dict) -> dict:
    """Steady state and currents of the Redfield equation computed by QuTiP (non-secular).

    ``parameters`` uses the CLI names (nu, nd, up, j, delta, tl, tr, gamma, omega_c,
    zero_frequency). Returns a dict with the four currents.

    QuTiP's ``a_ops`` spectrum S(w) enters its tensor as twice the one-sided transform of Eq. 27
    with w > 0 meaning emission by the system, so S(w) = 2 gamma W(-w) in the paper's notation
    (W(D), D = E_i - E_j > 0 is absorption).
    """
    try:
        import qutip
    except ImportError as error:
        raise OptionalDependencyMissing(f"qutip not importable ({error})") from error
    nu, nd, up = parameters["nu"], parameters["nd"], parameters["up"]
    sites = nu + nd + 2
    j, delta = parameters["j"], parameters["delta"]
    states = sector_states(sites, up)
    dimension = len(states)

    def qobj(matrix):
        return qutip.Qobj(restrict(matrix, states), dims=[[dimension], [dimension]])

    bonds = [bond_energy(sites, b, (b + 1) % sites, j, delta) for b in range(sites)]
    hamiltonian = qobj(sum(bonds))
    gamma, cutoff, zero = parameters["gamma"], parameters["omega_c"], parameters["zero_frequency"]

    def spectrum(temperature):
        return lambda w: 2 * gamma * bath_weight(-w, temperature, cutoff, zero)

    left = qobj(site_operator(PAULI_Z, 0, sites))
    right = qobj(site_operator(PAULI_Z, nu + 1, sites))
    left_tensor = qutip.bloch_redfield_tensor(
        hamiltonian, [(left, spectrum(parameters["tl"]))], sec_cutoff=-1, fock_basis=True
    )
    right_tensor = qutip.bloch_redfield_tensor(
        hamiltonian, [(right, spectrum(parameters["tr"]))], sec_cutoff=-1, fock_basis=True
    )
    total = qutip.bloch_redfield_tensor(
        hamiltonian,
        [(left, spectrum(parameters["tl"])), (right, spectrum(parameters["tr"]))],
        sec_cutoff=-1,
        fock_basis=True,
    )
    rho = qutip.steadystate(total)

    def branch(site):
        before, after = bonds[(site - 1) % sites], bonds[site]
        current = 1j * (before @ after - after @ before)
        return float(np.real((qobj(current) * rho).tr()))

    def bath(tensor):
        return float(
            np.real(
                (
                    hamiltonian * qutip.vector_to_operator(tensor * qutip.operator_to_vector(rho))
                ).tr()
            )
        )

    return {
        "left_bath_current": bath(left_tensor),
        "right_bath_current": bath(right_tensor),
        "upper_branch_current": branch(1) if nu else math.nan,
        "lower_branch_current": branch(nu + 2) if nd else math.nan,
        "min_eigenvalue": float(min(rho.eigenenergies())),
    }
