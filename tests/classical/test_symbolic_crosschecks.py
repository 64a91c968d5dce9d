"""The closed forms agree with independent numbers, and Ohm's law for J1 = J2 holds exactly.

Oracles: a dense float master equation built here from the energy of Eq. 2 alone (energy
differences, min(1, exp(-dE/T)), Q2R as "neighbours opposite"), and the numeric sparse solver
:func:`exactspin.classical.solve`. Neither shares code with the symbolic derivation.
"""

from __future__ import annotations

import functools
import importlib
import io
import itertools
import json
import math
from contextlib import redirect_stdout

import numpy as np
import pytest
import sympy as sp

from exactspin.classical.model import ClassicalModel
from exactspin.classical.symbolic import derive
from exactspin.classical.symbolic_model import RateVariables, SymbolicModel
from exactspin.cli.main import main
from exactspin.ring import Ring
from exactspin.validation import ParameterError, ResourceError

CURRENTS = ("left_bath_current", "upper_branch_current", "lower_branch_current")


@functools.cache
def derived(nu: int, nd: int, couplings: str):
    """Derivations shared between tests (each is deterministic)."""
    return derive(Ring(nu, nd), couplings=couplings)


def oracle_currents(nu: int, nd: int, j1: float, j2: float, tl: float, tr: float) -> dict:
    """I_L, I_U, I_D per update attempt from a dense generator built from Eq. 2 directly."""
    sites = nu + nd + 2
    right = nu + 1
    couplings = [j1 if bond <= nu else j2 for bond in range(sites)]

    def energy(spins):
        return -sum(couplings[b] * spins[b] * spins[(b + 1) % sites] for b in range(sites))

    configurations = list(itertools.product((-1, 1), repeat=sites))
    index = {c: k for k, c in enumerate(configurations)}
    flips = []  # (from, to, site, dE, rate)
    for spins in configurations:
        for site in range(sites):
            flipped = list(spins)
            flipped[site] = -spins[site]
            change = energy(flipped) - energy(spins)
            if site in (0, right):
                temperature = tl if site == 0 else tr
                rate = min(1.0, math.exp(-change / temperature))
            elif spins[site - 1] == -spins[(site + 1) % sites]:
                rate = 1.0
            else:
                continue
            flips.append((index[spins], index[tuple(flipped)], site, change, rate))
    size = len(configurations)
    generator = np.zeros((size, size))
    for source, target, _, _, rate in flips:
        generator[target, source] += rate
        generator[source, source] -= rate
    system = np.vstack([generator, np.ones(size)])
    probabilities = np.linalg.lstsq(system, np.eye(size + 1)[-1], rcond=None)[0]
    left = upper = lower = 0.0
    for source, _, site, change, rate in flips:
        spins = configurations[source]
        flow = rate * probabilities[source] / sites
        bond_energy = 2 * couplings[site] * spins[site] * spins[(site + 1) % sites]
        if site == 0:
            left += change * flow
            upper += bond_energy * flow
        if site == right:
            lower += bond_energy * flow
    return {"left_bath_current": left, "upper_branch_current": upper, "lower_branch_current": lower}


def assert_close(ours: dict, theirs: dict, rtol: float = 1e-9) -> None:
    scale = max(abs(theirs[name]) for name in CURRENTS)
    for name in CURRENTS:
        assert abs(ours[name] - theirs[name]) <= rtol * scale, name


POINTS = [(2.0, 1.9, 2.0, 0.1), (1.0, 1.7, 0.6, 3.0), (1.3, 1.3, 5.0, 0.7)]


@pytest.mark.parametrize("nu, nd", [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)])
def test_positive_couplings_closed_form_matches_dense_oracle(nu, nd):
    """One derivation (Piecewise on J1 >= J2) is exact on both sides of J1 = J2."""
    solution = derived(nu, nd, "positive")
    for j1, j2, tl, tr in POINTS:
        model = ClassicalModel.from_parameters(nu=nu, nd=nd, j1=j1, j2=j2, tl=tl, tr=tr)
        assert_close(solution.evaluate(model), oracle_currents(nu, nd, j1, j2, tl, tr))


@pytest.mark.parametrize(
    "nu, nd",
    [(2, 1)]
    + [pytest.param(nu, nd, marks=pytest.mark.slow) for nu, nd in [(3, 0), (1, 2), (0, 3)]],
)
def test_five_site_rings_with_unequal_couplings_match_dense_oracle(nu, nd):
    solution = derived(nu, nd, "upper_stronger")
    j1, j2, tl, tr = POINTS[0]
    model = ClassicalModel.from_parameters(nu=nu, nd=nd, j1=j1, j2=j2, tl=tl, tr=tr)
    assert_close(solution.evaluate(model), oracle_currents(nu, nd, j1, j2, tl, tr))


@pytest.mark.parametrize("nu, nd", [(3, 0), (2, 1), (1, 2), (0, 3)])
def test_five_site_symmetric_rings_match_dense_oracle(nu, nd):
    model = ClassicalModel.from_parameters(nu=nu, nd=nd, j1=1.0, j2=1.0, tl=3.0, tr=0.8)
    ours = derived(nu, nd, "symmetric").evaluate(model)
    assert_close(ours, oracle_currents(nu, nd, 1.0, 1.0, 3.0, 0.8))


