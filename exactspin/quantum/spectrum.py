"""Exact energy levels of the uniform modified XXZ ring (Eq. 22), in closed form.

The levels of one magnetization sector are found as functions of the symbols J and Delta:
the sector is block-diagonalised by translation (momentum k) and, at k = 0 and k = N_S/2, by
reflection (:mod:`exactspin.quantum.momentum`); each block's characteristic polynomial is reduced
to the real field Q(2 cos(2 pi / N_S)) and factored over it; every irreducible factor of degree
<= 4 is solved in radicals, written so that each root is real for all real J and Delta (the
blocks are similar to Hermitian matrices). Identical factors in different blocks (always the
momentum pair +-k) make one level with the summed multiplicity: these are the generic
multiplicities; at special Delta (level crossings) more levels can coincide, see
:func:`distinct_levels`.

These closed forms are oracles for the numeric solvers; this module does no dynamics.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import mpmath
import sympy

from exactspin.quantum.momentum import ROOT_OF_UNITY, SymmetryBlock, momentum_blocks
from exactspin.validation import ParameterError, ResourceError, require_integer

#: Default symbols of the xy coupling J and the anisotropy Delta (Eq. 22).
EXCHANGE = sympy.Symbol("J", real=True)
ANISOTROPY = sympy.Symbol("Delta", real=True)

#: Largest ring attempted; beyond it the blocks are far past the degree-4 frontier.
MAX_SITES = 12

#: Largest symmetry block whose characteristic polynomial is factored (cost grows fast).
MAX_BLOCK_DIMENSION = 10

#: Largest irreducible factor degree solvable in radicals for symbolic coefficients.
MAX_SOLVABLE_DEGREE = 4

_ENERGY = sympy.Symbol("E")


class NoClosedFormError(ParameterError):
    """The sector has an irreducible block factor of degree > 4: no closed form in radicals."""


class Level(NamedTuple):
    """One generic energy level.

    Attributes
    ----------
    energy : sympy.Expr
        The level as a closed form in the spectrum's J and Delta.
    multiplicity : int
        Its generic degeneracy (for symbolic J, Delta).
    momenta : tuple of int
        The momentum k (T = exp(2 pi i k / N_S)) of each of its states; length = multiplicity.
    """

    energy: sympy.Expr
    multiplicity: int
    momenta: tuple[int, ...]


@dataclass(frozen=True)
class BlockFactor:
    """An irreducible factor of block characteristic polynomials and where it occurs.

    Attributes
    ----------
    polynomial : sympy.Poly
        Monic in the energy E, coefficients in Q(2 cos(2 pi / N_S))[J, Delta].
    blocks : tuple of (int, int or None)
        (momentum, parity) of every block containing it, repeated by its power there.
    """

    polynomial: sympy.Poly
    blocks: tuple[tuple[int, int | None], ...]

    @property
    def degree(self) -> int:
        """Degree in the energy."""
        return self.polynomial.degree(_ENERGY)


@dataclass(frozen=True)
class ExactSpectrum:
    """The exact spectrum of one sector of the uniform ring (Eq. 22).

    Attributes
    ----------
    sites : int
        N_S.
    up_spins : int
        Number of up spins of the sector.
    exchange, anisotropy : sympy.Expr
        J and Delta: symbols, or exact numbers substituted into the closed forms.
    levels : tuple of Level
        The generic levels, ordered by their value at J = 1, Delta = 1/10 (for the parameters
        left symbolic).
    factors : tuple of BlockFactor
        The block factors (in the generic symbols :data:`EXCHANGE`, :data:`ANISOTROPY`).
    level_factors : tuple of int
        For each level, the index in ``factors`` of the factor it is a root of.
    """

    sites: int
    up_spins: int
    exchange: sympy.Expr
    anisotropy: sympy.Expr
    levels: tuple[Level, ...]
    factors: tuple[BlockFactor, ...] = field(repr=False)
    level_factors: tuple[int, ...] = field(repr=False)

    @property
    def dimension(self) -> int:
        """Sector dimension C(N_S, up) = sum of multiplicities."""
        return sum(level.multiplicity for level in self.levels)

    def parameters(self) -> dict[str, object]:
        """The CLI parameters that produced this spectrum (symbols and numbers as strings)."""
        return {
            "n": self.sites,
            "up": self.up_spins,
            "j": str(self.exchange),
            "delta": str(self.anisotropy),
        }

    def numeric_levels(
        self, exchange: object = None, anisotropy: object = None, digits: int = 30
    ) -> list[tuple[mpmath.mpf, Level]]:
        """Every generic level's value at given J and Delta, ascending, with the level.

        Parameters
        ----------
        exchange, anisotropy : number or str, optional
            Values of J and Delta, required exactly for those the spectrum keeps symbolic.
            Strings are read at full precision ("0.1" is one tenth, not the nearest double).
        digits : int
            Significant decimal digits of the values (the working precision is higher).

        Notes
        -----
        Where a closed form is singular (0/0 at a triple root, e.g. J = 0), the roots of that
        level's block factor are found numerically at the same precision instead.
        """
        digits = require_integer("digits", digits, 1, 1000)
        with mpmath.workdps(digits + 20):
            arguments = {}
            generic = {}
            for name, symbol, generic_symbol, value in (
                ("j", self.exchange, EXCHANGE, exchange),
                ("delta", self.anisotropy, ANISOTROPY, anisotropy),
            ):
                if isinstance(symbol, sympy.Symbol):
                    arguments[symbol] = generic[generic_symbol] = _mp_real(name, value)
                elif value is not None:
                    raise ParameterError(name, value, f"omitted: the spectrum fixes it to {symbol}")
                else:
                    generic[generic_symbol] = _mp_real(name, sympy.N(symbol, mpmath.mp.dps))
            values = [_evaluate_expression(level.energy, arguments) for level in self.levels]
            for index in {self.level_factors[i] for i, v in enumerate(values) if v is None}:
                members = [i for i, f in enumerate(self.level_factors) if f == index]
                roots = _numeric_roots(self.factors[index].polynomial, generic)
                for member, root in zip(members, roots, strict=True):
                    values[member] = root
        with mpmath.workdps(digits):
            pairs = [(+value, level) for value, level in zip(values, self.levels, strict=True)]
        return sorted(pairs, key=lambda pair: pair[0])

    def evaluate(
        self, exchange: object = None, anisotropy: object = None, digits: int = 30
    ) -> list[tuple[mpmath.mpf, int]]:
        """The generic levels at given J and Delta, ascending, with their generic multiplicities.

        Coinciding levels (crossings, e.g. Fig. 11a at Delta = 0) are not merged; see
        :func:`distinct_levels`. Arguments as in :meth:`numeric_levels`.
        """
        return [
            (value, level.multiplicity)
            for value, level in self.numeric_levels(exchange, anisotropy, digits)
        ]

    def latex(self) -> str:
        """The levels as a LaTeX ``align*`` environment, one line per level."""
        lines = [
            rf"E_{{{index}}} &= {sympy.latex(level.energy)} "
            rf"&& \text{{multiplicity {level.multiplicity}, }} k \in \{{"
            + ", ".join(str(k) for k in sorted(set(level.momenta)))
            + r"\}"
            for index, level in enumerate(self.levels, start=1)
        ]
        return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"

    def pretty(self) -> str:
        """The levels as readable text, one paragraph per level."""
        parts = [
            f"{self.sites} sites, {self.up_spins} up: {self.dimension} states, "
            f"{len(self.levels)} generic levels (J = {self.exchange}, Delta = {self.anisotropy})"
        ]
        for index, level in enumerate(self.levels, start=1):
            momenta = ", ".join(str(k) for k in sorted(set(level.momenta)))
            parts.append(
                f"E{index}  (multiplicity {level.multiplicity}, k = {momenta})\n"
                + sympy.pretty(level.energy, use_unicode=True)
            )
        return "\n\n".join(parts)


def exact_levels(
    sites: int,
    up: int,
    exchange: object = EXCHANGE,
    anisotropy: object = ANISOTROPY,
) -> ExactSpectrum:
    """The exact levels of the sector with ``up`` up spins on a uniform ring of ``sites`` spins.

    Parameters
    ----------
    sites : int
        N_S >= 2 (at most :data:`MAX_SITES`).
    up : int
        Number of up spins (sz = +1), 0..N_S.
    exchange, anisotropy : sympy.Symbol or real number
        J and Delta of Eq. 22. Symbols keep the levels as functions of them; numbers are
        substituted exactly (floats and strings through their decimal form, 0.1 -> 1/10).

    Returns
    -------
    ExactSpectrum
        Levels with generic multiplicities and momentum labels.

    Raises
    ------
    ParameterError
        Bad ``sites``, ``up``, ``exchange`` or ``anisotropy`` (names n, up, j, delta).
    NoClosedFormError
        Some block has an irreducible factor of degree > 4 (see :func:`largest_factor_degree`).
    ResourceError
        A block is larger than :data:`MAX_BLOCK_DIMENSION`.
    """
    sites = require_integer("n", sites, 2, MAX_SITES)
    up = require_integer("up", up, 0, sites)
    exchange = _exact_parameter("j", exchange)
    anisotropy = _exact_parameter("delta", anisotropy)
    return _exact_spectrum(sites, up, exchange, anisotropy)


@functools.lru_cache(maxsize=256)
def _exact_spectrum(
    sites: int, up: int, exchange: sympy.Expr, anisotropy: sympy.Expr
) -> ExactSpectrum:
    factors = block_factors(sites, up)
    worst = max(factors, key=lambda factor: factor.degree)
    if worst.degree > MAX_SOLVABLE_DEGREE:
        raise NoClosedFormError(
            "n",
            sites,
            f"a ring whose sector up={up} has block factors of degree <= {MAX_SOLVABLE_DEGREE} "
            f"(momentum {worst.blocks[0][0]} has an irreducible factor of degree {worst.degree})",
        )
    substitutions = {EXCHANGE: exchange, ANISOTROPY: anisotropy}
    entries = [
        (Level(energy.subs(substitutions), len(factor.blocks), _momenta(factor)), index)
        for index, factor in enumerate(factors)
        for energy in _generic_roots(factor.polynomial)
    ]
    reference = {
        symbol: value
        for symbol, value in ((exchange, 1), (anisotropy, sympy.Rational(1, 10)))
        if isinstance(symbol, sympy.Symbol)
    }
    with mpmath.workdps(30):
        keys = [_evaluate_expression(level.energy, reference) for level, _ in entries]
    order = sorted(range(len(entries)), key=lambda i: (keys[i] is None, keys[i] or 0))
    return ExactSpectrum(
        sites,
        up,
        exchange,
        anisotropy,
        tuple(entries[i][0] for i in order),
        factors,
        tuple(entries[i][1] for i in order),
    )


def largest_factor_degree(sites: int, up: int) -> int:
    """The largest irreducible factor degree over the sector's symmetry blocks.

    The sector has closed-form levels (in radicals, for symbolic J and Delta) when this is
    <= 4; above 4 the factors are generic polynomials with a non-solvable Galois group
    unless they happen to be special, which this function does not try to decide.
    """
    return max(factor.degree for factor in block_factors(sites, up))


def distinct_levels(
    values: Iterable[tuple[object, int] | object], tolerance: float
) -> list[tuple[object, int]]:
    """Merge levels closer than ``tolerance`` (absolute) and add their multiplicities.

    Parameters
    ----------
    values : iterable
        Level values, or (value, multiplicity) pairs such as :meth:`ExactSpectrum.evaluate`
        returns; plain values count once each.
    tolerance : float
        Neighbours (in ascending order) closer than this are one level: a chain of close
        neighbours is merged into one group.

    Returns
    -------
    list of (value, multiplicity)
        Ascending; each group's value is its lowest member.
    """
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance >= 0):
        raise ParameterError("tolerance", tolerance, "a finite number >= 0")
    pairs = sorted(
        (item if isinstance(item, tuple) else (item, 1) for item in values),
        key=lambda pair: pair[0],
    )
    merged: list[tuple[object, int]] = []
    previous = None
    for value, multiplicity in pairs:
        if merged and abs(value - previous) <= tolerance:
            merged[-1] = (merged[-1][0], merged[-1][1] + multiplicity)
        else:
            merged.append((value, multiplicity))
        previous = value
    return merged


@functools.cache
def block_factors(sites: int, up: int) -> tuple[BlockFactor, ...]:
    """The irreducible factors of every symmetry block's characteristic polynomial.

    Factors are over Q(2 cos(2 pi / N_S)), in the symbols :data:`EXCHANGE` and
    :data:`ANISOTROPY`, monic in the energy. A factor found in several blocks (or with a power
    in one) is listed once with all its blocks. Cached per (sites, up) for the session.
    """
    sites = require_integer("n", sites, 2, MAX_SITES)
    up = require_integer("up", up, 0, sites)
    blocks = momentum_blocks(sites, up, EXCHANGE, ANISOTROPY)
    largest = max(block.dimension for block in blocks)
    if largest > MAX_BLOCK_DIMENSION:
        raise ResourceError(
            f"sector n={sites}, up={up} has a symmetry block of dimension {largest}; exact "
            f"factorisation is limited to dimension {MAX_BLOCK_DIMENSION}"
        )
    generator = field_generator(sites)
    field = sympy.QQ if generator.is_Rational else sympy.QQ.algebraic_field(generator)
    element = field.from_sympy(generator)
    found: dict[sympy.Poly, list[tuple[int, int | None]]] = {}
    for block in blocks:
        # det(E - block) is homogeneous in (E, J, Delta) and J does not divide it (at J = 0 it
        # is prod(E - Delta * bonds)), so factoring at J = 1 and homogenising loses nothing and
        # is much faster than factoring in three variables.
        dehomogenised: dict[tuple[int, int], object] = {}
        for (energy, _, anisotropy), betas in _real_characteristic_coefficients(block).items():
            value = sum(
                (field.convert(beta) * element**power for power, beta in enumerate(betas)),
                field.zero,
            )
            dehomogenised[(energy, anisotropy)] = (
                dehomogenised.get((energy, anisotropy), field.zero) + value
            )
        polynomial = sympy.Poly.from_dict(dehomogenised, _ENERGY, ANISOTROPY, domain=field)
        for piece, power in polynomial.factor_list()[1]:
            homogeneous = sympy.Poly(piece.as_expr(), _ENERGY, ANISOTROPY).homogenize(EXCHANGE)
            monic = sympy.Poly(homogeneous.as_expr(), _ENERGY, EXCHANGE, ANISOTROPY).monic()
            key = next((known for known in found if _same_polynomial(known, monic)), monic)
            found.setdefault(key, []).extend([(block.momentum, block.parity)] * power)
    factors = tuple(BlockFactor(polynomial, tuple(labels)) for polynomial, labels in found.items())
    dimension = sum(factor.degree * len(factor.blocks) for factor in factors)
    assert dimension == math.comb(sites, up), "blocks must cover the sector"
    return factors


def field_generator(sites: int) -> sympy.Expr:
    """2 cos(2 pi / N_S), which generates the real field of every block's coefficients."""
    return 2 * sympy.cos(2 * sympy.pi / sites)


