"""Properties of the exact numeric classical solver (sparse generator + steady state).

Each test states the invariant it checks. Expected values come from the scalar rules
(``rules.transitions``, the slow obviously-right twin of the vectorised generator), from the
Boltzmann law, or from symmetries of the ring, never from the solver itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from strategies import classical_models

from exactspin.classical import ClassicalModel, rules, solve, states, steady_state
from exactspin.classical.classes import class_weights, closed_classes
from exactspin.classical.generator import generator_matrix
from exactspin.classical.model import CCA
from exactspin.ring import Ring
from exactspin.validation import ParameterError, ResourceError

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True)

#: Exact solves agree with exact invariants to round-off; currents relative to the gross flux.
ROUND_OFF = 1e-10


def scalar_generator(model: ClassicalModel) -> np.ndarray:
    """W of Eq. 4 built state by state from ``rules.transitions`` (dense)."""
    count = model.state_count
    matrix = np.zeros((count, count))
    for state in range(count):
        for _site, target, rate in rules.transitions(model, state):
            matrix[target, state] += rate
            matrix[state, state] -= rate
    return matrix


def current_scale(solution) -> float:
    """The one-way energy traffic the net currents are differences of (per step)."""
    return solution.circulation_threshold / 1e-9 + 1e-300


def mirrored(model: ClassicalModel) -> ClassicalModel:
    """Reflection through the bath-bath axis: upper <-> lower branch, J1 <-> J2."""
    ring = Ring(model.ring.lower_spins, model.ring.upper_spins)
    return ClassicalModel(
        ring,
        model.lower_coupling,
        model.upper_coupling,
        model.left_temperature,
        model.right_temperature,
        model.dynamics,
        model.demon_unit,
    )


def with_temperatures(model: ClassicalModel, left: float, right: float) -> ClassicalModel:
    return ClassicalModel(
        model.ring,
        model.upper_coupling,
        model.lower_coupling,
        left,
        right,
        model.dynamics,
        model.demon_unit,
    )


def total_energy(model: ClassicalModel, state: int) -> float:
    """Eq. 17 plus the demons' mu * d of Eq. 20, from the state encoding (test-side)."""
    ring = model.ring
    energy = 0.0
    for bond in range(ring.sites):
        first, second = ring.bond_sites(bond)
        energy -= model.bond_coupling(bond) * states.spin(state, first) * states.spin(state, second)
    for site in model.demon_sites:
        energy += model.demon_unit * states.demon(model, state, site)
    return energy


@PROPERTY
@given(classical_models())
def test_vectorised_generator_equals_the_scalar_rules(model):
    """The sparse generator implements exactly the moves and rates of rules.transitions."""
    fast = generator_matrix(model).toarray()
    np.testing.assert_allclose(fast, scalar_generator(model), rtol=1e-14, atol=0)


@PROPERTY
@given(classical_models())
def test_probability_is_conserved(model):
    """Columns of W sum to zero; the steady state is a nonnegative, normalised null vector."""
    generator = generator_matrix(model)
    column_sums = np.asarray(generator.sum(axis=0)).ravel()
    assert np.abs(column_sums).max() <= 1e-12 * model.sites
    state = steady_state(model)
    assert np.all(state.probabilities >= 0)
    assert state.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.abs(generator @ state.probabilities).sum() <= 1e-12 * model.sites
    for index in range(state.closed_classes):
        law = state.class_distribution(index)
        assert law.sum() == pytest.approx(1.0, abs=1e-12)
        assert np.all(law[state.class_labels != index] == 0)


@PROPERTY
@given(classical_models())
def test_energy_is_conserved_bath_to_bath(model):
    """I_L + I_R = 0: bulk flips conserve energy, so what one bath gives the other takes."""
    solution = solve(model)
    scale = current_scale(solution)
    assert abs(solution.left_bath_current + solution.right_bath_current) <= ROUND_OFF * scale


