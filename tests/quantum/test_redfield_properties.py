"""Invariants of the Redfield steady state over small rings, sectors, Delta and temperatures."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from exactspin.quantum import QuantumModel, solve

rings = st.sampled_from([(1, 1), (2, 1), (1, 2)])
deltas = st.floats(-3.0, 3.0, allow_nan=False)
temperatures = st.floats(0.3, 3.0, allow_nan=False)
conventions = st.sampled_from(["limit", "zero"])


@st.composite
def models(draw, equal_temperatures=False):
    nu, nd = draw(rings)
    sites = nu + nd + 2
    up = draw(st.integers(1, sites - 1))
    tl = draw(temperatures)
    tr = tl if equal_temperatures else draw(temperatures)
    return QuantumModel.from_parameters(
        nu=nu, nd=nd, up=up, delta=draw(deltas), tl=tl, tr=tr, zero_frequency=draw(conventions)
    )


@settings(max_examples=8, deadline=None, derandomize=True)
@given(models())
def test_steady_state_is_a_density_matrix_and_currents_obey_conservation(model):
    solution = solve(model)
    state = solution.steady_state
    rho = state.density_matrix
    assert abs(np.trace(rho) - 1) < 1e-12
    assert state.hermiticity_error < 1e-10
    assert state.residual < 1e-12
    scale = model.coupling * max(model.bath_temperatures) * max(1.0, abs(model.anisotropy))
    # energy conservation: what one bath gives, the other takes (Eq. 35)
    assert abs(solution.left_bath_current + solution.right_bath_current) < 1e-10 * scale
    ring = model.ring
    for branch in (ring.upper_bulk_sites, ring.lower_bulk_sites):
        values = [solution.site_currents[site] for site in branch]
        assert max(values) - min(values) < 1e-10 * scale
    # Kirchhoff at the left node in the clockwise convention
    kirchhoff = solution.upper_branch_current - solution.lower_branch_current
    assert abs(solution.left_bath_current - kirchhoff) < 1e-10 * scale
    assert solution.ergotropy_sector >= -1e-12
    assert solution.ergotropy_full >= solution.ergotropy_sector - 1e-12
    assert 0.0 <= solution.concurrence(0, 1) <= 1.0
    assert abs(sum(solution.site_magnetization) - (2 * model.up_spins - model.sites)) < 1e-10


@settings(max_examples=5, deadline=None, derandomize=True)
@given(models(equal_temperatures=True))
def test_no_current_flows_between_baths_at_equal_temperature(model):
    """At T_L == T_R the exact currents vanish (detailed balance): each computed current lies
    within its error bound of 0, so no sign and no circulation label can be claimed."""
    solution = solve(model)
    for current, bound in (
        (solution.left_bath_current, solution.left_bath_current_bound),
        (solution.upper_branch_current, solution.upper_branch_current_bound),
        (solution.lower_branch_current, solution.lower_branch_current_bound),
    ):
        assert abs(current) <= bound
    assert solution.circulation == "undetermined"


@settings(max_examples=4, deadline=None, derandomize=True)
@given(deltas, conventions)
def test_spin_flip_3up2down_to_2up3down_leaves_the_total_current_unchanged(delta, convention):
    """Fig. 10b: reversing the magnetization keeps I_L (H shifts by a constant, S -> -S)."""
    currents = [
        solve(
            QuantumModel.from_parameters(up=up, delta=delta, zero_frequency=convention)
        ).left_bath_current
        for up in (3, 2)
    ]
    assert abs(currents[0] - currents[1]) < 1e-12
