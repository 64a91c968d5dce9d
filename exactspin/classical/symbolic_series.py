"""Taylor series mod p of the steady-state currents along many lines through one point.

The evaluation engine of :mod:`exactspin.classical.symbolic_modular`. Each closed class has a
generator W(x) (Eq. 4, last row replaced by sum(P) = 1) whose entries are monomials in the rate
variables x, so W(x) = sum_m m(x) A_m with small-integer matrices A_m. Along the line
x = a + t d every monomial is a polynomial in t, W(a + t d) = sum_j W_j t^j with W_0 = W(a)
the same for every direction d. The steady state P(t) = sum_k P_k t^k then follows from

    W(a) P_0 = e_last,    W(a) P_k = -sum_{j >= 1} W_j P_{k-j},

one inverse of W(a) per prime and one matrix product per series order for all lines at once
(a block Krylov recurrence), instead of one elimination per evaluation point. The currents
(Eqs. 6, 9) are linear in P with monomial weights, so their series follow term by term.

Sums of products of residues overflow int64, so dense products mod p (p < 2^30) go through
float64 BLAS on 15-bit slices of the left factor (every partial sum stays below 2^53, exact).
Nothing here reconstructs anything; it only produces exact residues.
"""

from __future__ import annotations

from dataclasses import dataclass

import flint
import numpy as np
from scipy.sparse import csr_matrix, vstack


class SingularBasePoint(ArithmeticError):
    """W(a) is singular mod p at the chosen base point (pick another)."""


class ModularLeftFactor:
    """A fixed left factor of products mod p, cut once into float64 slices.

    With p < 2^30, two 15-bit slices keep every partial sum of an inner dimension <= 256
    below 2^53 (exact in float64); up to 512 takes three 10-bit slices.
    """

    def __init__(self, left: np.ndarray, p: int) -> None:
        inner = left.shape[1]
        if p >= 2**30 or inner > 512:
            raise ValueError("exact float64 products need p < 2^30 and inner size <= 512")
        bits = 15 if inner <= 256 else 10
        count = 2 if inner <= 256 else 3
        mask = (1 << bits) - 1
        self.p, self.rows, self.bits = p, left.shape[0], bits
        # All slices stacked, highest first: one BLAS call per product.
        self.slices = np.vstack(
            [
                ((left >> (bits * level)) & mask).astype(np.float64)
                for level in range(count - 1, -1, -1)
            ]
        )

    def times(self, right: np.ndarray) -> np.ndarray:
        """left @ right mod p, exactly (right: residues mod p)."""
        partial = (self.slices @ right.astype(np.float64)).astype(np.int64) % self.p
        rows, p = self.rows, self.p
        result = partial[:rows]
        for start in range(rows, partial.shape[0], rows):
            result = (result * (1 << self.bits) + partial[start : start + rows]) % p
        return result


def matmul_mod(left: np.ndarray, right: np.ndarray, p: int) -> np.ndarray:
    """left @ right mod p, exactly, for p < 2^30 and inner size <= 512."""
    return ModularLeftFactor(left, p).times(right)


def line_monomials(exponents, base: np.ndarray, directions: np.ndarray, p: int) -> np.ndarray:
    """Coefficients of t^j in m(a + t d) for one monomial m = x^exponents: shape (deg+1, L)."""
    lines = directions.shape[0]
    poly = np.ones((1, lines), dtype=np.int64)
    for variable, power in enumerate(exponents):
        for _ in range(power):
            grown = np.zeros((poly.shape[0] + 1, lines), dtype=np.int64)
            grown[:-1] = poly * base[variable] % p
            grown[1:] = (grown[1:] + poly * directions[:, variable] % p) % p
            poly = grown
    return poly


@dataclass(frozen=True)
class ClassOperators:
    """One closed class as data: W(x) = sum_m m(x) A_m with the normalisation row in A_0."""

    size: int
    #: distinct exponent tuples, the constant monomial first
    monomials: tuple[tuple[int, ...], ...]
    #: integer matrices A_m (scipy CSR, int64), last row zero except in A_0 (all ones)
    matrices: tuple


def class_operators(size: int, entries, variable_count: int) -> ClassOperators:
    """Group a class's (row, column, exponents, sign) entries by monomial."""
    constant = (0,) * variable_count
    monomials = [constant] + sorted({e for _, _, e, _ in entries} - {constant})
    position = {m: i for i, m in enumerate(monomials)}
    dense = [np.zeros((size, size), dtype=np.int64) for _ in monomials]
    for row, column, exponents, sign in entries:
        if row != size - 1:
            dense[position[exponents]][row, column] += sign
    dense[0][size - 1, :] = 1
    matrices = tuple(csr_matrix(matrix) for matrix in dense)
    return ClassOperators(size, tuple(monomials), matrices)


