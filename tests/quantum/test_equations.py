"""Each named master equation against an independent construction.

- the Lamb shift against scipy's Cauchy-weight principal-value quadrature of W(x)/(x - D) and
  against the closed form Delta(0) = -Omega_c/pi (the odd part of W(x)/x integrates to zero, the
  even part is -e^{-|x|/Omega_c}/2);
- Redfield + Lamb shift against a component-by-component build of Eq. 26 with complex rates
  W + i Delta, Delta from the Cauchy quadrature;
- Davies (full secular) against QuTiP's secular Bloch-Redfield tensor;
- the Lindblad forms are completely positive (projected Choi matrix of the generator >= 0);
- local Lindblad is pure dephasing; the partial secular equation interpolates between the two.
"""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import qutip
import scipy.integrate
from test_qutip_redfield import eq28_spectrum, qutip_index, qutip_ring, sector_states

from exactspin.quantum import QuantumModel, solve
from exactspin.quantum.equations import (
    EQUATIONS,
    EquationModel,
    equation_checks,
    frequency_clusters,
)
from exactspin.quantum.lamb_shift import LAMB_SHIFT_ACCURACY, lamb_shift
from exactspin.quantum.redfield import LEFT_BATH, RIGHT_BATH, build_generator
from exactspin.validation import ParameterError


def eq28_two_sided(x, temperature, cutoff):
    if x == 0:
        return temperature
    if x / temperature > 700:
        return 0.0
    return x * math.exp(-abs(x) / cutoff) / math.expm1(x / temperature)


def cauchy_lamb_shift(difference, temperature, cutoff):
    """(1/pi) P int W(x)/(x - D) dx: QUADPACK's Cauchy weight on [D - A, D + A], plain tails."""
    half_width = 60.0 * cutoff

    def rate(x):
        return eq28_two_sided(x, temperature, cutoff)

    def tail(x):
        return rate(x) / (x - difference)

    low, high = difference - half_width, difference + half_width
    near, _ = scipy.integrate.quad(
        rate, low, high, weight="cauchy", wvar=difference, epsabs=1e-13, limit=500
    )
    left, _ = scipy.integrate.quad(tail, -np.inf, low, epsabs=1e-13)
    right, _ = scipy.integrate.quad(tail, high, np.inf, epsabs=1e-13)
    return (near + left + right) / math.pi


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("difference", [-4.3, -1.0, -0.2, 0.0, 0.3, 1.0, 2.5, 7.0])
def test_lamb_shift_equals_cauchy_principal_value(difference, temperature):
    cutoff = 10.0
    expected = cauchy_lamb_shift(difference, temperature, cutoff)
    assert abs(lamb_shift(difference, temperature, cutoff) - expected) < 10 * (
        LAMB_SHIFT_ACCURACY * cutoff
    ) + 1e-10 * abs(expected)


@pytest.mark.parametrize("temperature", [0.3, 1.0, 2.0])
def test_zero_frequency_lamb_shift_is_minus_cutoff_over_pi(temperature):
    assert abs(lamb_shift(0.0, temperature, 10.0) + 10.0 / math.pi) < 1e-9


def textbook_lamb_shift_generator(generator):
    """Eq. 26 component by component with G = gamma (W + i Delta) and W~_jl = conj(G_lj)."""
    model = generator.model
    energies = generator.energies
    tolerance = generator.degeneracy_tolerance
    d = energies.size
    matrix = np.zeros((d * d, d * d), dtype=complex)
    for n in range(d):
        for m in range(d):
            matrix[n * d + m, n * d + m] += -1j * (energies[n] - energies[m])
    for bath, temperature in zip((LEFT_BATH, RIGHT_BATH), model.bath_temperatures, strict=True):
        s = generator.couplings[bath]
        g = np.zeros((d, d), dtype=complex)
        for a in range(d):
            for b in range(d):
                difference = energies[a] - energies[b]
                if abs(difference) <= tolerance:
                    real = temperature if model.zero_frequency == "limit" else 0.0
                    difference = 0.0
                else:
                    real = eq28_two_sided(difference, temperature, model.cutoff)
                g[a, b] = real + 1j * cauchy_lamb_shift(difference, temperature, model.cutoff)
        for n in range(d):
            for m in range(d):
                for i in range(d):
                    for j in range(d):
                        value = s[n, i] * s[j, m] * (np.conj(g[m, j]) + g[n, i])
                        if m == j:
                            value -= sum(s[n, k] * s[k, i] * g[k, i] for k in range(d))
                        if n == i:
                            value -= sum(s[j, k] * s[k, m] * np.conj(g[k, j]) for k in range(d))
                        matrix[n * d + m, i * d + j] += model.coupling * value
    return matrix