def _real_characteristic_coefficients(
    block: SymmetryBlock,
) -> dict[tuple[int, ...], tuple[sympy.Rational, ...]]:
    """det(E - block) with w = exp(2 pi i / N_S) eliminated in favour of c = 2 cos(2 pi / N_S).

    The coefficients lie in Q(w) and are real (the block is similar to a Hermitian matrix),
    hence in Q(c), c = w + 1/w. Each coefficient is reduced modulo the cyclotomic polynomial
    and rewritten in the basis 1, c, c^2, ... by exact linear algebra over Q.

    Returns
    -------
    dict
        (power of E, power of J, power of Delta) -> rational coordinates (beta_0, beta_1, ...)
        of the coefficient sum_j beta_j c^j.
    """
    sites = block.sites
    w = ROOT_OF_UNITY
    cyclotomic = sympy.Poly(sympy.cyclotomic_poly(sites, w), w)
    order = cyclotomic.degree()
    real_order = max(1, order // 2)
    c_powers = [
        sympy.Poly((w + w ** (sites - 1)) ** power, w).rem(cyclotomic)
        for power in range(real_order)
    ]
    basis = sympy.Matrix(
        [[_coefficient(c_power, degree) for c_power in c_powers] for degree in range(order)]
    )
    characteristic = sympy.Poly(
        block.matrix.charpoly(_ENERGY).as_expr(), _ENERGY, EXCHANGE, ANISOTROPY
    )
    coordinates = {}
    for monomial, coefficient in characteristic.terms():
        reduced = sympy.Poly(coefficient, w).rem(cyclotomic)
        target = sympy.Matrix([_coefficient(reduced, degree) for degree in range(order)])
        solution = (basis.T * basis).solve(basis.T * target)
        assert basis * solution == target, "block coefficients must be real"
        coordinates[monomial] = tuple(solution)
    return coordinates


def _coefficient(polynomial: sympy.Poly, degree: int) -> sympy.Rational:
    return polynomial.coeff_monomial(polynomial.gens[0] ** degree)


def _same_polynomial(first: sympy.Poly, second: sympy.Poly) -> bool:
    return sympy.expand(first.as_expr() - second.as_expr()) == 0


def _generic_roots(polynomial: sympy.Poly) -> list[sympy.Expr]:
    """The roots of a monic factor in E, as expressions real for all real J, Delta.

    Degree 2 and 3 roots come in ascending order (square root; trigonometric form of the
    cubic with three real roots). Degree 4 uses the resolvent cubic, whose roots
    z_i = (y_a + y_b)^2 are real and >= 0 when the quartic's four roots y are real.
    """
    coefficients = [sympy.factor(c) for c in sympy.Poly(polynomial.as_expr(), _ENERGY).all_coeffs()]
    degree = len(coefficients) - 1
    if degree == 1:
        return [-coefficients[1]]
    if degree == 2:
        _, b, c = coefficients
        root = sympy.sqrt(sympy.factor(b**2 - 4 * c)) / 2
        return [-b / 2 - root, -b / 2 + root]
    if degree == 3:
        _, a, b, c = coefficients
        return [
            -a / 3 + t
            for t in _depressed_cubic_roots(
                sympy.factor(b - a**2 / 3), sympy.factor(2 * a**3 / 27 - a * b / 3 + c)
            )
        ]
    if degree == 4:
        _, a, b, c, d = coefficients
        p = sympy.factor(b - 3 * a**2 / 8)
        q = sympy.factor(a**3 / 8 - a * b / 2 + c)
        r = sympy.factor(-3 * a**4 / 256 + a**2 * b / 16 - a * c / 4 + d)
        resolvent = _depressed_cubic_roots(
            sympy.factor(p**2 - 4 * r - (2 * p) ** 2 / 3),
            sympy.factor(2 * (2 * p) ** 3 / 27 - 2 * p * (p**2 - 4 * r) / 3 - q**2),
        )
        u1, u2, u3 = (sympy.sqrt(t - 2 * p / 3) for t in resolvent)
        u3 = sympy.sign(-q) * u3
        return [
            -a / 4 + (s1 * u1 + s2 * u2 + s1 * s2 * u3) / 2
            for s1, s2 in ((-1, -1), (-1, 1), (1, -1), (1, 1))
        ]
    raise AssertionError("degrees above 4 are rejected before solving")


def _depressed_cubic_roots(p: sympy.Expr, q: sympy.Expr) -> list[sympy.Expr]:
    """Roots of t^3 + p t + q with three real roots (p <= 0), ascending (Viete's form)."""
    amplitude = 2 * sympy.sqrt(-p / 3)
    angle = sympy.acos(3 * q / (2 * p) * sympy.sqrt(-3 / p)) / 3
    return [amplitude * sympy.cos(angle - 2 * sympy.pi * branch / 3) for branch in (2, 1, 0)]


def _momenta(factor: BlockFactor) -> tuple[int, ...]:
    """One momentum per state of a level: each block contributes one state per root."""
    return tuple(sorted(momentum for momentum, _ in factor.blocks))


def _exact_parameter(name: str, value: object) -> sympy.Expr:
    """A symbol stays symbolic; a real number becomes an exact sympy number."""
    if isinstance(value, sympy.Symbol):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str, sympy.Number)):
        raise ParameterError(name, value, "a sympy Symbol or a finite real number")
    try:
        number = sympy.Rational(str(value)) if isinstance(value, (float, str)) else value
    except (TypeError, ValueError):
        raise ParameterError(name, value, "a sympy Symbol or a finite real number") from None
    number = sympy.sympify(number)
    if not (number.is_real and number.is_finite):
        raise ParameterError(name, value, "a sympy Symbol or a finite real number")
    return number


