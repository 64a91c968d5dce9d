"""Closed-form currents rewritten in the paper's variables: sinh and cosh of beta differences.

The derivations give each current as N / D, polynomials in exponential variables such as
x_L = exp(-2 J beta_L). The paper writes the same functions with hyperbolic functions, e.g.
Eqs. 13-14 for the 3-spin ring,

    I_L = J sinh(2J (beta_R - beta_L)) / (3 cosh(2J (beta_R - beta_L)) + e^{2J (beta_L + beta_R)})

:func:`paper_form` finds that form without a simplifier: N and D are divided by one central
monomial x^c (c = the midpoint of D's exponent box), after which every term x^(e - c) has a
mirror partner x^(c - e); a pair a x^(e-c) + b x^(c-e) is (a + b) cosh(theta) + (a - b)
sinh(theta) with theta the exponent of x^(e-c) in beta and J, a lone term stays an exponential,
and the common factor of all the resulting coefficients is cancelled. The result equals N / D
identically (tests check it at random points); it is printed next to the rational form for
small rings only, since the number of terms is that of N and D.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

import sympy as sp

#: Largest number of terms in N + D for which :func:`paper_form` is attempted.
PAPER_FORM_TERMS = 400


def _terms(polynomial: sp.Expr, symbols) -> dict[tuple[int, ...], Fraction]:
    poly = sp.Poly(polynomial, *symbols)
    return {m: Fraction(int(sp.Rational(c).p), int(sp.Rational(c).q)) for m, c in poly.terms()}


def _hyperbolic(terms: dict, center, exponents_of) -> list[tuple[Fraction, object, sp.Expr]]:
    """Paired terms as (coefficient, cosh / sinh / exp / None for a constant, theta)."""
    done, pieces = set(), []
    for monomial in sorted(terms, reverse=True):
        if monomial in done:
            continue
        mirror = tuple(2 * c - e for c, e in zip(center, monomial, strict=True))
        a, b = terms[monomial], terms.get(mirror, Fraction(0))
        done.update({monomial, mirror})
        theta = sp.factor(exponents_of(monomial))
        if theta == 0:
            pieces.append((a, None, theta))
        elif b == 0:
            pieces.append((a, sp.exp, theta))
        else:
            pieces += [(a + b, sp.cosh, theta), (a - b, sp.sinh, theta)]
    return [piece for piece in pieces if piece[0]]


def _expression(pieces, scale: Fraction) -> sp.Expr:
    out = []
    for coefficient, function, theta in pieces:
        value = coefficient * scale
        number = sp.Rational(value.numerator, value.denominator)
        out.append(number if function is None else number * function(theta))
    return sp.Add(*out)


def paper_form(expression: sp.Expr, variables) -> sp.Expr | None:
    """``expression`` (rational in the variables) with sinh / cosh, or None if too large.

    ``variables`` are (symbol, definition) pairs with definitions exp(linear form in beta, J),
    as in :attr:`SymbolicSolution.variables`. A Piecewise is rewritten branch by branch.
    """
    if isinstance(expression, sp.Piecewise):
        branches = [
            (paper_form(piece, variables), condition) for piece, condition in expression.args
        ]
        if any(piece is None for piece, _ in branches):
            return None
        return sp.Piecewise(*branches)
    symbols = [symbol for symbol, _ in variables]
    if expression.is_Add and all(sp.denom(term) != 1 for term in expression.args):
        # J1 x (fraction) + J2 x (fraction), as the ordered couplings give: each on its own.
        parts = [paper_form(term, variables) for term in expression.args]
        return None if any(part is None for part in parts) else sp.Add(*parts)
    logs = [definition.args[0] if isinstance(definition, sp.exp) else sp.log(definition)
            for _, definition in variables]  # fmt: skip
    coefficient, rest = expression.as_independent(*symbols, as_Add=False)
    numerator, denominator = sp.fraction(sp.together(rest))
    if not numerator.free_symbols & set(symbols) and not denominator.free_symbols & set(symbols):
        return expression
    top, bottom = _terms(numerator, symbols), _terms(denominator, symbols)
    if len(top) + len(bottom) > PAPER_FORM_TERMS:
        return None
    # The centre may be half-integral: the mirror of e is 2c - e, kept as integers by doubling.
    low = [min(m[i] for m in bottom) for i in range(len(symbols))]
    high = [max(m[i] for m in bottom) for i in range(len(symbols))]
    doubled = {k: v for k, v in ((tuple(2 * e for e in m), c) for m, c in top.items())}
    doubled_bottom = {tuple(2 * e for e in m): c for m, c in bottom.items()}
    center = tuple(lo + hi for lo, hi in zip(low, high, strict=True))

    def exponents_of(monomial) -> sp.Expr:
        return sp.Add(
            *[sp.Rational(e - c, 2) * log for e, c, log in zip(monomial, center, logs, strict=True)]
        )

    top_pieces = _hyperbolic(doubled, center, exponents_of)
    bottom_pieces = _hyperbolic(doubled_bottom, center, exponents_of)
    values = [c for c, _, _ in (*top_pieces, *bottom_pieces)]
    common = _lcm_denominators(values)
    scale = Fraction(common, gcd(*(int(v * common) for v in values)))
    return coefficient * (_expression(top_pieces, scale) / _expression(bottom_pieces, scale))


def _lcm_denominators(values) -> int:
    result = 1
    for v in values:
        result = result * v.denominator // gcd(result, v.denominator)
    return result


__all__ = ["PAPER_FORM_TERMS", "paper_form"]