@pytest.mark.parametrize("delta, zero_frequency", [(0.5, "limit"), (-1.0, "zero")])
def test_redfield_lamb_shift_equals_component_form(delta, zero_frequency):
    model = EquationModel.from_parameters(
        nu=1, nd=1, up=2, delta=delta, zero_frequency=zero_frequency, equation="redfield-lamb-shift"
    )
    generator = build_generator(model)
    slow = textbook_lamb_shift_generator(generator)
    scale = np.max(np.abs(slow))
    assert np.max(np.abs(generator.dense_matrix() - slow)) < 1e-10 * scale
    rng = np.random.default_rng(5)
    d = generator.dimension
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = rho + rho.conj().T
    assert np.max(np.abs(generator.apply_hermitian(rho) - generator.apply(rho))) < 1e-12
    assert np.max(np.abs(generator.apply(rho).ravel() - slow @ rho.ravel())) < 1e-9 * scale


def test_lamb_shift_generator_preserves_trace_and_hermiticity():
    generator = build_generator(EquationModel.from_parameters(delta=0.5, equation=EQUATIONS[1]))
    rng = np.random.default_rng(3)
    d = generator.dimension
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = rho + rho.conj().T
    change = generator.apply(rho)
    assert abs(np.trace(change)) < 1e-13
    assert np.max(np.abs(change - change.conj().T)) < 1e-13


def qutip_secular_sector_state(model):
    """QuTiP's secular Bloch-Redfield steady state, cut to the model's sector (as in
    test_qutip_redfield).

    QuTiP's cutoff is sec_cutoff times the smallest nonzero level gap, which for this ring's
    exact degeneracies is round-off; sec_cutoff is therefore scaled so that the absolute cutoff
    is 1e-6, far above round-off and far below every true Bohr-frequency difference.
    """
    hamiltonian, _, sz = qutip_ring(model)
    levels = hamiltonian.eigenenergies()
    gaps = np.abs(levels[:, None] - levels[None, :])
    smallest_gap = np.min(gaps[gaps != 0])
    tolerance = 1e-9 * max(abs(model.exchange), abs(model.anisotropy)) * 4 * model.sites
    a_ops = [
        (sz[site], eq28_spectrum(temperature, model.zero_frequency, tolerance))
        for site, temperature in zip(model.bath_sites, model.bath_temperatures, strict=True)
    ]
    tensor = qutip.bloch_redfield_tensor(
        hamiltonian, a_ops, sec_cutoff=1e-6 / smallest_gap, fock_basis=True
    )
    full = tensor.full()
    dimension = 2**model.sites
    indices = [qutip_index(s, model.sites) for s in sector_states(model.sites, model.up_spins)]
    positions = [i + j * dimension for j in indices for i in indices]
    block = full[np.ix_(positions, positions)]
    _, singular, right_h = np.linalg.svd(block)
    assert singular[-2] > 1e-9 * singular[0]
    d = len(indices)
    rho = right_h[-1].conj().reshape(d, d).T
    return rho / np.trace(rho)


@pytest.mark.parametrize("delta, zero_frequency", [(0.5, "limit"), (2.1, "zero")])
def test_global_lindblad_equals_qutip_secular_bloch_redfield(delta, zero_frequency):
    model = EquationModel.from_parameters(
        delta=delta, zero_frequency=zero_frequency, equation="global-lindblad"
    )
    solution = solve(model)
    expected = qutip_secular_sector_state(model)
    assert np.max(np.abs(solution.steady_state.sector_density_matrix - expected)) < 1e-10


def projected_choi_minimum(generator):
    """Smallest eigenvalue of the Choi matrix of the generator projected off the maximally
    entangled vector: >= 0 iff exp(L t) is completely positive for all t >= 0."""
    d = generator.dimension
    matrix = generator.dense_matrix()
    choi = np.zeros((d * d, d * d), dtype=complex)
    for i in range(d):
        for j in range(d):
            unit = np.zeros((d, d))
            unit[i, j] = 1.0
            image = (matrix @ unit.ravel()).reshape(d, d)
            choi += np.kron(unit, image)
    entangled = np.eye(d).ravel() / np.sqrt(d)
    projector = np.eye(d * d) - np.outer(entangled, entangled)
    projected = projector @ choi @ projector
    return np.linalg.eigvalsh((projected + projected.conj().T) / 2)[0] / np.max(np.abs(choi))


