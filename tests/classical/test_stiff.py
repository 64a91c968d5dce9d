"""Stiff (low-temperature) classical rings: correct to the stated bound, or refused (issues 10, 12).

The reference is a 50-digit mpmath solve of the master equation built here from the scalar rules
(``rules.transitions`` for which moves exist, the energy coefficients for dE, exp in mpmath), one
closed class at a time with one balance equation replaced by the normalisation. It shares no
code with the solver's generator, lumping, refinement or bound.
"""

from __future__ import annotations

import json

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from exactspin.classical import ClassicalModel, rules, solve
from exactspin.classical.classes import closed_classes, transition_structure
from exactspin.classical.generator import all_site_flips
from exactspin.classical.model import CCA, Q2R
from exactspin.cli.main import main
from exactspin.ring import Ring
from exactspin.validation import ParameterError, ResourceError

DIGITS = 50


def reference_class_laws(model: ClassicalModel) -> list[dict[int, mpmath.mpf]]:
    """Every closed class's stationary law at 50 digits (classes as sets of states)."""
    count = model.state_count
    moves = {state: rules.transitions(model, state) for state in range(count)}
    unseen, laws = set(range(count)), []
    while unseen:
        start = min(unseen)
        members, frontier = {start}, [start]
        while frontier:  # every move of a ring is reversible, so reachability gives the class
            for _site, target, _rate in moves[frontier.pop()]:
                if target not in members:
                    members.add(target)
                    frontier.append(target)
        unseen -= members
        laws.append(_class_law(model, sorted(members), moves))
    return laws


def _mp_rate(model: ClassicalModel, state: int, site: int) -> mpmath.mpf:
    temperature = model.bath_temperature(site)
    if temperature is None:
        return mpmath.mpf(1)
    first, second = rules.flip_energy_coefficients(model, state, site)
    change = first * mpmath.mpf(model.upper_coupling) + second * mpmath.mpf(model.lower_coupling)
    return mpmath.mpf(1) if change <= 0 else mpmath.exp(-change / mpmath.mpf(temperature))


def _class_law(model, members, moves) -> dict[int, mpmath.mpf]:
    index = {state: k for k, state in enumerate(members)}
    size = len(members)
    with mpmath.workdps(DIGITS):
        matrix = mpmath.zeros(size, size)
        for state in members:
            for site, target, _rate in moves[state]:
                rate = _mp_rate(model, state, site)
                matrix[index[target], index[state]] += rate
                matrix[index[state], index[state]] -= rate
        for column in range(size):
            matrix[0, column] = mpmath.mpf(1)
        right_side = mpmath.zeros(size, 1)
        right_side[0] = mpmath.mpf(1)
        solution = mpmath.lu_solve(matrix, right_side)
        return {state: solution[index[state]] for state in members}


def reference_currents(model: ClassicalModel) -> dict[str, mpmath.mpf]:
    """I_L, I_R, I_U, I_D per step (Eqs. 6, 9) of the uniform mixture, at 50 digits."""
    ring = model.ring
    laws = reference_class_laws(model)
    with mpmath.workdps(DIGITS):
        totals = {"left": 0, "right": 0, "upper": 0, "lower": 0}
        for law in laws:
            weight = mpmath.mpf(len(law)) / model.state_count
            for state, probability in law.items():
                for site, _target, _rate in rules.transitions(model, state):
                    flow = weight * probability * _mp_rate(model, state, site) / model.sites
                    first, second = rules.flip_energy_coefficients(model, state, site)
                    change = first * mpmath.mpf(model.upper_coupling) + second * mpmath.mpf(
                        model.lower_coupling
                    )
                    first, second = rules.bond_transfer_coefficient(model, state, site)
                    transfer = first * mpmath.mpf(model.upper_coupling) + second * mpmath.mpf(
                        model.lower_coupling
                    )
                    if site == ring.left_node:
                        totals["left"] += change * flow
                    if site == ring.right_node:
                        totals["right"] += change * flow
                    if site == ring.upper_bonds[0]:
                        totals["upper"] += transfer * flow
                    if site == ring.lower_bonds[0]:
                        totals["lower"] += transfer * flow
        return totals


def assert_bounded_and_accurate(model: ClassicalModel, accuracy: float = 1e-10) -> None:
    """Each current's error vs the reference is within its bound, and the bound is small."""
    solution = solve(model)
    reference = reference_currents(model)
    for key, name in (
        ("left", "left_bath_current"),
        ("right", "right_bath_current"),
        ("upper", "upper_branch_current"),
        ("lower", "lower_branch_current"),
    ):
        ours, bound = getattr(solution, name), solution.error_bounds[name]
        error = abs(mpmath.mpf(ours) - reference[key])
        assert error <= bound, (name, ours, float(reference[key]), float(error), bound)
        assert bound <= accuracy * abs(float(reference[key])) or bound < 1e-14 * (
            solution.circulation_threshold / 1e-9
        ), (name, bound, float(reference[key]))
    assert solution.determined


