"""The ULE's own Lamb shift (exactspin.quantum.ule_lamb_shift) against an independent quadrature.

The reference is the element formula Lambda_ni = sum_k S_nk S_ki F(E_k - E_i, E_k - E_n) with
F(x, y) = (gamma/pi) P int sqrt(W(w + x) W(w + y)) / w dw (Nathan & Rudner's principal value of
the jump correlator, in this code's conventions), integrated pair by pair with mpmath at 30 digits
(tanh-sinh, split at the integrand's kinks), not the matrix-valued scipy quadrature of the code.
Its secular limit F(x, x) must be gamma Delta(x), Delta the Redfield Lamb shift that
tests/quantum/test_equations.py checks against QUADPACK's Cauchy principal value.
"""

import mpmath
import numpy as np
import pytest

from exactspin.quantum import solve
from exactspin.quantum.equations import EquationModel, hamiltonian_superoperator
from exactspin.quantum.lamb_shift import lamb_shift
from exactspin.quantum.redfield import build_generator
from exactspin.quantum.ule_lamb_shift import ULE_LAMB_SHIFT_ACCURACY, ule_lamb_shift

GAMMA = 0.01
CUTOFF = 10.0


def mp_rate(x, temperature, cutoff):
    """Eq. 28's two-sided W(x) = x e^{-|x|/Omega_c} / (e^{x/T} - 1), W(0) = T, in mpmath."""
    if x == 0:
        return mpmath.mpf(temperature)
    return x * mpmath.exp(-abs(x) / cutoff) / mpmath.expm1(x / temperature)


def mp_pair_function(x, y, temperature, cutoff, gamma):
    """F(x, y) = (gamma/pi) int_0^inf [h(u) - h(-u)]/u du, h(w) = sqrt(W(w + x) W(w + y))."""
    x, y = mpmath.mpf(x), mpmath.mpf(y)

    def h(w):
        return mpmath.sqrt(
            mp_rate(w + x, temperature, cutoff) * mp_rate(w + y, temperature, cutoff)
        )

    def odd(u):
        return (h(u) - h(-u)) / u

    kinks = sorted({mpmath.mpf(0), abs(x), abs(y)})
    edges = kinks + [kinks[-1] + 60 * max(temperature, cutoff), mpmath.inf]
    return gamma / mpmath.pi * mpmath.quad(odd, edges)


def two_level(epsilon, tunnelling):
    """H = (epsilon sz + tunnelling sx)/2 with sz coupling: (E, S in the eigenbasis)."""
    hamiltonian = 0.5 * np.array([[epsilon, tunnelling], [tunnelling, -epsilon]])
    energies, vectors = np.linalg.eigh(hamiltonian)
    return energies, vectors.T @ np.diag([1.0, -1.0]) @ vectors


@pytest.mark.parametrize(
    "epsilon, tunnelling, temperature", [(1.0, 0.6, 2.0), (0.3, 1.7, 0.5), (4.0, 0.2, 1.0)]
)
def test_two_level_lamb_shift_equals_pairwise_mpmath_quadrature(epsilon, tunnelling, temperature):
    energies, coupling = two_level(epsilon, tunnelling)
    mpmath.mp.dps = 30
    expected = np.zeros((2, 2))
    for n in range(2):
        for i in range(2):
            expected[n, i] = sum(
                coupling[n, k]
                * coupling[k, i]
                * float(
                    mp_pair_function(
                        energies[k] - energies[i],
                        energies[k] - energies[n],
                        temperature,
                        CUTOFF,
                        GAMMA,
                    )
                )
                for k in range(2)
            )
    ours = ule_lamb_shift(energies, coupling, temperature, CUTOFF, GAMMA)
    tolerance = 10 * ULE_LAMB_SHIFT_ACCURACY * GAMMA * max(temperature, CUTOFF)
    assert np.max(np.abs(ours - expected)) < tolerance
    # the off-diagonal element is not zero: the test sees the non-secular (geometric) part
    assert abs(expected[0, 1]) > 1e-4 * GAMMA


@pytest.mark.parametrize("epsilon, tunnelling, temperature", [(1.0, 0.6, 2.0), (0.3, 1.7, 0.5)])
def test_secular_elements_are_the_redfield_lamb_shift(epsilon, tunnelling, temperature):
    """Lambda_nn = sum_k S_nk^2 F(E_k - E_n, E_k - E_n) = gamma sum_k S_nk^2 Delta(E_k - E_n)."""
    energies, coupling = two_level(epsilon, tunnelling)
    ours = ule_lamb_shift(energies, coupling, temperature, CUTOFF, GAMMA)
    for n in range(2):
        expected = GAMMA * sum(
            coupling[n, k] ** 2 * lamb_shift(energies[k] - energies[n], temperature, CUTOFF)
            for k in range(2)
        )
        assert abs(ours[n, n] - expected) < 10 * ULE_LAMB_SHIFT_ACCURACY * GAMMA * CUTOFF


def test_lamb_shift_is_hermitian_on_a_random_system():
    rng = np.random.default_rng(11)
    d = 7
    hamiltonian = rng.normal(size=(d, d))
    energies, vectors = np.linalg.eigh(hamiltonian + hamiltonian.T)
    coupling = vectors.T @ np.diag(rng.choice([-1.0, 1.0], d)) @ vectors
    shift = ule_lamb_shift(energies, coupling, 1.3, CUTOFF, GAMMA)
    assert np.isrealobj(shift)
    assert np.array_equal(shift, shift.T)
    assert np.max(np.abs(shift)) > GAMMA * 1e-2  # not trivially zero


def test_ule_lamb_shift_generator_is_ule_plus_the_commutator():
    with_shift = build_generator(
        EquationModel.from_parameters(delta=0.5, equation="ule-lamb-shift")
    )
    without = build_generator(EquationModel.from_parameters(delta=0.5, equation="ule"))
    model = with_shift.model
    for bath, temperature in enumerate(model.bath_temperatures):
        shift = ule_lamb_shift(
            with_shift.energies,
            with_shift.couplings[bath],
            temperature,
            model.cutoff,
            model.coupling,
        )
        expected = without.dense_matrix((bath,)) + hamiltonian_superoperator(shift)
        assert np.max(np.abs(with_shift.dense_matrix((bath,)) - expected)) < 1e-15
    d = with_shift.dimension
    rng = np.random.default_rng(2)
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = rho + rho.conj().T
    change = with_shift.apply(rho)
    assert abs(np.trace(change)) < 1e-13
    assert np.max(np.abs(change - change.conj().T)) < 1e-13


def test_ule_lamb_shift_moves_the_ring_currents():
    """The shift is not a no-op on the ring (degenerate doublets): I_U changes."""
    shifted = solve(EquationModel.from_parameters(delta=0.5, equation="ule-lamb-shift"))
    plain = solve(EquationModel.from_parameters(delta=0.5, equation="ule"))
    change = abs(shifted.upper_branch_current - plain.upper_branch_current)
    assert change > 1e3 * (shifted.upper_branch_current_bound + plain.upper_branch_current_bound)
