"""Exact spectra of the uniform ring (Eq. 22) against independent numerics and the paper.

Oracles: a Kronecker-product Hamiltonian built here from Pauli matrices (the obviously-right
twin), the sector Hamiltonian of exactspin.quantum.hamiltonian, mpmath's 40-digit symmetric
eigensolver, textbook closed forms (one magnon, the diagonal J = 0 limit) and the paper's
Fig. 11a (5 sites, 3 up).
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import pytest
import sympy

from exactspin.quantum.basis import sector_basis
from exactspin.quantum.hamiltonian import ring_hamiltonian
from exactspin.quantum.spectrum import (
    ANISOTROPY,
    EXCHANGE,
    ExactSpectrum,
    distinct_levels,
    exact_levels,
)
from exactspin.ring import Ring
from exactspin.validation import ParameterError

SECTORS = [(sites, up) for sites in range(2, 7) for up in range(sites + 1)]
RELATIVE_TOLERANCE = 1e-10

PAULI_X = np.array([[0.0, 1.0], [1.0, 0.0]])
PAULI_Y = np.array([[0.0, -1.0j], [1.0j, 0.0]])
PAULI_Z = np.diag([1.0, -1.0])  # basis (up, down): up has sz = +1


def site_operator(single: np.ndarray, site: int, sites: int) -> np.ndarray:
    """``single`` on ``site`` (0-based), identity elsewhere; site 0 is the leftmost factor."""
    factors = [np.eye(2)] * sites
    factors[site] = single
    return functools.reduce(np.kron, factors)


def kronecker_sector_hamiltonian(sites: int, up: int, exchange: float, delta: float) -> np.ndarray:
    """Eq. 22 on the full 2^N space from Pauli Kronecker products, restricted to ``up`` up."""
    dimension = 2**sites
    hamiltonian = np.zeros((dimension, dimension), dtype=complex)
    projector_up = (np.eye(2) + PAULI_Z) / 2
    for bond in range(sites):
        a, b = bond, (bond + 1) % sites
        for pauli in (PAULI_X, PAULI_Y):
            hamiltonian += (
                exchange * site_operator(pauli, a, sites) @ site_operator(pauli, b, sites)
            )
        hamiltonian += (
            delta * site_operator(projector_up, a, sites) @ site_operator(projector_up, b, sites)
        )
    # Kronecker index bit (sites - 1 - i) is 0 when site i is up.
    ups = np.array([sites - bin(index).count("1") for index in range(dimension)])
    chosen = np.flatnonzero(ups == up)
    return hamiltonian[np.ix_(chosen, chosen)]


def expanded(values: list[tuple[object, int]]) -> np.ndarray:
    """Every level repeated by its multiplicity, as floats, ascending."""
    return np.sort([float(value) for value, multiplicity in values for _ in range(multiplicity)])


def random_points(count: int, seed: int) -> list[tuple[float, float]]:
    generator = np.random.default_rng(seed)
    return [tuple(generator.uniform(-3.0, 3.0, size=2)) for _ in range(count)]


@pytest.mark.parametrize(("sites", "up"), SECTORS)
def test_closed_forms_match_kronecker_and_sector_hamiltonians(sites, up):
    spectrum = exact_levels(sites, up)
    for exchange, delta in random_points(3, seed=100 * sites + up):
        exact = expanded(spectrum.evaluate(exchange, delta))
        twin = np.linalg.eigvalsh(kronecker_sector_hamiltonian(sites, up, exchange, delta))
        sector = np.linalg.eigvalsh(
            ring_hamiltonian(sector_basis(sites, up), Ring(sites - 2, 0), exchange, delta)
        )
        scale = max(1.0, np.max(np.abs(twin)))
        np.testing.assert_allclose(exact, twin, rtol=0, atol=RELATIVE_TOLERANCE * scale)
        np.testing.assert_allclose(exact, sector, rtol=0, atol=RELATIVE_TOLERANCE * scale)


@pytest.mark.parametrize(("sites", "up"), SECTORS)
def test_multiplicities_fill_the_sector_and_pair_momenta_plus_minus_k(sites, up):
    spectrum = exact_levels(sites, up)
    assert spectrum.dimension == math.comb(sites, up)
    for level in spectrum.levels:
        assert len(level.momenta) == level.multiplicity
        # Time reversal: momentum k and -k are degenerate.
        assert sorted(level.momenta) == sorted((-k) % sites for k in level.momenta)


@pytest.mark.parametrize(("sites", "up"), [(5, 3), (6, 3), (6, 2)])
def test_thirty_digits_agree_with_mpmath_eigensolver(sites, up):
    exchange, delta = "0.7", "-1.3"
    spectrum = exact_levels(sites, up)
    with mpmath.workdps(40):
        # H = J * hopping + Delta * diagonal; both have small-integer entries, exact in binary.
        hopping = mpmath.matrix(
            ring_hamiltonian(sector_basis(sites, up), Ring(sites - 2, 0), 1.0, 0.0).tolist()
        )
        diagonal = mpmath.matrix(
            ring_hamiltonian(sector_basis(sites, up), Ring(sites - 2, 0), 0.0, 1.0).tolist()
        )
        full = mpmath.mpf(exchange) * hopping + mpmath.mpf(delta) * diagonal
        reference = sorted(mpmath.eigsy(full, eigvals_only=True))
        exact = [v for v, m in spectrum.evaluate(exchange, delta, digits=30) for _ in range(m)]
        for value, expected in zip(exact, reference, strict=True):
            assert abs(value - expected) < mpmath.mpf(10) ** -28 * max(1, abs(expected))


@pytest.mark.parametrize("sites", range(2, 7))
def test_one_up_spin_is_a_free_magnon(sites):
    # E(k) = 4 J cos(2 pi k / N): hopping amplitude 2J to each of the two neighbours.
    spectrum = exact_levels(sites, 1)
    expected: dict[sympy.Expr, int] = {}
    for k in range(sites):
        energy = sympy.nsimplify(4 * sympy.cos(2 * sympy.pi * k / sites)) * EXCHANGE
        expected[energy] = expected.get(energy, 0) + 1
    found = {
        sympy.nsimplify(sympy.simplify(level.energy)): level.multiplicity
        for level in spectrum.levels
    }
    assert {sympy.simplify(e): m for e, m in found.items()} == {
        sympy.simplify(e): m for e, m in expected.items()
    }


def test_ferromagnetic_sectors_are_exact_numbers():
    assert [level.energy for level in exact_levels(5, 5).levels] == [5 * ANISOTROPY]
    assert [level.energy for level in exact_levels(5, 0).levels] == [0]


def test_particle_hole_shifts_the_spectrum_by_delta_times_n_minus_two_up():
    # n -> 1 - n maps sum n_i n_(i+1) to N - 2m + sum n_i n_(i+1); the hopping is unchanged.
    for sites, up in [(5, 2), (6, 1), (6, 2)]:
        low = exact_levels(sites, up).evaluate("0.9", "1.7")
        high = exact_levels(sites, sites - up).evaluate("0.9", "1.7")
        with mpmath.workdps(40):
            shift = mpmath.mpf("1.7") * (sites - 2 * up)
            for (a, ma), (b, mb) in zip(low, high, strict=True):
                assert ma == mb
                assert abs(b - (a + shift)) < mpmath.mpf(10) ** -25


def test_diagonal_limit_j_zero_counts_up_up_bonds():
    # At J = 0 the closed cubic forms are 0/0 (triple roots); evaluation falls back to the factors.
    spectrum = exact_levels(6, 3)
    delta = 1.5
    states = sector_basis(6, 3).states
    expected = sorted(
        delta * sum((int(s) >> i & 1) and (int(s) >> ((i + 1) % 6) & 1) for i in range(6))
        for s in states
    )
    np.testing.assert_allclose(expanded(spectrum.evaluate(0, delta)), expected, atol=1e-20)


class TestFigure11a:
    """Paper Sec. III D, Fig. 11a: 5 sites, 3 up; E4 and E5 cross at Delta = 0 (J = 1)."""

    spectrum: ExactSpectrum = exact_levels(5, 3)

    def test_six_distinct_levels_four_of_them_doublets(self):
        multiplicities = sorted(level.multiplicity for level in self.spectrum.levels)
        assert multiplicities == [1, 1, 2, 2, 2, 2]

    def ordered_at(self, delta: str) -> list[sympy.Expr]:
        values = [
            (_value(level.energy, "1", delta), level.energy) for level in self.spectrum.levels
        ]
        return [energy for _, energy in sorted(values, key=lambda pair: pair[0])]

    def test_e4_and_e5_are_exactly_equal_at_delta_zero(self):
        above = self.ordered_at("0.01")
        e4, e5 = above[3], above[4]
        at_zero = {EXCHANGE: 1, ANISOTROPY: 0}
        assert sympy.simplify(sympy.sqrtdenest(e4.subs(at_zero) - e5.subs(at_zero))) == 0
        assert sympy.simplify(sympy.sqrtdenest(e4.subs(at_zero))) == 2

    def test_e4_and_e5_swap_order_through_delta_zero(self):
        above, below = self.ordered_at("0.01"), self.ordered_at("-0.01")
        assert above[3] == below[4] and above[4] == below[3]
        assert above[:3] == below[:3] and above[5] == below[5]

    def test_the_crossing_makes_a_fourfold_level_at_delta_zero(self):
        merged = distinct_levels(self.spectrum.evaluate(1, 0), tolerance=1e-25)
        assert [m for _, m in merged] == [2, 1, 2, 4, 1]
        assert abs(merged[3][0] - 2) < mpmath.mpf(10) ** -29


def _value(expression: sympy.Expr, exchange: str, delta: str) -> mpmath.mpf:
    with mpmath.workdps(40):
        return sympy.N(
            expression.subs(
                {EXCHANGE: sympy.Rational(exchange), ANISOTROPY: sympy.Rational(delta)}
            ),
            40,
        )


def test_numeric_parameters_are_substituted_exactly():
    spectrum = exact_levels(4, 2, exchange=1, anisotropy=0.1)
    assert spectrum.anisotropy == sympy.Rational(1, 10)
    energies = sorted(sympy.N(level.energy, 30) for level in spectrum.levels)
    # Delta/2 -+ sqrt(Delta^2 + 128 J^2)/2 (k = 0), 0 (k = 2, odd parity), Delta (x3).
    assert energies[0] == sympy.N(
        sympy.Rational(1, 20) - sympy.sqrt(sympy.Rational(12801, 100)) / 2, 30
    )


def test_distinct_levels_merges_close_neighbours_and_adds_multiplicities():
    merged = distinct_levels([(1.0, 2), (1.0 + 1e-14, 2), (3.0, 1), 5.0], tolerance=1e-12)
    assert merged == [(1.0, 4), (3.0, 1), (5.0, 1)]


@pytest.mark.parametrize(
    ("arguments", "parameter"),
    [
        ((1, 0), "n"),
        ((5, 6), "up"),
        ((5, -1), "up"),
        ((5, 2, float("nan")), "j"),
        ((5, 2, EXCHANGE, "x"), "delta"),
    ],
)
def test_bad_parameters_are_named(arguments, parameter):
    with pytest.raises(ParameterError) as error:
        exact_levels(*arguments)
    assert error.value.parameter == parameter


def test_evaluation_needs_every_symbolic_parameter():
    with pytest.raises(ParameterError) as error:
        exact_levels(4, 2).evaluate(exchange=1)
    assert error.value.parameter == "delta"
    with pytest.raises(ParameterError) as error:
        exact_levels(4, 2, exchange=1).evaluate(exchange=2, anisotropy=0)
    assert error.value.parameter == "j"
