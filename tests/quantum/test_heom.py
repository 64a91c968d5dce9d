"""HEOM (QuTiP's hierarchy, exactspin's model, fits and currents) against exact statements.

- equal temperatures carry no heat; I_L + I_R = 0 (first-tier ADO formula);
- gamma -> 0: HEOM tends to Eq. 26 with the Lamb shift of the same (fitted) bath, at O(gamma);
  its I_L tends to that of the exact bath within the fit error;
- the independent-boson model (a qubit with H = w0 sz/2 coupled through sz): the coherence decays
  exactly as exp(-4 int_0^t ds int_0^s Re C(u) du) (Breuer & Petruccione, The Theory of Open
  Quantum Systems, Sec. 4.2), evaluated here in closed form for the fitted exponentials.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
import qutip
from qutip.solver.heom import HEOMSolver

from exactspin.quantum import QuantumModel, solve
from exactspin.quantum.equations import EquationModel
from exactspin.quantum.heom import (
    FittedBathModel,
    fit_bath,
    fit_current_error,
    heom_point,
    heom_solve,
)

TERMS = 8


def fits(model):
    return tuple(
        fit_bath(temperature, model.coupling, model.cutoff, TERMS, tag)
        for temperature, tag in zip(model.bath_temperatures, ("left", "right"), strict=True)
    )


def test_equal_temperatures_carry_no_heat():
    unequal = QuantumModel.from_parameters(delta=0.5, tl=2.0, tr=1.0)
    equal = QuantumModel.from_parameters(delta=0.5, tl=1.5, tr=1.5)
    reference = heom_point(unequal, 1, fits(unequal)).left_bath_current
    point = heom_point(equal, 1, fits(equal))
    assert abs(point.left_bath_current) < 1e-8 * abs(reference)
    assert abs(point.upper_branch_current - point.lower_branch_current) < 1e-8 * abs(reference)


def test_bath_currents_balance():
    model = QuantumModel.from_parameters(delta=2.1)
    point = heom_point(model, 1, fits(model))
    assert abs(point.left_bath_current + point.right_bath_current) < 1e-9 * abs(
        point.left_bath_current
    )


def currents(solution):
    return np.array(
        [solution.left_bath_current, solution.upper_branch_current, solution.lower_branch_current]
    )


def test_fit_is_the_same_bath_at_every_gamma():
    """C is linear in gamma: the fit must be too (AAA's absolute tolerance once made the fit at
    gamma <= 1e-3 a different, worse fit, which moved HEOM's I_L by 28%)."""
    for temperature in (1.0, 2.0):
        strong, weak = (fit_bath(temperature, gamma, 10.0, TERMS, "b") for gamma in (1e-2, 1e-4))
        energies = np.linspace(-12.0, 12.0, 25)
        assert np.allclose(strong.transform(energies) / 1e-2, weak.transform(energies) / 1e-4)


def test_fitted_transform_is_the_one_sided_integral_of_the_fitted_correlation():
    """Gamma_fit(D) = sum c/(nu + iD) against quadrature of QuTiP's own C_fit(t) e^{-iDt}."""
    import scipy.integrate

    fit = fit_bath(1.0, 1.0, 10.0, TERMS, "b")
    for energy in (-4.0, 0.0, 1.5):

        def part(t, which, energy):
            value = fit.environment.correlation_function(np.array([t]))[0] * np.exp(
                -1j * energy * t
            )
            return value.real if which == 0 else value.imag

        slowest = min(e.exponent.real for e in fit.environment.exponents)
        stop = 60.0 / slowest
        expected = sum(
            1j**which
            * scipy.integrate.quad(part, 0.0, stop, args=(which, energy), limit=4000, epsabs=1e-10)[
                0
            ]
            for which in (0, 1)
        )
        assert abs(fit.transform(np.array([energy]))[0] - expected) < 1e-6 * abs(expected)
        assert abs(
            2 * fit.transform(np.array([energy]))[0].real
            - fit.environment.power_spectrum(np.array([-energy]))[0]
        ) < 1e-9 * abs(expected)


@pytest.mark.parametrize("gamma", [1e-3, 1e-4])
def test_weak_coupling_limit_is_redfield_with_the_lamb_shift_of_the_fitted_bath(gamma):
    """As gamma -> 0 the hierarchy (QuTiP) tends to the Bloch-Redfield tensor with the Lamb shift
    (exactspin) for the same bath; the difference is O(gamma) (measured 6.5e-3 at 1e-3, 7.1e-4
    at 1e-4, of max |current|). This checks the first-tier current formula and the sector
    hierarchy against an independent construction, free of the fit error."""
    model = QuantumModel.from_parameters(delta=-1.0, gamma=gamma)
    bath_fits = fits(model)
    heom = heom_point(model, 1, bath_fits).currents()
    weak = currents(solve(FittedBathModel.from_fits(model, bath_fits)))
    assert np.max(np.abs(heom - weak)) < 10 * gamma * np.max(np.abs(weak))


@pytest.mark.parametrize("gamma", [1e-2, 1e-4])
def test_weak_coupling_left_current_tends_to_redfield(gamma):
    """HEOM's I_L against Eq. 26 with the Lamb shift and W(0) = T, exact bath: within the fit's
    own error (power spectrum and S(0)) plus O(gamma) (measured +4.3e-3 at 1e-2, +1.8e-3 at
    1e-4 with the 8-term fit)."""
    model = QuantumModel.from_parameters(delta=-1.0, gamma=gamma)
    bath_fits = fits(model)
    point = heom_point(model, 1, bath_fits)
    redfield = solve(EquationModel.from_model(model, "redfield-lamb-shift")).left_bath_current
    fit_error = max(
        max(abs(fit.power_spectrum_error), abs(fit.zero_frequency_error)) for fit in bath_fits
    )
    assert abs(point.left_bath_current - redfield) < (fit_error + gamma) * abs(redfield)


def test_fit_current_error_is_what_the_fit_does_to_the_weak_coupling_currents():
    """The reported fit error is large for the branch currents of the 8-term fit (they are
    O(gamma^0) here and set by the bath's rates and Lamb shift inside degenerate doublets) and
    HEOM's deviation from the exact-bath Redfield-Lamb-shift currents is of that size."""
    model = QuantumModel.from_parameters(delta=-1.0, gamma=1e-4)
    bath_fits = fits(model)
    error = fit_current_error(model, bath_fits)
    heom = heom_point(model, 1, bath_fits).currents()
    exact = currents(solve(EquationModel.from_model(model, "redfield-lamb-shift")))
    deviation = np.max(np.abs(heom - exact)) / np.max(np.abs(exact))
    assert error > 1e-3  # the 8-term fit does not resolve the branch currents to 1e-3
    assert abs(deviation - error) < 1e-2 * error


def integrated_twice(environment, times):
    """int_0^t ds int_0^s Re C(u) du for C(u) = sum_k c_k e^{-nu_k u} (the fitted exponentials)."""
    total = np.zeros_like(times, dtype=complex)
    for exponent in environment.exponents:
        if exponent.type.name == "R":
            amplitude = exponent.coefficient
        elif exponent.type.name == "RI":
            amplitude = exponent.coefficient
        else:
            continue
        rate = exponent.exponent
        total += amplitude * (np.exp(-rate * times) - 1 + rate * times) / rate**2
    return total.real


def test_independent_boson_coherence_decay_is_exact():
    frequency = 1.0
    fit = fit_bath(1.0, 0.05, 10.0, 6, "bath")
    hamiltonian = 0.5 * frequency * qutip.sigmaz()
    solver = HEOMSolver(hamiltonian, [(fit.environment, qutip.sigmaz())], max_depth=5)
    plus = (qutip.basis(2, 0) + qutip.basis(2, 1)).unit()
    times = np.linspace(0.0, 2.0, 41)
    result = solver.run(plus * plus.dag(), times)
    coherence = np.array([state.full()[0, 1] for state in result.states])
    expected = (
        0.5
        * np.exp(-1j * frequency * times)
        * np.exp(-4 * integrated_twice(fit.environment, times))
    )
    assert np.max(np.abs(coherence - expected)) < 1e-6
    assert abs(coherence[-1]) < 0.5 * 0.9  # the decay is visible, not a trivial pass


def test_protocol_flags_a_single_depth_as_not_converged():
    model = QuantumModel.from_parameters(nu=1, nd=1, up=2, delta=0.5)
    solution = heom_solve(model, depths=(1,), terms=(TERMS,))
    assert not solution.converged
    assert len(solution.table) == 1


def test_cli_heom_prints_currents_and_exits_2_when_undetermined():
    command = [sys.executable, "-m", "exactspin.cli.main", "quantum", "heom", "--json"]
    options = ["--gamma", "0.01", "--delta", "0.5", "--depths", "1", "--terms", str(TERMS)]
    output = subprocess.run(command + options, capture_output=True, text=True)
    assert output.returncode == 2
    assert "not converged" in output.stderr
    result = json.loads(output.stdout)
    for key in ("left_bath_current", "upper_branch_current", "lower_branch_current"):
        assert np.isfinite(result[key])
    assert result["circulation"] in ("clockwise", "anticlockwise", "parallel")
    assert result["parameters"]["gamma"] == 0.01
    assert result["versions"]["qutip"] == qutip.__version__
    assert len(result["convergence_table"]) == 1


@pytest.mark.slow
def test_depth_two_changes_the_currents_little_at_paper_coupling():
    model = QuantumModel.from_parameters(delta=0.5)
    bath_fits = fits(model)
    first = heom_point(model, 1, bath_fits).currents()
    second = heom_point(model, 2, bath_fits).currents()
    assert np.max(np.abs(second - first)) < 0.1 * np.max(np.abs(first))