def _inverse_at(operators: ClassOperators, values: dict, p: int) -> np.ndarray:
    """W(a)^{-1} mod p, ``values`` the residue of each monomial at a."""
    total = np.zeros((operators.size, operators.size), dtype=np.int64)
    for monomial, matrix in zip(operators.monomials, operators.matrices, strict=True):
        total = (total + matrix.toarray() % p * values[monomial]) % p
    try:
        inverse = flint.nmod_mat(total.tolist(), p).inv()
    except ZeroDivisionError:
        raise SingularBasePoint("W(a) is singular mod p") from None
    return np.array([[int(v) for v in row] for row in inverse.tolist()], dtype=np.int64)


def line_series(
    operators: ClassOperators,
    functionals,
    base: np.ndarray,
    directions: np.ndarray,
    order: int,
    p: int,
) -> np.ndarray:
    """Taylor coefficients mod p of sum_s w_q,m(s) m(x) P(s) along x = a + t d.

    Parameters
    ----------
    operators : ClassOperators
        The class.
    functionals : list of dict
        Per quantity, {exponent tuple: integer residue vector over the class states (mod p)}.
    base : ndarray (n,)
        The common point a (W(a) must be invertible mod p, else :class:`SingularBasePoint`).
    directions : ndarray (L, n)
        One direction d per line.
    order : int
        Number of series terms.

    Returns
    -------
    ndarray (Q, L, order) of residues.
    """
    lines, size = directions.shape[0], operators.size
    expansions = {
        m: line_monomials(m, base, directions, p)
        for m in {*operators.monomials, *(m for f in functionals for m in f)}
    }
    at_base = {m: int(c[0, 0]) for m, c in expansions.items()}
    inverse = _inverse_at(operators, at_base, p)
    depth = max(c.shape[0] for c in expansions.values())
    # Rows (quantity, monomial) of weight vectors; the projections of P_k onto them come out of
    # the same product as P_k itself: [W(a)^-1; G W(a)^-1] @ right.
    pairs = [(q, m) for q, f in enumerate(functionals) for m in f]
    weights = (
        np.array([functionals[q][m] for q, m in pairs], dtype=np.int64).reshape(len(pairs), size)
        % p
    )
    left = np.vstack([inverse, matmul_mod(weights, inverse, p)])
    start, step = ModularLeftFactor(left, p), ModularLeftFactor((-left) % p, p)
    # Coefficient of t^j of each pair's monomial along each line: (depth, pairs, L).
    pair_coefficients = np.zeros((depth, len(pairs), lines), dtype=np.int64)
    for row, (_, m) in enumerate(pairs):
        c = expansions[m]
        pair_coefficients[: c.shape[0], row] = c
    owner = np.zeros((len(functionals), len(pairs)), dtype=np.int64)
    for row, (q, _) in enumerate(pairs):
        owner[q, row] = 1
    # For each power j >= 1 of t: the matrices of the monomials reaching t^j stacked, and the
    # coefficient of t^j of each along every line repeated over the rows (one sparse product,
    # one modular multiply per power instead of one per monomial).
    stages = []
    for j in range(1, depth):
        chosen = [
            (matrix, expansions[m][j])
            for m, matrix in zip(operators.monomials, operators.matrices, strict=True)
            if expansions[m].shape[0] > j
        ]
        if chosen:
            stacked = vstack([matrix for matrix, _ in chosen], format="csr")
            scale = np.repeat(np.array([c for _, c in chosen]), size, axis=0)
            stages.append((j, len(chosen), stacked, scale))
    states: list[np.ndarray] = []
    projections: list[np.ndarray] = []
    series = np.zeros((len(functionals), lines, order), dtype=np.int64)
    for k in range(order):
        if k == 0:
            right = np.zeros((size, lines), dtype=np.int64)
            right[size - 1, :] = 1
            combined = start.times(right)
        else:
            right = np.zeros((size, lines), dtype=np.int64)
            for j, count, stacked, scale in stages:
                if j <= k:
                    product = (stacked @ states[-j]) % p * scale % p
                    right += product.reshape(count, size, lines).sum(axis=0)
            combined = step.times(right % p)
        states.append(combined[:size])
        projections.append(combined[size:])
        if len(states) > depth:
            states.pop(0)
            projections.pop(0)
        total = np.zeros((len(pairs), lines), dtype=np.int64)
        for j in range(min(k, depth - 1) + 1):
            total = (total + projections[-1 - j] * pair_coefficients[j] % p) % p
        # Each quantity sums its few monomial rows (sums of < 64 residues fit in int64).
        series[:, :, k] = (owner @ total) % p
    return series