def numeric_solve():
    solve = getattr(importlib.import_module("exactspin.classical"), "solve", None)
    if solve is None:
        pytest.skip("exactspin.classical.solve (numeric exact solver) is not available yet")
    return solve


@pytest.mark.parametrize("nu, nd", [(1, 0), (0, 1), (1, 1), (2, 0)])
def test_symbolic_equals_numeric_solver_q2r(nu, nd):
    solve = numeric_solve()
    for j1, j2, tl, tr in POINTS:
        model = ClassicalModel.from_parameters(nu=nu, nd=nd, j1=j1, j2=j2, tl=tl, tr=tr)
        numeric = solve(model)
        assert_close(derived(nu, nd, "positive").evaluate(model), vars(numeric))


@pytest.mark.parametrize("nu, nd", [(1, 0), (0, 1)])
def test_symbolic_equals_numeric_solver_cca_fig8_point(nu, nd):
    """CCA at J1 = 2, J2 = 1, mu = 4 (Fig. 8), exact couplings and symbolic temperatures."""
    solve = numeric_solve()
    model = ClassicalModel.from_parameters(
        nu=nu, nd=nd, j1=2.0, j2=1.0, tl=2.0, tr=0.5, dynamics="cca", mu=4.0
    )
    solution = derive(model)
    numeric = solve(model)
    assert solution.closed_classes == numeric.closed_classes
    assert_close(solution.evaluate(model), vars(numeric))


@pytest.mark.parametrize(
    "nu, nd", [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2), (3, 0), (2, 1), (1, 2), (0, 3)]
)
def test_ohms_law_branch_ratio_for_equal_couplings(nu, nd):
    """Fig. 4 / Sec. II D: I_U / I_D = -(N_D + 1) / (N_U + 1), exactly, for every N_S <= 5."""
    currents = derived(nu, nd, "symmetric").currents(physical=False)
    ratio = currents["upper_branch_current"] / currents["lower_branch_current"]
    assert sp.cancel(ratio + sp.Rational(nd + 1, nu + 1)) == 0


@pytest.mark.slow  # about 15 s per ring
@pytest.mark.parametrize("nu, nd", [(4, 0), (3, 1), (2, 2), (1, 3), (0, 4)])
def test_ohms_law_branch_ratio_six_sites(nu, nd):
    currents = derived(nu, nd, "symmetric").currents(physical=False)
    ratio = currents["upper_branch_current"] / currents["lower_branch_current"]
    assert sp.cancel(ratio + sp.Rational(nd + 1, nu + 1)) == 0


def test_ohms_law_fails_for_unequal_couplings_on_the_fig6_ring():
    """N_U = N_D = 1 with J1 > J2: the ratio depends on the temperatures, not only on bonds."""
    currents = derived(1, 1, "upper_stronger").currents(physical=False)
    ratio = sp.cancel(currents["upper_branch_current"] / currents["lower_branch_current"])
    assert ratio.free_symbols & {sp.Symbol("u_L", positive=True), sp.Symbol("v_L", positive=True)}


def test_undecidable_metropolis_sign_is_refused():
    variables = RateVariables.for_model(SymbolicModel(Ring(1, 1), couplings="upper_stronger"))
    with pytest.raises(ParameterError):
        variables.metropolis_exponents(0, 2, -6)


def test_model_violating_the_assumption_is_refused():
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=1.0, j2=2.0, tl=1.0, tr=2.0)
    with pytest.raises(ParameterError):
        derived(1, 0, "symmetric").evaluate(model)


def test_cca_needs_exact_couplings_and_large_rings_are_refused():
    with pytest.raises(ParameterError):
        SymbolicModel(Ring(1, 0), "cca", "symmetric", demon_unit=4)
    with pytest.raises(ResourceError):
        derive(Ring(6, 5), couplings="symmetric")


def test_cli_json_gives_eq14_in_exponential_variables():
    output = io.StringIO()
    with redirect_stdout(output):
        assert main(["classical", "derive", "--json"]) == 0
    payload = json.loads(output.getvalue())
    names = {name: sp.Symbol(name, positive=True) for name in payload["symbols"]}
    left = sp.sympify(payload["currents"]["left_bath_current"], locals=names)
    x_l, x_r, coupling = names["x_L"], names["x_R"], names["J"]
    # Eq. 14 with x = exp(-2 J beta): J sinh(2J(b_R - b_L)) / D = J (x_L^2 - x_R^2) / (3x_L^2 + ...)
    assert sp.cancel(left - coupling * (x_l**2 - x_r**2) / (3 * x_l**2 + 3 * x_r**2 + 2)) == 0


def test_cli_latex_is_an_align_block():
    output = io.StringIO()
    with redirect_stdout(output):
        assert main(["classical", "derive", "--latex"]) == 0
    assert "\\begin{align*}" in output.getvalue() and "I_{L}" in output.getvalue()
