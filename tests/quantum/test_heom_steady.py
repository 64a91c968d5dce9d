"""The GMRES steady state of QuTiP's HEOM generator against QuTiP's own sparse LU.

The linear system is QuTiP's (``HEOMSolver.rhs`` with its trace row); only the solver differs,
so the two solutions differ by the two solves' errors. Each error is estimated from its
residual by the same preconditioned correction e = M^{-1}(b - A x); the tests check that the
difference is within those estimates, and that the estimate itself tracks the true error of a
deliberately loose solve.
"""

import numpy as np
import pytest
import qutip
from qutip.solver.heom import HEOMSolver

from exactspin.quantum import QuantumModel
from exactspin.quantum.basis import sector_basis
from exactspin.quantum.hamiltonian import ring_hamiltonian
from exactspin.quantum.heom import fit_bath, heom_point
from exactspin.quantum.heom_steady import (
    KRYLOV_TOLERANCE,
    HierarchyLayout,
    KrylovNotConverged,
    TierBlockILU,
    check_memory,
    krylov_steady_state,
    memory_estimate,
    trace_condition_system,
)
from exactspin.validation import ResourceError


def hierarchy(nu, nd, up, terms, depth, gamma=1e-2, delta=0.5):
    model = QuantumModel.from_parameters(nu=nu, nd=nd, up=up, delta=delta, gamma=gamma)
    fits = [
        fit_bath(temperature, model.coupling, model.cutoff, terms, tag)
        for temperature, tag in zip(model.bath_temperatures, ("left", "right"), strict=True)
    ]
    basis = sector_basis(model.sites, model.up_spins)
    hamiltonian = ring_hamiltonian(basis, model.ring, model.exchange, model.anisotropy)
    couplings = [np.diag(basis.site_sz(site)).astype(float) for site in model.bath_sites]
    baths = [(fit.environment, qutip.Qobj(q)) for fit, q in zip(fits, couplings, strict=True)]
    solver = HEOMSolver(qutip.Qobj(hamiltonian), baths, max_depth=depth)
    return model, fits, hamiltonian, solver


def estimated_error(solver, hamiltonian, vector):
    """||M^{-1}(b - A x)||: the residual-based error estimate of any solution vector x."""
    matrix, right = trace_condition_system(solver)
    system = solver.L_sys(0).to("CSR").data.as_scipy()
    preconditioner = TierBlockILU(matrix, system, hamiltonian, solver.ados.labels, solver.ados.vk)
    return np.linalg.norm(preconditioner.solve(right - matrix @ vector))


def compare_with_lu(solver, hamiltonian, **options):
    _, lu_state = solver.steady_state(use_mkl=False)
    lu = lu_state._ado_state.reshape(-1)
    _, state, report = krylov_steady_state(solver, hamiltonian, **options)
    krylov = state._ado_state.reshape(-1)
    return krylov, lu, report


# (sites up, down, up spins, fit terms, depth): the paper's ring at depth 1 (preconditioner
# exact, one GMRES step), and a 5-site, 1-up-spin sector (d = 5) at depth 2 where the dropped
# ILU fill makes GMRES iterate; both small enough for QuTiP's LU.
@pytest.mark.parametrize(
    "case",
    [
        pytest.param((2, 1, 3, 8, 1), id="paper-ring-depth1"),
        pytest.param((2, 1, 1, 4, 2), id="d5-depth2"),
        # QuTiP's LU takes ~25-35 s on these (fill-in), GMRES < 1 s
        pytest.param((2, 1, 1, 4, 3), id="d5-depth3", marks=pytest.mark.slow),
        pytest.param((2, 1, 3, 4, 2), id="paper-ring-depth2", marks=pytest.mark.slow),
    ],
)
def test_krylov_equals_qutip_lu_within_both_error_estimates(case):
    *ring, terms, depth = case
    _, _, hamiltonian, solver = hierarchy(*ring, terms, depth)
    krylov, lu, report = compare_with_lu(solver, hamiltonian)
    assert report.residual <= KRYLOV_TOLERANCE
    krylov_error = np.linalg.norm(report.correction)
    lu_error = estimated_error(solver, hamiltonian, lu)
    difference = np.linalg.norm(krylov - lu)
    assert difference <= 10 * (krylov_error + lu_error)
    # the estimates are of the size the tolerance allows (conditioning ~1/gamma), so the
    # comparison is tight, not vacuous
    assert krylov_error < 1e3 * KRYLOV_TOLERANCE * np.linalg.norm(krylov)


