"""Pade approximants mod p of many power series at once (Berlekamp-Massey, vectorised).

A rational function N(t) / D(t) with D(0) = 1, deg N = n, deg D = m has Taylor coefficients
s_k that obey sum_j D_j s_{k-j} = 0 for every k > n: a linear recurrence of length
max(m, n + 1) whose connection polynomial is D. Berlekamp-Massey finds the shortest such
recurrence from 2 x length terms in O(length^2) operations (Massey, IEEE Trans. Inf. Theory 15,
122 (1969)); N is then D s truncated. Here one run handles many series (one per line of
:mod:`exactspin.classical.symbolic_series`) with numpy over the lines; each line keeps its own
recurrence length and shift, so degenerate lines are handled exactly, not assumed away.
"""

from __future__ import annotations

import numpy as np


def inverse_mod(values: np.ndarray, p: int) -> np.ndarray:
    """values^(p-2) mod p elementwise (the inverse for nonzero residues, p prime)."""
    result = np.ones_like(values)
    base = values % p
    exponent = p - 2
    while exponent:
        if exponent & 1:
            result = result * base % p
        base = base * base % p
        exponent >>= 1
    return result


def berlekamp_massey(series: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Shortest recurrences of every row of ``series`` (shape (L, T), residues mod p).

    Returns (connection polynomials C (L, T + 1), C_0 = 1, lowest degree first; lengths (L,)).
    The recurrence sum_{i <= length} C_i s_{k-i} = 0 holds for length <= k < T and is the
    unique shortest one when 2 x length <= T.
    """
    lines, terms = series.shape
    width = terms + 1
    connection = np.zeros((lines, width), dtype=np.int64)
    connection[:, 0] = 1
    previous = connection.copy()
    length = np.zeros(lines, dtype=np.int64)
    shift = np.ones(lines, dtype=np.int64)
    last = np.ones(lines, dtype=np.int64)
    columns = np.arange(width)[None, :]
    for k in range(terms):
        # Supports never pass k + 1 at step k (length <= k, shifts keep B inside too).
        cap = min(width, k + 2)
        discrepancy = (connection[:, : k + 1] * series[:, k::-1] % p).sum(axis=1) % p
        nonzero = discrepancy != 0
        if not nonzero.any():
            shift += 1
            continue
        factor = discrepancy * inverse_mod(np.where(nonzero, last, 1), p) % p
        if (shift == shift[0]).all():
            # The common case (every line generic): one shift for all rows, a plain slice.
            shifted = np.zeros((lines, cap), dtype=np.int64)
            offset = int(shift[0])
            if offset < cap:
                shifted[:, offset:] = previous[:, : cap - offset]
        else:
            index = columns[:, :cap] - shift[:, None]
            shifted = np.where(
                index >= 0, np.take_along_axis(previous[:, :cap], np.clip(index, 0, None), 1), 0
            )
        updated = (connection[:, :cap] - factor[:, None] * shifted) % p
        grow = nonzero & (2 * length <= k)
        previous = np.where(grow[:, None], connection, previous)
        last = np.where(grow, discrepancy, last)
        length = np.where(grow, k + 1 - length, length)
        shift = np.where(grow, 1, shift + 1)
        connection[:, :cap] = np.where(nonzero[:, None], updated, connection[:, :cap])
    return connection, length


def truncated_product(first: np.ndarray, second: np.ndarray, terms: int, p: int) -> np.ndarray:
    """(first * second) mod t^terms for rows of coefficients (lowest first), mod p."""
    out = np.zeros((first.shape[0], terms), dtype=np.int64)
    for j in range(min(terms, first.shape[1])):
        span = min(terms - j, second.shape[1])
        if span > 0:
            out[:, j : j + span] = (out[:, j : j + span] + first[:, j, None] * second[:, :span]) % p
    return out


def pade(series: np.ndarray, degree_numerator: int, degree_denominator: int, p: int):
    """N, D with D(0) = 1 and N / D = series (rows), for known degrees.

    Needs 2 max(m, n + 1) terms. Returns (N (L, n + 1), D (L, m + 1), ok (L,)): ok is False
    where the row's recurrence is not of the expected length and shape (an unlucky line).
    """
    n, m = degree_numerator, degree_denominator
    length_expected = max(m, n + 1)
    connection, length = berlekamp_massey(series[:, : 2 * length_expected], p)
    denominator = connection[:, : m + 1]
    numerator_full = truncated_product(connection, series, length_expected, p)
    ok = (length == length_expected) & ~connection[:, m + 1 :].any(axis=1)
    ok &= ~numerator_full[:, n + 1 :].any(axis=1)
    return numerator_full[:, : n + 1], denominator, ok


def degrees(series: np.ndarray, p: int, margin: int = 8):
    """(deg N, deg D) of the rational function behind each row, or None if not yet resolved.

    Resolved means the shortest recurrence is confirmed by at least ``margin`` terms beyond
    the 2 x length that determine it.
    """
    connection, length = berlekamp_massey(series, p)
    found = []
    for row in range(series.shape[0]):
        size = int(length[row])
        if 2 * size + margin > series.shape[1]:
            found.append(None)
            continue
        numerator = truncated_product(connection[row : row + 1], series[row : row + 1], size, p)
        support_n = np.nonzero(numerator[0])[0]
        support_d = np.nonzero(connection[row, : size + 1])[0]
        found.append((int(support_n[-1]) if support_n.size else 0, int(support_d[-1])))
    return found


__all__ = ["berlekamp_massey", "degrees", "inverse_mod", "pade", "truncated_product"]
