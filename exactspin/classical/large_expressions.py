"""Text of closed forms with ~10^5 terms, in the time it takes to join strings.

sympy's printers sort every sum and format every term through the generic printer dispatch:
a single current of the 7-spin ring (two polynomials of ~7 x 10^4 terms) takes minutes to
``str``. The polynomials of :mod:`exactspin.classical.symbolic_modular` are sums of
integer x powers of symbols, already in a canonical order, so :func:`text` formats such sums
term by term and leaves everything else (Piecewise, the couplings, small expressions) to
sympy's own ``StrPrinter``. The output is the same syntax as ``str`` (``sympify`` reads it
back); only the order of the terms in a large sum may differ. Nothing here simplifies.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

#: Sums with more terms than this are formatted by the fast path.
LARGE_SUM = 200


def _monomial_text(term: sp.Expr) -> tuple[int, str] | None:
    """(sign, text without sign) of rational x powers of symbols, or None for other terms."""
    if term.is_Rational:
        return (-1 if term < 0 else 1), str(abs(term))
    factors = term.args if term.is_Mul else (term,)
    sign, parts = 1, []
    for factor in factors:
        if factor.is_Rational:
            sign = -1 if factor < 0 else 1
            if abs(factor) != 1:
                # "p/q*x" reads back as (p/q)*x: Python's / and * associate to the left.
                parts.append(str(abs(factor)))
        elif factor.is_Symbol:
            parts.append(factor.name)
        elif factor.is_Pow and factor.base.is_Symbol and factor.exp.is_Integer:
            parts.append(f"{factor.base.name}**{int(factor.exp)}")
        else:
            return None
    return sign, "*".join(parts) if parts else "1"


class _LargeSumPrinter(StrPrinter):
    def _print_Add(self, expr, order=None):
        if len(expr.args) <= LARGE_SUM:
            return super()._print_Add(expr, order=order)
        pieces = []
        for term in expr.args:
            found = _monomial_text(term)
            if found is None:
                return super()._print_Add(expr, order=order)
            sign, body = found
            if pieces:
                pieces.append(" - " if sign < 0 else " + ")
            elif sign < 0:
                pieces.append("-")
            pieces.append(body)
        return "".join(pieces)

    def _print_Mul(self, expr):
        # sympy orders the factors by sort keys that walk every term of every factor.
        if not is_large(expr):
            return super()._print_Mul(expr)
        top, bottom, sign = [], [], ""
        for factor in expr.args:
            if factor.is_Number and factor.is_negative:
                sign, factor = "-", -factor
                if factor == 1:
                    continue
            if factor.is_Pow and factor.exp.is_Integer and factor.exp < 0:
                bottom.append(factor.base if factor.exp == -1 else factor.base**-factor.exp)
            else:
                top.append(factor)
        level = PRECEDENCE["Mul"]
        numerator = "*".join(self.parenthesize(f, level, strict=False) for f in top) or "1"
        if not bottom:
            return sign + numerator
        denominator = "*".join(self.parenthesize(f, level, strict=False) for f in bottom)
        if len(bottom) > 1 or precedence(bottom[0]) < level:
            denominator = f"({denominator})" if len(bottom) > 1 else denominator
        return f"{sign}{numerator}/{denominator}"


def text(expression: sp.Expr) -> str:
    """``str(expression)``, fast for large sums of monomials (see the module docstring)."""
    return _LargeSumPrinter().doprint(expression)


def is_large(expression: sp.Expr) -> bool:
    """Whether a sum in ``expression`` has more than :data:`LARGE_SUM` terms (pretty printing
    and LaTeX of such forms take hours; callers print :func:`text` instead)."""
    stack = [expression]
    while stack:
        node = stack.pop()
        if node.is_Add and len(node.args) > LARGE_SUM:
            return True
        stack.extend(node.args)
    return False


__all__ = ["LARGE_SUM", "is_large", "text"]