STIFF_POINTS = [
    # Fig. 8 couplings (J1 = 2, J2 = 1) at T_L = 0.2, T_R = 0.1 = 0.05 |J| on small rings.
    dict(nu=1, nd=1, j1=2.0, j2=1.0, tl=0.2, tr=0.1),
    dict(nu=1, nd=2, j1=2.0, j2=1.0, tl=0.3, tr=0.15),
    dict(nu=2, nd=1, j1=2.0, j2=1.9, tl=0.1, tr=0.2),
    dict(nu=1, nd=0, j1=2.0, j2=1.0, tl=0.2, tr=0.1, dynamics=CCA, mu=4.0),
    dict(nu=1, nd=0, j1=2.0, j2=1.0, tl=0.2, tr=0.1, dynamics=CCA, mu=2.0),
]


@pytest.mark.parametrize("keywords", STIFF_POINTS)
def test_stiff_small_rings_match_a_50_digit_solve_within_the_reported_bound(keywords):
    assert_bounded_and_accurate(ClassicalModel.from_parameters(**keywords))


@st.composite
def low_temperature_models(draw) -> ClassicalModel:
    """Small rings with 0.05 |J| <= T <= 0.5 |J|, either sign of J, Q2R or CCA."""
    kind = draw(st.sampled_from((Q2R, CCA)))
    sites = draw(st.integers(3, 5 if kind == Q2R else 3))
    upper = draw(st.integers(0, sites - 2))
    if kind == CCA:
        grid = st.sampled_from((1.0, 2.0, -1.0, -2.0))
        j1, j2, mu = draw(grid), draw(grid), draw(st.sampled_from((1.0, 2.0, 4.0)))
    else:
        j1 = draw(st.floats(0.5, 2.0)) * draw(st.sampled_from((1.0, -1.0)))
        j2 = draw(st.floats(0.5, 2.0)) * draw(st.sampled_from((1.0, -1.0)))
        mu = None
    scale = max(abs(j1), abs(j2))
    left = draw(st.floats(0.05, 0.5)) * scale
    right = draw(st.floats(0.05, 0.5)) * scale
    return ClassicalModel(Ring(upper, sites - 2 - upper), j1, j2, left, right, kind, mu)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(low_temperature_models())
# Found by this property: near equilibrium the branch currents are ~1e-7 of the gross flux, and
# the bound charged the double-double current sum eps x gross, so a 1e-10-accurate solve was
# called undetermined.
@example(
    ClassicalModel(
        ring=Ring(upper_spins=0, lower_spins=1),
        upper_coupling=-1.0,
        lower_coupling=1.0,
        left_temperature=0.25,
        right_temperature=0.3125,
        dynamics=CCA,
        demon_unit=1.0,
    )
)
def test_the_reported_bound_bounds_the_error_at_low_temperature(model):
    """Property: |ours - 50-digit reference| <= reported bound, and the bound meets 1e-10."""
    assert_bounded_and_accurate(model)


