"""The fast Redfield generator equals a slow component-by-component build of Eq. 26.

The twin reads Eq. 26 literally (with W_li, W~_jl = W_lj for the "(0)" typo), with W from
Eq. 28 written out here, in the eigenbasis given by numpy.
"""

import math

import numpy as np
import pytest

from exactspin.quantum import QuantumModel
from exactspin.quantum.redfield import LEFT_BATH, RIGHT_BATH, build_generator


def eq28(difference, temperature, cutoff, zero_frequency, tolerance):
    if abs(difference) <= tolerance:
        return temperature if zero_frequency == "limit" else 0.0
    if difference > 0:
        return difference * math.exp(-difference / cutoff) / math.expm1(difference / temperature)
    magnitude = -difference
    return magnitude * math.exp(-magnitude / cutoff) * (1 + 1 / math.expm1(magnitude / temperature))


def textbook_generator(generator):
    model = generator.model
    energies = generator.energies
    d = energies.size
    matrix = np.zeros((d * d, d * d), dtype=complex)
    for n in range(d):
        for m in range(d):
            matrix[n * d + m, n * d + m] += -1j * (energies[n] - energies[m])
    for bath, temperature in zip((LEFT_BATH, RIGHT_BATH), model.bath_temperatures, strict=True):
        s = generator.couplings[bath]
        w = np.array(
            [
                [
                    eq28(
                        energies[a] - energies[b],
                        temperature,
                        model.cutoff,
                        model.zero_frequency,
                        generator.degeneracy_tolerance,
                    )
                    for b in range(d)
                ]
                for a in range(d)
            ]
        )
        for n in range(d):
            for m in range(d):
                for i in range(d):
                    for j in range(d):
                        value = s[n, i] * s[j, m] * (w[m, j] + w[n, i])
                        if m == j:
                            value -= sum(s[n, k] * s[k, i] * w[k, i] for k in range(d))
                        if n == i:
                            value -= sum(s[j, k] * s[k, m] * w[k, j] for k in range(d))
                        matrix[n * d + m, i * d + j] += model.coupling * value
    return matrix


@pytest.mark.parametrize(
    "nu, nd, up, delta, zero_frequency",
    [(1, 1, 2, 0.7, "limit"), (2, 1, 3, 0.0, "zero"), (2, 1, 3, -0.4, "limit")],
)
def test_fast_generator_equals_component_form_of_eq26(nu, nd, up, delta, zero_frequency):
    model = QuantumModel.from_parameters(
        nu=nu, nd=nd, up=up, delta=delta, tl=1.5, tr=0.5, zero_frequency=zero_frequency
    )
    generator = build_generator(model)
    slow = textbook_generator(generator)
    assert np.max(np.abs(generator.dense_matrix() - slow)) < 1e-12
    rng = np.random.default_rng(7)
    d = generator.dimension
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    assert np.max(np.abs(generator.apply(rho).ravel() - slow @ rho.ravel())) < 1e-12
    hermitian = rho + rho.conj().T
    assert np.max(np.abs(generator.apply_hermitian(hermitian) - generator.apply(hermitian))) < 1e-12


def test_generator_preserves_trace_for_any_matrix():
    generator = build_generator(QuantumModel.from_parameters(delta=0.3))
    rng = np.random.default_rng(3)
    d = generator.dimension
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    assert abs(np.trace(generator.apply(rho))) < 1e-13


def test_bath_rate_is_finite_and_detailed_balanced_at_low_temperature():
    from exactspin.quantum.bath import bath_rate

    differences = np.array([0.5, 3.0, 30.0])
    for temperature in (0.01, 0.1, 1.0):
        up = bath_rate(differences, temperature, 10.0, "limit", 1e-9)
        down = bath_rate(-differences, temperature, 10.0, "limit", 1e-9)
        assert np.all(np.isfinite(up)) and np.all(np.isfinite(down))
        np.testing.assert_allclose(
            down,
            differences * np.exp(-differences / 10) / -np.expm1(-differences / temperature),
            rtol=1e-14,
        )
        nonzero = up > 0
        np.testing.assert_allclose(
            np.log(up[nonzero] / down[nonzero]), -differences[nonzero] / temperature, rtol=1e-12
        )
    assert bath_rate(np.array([0.0]), 0.7, 10.0, "limit", 1e-9)[0] == 0.7
    assert bath_rate(np.array([0.0]), 0.7, 10.0, "zero", 1e-9)[0] == 0.0


def test_iterative_and_dense_steady_states_agree():
    from exactspin.quantum import steady_state

    model = QuantumModel.from_parameters(nu=3, nd=1, up=3, delta=0.8, zero_frequency="zero")
    dense = steady_state(model, method="dense")
    iterative = steady_state(model, method="iterative")
    assert np.max(np.abs(dense.density_matrix - iterative.density_matrix)) < 1e-10