def test_error_estimate_tracks_the_true_error_of_a_loose_solve():
    """Stopped at a residual of 1e-4, the solve's true error (against LU, whose own error is
    ~1e-13) is the estimated one within a factor 3."""
    _, _, hamiltonian, solver = hierarchy(2, 1, 1, 4, 2)
    krylov, lu, report = compare_with_lu(solver, hamiltonian, tolerance=1e-4)
    estimate = np.linalg.norm(report.correction)
    true_error = np.linalg.norm(krylov - lu)
    assert estimated_error(solver, hamiltonian, lu) < 1e-3 * true_error
    assert true_error / 3 < estimate < 3 * true_error


def test_heom_point_currents_agree_between_krylov_and_lu():
    model, fits, _, _ = hierarchy(2, 1, 1, 4, 2)
    krylov = heom_point(model, 2, tuple(fits), method="krylov")
    lu = heom_point(model, 2, tuple(fits), method="lu")
    scale = np.max(np.abs(lu.currents()))
    assert 0 < krylov.solve_error < 1e3 * KRYLOV_TOLERANCE
    assert np.max(np.abs(krylov.currents() - lu.currents())) <= 10 * krylov.solve_error * scale
    assert krylov.solve["iterations"] > 1  # depth 2: GMRES had to iterate


def test_unconverged_gmres_raises_instead_of_returning_a_state():
    _, _, hamiltonian, solver = hierarchy(2, 1, 1, 4, 2)
    with pytest.raises(KrylovNotConverged, match="undetermined"):
        krylov_steady_state(solver, hamiltonian, restart=2, restarts=1)


def test_too_large_hierarchy_is_refused_with_its_estimate_before_building():
    """Depth 3 of the 20-term fits (76 exponents) on the paper's ring: 7.9e6 unknowns."""
    layout = HierarchyLayout(exponents=76, depth=3, dimension=10)
    assert layout.ados == 79079
    with pytest.raises(ResourceError, match="GB"):
        check_memory(layout, system_entries=800, limit=3e9)
    model = QuantumModel.from_parameters(delta=0.5)
    fits = tuple(
        fit_bath(temperature, model.coupling, model.cutoff, 20, tag)
        for temperature, tag in zip(model.bath_temperatures, ("left", "right"), strict=True)
    )
    with pytest.raises(ResourceError, match="79079 ADOs"):
        heom_point(model, 3, fits)


def test_memory_estimate_counts_the_generator_the_blocks_and_the_krylov_basis():
    small = HierarchyLayout(exponents=12, depth=2, dimension=5)
    assert small.ados == 91 and small.inner_ados == 13 and small.links == 156
    # the Krylov basis alone: (restart + 6) vectors of 91 * 25 complex numbers
    assert memory_estimate(small, 100, restart=10) >= 16 * 16 * 91 * 25
    assert memory_estimate(small, 100, restart=20) > memory_estimate(small, 100, restart=10)


def test_cli_defaults_are_the_protocols():
    from exactspin.cli import quantum_heom
    from exactspin.quantum import heom

    assert quantum_heom.DEFAULT_DEPTHS == heom.DEFAULT_DEPTHS
    assert quantum_heom.DEFAULT_TERMS == heom.DEFAULT_TERMS


def test_protocol_raises_terms_at_the_depth_before_the_converged_step():
    """Depth steps at the fewest terms; once D-1 -> D changes the currents by < tolerance the
    terms are raised at D-1, each terms row compared with the previous row at that depth, and
    the depth step stays in the error estimate."""
    from exactspin.quantum.heom import heom_solve

    model = QuantumModel.from_parameters(nu=2, nd=1, up=1, delta=0.5, gamma=1e-3)
    solution = heom_solve(model, depths=(1, 2, 3), terms=(4, 6), tolerance=0.05)
    table = solution.table
    depth_rows = [row for row in table if row.terms == 4]
    terms_rows = [row for row in table if row.terms == 6]
    converged_step = next(row for row in depth_rows[1:] if row.change < 0.05)
    assert terms_rows and all(row.depth == converged_step.depth - 1 for row in terms_rows)
    base = next(row for row in depth_rows if row.depth == converged_step.depth - 1)
    scale = max(np.max(np.abs(terms_rows[0].currents())), np.max(np.abs(base.currents())))
    expected = np.max(np.abs(terms_rows[0].currents() - base.currents())) / scale
    assert terms_rows[0].change == pytest.approx(expected)
    assert solution.left_bath_current == terms_rows[-1].left_bath_current
    relative = solution.current_threshold / np.max(np.abs(terms_rows[-1].currents()))
    assert relative >= converged_step.change