@PROPERTY
@given(classical_models())
def test_every_bond_of_a_branch_carries_the_same_current(model):
    """Stationary bond energies: each bulk spin passes on exactly what it receives."""
    solution = solve(model)
    scale = current_scale(solution)
    ring = model.ring
    for bonds, branch in (
        (ring.upper_bonds, solution.upper_branch_current),
        (ring.lower_bonds, solution.lower_branch_current),
    ):
        for bond in bonds:
            assert abs(solution.bond_currents[bond] - branch) <= ROUND_OFF * scale


@PROPERTY
@given(classical_models())
def test_kirchhoff_left_current_splits_into_the_branches(model):
    """I_L = I_U - I_D (clockwise convention for both branch currents)."""
    solution = solve(model)
    scale = current_scale(solution)
    difference = solution.upper_branch_current - solution.lower_branch_current
    assert abs(solution.left_bath_current - difference) <= ROUND_OFF * scale


@PROPERTY
@given(classical_models(equal_temperatures=True))
def test_equal_temperatures_give_boltzmann_and_no_current(model):
    """T_L = T_R = T: each closed class is Boltzmann, exp(-E/T), and every current vanishes."""
    solution = solve(model)
    state = solution.steady_state
    temperature = model.left_temperature
    energy = np.array([total_energy(model, s) for s in range(model.state_count)])
    for index in range(state.closed_classes):
        members = state.class_labels == index
        boltzmann = np.exp(-(energy[members] - energy[members].min()) / temperature)
        np.testing.assert_allclose(
            state.conditional_probabilities[members], boltzmann / boltzmann.sum(), rtol=1e-9
        )
    scale = current_scale(solution)
    currents = (solution.left_bath_current, *solution.bond_currents)
    assert max(abs(c) for c in currents) <= ROUND_OFF * scale
    assert solution.circulation == "parallel"
    assert math.isnan(solution.magnification_ratio)


@PROPERTY
@given(classical_models())
def test_mirror_swaps_the_branches_and_reverses_circulation(model):
    """Reflecting through the bath axis (N_U <-> N_D, J1 <-> J2): I_U' = -I_D, I_D' = -I_U."""
    original, image = solve(model), solve(mirrored(model))
    scale = current_scale(original)
    assert abs(image.left_bath_current - original.left_bath_current) <= ROUND_OFF * scale
    assert abs(image.upper_branch_current + original.lower_branch_current) <= ROUND_OFF * scale
    assert abs(image.lower_branch_current + original.upper_branch_current) <= ROUND_OFF * scale
    assert image.closed_classes == original.closed_classes


@PROPERTY
@given(classical_models())
def test_swapping_the_baths_reverses_every_current(model):
    """Left-right reflection with T_L <-> T_R: the same ring run backwards, all currents flip."""
    original = solve(model)
    swapped = solve(with_temperatures(model, model.right_temperature, model.left_temperature))
    scale = current_scale(original)
    assert abs(swapped.left_bath_current + original.left_bath_current) <= ROUND_OFF * scale
    assert abs(swapped.upper_branch_current + original.upper_branch_current) <= ROUND_OFF * scale
    assert abs(swapped.lower_branch_current + original.lower_branch_current) <= ROUND_OFF * scale


@PROPERTY
@given(classical_models())
def test_global_spin_flip_leaves_the_steady_state_unchanged(model):
    """P(eta) = P(-eta): the energy and the rules are even in the spins (demons untouched)."""
    probabilities = steady_state(model).probabilities
    all_spins = (1 << model.sites) - 1
    flipped = np.arange(model.state_count) ^ all_spins
    np.testing.assert_allclose(probabilities[flipped], probabilities, rtol=1e-9, atol=1e-15)


@PROPERTY
@given(classical_models())
def test_continuous_time_currents_are_n_s_times_the_per_step_ones(model):
    """unit="step" is continuous time divided by N_S (one attempt per step, N_S per unit time)."""
    step, continuous = solve(model), solve(model, unit="continuous")
    assert continuous.unit == "continuous"
    np.testing.assert_allclose(
        np.array(continuous.bond_currents), model.sites * np.array(step.bond_currents), rtol=1e-12
    )


