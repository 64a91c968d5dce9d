"""Concurrence and ergotropy on states whose values are known in closed form."""

import numpy as np
import pytest

from exactspin.quantum.basis import full_basis
from exactspin.quantum.observables import concurrence_of, ergotropy, reduced_density_matrix


def test_bell_state_has_concurrence_one():
    bell = np.zeros(4, dtype=complex)
    bell[[1, 2]] = 1 / np.sqrt(2)
    assert concurrence_of(np.outer(bell, bell.conj())) == pytest.approx(1.0, abs=1e-12)


def test_product_states_have_concurrence_zero():
    rng = np.random.default_rng(5)
    for _ in range(5):
        a = rng.normal(size=2) + 1j * rng.normal(size=2)
        b = rng.normal(size=2) + 1j * rng.normal(size=2)
        state = np.kron(a / np.linalg.norm(a), b / np.linalg.norm(b))
        assert concurrence_of(np.outer(state, state.conj())) == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize("weight", [0.2, 1 / 3, 0.6, 0.9])
def test_werner_state_concurrence_is_max_0_3p_minus_1_over_2(weight):
    bell = np.zeros(4)
    bell[[0, 3]] = 1 / np.sqrt(2)
    werner = weight * np.outer(bell, bell) + (1 - weight) * np.eye(4) / 4
    assert concurrence_of(werner) == pytest.approx(max(0.0, (3 * weight - 1) / 2), abs=1e-7)


def test_reduced_state_of_a_bell_pair_embedded_in_three_spins():
    basis = full_basis(3)
    vector = np.zeros(8)
    vector[[0b001, 0b100]] = 1 / np.sqrt(2)  # sites 0 and 2 share one up spin, site 1 down
    reduced = reduced_density_matrix(np.outer(vector, vector), basis, 0, 2)
    assert np.trace(reduced) == pytest.approx(1.0)
    assert concurrence_of(reduced) == pytest.approx(1.0)
    assert concurrence_of(reduced_density_matrix(np.outer(vector, vector), basis, 0, 1)) == 0.0


def test_passive_state_has_zero_ergotropy_and_inverted_state_has_the_gap():
    levels = np.array([-1.0, 0.0, 2.0])
    passive = np.array([0.6, 0.3, 0.1])
    assert ergotropy(passive, float(passive @ levels), levels) == pytest.approx(0.0)
    inverted = passive[::-1]
    expected = inverted @ levels - passive @ levels
    assert ergotropy(inverted, float(inverted @ levels), levels) == pytest.approx(expected)