def test_cold_baths_are_refused_instead_of_printing_null_currents(capsys):
    """Issue 10: T_L = T_R = 0.001 at J = 2 printed every current as null with exit status 0."""
    status = main(["classical", "solve", "--tl", "0.001", "--tr", "0.001", "--json"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert "'tl'" in captured.err and "T >=" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_closed_classes_come_from_the_rules_not_from_underflowing_rates():
    """Issue 10: at T = 0.01 the Fig. 5 ring (Q2R, ergodic) was reported as two classes."""
    model = ClassicalModel.from_parameters(tl=0.01, tr=0.01)
    decomposition = closed_classes(transition_structure(all_site_flips(model)))
    assert decomposition.count == 1
    assert decomposition.transient.size == 0


def test_a_coupling_beyond_double_precision_is_refused():
    """Issue 10: J1 = 1e308 reached a singular factorisation; now a ParameterError on j1."""
    with pytest.raises(ParameterError, match="'j1'"):
        solve(ClassicalModel.from_parameters(j1=1e308))
    assert main(["classical", "solve", "--j1", "1e308"]) == 2


def test_a_ring_far_beyond_memory_is_refused_with_the_estimate_not_an_overflow():
    """N_S = 1202 and N_S = 42: refused before any float conversion overflows.

    Beyond 62 sites the states cannot be numbered in 64 bits (refused first, naming nu, nd);
    below that, the memory estimate refuses with its size.
    """
    with pytest.raises(ParameterError, match="states"):
        solve(ClassicalModel(Ring(600, 600), 1.0, 1.0, 1.0, 1.0))
    with pytest.raises(ResourceError, match="GiB"):
        solve(ClassicalModel(Ring(20, 20), 1.0, 1.0, 1.0, 1.0))


def test_results_are_frozen_all_the_way_down():
    """Issue 10: editing solution arrays changed correlation(); now they are read-only."""
    solution = solve(ClassicalModel.from_parameters(nu=1, nd=1))
    before = solution.correlation(0, 1)
    state = solution.steady_state
    for array in (
        state.probabilities,
        state.conditional_probabilities,
        state.conditional_error_bounds,
        state.class_labels,
        state.class_weights,
    ):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0.5
    with pytest.raises(TypeError):
        solution.error_bounds["left_bath_current"] = 0.0
    with pytest.raises(TypeError):
        solution.class_currents[0].error_bounds["left_bath_current"] = 0.0
    assert solution.correlation(0, 1) == before


def test_cli_json_reports_every_class_with_its_size_and_currents(capsys):
    """Issue 10: the README promises per-class currents; --json showed only weights."""
    arguments = "--nu 1 --nd 0 --j2 1 --dynamics cca --mu 2 --tl 2 --tr 0.5 --json".split()
    assert main(["classical", "solve", *arguments]) == 0
    payload = json.loads(capsys.readouterr().out)
    model = ClassicalModel.from_parameters(nu=1, nd=0, j2=1.0, dynamics=CCA, mu=2.0, tr=0.5)
    assert sum(payload["class_sizes"]) == model.state_count
    assert len(payload["class_currents"]) == payload["closed_classes"] > 1
    reference = reference_class_laws(model)
    assert sorted(payload["class_sizes"]) == sorted(len(law) for law in reference)
    mixture = sum(
        entry["weight"] * entry["left_bath_current"] for entry in payload["class_currents"]
    )
    bound = payload["error_bounds"]["left_bath_current"]
    assert abs(mixture - payload["left_bath_current"]) <= bound + 1e-15 * abs(mixture)
    for entry in payload["class_currents"]:
        assert entry["size"] in payload["class_sizes"]
        assert set(entry["error_bounds"]) >= {"left_bath_current", "bond_currents"}


def test_every_probability_of_a_stiff_ring_is_within_its_bound():
    """The halved (spin-flip lumped) solve, spread back on all states, state by state."""
    model = ClassicalModel.from_parameters(nu=1, nd=1, j1=2.0, j2=1.0, tl=0.2, tr=0.1)
    solution = solve(model)
    state = solution.steady_state
    (law,) = reference_class_laws(model)
    for code, probability in law.items():
        error = abs(mpmath.mpf(state.probabilities[code]) - probability)
        assert error <= state.probability_error_bounds[code] + 1e-16 * float(probability)
        assert state.probability_error_bounds[code] <= 1e-10 * float(probability)


@pytest.mark.slow
@pytest.mark.parametrize("tl, tr", [(0.2, 0.1), (0.3, 0.15)])
def test_fig8_ring_at_low_temperature_is_solved_with_a_small_bound(tl, tr):
    """Issue 12: the Fig. 8 CCA ring (131072 states) ran past 300 s at these points.

    No 50-digit reference exists at this size, so the exact conservation laws are the check:
    I_L + I_R = 0, I_L = I_U - I_D and equal bond currents along a branch, within the bounds.
    """
    model = ClassicalModel.from_parameters(
        nu=2, nd=3, j1=2.0, j2=1.0, tl=tl, tr=tr, dynamics=CCA, mu=4.0
    )
    solution = solve(model)
    assert solution.determined
    bounds = solution.error_bounds
    assert abs(solution.left_bath_current + solution.right_bath_current) <= (
        bounds["left_bath_current"] + bounds["right_bath_current"]
    )
    kirchhoff = solution.upper_branch_current - solution.lower_branch_current
    assert abs(solution.left_bath_current - kirchhoff) <= (
        bounds["left_bath_current"]
        + bounds["upper_branch_current"]
        + bounds["lower_branch_current"]
    )
    ring = model.ring
    for bond in ring.upper_bonds:
        assert abs(solution.bond_currents[bond] - solution.upper_branch_current) <= (
            solution.bond_current_error_bounds[bond] + bounds["upper_branch_current"]
        )
    assert solution.relative_error_bound <= 1e-10


def test_progress_bar_goes_to_stderr_only_when_asked(capsys):
    """--progress draws a bar over the closed classes on stderr; stdout keeps the JSON alone."""
    arguments = ["classical", "solve", "--nu", "1", "--nd", "0", "--j2", "1", "--dynamics"]
    arguments += ["cca", "--mu", "2", "--json"]
    assert main([*arguments, "--progress"]) == 0
    captured = capsys.readouterr()
    assert "steady state" in captured.err
    assert json.loads(captured.out)["closed_classes"] == 4
    assert main(arguments) == 0
    assert capsys.readouterr().err == ""


def test_currents_beyond_the_asked_accuracy_are_reported_undetermined_not_printed(capsys):
    """A bound above --accuracy: one line on stderr, nothing on stdout, exit status 2."""
    status = main(["classical", "solve", "--nu", "1", "--nd", "1", "--accuracy", "1e-30"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err.startswith("exactspin: undetermined:")
    assert len(captured.err.strip().splitlines()) == 1
    solution = solve(ClassicalModel.from_parameters(nu=1, nd=1), accuracy=1e-30)
    assert not solution.determined
    assert solution.relative_error_bound > 1e-30