@pytest.mark.parametrize(
    "equation",
    ["global-lindblad", "global-lindblad-lamb-shift", "ule", "ule-lamb-shift", "local-lindblad"],
)
def test_lindblad_forms_are_completely_positive(equation):
    model = EquationModel.from_parameters(delta=0.5, equation=equation)
    assert projected_choi_minimum(build_generator(model)) > -1e-12


def test_redfield_is_not_completely_positive_here():
    """The control for the test above: the same check does fail for Eq. 26."""
    assert projected_choi_minimum(build_generator(QuantumModel.from_parameters(delta=0.5))) < -1e-6


def test_local_lindblad_is_temperature_blind_dephasing():
    model = EquationModel.from_parameters(delta=0.5, equation="local-lindblad")
    solution = solve(model)
    d = model.dimension
    assert np.max(np.abs(solution.steady_state.density_matrix - np.eye(d) / d)) < 1e-12
    assert abs(solution.left_bath_current) < 1e-14
    generator = build_generator(model)
    s = generator.couplings[LEFT_BATH]
    expected = 2 * model.coupling * model.left_temperature * (np.kron(s, s) - np.eye(d * d))
    assert np.max(np.abs(generator.dense_matrix((LEFT_BATH,)) - expected)) < 1e-15


def test_partial_secular_interpolates_between_davies_and_redfield():
    parameters = dict(delta=0.5, equation="partial-secular-lamb-shift")
    narrow = build_generator(EquationModel.from_parameters(**parameters, cluster_width=0.0))
    davies = build_generator(EquationModel.from_parameters(delta=0.5, equation=EQUATIONS[3]))
    assert np.max(np.abs(narrow.dense_matrix() - davies.dense_matrix())) < 1e-13
    wide = build_generator(EquationModel.from_parameters(**parameters, cluster_width=1e3))
    redfield = build_generator(EquationModel.from_parameters(delta=0.5, equation=EQUATIONS[1]))
    assert np.max(np.abs(wide.dense_matrix() - redfield.dense_matrix())) < 1e-13


def test_frequency_clusters_link_neighbours_closer_than_the_width():
    labels = frequency_clusters(np.array([0.0, 0.05, 0.12, 0.5, -0.5]), 0.1)
    assert labels[0] == labels[1] == labels[2]
    assert len({labels[2], labels[3], labels[4]}) == 3


def test_secular_equations_keep_kirchhoff_only_without_transport():
    """Davies with the Lamb shift circulates (I_U = I_D) but the bath current does not enter the
    branches: Kirchhoff's I_L = I_U - I_D fails by I_L, the known defect of global Lindblad."""
    solution = solve(EquationModel.from_parameters(delta=0.5, equation=EQUATIONS[3]))
    checks = equation_checks(solution)
    assert abs(solution.upper_branch_current - solution.lower_branch_current) < 1e-12
    assert abs(checks["kirchhoff_error"] - solution.left_bath_current) < 1e-12
    assert abs(checks["bath_balance_error"]) < 1e-14
    redfield = equation_checks(solve(EquationModel.from_parameters(delta=0.5)))
    assert abs(redfield["kirchhoff_error"]) < 1e-13


def test_global_lindblad_without_lamb_shift_has_no_branch_currents():
    solution = solve(EquationModel.from_parameters(delta=2.1, equation="global-lindblad"))
    assert abs(solution.upper_branch_current) < 1e-10 * abs(solution.left_bath_current)
    assert "vanish identically" in equation_checks(solution)["equation_note"]


def test_unknown_equation_names_the_parameter():
    with pytest.raises(ParameterError, match="equation"):
        EquationModel.from_parameters(equation="lindblad")


def test_cli_solve_with_lamb_shift_prints_the_current_keys():
    command = [sys.executable, "-m", "exactspin.cli.main", "quantum", "solve"]
    options = ["--equation", "redfield-lamb-shift", "--json", "--gamma", "0.001", "--delta", "0.5"]
    output = subprocess.run(command + options, capture_output=True, text=True, check=True)
    result = json.loads(output.stdout)
    for key in ("left_bath_current", "upper_branch_current", "lower_branch_current"):
        assert math.isfinite(result[key])
    assert result["circulation"] == "clockwise"
    assert result["parameters"]["equation"] == "redfield-lamb-shift"
    assert result["parameters"]["gamma"] == 0.001
    assert abs(result["kirchhoff_error"]) < 1e-12