def test_correlations_are_averages_of_spin_products():
    """<s_i s_j> (Eq. 18): 1 on the diagonal, and within [-1, 1]; symmetric in i, j."""
    solution = solve(ClassicalModel.from_parameters())
    assert solution.correlation(3, 3) == pytest.approx(1.0)
    assert solution.correlation(1, 2) == pytest.approx(solution.correlation(2, 1))
    assert -1 <= solution.correlation(0, 4) <= 1
    with pytest.raises(ParameterError, match="second"):
        solution.correlation(0, 7)


def test_direct_and_krylov_solvers_agree():
    """Sparse LU and BiCGSTAB give the same currents (N_S = 10, Fig. 5 couplings)."""
    model = ClassicalModel.from_parameters(nu=3, nd=5)
    direct, krylov = solve(model, method="direct"), solve(model, method="iterative")
    assert direct.steady_state.method == "direct"
    assert krylov.steady_state.method == "iterative"
    np.testing.assert_allclose(krylov.bond_currents, direct.bond_currents, rtol=1e-9)


def test_q2r_rings_have_one_closed_class():
    for nu, nd in ((1, 0), (0, 1), (2, 3), (3, 3), (0, 6)):
        assert steady_state(ClassicalModel.from_parameters(nu=nu, nd=nd)).closed_classes == 1


def test_transient_mass_flows_into_the_classes_it_can_reach():
    """0 -> 1 at rate 1 and 0 -> 2 at rate 3 (1, 2 absorbing): state 0 splits 1/4 : 3/4."""
    generator = sp.csr_matrix(np.array([[-4.0, 0, 0], [1.0, 0, 0], [3.0, 0, 0]]))
    decomposition = closed_classes(generator)
    assert decomposition.count == 2
    assert list(decomposition.labels) == [-1, 0, 1]
    weights = class_weights(generator, decomposition, np.full(3, 1 / 3))
    np.testing.assert_allclose(weights, [1 / 3 + 1 / 12, 1 / 3 + 3 / 12])


def test_initial_distribution_decides_the_class_weights():
    """CCA at mu = 4 (J1 = 2, J2 = 1): starting inside one class gives that class's law."""
    model = ClassicalModel.from_parameters(nu=1, nd=1, j2=1.0, dynamics=CCA, mu=4.0)
    uniform = steady_state(model)
    assert uniform.closed_classes > 1
    sizes = np.bincount(uniform.class_labels)
    np.testing.assert_allclose(uniform.class_weights, sizes / sizes.sum())
    start = np.zeros(model.state_count)
    start[np.flatnonzero(uniform.class_labels == 1)[0]] = 1.0
    focused = steady_state(model, initial=start)
    np.testing.assert_allclose(focused.class_weights, np.eye(uniform.closed_classes)[1])
    np.testing.assert_allclose(focused.probabilities, uniform.class_distribution(1), atol=1e-15)


def test_oversized_rings_are_refused_before_any_work():
    model = ClassicalModel.from_parameters(nu=20, nd=20)
    with pytest.raises(ResourceError, match="GiB"):
        solve(model)
    with pytest.raises(ResourceError, match="memory_limit_bytes"):
        solve(ClassicalModel.from_parameters(), memory_limit_bytes=1000)


def test_memory_limit_can_be_set_from_the_environment(monkeypatch):
    monkeypatch.setenv("EXACTSPIN_MEMORY_LIMIT_BYTES", "1000")
    with pytest.raises(ResourceError, match="EXACTSPIN_MEMORY_LIMIT_BYTES"):
        steady_state(ClassicalModel.from_parameters())


@pytest.mark.parametrize(
    ("keywords", "parameter"),
    [
        ({"unit": "seconds"}, "unit"),
        ({"method": "magic"}, "method"),
        ({"initial": np.ones(3)}, "initial"),
        ({"initial": -np.ones(128) / 128}, "initial"),
    ],
)
def test_bad_arguments_name_the_parameter(keywords, parameter):
    with pytest.raises(ParameterError, match=f"'{parameter}'"):
        solve(ClassicalModel.from_parameters(), **keywords)