def _parameter_value(value: sympy.Expr) -> object:
    """A parameter for JSON: the symbol's name, or the exact number as a string."""
    return str(value)


def _mp_real(name: str, value: object) -> mpmath.mpf:
    """``value`` as an mpmath real at the current precision (strings read exactly)."""
    if value is None:
        raise ParameterError(name, value, "a finite real number (the spectrum keeps it symbolic)")
    try:
        number = mpmath.mpf(str(value)) if isinstance(value, str) else mpmath.mpf(value)
    except (TypeError, ValueError):
        raise ParameterError(name, value, "a finite real number") from None
    if not mpmath.isfinite(number):
        raise ParameterError(name, value, "a finite real number")
    return number


@functools.lru_cache(maxsize=4096)
def _compiled(expression: sympy.Expr, symbols: tuple[sympy.Symbol, ...]):
    return sympy.lambdify(symbols, expression, modules="mpmath")


def _evaluate_expression(
    expression: sympy.Expr, arguments: dict[sympy.Symbol, mpmath.mpf]
) -> mpmath.mpf | None:
    """The real value of a closed form at the current precision, or None where it is singular.

    Closed forms built from real radicals and arccos can be 0/0 at exceptional points (e.g. a
    triple root) or pick up a round-off imaginary part near a double root; an imaginary part
    above 1e-(dps/2) relative means the form is singular there.
    """
    symbols = tuple(sorted(expression.free_symbols, key=lambda symbol: symbol.name))
    unknown = [symbol for symbol in symbols if symbol not in arguments]
    if unknown:
        raise ParameterError(str(unknown[0]), None, "a value for every free symbol")
    try:
        value = mpmath.mpmathify(_compiled(expression, symbols)(*(arguments[s] for s in symbols)))
    except (ZeroDivisionError, ValueError):
        return None
    real, imaginary = mpmath.re(value), mpmath.im(value)
    if not mpmath.isfinite(real) or abs(imaginary) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * max(
        1, abs(real)
    ):
        return None
    return real


def _numeric_roots(polynomial: sympy.Poly, arguments: dict) -> list[mpmath.mpf]:
    """Real roots, ascending, of a block factor at given J and Delta, at the current precision."""
    coefficients = [
        mpmath.mpf(sympy.N(c.subs(arguments), mpmath.mp.dps + 10))
        for c in sympy.Poly(polynomial.as_expr(), _ENERGY).all_coeffs()
    ]
    roots = mpmath.polyroots(coefficients, maxsteps=200, extraprec=2 * mpmath.mp.prec)
    return sorted(mpmath.re(root) for root in roots)
