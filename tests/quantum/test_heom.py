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
from exactspin.quantum.basis import sector_basis
from exactspin.quantum.equations import EquationModel
from exactspin.quantum.hamiltonian import ring_hamiltonian
from exactspin.quantum.heom import (
    FittedBathModel,
    conserved_operators,
    fit_bath,
    fit_current_error,
    heom_point,
    heom_solve,
)
from exactspin.quantum.steady_state import NonUniqueSteadyStateError

TERMS = 20


def fits(model, terms=TERMS):
    return tuple(
        fit_bath(temperature, model.coupling, model.cutoff, terms, tag)
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
    """Gamma_fit(D) = sum c/(nu + iD) against quadrature (QUADPACK's Fourier integrals to
    infinity) of QuTiP's own C_fit(t), and 2 Re Gamma_fit(D) against QuTiP's S_fit(-D)."""
    import scipy.integrate

    fit = fit_bath(1.0, 1.0, 10.0, 8, "b")

    def correlation(t, part):
        value = fit.environment.correlation_function(np.array([t]))[0]
        return value.real if part == "real" else value.imag

    def fourier(part, weight, energy):
        if energy == 0.0:
            if weight == "sin":
                return 0.0
            return scipy.integrate.quad(correlation, 0.0, np.inf, args=(part,), limit=2000)[0]
        return scipy.integrate.quad(
            correlation, 0.0, np.inf, args=(part,), weight=weight, wvar=energy, limlst=200
        )[0]

    for energy in (-4.0, 0.0, 1.5):
        # int (Re C + i Im C)(cos Dt - i sin Dt) dt
        expected = (
            fourier("real", "cos", energy)
            + fourier("imag", "sin", energy)
            + 1j * (fourier("imag", "cos", energy) - fourier("real", "sin", energy))
        )
        value = fit.transform(np.array([energy]))[0]
        assert abs(value - expected) < 1e-6 * abs(expected)
        spectrum = fit.environment.power_spectrum(np.array([-energy]))[0]
        assert abs(2 * value.real - spectrum) < 1e-9 * abs(expected)


@pytest.mark.parametrize("gamma", [1e-3, 1e-4])
def test_weak_coupling_limit_is_redfield_with_the_lamb_shift_of_the_fitted_bath(gamma):
    """As gamma -> 0 the hierarchy (QuTiP) tends to the Bloch-Redfield tensor with the Lamb shift
    (exactspin) for the same bath; the difference is O(gamma) (measured with the 20-term fit:
    7.5e-3 at 1e-3, 8.4e-4 at 1e-4, of max |current|). This checks the first-tier current
    formula and the sector hierarchy against an independent construction, free of the fit
    error."""
    model = QuantumModel.from_parameters(delta=-1.0, gamma=gamma)
    bath_fits = fits(model)
    heom = heom_point(model, 1, bath_fits).currents()
    weak = currents(solve(FittedBathModel.from_fits(model, bath_fits)))
    assert np.max(np.abs(heom - weak)) < 10 * gamma * np.max(np.abs(weak))


@pytest.mark.parametrize("gamma", [1e-2, 1e-4])
def test_weak_coupling_left_current_tends_to_redfield(gamma):
    """HEOM's I_L against Eq. 26 with the Lamb shift and W(0) = T for the exact bath: within what
    the fit alone does to I_L (the same equation with the fitted transform, no HEOM involved)
    plus O(gamma). Measured with the 20-term fit: HEOM/exact - 1 = -4e-5 at 1e-2, -2.3e-3 at
    1e-4, of which the fit accounts for -2.3e-3; the old 8-term uniform-grid fit made at each
    gamma missed by 28% at 1e-4."""
    model = QuantumModel.from_parameters(delta=-1.0, gamma=gamma)
    bath_fits = fits(model)
    point = heom_point(model, 1, bath_fits)
    exact = solve(EquationModel.from_model(model, "redfield-lamb-shift"))
    fitted = solve(FittedBathModel.from_fits(model, bath_fits))
    fit_effect = abs(fitted.left_bath_current - exact.left_bath_current)
    assert fit_effect < 5e-3 * abs(exact.left_bath_current)  # the fit resolves I_L
    scale = max(abs(value) for value in currents(exact))
    assert abs(point.left_bath_current - exact.left_bath_current) < fit_effect + 10 * gamma * scale


def test_fit_current_error_is_what_the_fit_does_to_the_weak_coupling_currents():
    """The reported fit error is large for the branch currents of an 8-term fit (they are
    O(gamma^0) here and set by the bath's rates and Lamb shift inside degenerate doublets) and
    HEOM's deviation from the exact-bath Redfield-Lamb-shift currents is of that size."""
    model = QuantumModel.from_parameters(delta=-1.0, gamma=1e-4)
    bath_fits = fits(model, terms=8)
    error = fit_current_error(model, bath_fits)
    heom = heom_point(model, 1, bath_fits).currents()
    exact = currents(solve(EquationModel.from_model(model, "redfield-lamb-shift")))
    deviation = np.max(np.abs(heom - exact)) / np.max(np.abs(exact))
    assert error > 1e-3  # an 8-term fit does not resolve the branch currents to 1e-3
    # |deviation - error| <= |HEOM - Redfield-LS of the fitted bath| = O(gamma) (triangle)
    assert abs(deviation - error) < 10 * model.coupling


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
    model = QuantumModel.from_parameters(nu=2, nd=1, up=2, delta=0.5)
    solution = heom_solve(model, depths=(1,), terms=(TERMS,))
    assert not solution.converged
    assert len(solution.table) == 1


def test_unconverged_protocol_never_labels_the_circulation():
    """Depth 1 -> 2 moves the currents by 1.1e-2 > tolerance and the 8-term fit's own error is
    6e-2: not converged. Both branch currents exceed the threshold (5e-4, from the fit error),
    so the old code printed "clockwise"; the last step of an unconverged sequence does not bound
    the error, so no flow pattern may be claimed."""
    model = QuantumModel.from_parameters(nu=2, nd=1, up=2, delta=0.5)
    solution = heom_solve(model, depths=(1, 2), terms=(8,))
    assert not solution.converged
    assert len({point.depth for point in solution.table}) == 2  # a depth step was measured
    threshold = solution.current_threshold
    # the threshold is the largest error source (here the fit's), not the last step alone
    last = solution.table[-1]
    assert solution.error_estimate == max(last.change, last.fit_current_error, last.solve_error)
    assert solution.error_estimate == last.fit_current_error
    scale = np.max(np.abs(last.currents()))
    assert threshold == pytest.approx(solution.error_estimate * scale, rel=1e-12)
    assert min(abs(solution.upper_branch_current), abs(solution.lower_branch_current)) > threshold
    assert solution.circulation == "undetermined"
    assert solution.to_dict()["circulation"] == "undetermined"


def test_equal_temperatures_report_no_relative_errors_of_zero_currents():
    """At T_L = T_R every current is zero by symmetry (rounding noise, ~1e-16); errors relative
    to it were noise / noise (0.385, 0.9) and looked like numbers. They are not defined."""
    model = QuantumModel.from_parameters(nu=2, nd=1, up=2, delta=0.5, tl=1.5, tr=1.5)
    result = heom_solve(model, depths=(1,), terms=(8,)).to_dict()
    assert result["currents_zero_by_symmetry"] is True
    assert result["circulation"] == "undetermined" and not result["converged"]
    row = result["convergence_table"][0]
    assert max(abs(row[key]) for key in ("left_bath_current", "upper_branch_current")) < 1e-12
    for key in ("change", "fit_current_error", "solve_error"):
        assert np.isnan(row[key])


def test_cli_heom_text_shows_no_nan_or_inf():
    """First row: no change to show; one depth: no threshold. Neither prints as nan / inf."""
    command = [sys.executable, "-m", "exactspin.cli.main", "quantum", "heom"]
    options = ["--nu", "2", "--nd", "1", "--up", "2", "--depths", "1", "--terms", "8"]
    output = subprocess.run(command + options, capture_output=True, text=True, timeout=120)
    assert output.returncode == 2
    lines = output.stdout.splitlines()
    assert any(line.split() == ["current_threshold", "undetermined"] for line in lines)
    assert "change n/a (first row)" in output.stdout
    for text in (output.stdout, output.stderr):
        assert "nan" not in text.lower().replace("nanoseconds", "")
        assert " inf" not in text


def test_a_dark_state_makes_the_steady_state_non_unique_and_is_refused():
    """4 sites, 1 up: (|up at 1> - |up at 3>)/sqrt 2 is an eigenstate of H that neither bath site
    sees, so its population is conserved and HEOM's LU picked a state with ~zero currents
    (I_L/gamma = 1e-3 against Redfield's 0.595 at gamma = 1e-4). It must be refused."""
    model = QuantumModel.from_parameters(nu=1, nd=1, up=1, delta=0.5)
    with pytest.raises(NonUniqueSteadyStateError, match="not unique"):
        heom_point(model, 1, fits(model, terms=8))
    for nu, nd, up, expected in ((1, 1, 1, 2), (1, 1, 2, 3), (2, 2, 2, 2), (2, 1, 3, 1)):
        ring = QuantumModel.from_parameters(nu=nu, nd=nd, up=up, delta=0.5)
        basis = sector_basis(ring.sites, ring.up_spins)
        hamiltonian = ring_hamiltonian(basis, ring.ring, ring.exchange, ring.anisotropy)
        couplings = [np.diag(basis.site_sz(site)).astype(float) for site in ring.bath_sites]
        assert conserved_operators(hamiltonian, couplings) == expected  # 2(1)3: the paper's, unique


def test_cli_heom_prints_currents_and_exits_2_when_undetermined():
    command = [sys.executable, "-m", "exactspin.cli.main", "quantum", "heom", "--json"]
    options = ["--gamma", "0.01", "--delta", "0.5", "--depths", "1", "--terms", str(TERMS)]
    output = subprocess.run(command + options, capture_output=True, text=True)
    assert output.returncode == 2
    assert "not converged" in output.stderr
    assert f"fitting both baths with {TERMS} AAA terms" in output.stderr  # progress before a fit
    result = json.loads(output.stdout)
    for key in ("left_bath_current", "upper_branch_current", "lower_branch_current"):
        assert np.isfinite(result[key])
    # one solve has no error estimate: the label must not claim a flow pattern
    assert result["circulation"] == "undetermined"
    assert result["parameters"]["gamma"] == 0.01
    assert result["versions"]["qutip"] == qutip.__version__
    assert len(result["convergence_table"]) == 1


@pytest.mark.parametrize(
    "options, parameter, allowed",
    [
        (["--terms", "1"], "terms", "[2, 64]"),  # no exponents: an IndexError inside QuTiP
        (["--terms", "100"], "terms", "[2, 64]"),  # 69 s of silent fitting
        (["--depths", "0"], "depths", ">= 1"),
    ],
)
def test_cli_heom_refuses_out_of_range_terms_and_depths_in_one_line(options, parameter, allowed):
    command = [sys.executable, "-m", "exactspin.cli.main", "quantum", "heom", "--delta", "0.5"]
    output = subprocess.run(command + options, capture_output=True, text=True, timeout=60)
    assert output.returncode == 2
    assert "Traceback" not in output.stderr
    assert "heom:" not in output.stderr  # refused before any fit or solve
    lines = output.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"parameter '{parameter}'" in lines[0] and allowed in lines[0]


def test_fit_terms_minimum_is_the_smallest_fit_with_exponents():
    """One AAA term gives no exponents (nothing for the hierarchy); two give some."""
    from exactspin.cli.quantum_heom import TERMS_RANGE
    from exactspin.quantum.heom import MAX_FIT_TERMS, MIN_FIT_TERMS
    from exactspin.validation import ParameterError

    assert TERMS_RANGE == (MIN_FIT_TERMS, MAX_FIT_TERMS)  # --help states the library's range

    assert fit_bath(1.0, 1.0, 10.0, MIN_FIT_TERMS, "b").exponents > 0
    with pytest.raises(ParameterError, match="terms"):
        fit_bath(1.0, 1.0, 10.0, MIN_FIT_TERMS - 1, "b")


@pytest.mark.slow
def test_depth_two_changes_the_currents_little_at_paper_coupling():
    model = QuantumModel.from_parameters(delta=0.5)
    bath_fits = fits(model, terms=8)  # depth 2 of the 20-term fit has 300k unknowns
    first = heom_point(model, 1, bath_fits).currents()
    second = heom_point(model, 2, bath_fits).currents()
    assert np.max(np.abs(second - first)) < 0.1 * np.max(np.abs(first))
