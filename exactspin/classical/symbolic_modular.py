"""Closed-form currents (Eqs. 6, 9) by modular evaluation and rational reconstruction.

The fraction-free route of :mod:`exactspin.classical.symbolic` solves W P = 0 (Eq. 4) over
ZZ[variables]; its cost explodes beyond N_S = 5. Here every current is instead treated as an
unknown reduced rational function f = N / D of the exponential variables x_1..x_n
(``RateVariables``) and recovered from exact values:

1. Evaluation. For a prime p < 2^31 and many points x in F_p^n at once, each closed class of
   the spin-flip-lumped chain is solved exactly mod p (vectorised Gauss-Jordan on the stacked
   matrices W_C with the last row replaced by sum(P) = 1), and each current's J1- and J2-part
   sum(energy x rate x P) is formed mod p.
2. Degrees. Along random lines, univariate rational reconstruction (extended Euclid, the largest
   quotient wins) gives the total degrees (deg N, deg D) and the degree in every variable.
3. Homogenisation. D(0) != 0 is required (checked), so along the line t -> t y
   f(t y) = (sum_k N_k(y) t^k) / (sum_k D_k(y) t^k) with D_0 = 1: a Pade solve per line fixes the
   scale of N and D consistently for all y, and N_k, D_k are the homogeneous parts of N / D(0),
   D / D(0). With y = (1, z) each part is interpolated densely on a tensor grid in z.
4. Lifting. Coefficients mod several primes are combined (CRT) and turned into rationals
   (Wang's rational reconstruction) after each prime; a lift is accepted only once it matches
   a fresh evaluation mod an unused prime at random points. When no lift verifies within
   :data:`PRIME_COUNT` primes, :class:`ReconstructionError` is raised rather than returning a
   form that was not verified.

The results are sympy expressions in the same variables and the same ``RationalForms`` /
``SymbolicSolution`` shape as the fraction-free route, for the currents (the steady state is not
reconstructed: it holds 2^N_S rational functions).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, isqrt, lcm

import numpy as np
import sympy as sp

from exactspin.classical import rules
from exactspin.classical.symbolic import (
    STEP,
    UNITS,
    RationalForms,
    SymbolicSolution,
    _closed_classes,
    _join,
    encoding_model,
    moves,
)
from exactspin.classical.symbolic_model import (
    LOWER_COUPLING,
    LOWER_STRONGER,
    POSITIVE,
    UPPER_COUPLING,
    UPPER_STRONGER,
    RateVariables,
    SymbolicModel,
)
from exactspin.ring import Ring
from exactspin.validation import ParameterError, ResourceError, require_choice

#: Largest lumped class (states after the spin-flip reduction) the evaluator accepts.
MAX_CLASS_STATES = 512

#: Primes used in turn (largest below 2^31, so products of two residues fit in int64).
PRIME_COUNT = 24

#: Random points at which each reconstruction is checked mod a fresh prime.
CHECK_POINTS = 8

#: Points evaluated per batch (bounds memory: batch x class size^2 x 8 bytes).
BATCH_POINTS = 2048


class ReconstructionError(RuntimeError):
    """The modular reconstruction could not produce a verified rational function."""


def _primes() -> list[int]:
    found, candidate = [], 2**31
    while len(found) < PRIME_COUNT:
        candidate = sp.prevprime(candidate)
        found.append(int(candidate))
    return found


PRIMES = _primes()


# ----------------------------------------------------------------------------------------------
# The chain: matrices and current functionals with monomial entries.


@dataclass(frozen=True)
class _Chain:
    """Lumped closed classes and the current functionals, entries as exponent tuples."""

    variable_count: int
    #: per class: (size, [(row, column, exponents, sign)])
    classes: tuple
    #: per quantity: [(class, local index, exponents, Fraction coefficient)]
    quantities: tuple
    #: quantity names: (key, part) with key "left", "right" or bond index, part 0 (J1) / 1 (J2)
    names: tuple


def _chain(
    model: SymbolicModel, variables: RateVariables, unit: str, ratio: Fraction | None = None
) -> _Chain:
    """The lumped chain; with a rational ``ratio`` = J2 / J1 each current is one quantity
    (J1-part + ratio x J2-part, part 0), otherwise two (J1- and J2-parts)."""
    ring = model.ring
    stand_in = encoding_model(model)
    count = stand_in.state_count
    zero = (0,) * len(variables.symbols)
    out_moves = []
    for state in range(count):
        found = []
        for site, target, exponents in moves(model, variables, stand_in, state):
            exponents = zero if exponents is None else tuple(int(e) for e in exponents)
            if min(exponents) < 0:
                raise ReconstructionError("negative rate exponent; variables must be <= 1")
            found.append((site, target, exponents))
        out_moves.append(found)
    mask = (1 << ring.sites) - 1

    def representative(state: int) -> int:
        return min(state, state ^ mask)

    lumped = _closed_classes(
        [[(s, representative(t), r) for s, t, r in out_moves[state]] for state in range(count)],
        count,
        only=sorted({representative(state) for state in range(count)}),
    )
    labels = sorted(set(lumped.values()))
    classes, where, weights = [], {}, {}
    for label in labels:
        members = sorted(state for state, value in lumped.items() if value == label)
        if len(members) > MAX_CLASS_STATES:
            raise ResourceError(
                f"a closed class of {len(members)} lumped states exceeds the modular limit "
                f"of {MAX_CLASS_STATES}"
            )
        index = {state: position for position, state in enumerate(members)}
        entries = []
        for column, state in enumerate(members):
            for _, target, exponents in out_moves[state]:
                entries.append((index[representative(target)], column, exponents, 1))
                entries.append((column, column, exponents, -1))
        classes.append((len(members), entries))
        for state in members:
            where[state] = (len(classes) - 1, index[state])
        weights[len(classes) - 1] = Fraction(len(members), count)
    energy_unit = Fraction(1, ring.sites) if unit == STEP else Fraction(1)
    keys = ["left", "right", *range(ring.sites)]
    parts = (0,) if ratio is not None else (0, 1)
    terms: dict = {(key, part): {} for key in keys for part in parts}
    for state in range(count):
        label, local = where[representative(state)]
        for site, _, exponents in out_moves[state]:
            energies = [(site, rules.bond_transfer_coefficient(stand_in, state, site))]
            if site in (ring.left_node, ring.right_node):
                bath = "left" if site == ring.left_node else "right"
                energies.append((bath, rules.flip_energy_coefficients(stand_in, state, site)))
            for key, pair in energies:
                if ratio is not None:
                    pair = (pair[0] + ratio * pair[1],)
                for part, c in enumerate(pair):
                    if c:
                        slot = terms[(key, part)]
                        entry = (label, local, exponents)
                        slot[entry] = slot.get(entry, 0) + c * energy_unit * weights[label]
    names = tuple(terms)
    quantities = tuple(
        tuple((label, local, exps, value) for (label, local, exps), value in terms[name].items())
        for name in names
    )
    return _Chain(len(variables.symbols), tuple(classes), quantities, names)


# ----------------------------------------------------------------------------------------------
# Vectorised arithmetic mod p (p < 2^31: a product of two residues fits in int64).


def _inverse(values: np.ndarray, p: int) -> np.ndarray:
    result = np.ones_like(values)
    base = values % p
    exponent = p - 2
    while exponent:
        if exponent & 1:
            result = result * base % p
        base = base * base % p
        exponent >>= 1
    return result


def _gauss_jordan(augmented: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Solve stacked systems [A | b] (shape (P, S, S+1)) mod p; returns (x, solvable mask)."""
    systems, size, _ = augmented.shape
    work = augmented % p
    good = np.ones(systems, dtype=bool)
    for k in range(size):
        pivot = work[:, k, k]
        good &= pivot != 0
        inverse = _inverse(np.where(pivot == 0, 1, pivot), p)
        # Columns left of k are already reduced (zero off the pivots): update k.. only.
        work[:, k, k:] = work[:, k, k:] * inverse[:, None] % p
        factor = work[:, :, k].copy()
        factor[:, k] = 0
        work[:, :, k:] = (work[:, :, k:] - factor[:, :, None] * work[:, k, None, k:]) % p
    return work[:, :, size], good


def _monomials(points: np.ndarray, exponents_list, p: int) -> dict:
    """x^e mod p at every point, for each distinct exponent tuple."""
    largest = max((max(e) for e in exponents_list), default=0)
    powers = [[np.ones(points.shape[0], dtype=np.int64)] for _ in range(points.shape[1])]
    for variable in range(points.shape[1]):
        for _ in range(largest):
            powers[variable].append(powers[variable][-1] * points[:, variable] % p)
    values = {}
    for exponents in set(exponents_list):
        value = np.ones(points.shape[0], dtype=np.int64)
        for variable, power in enumerate(exponents):
            if power:
                value = value * powers[variable][power] % p
        values[exponents] = value
    return values


def _residue(value: Fraction, p: int) -> int:
    return value.numerator % p * pow(value.denominator % p, -1, p) % p


def evaluate(chain: _Chain, points: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Every quantity at every point mod p: (values (P, Q), solvable mask (P,))."""
    out = np.zeros((points.shape[0], len(chain.quantities)), dtype=np.int64)
    good = np.ones(points.shape[0], dtype=bool)
    for start in range(0, points.shape[0], BATCH_POINTS):
        batch = points[start : start + BATCH_POINTS] % p
        exponents = [e for _, entries in chain.classes for _, _, e, _ in entries]
        exponents += [e for terms in chain.quantities for _, _, e, _ in terms]
        monomial = _monomials(batch, exponents, p)
        solutions = []
        for size, entries in chain.classes:
            system = np.zeros((batch.shape[0], size, size + 1), dtype=np.int64)
            for row, column, exps, sign in entries:
                if row != size - 1:
                    system[:, row, column] = (system[:, row, column] + sign * monomial[exps]) % p
            system[:, size - 1, :] = 1
            system[:, : size - 1, size] = 0
            solution, ok = _gauss_jordan(system, p)
            good[start : start + batch.shape[0]] &= ok
            solutions.append(solution)
        for column, terms in enumerate(chain.quantities):
            total = np.zeros(batch.shape[0], dtype=np.int64)
            for label, local, exps, coefficient in terms:
                term = monomial[exps] * solutions[label][:, local] % p
                total = (total + term * _residue(coefficient, p)) % p
            out[start : start + batch.shape[0], column] = total
    return out, good


# ----------------------------------------------------------------------------------------------
# Univariate polynomials mod p (lists of ints, lowest degree first).


def _trim(poly: list[int]) -> list[int]:
    while poly and poly[-1] == 0:
        poly.pop()
    return poly


def _sub(a: list[int], b: list[int], p: int) -> list[int]:
    out = [0] * max(len(a), len(b))
    for i, c in enumerate(a):
        out[i] = c
    for i, c in enumerate(b):
        out[i] = (out[i] - c) % p
    return _trim(out)


def _mul(a: list[int], b: list[int], p: int) -> list[int]:
    if not a or not b:
        return []
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] = (out[i + j] + x * y) % p
    return _trim(out)


def _divmod(a: list[int], b: list[int], p: int) -> tuple[list[int], list[int]]:
    remainder = list(a)
    inverse = pow(b[-1], -1, p)
    quotient = [0] * max(len(a) - len(b) + 1, 1)
    while len(_trim(remainder)) >= len(b):
        shift = len(remainder) - len(b)
        factor = remainder[-1] * inverse % p
        quotient[shift] = factor
        for i, c in enumerate(b):
            remainder[shift + i] = (remainder[shift + i] - factor * c) % p
    return _trim(quotient), remainder


def _interpolate(nodes: list[int], values: list[int], p: int) -> list[int]:
    """Newton interpolation: the polynomial of degree < len(nodes) through the values."""
    coefficients = list(values)
    count = len(nodes)
    for level in range(1, count):
        for i in range(count - 1, level - 1, -1):
            difference = (coefficients[i] - coefficients[i - 1]) % p
            coefficients[i] = difference * pow((nodes[i] - nodes[i - level]) % p, -1, p) % p
    poly: list[int] = []
    for i in range(count - 1, -1, -1):
        poly = _sub(_mul(poly, [(-nodes[i]) % p, 1], p), [(-coefficients[i]) % p], p)
    return poly


def _evaluate_poly(poly: list[int], t: int, p: int) -> int:
    value = 0
    for c in reversed(poly):
        value = (value * t + c) % p
    return value


def _univariate_degrees(nodes, values, checks, check_values, p) -> tuple[int, int] | None:
    """Degrees (deg N, deg D) of the rational function through the values, or None.

    Extended Euclid on (prod (t - t_i), interpolant); the step after the largest quotient gives
    the candidate (maximal-quotient rational reconstruction), accepted only if it matches the
    separate check values.
    """
    modulus = [1]
    for node in nodes:
        modulus = _mul(modulus, [(-node) % p, 1], p)
    r0, r1 = modulus, _interpolate(nodes, values, p)
    s0, s1 = [], [1]
    best, best_degree = None, -1
    while r1:
        quotient, remainder = _divmod(r0, r1, p)
        if len(quotient) - 1 > best_degree:
            best, best_degree = (r1, s1), len(quotient) - 1
        r0, r1 = r1, remainder
        s0, s1 = s1, _sub(s0, _mul(quotient, s1, p), p)
    if best is None:
        # r1 is the polynomial itself (no quotient beyond the first): f is a polynomial.
        best = (_interpolate(nodes, values, p), [1])
    numerator, denominator = best
    for t, value in zip(checks, check_values, strict=True):
        d = _evaluate_poly(denominator, t, p)
        if d == 0 or _evaluate_poly(numerator, t, p) != value * d % p:
            return None
    return max(len(numerator) - 1, 0), len(denominator) - 1


# ----------------------------------------------------------------------------------------------
# Reconstruction of every quantity mod one prime.


def _line_values(chain, directions, offsets, nodes, p, rng):
    """Values at offsets + t * directions for each t in nodes: array (lines, nodes, Q)."""
    lines, count = directions.shape[0], len(nodes)
    t = np.array(nodes, dtype=np.int64)
    points = (offsets[:, None, :] + t[None, :, None] * directions[:, None, :] % p) % p
    values, good = evaluate(chain, points.reshape(lines * count, -1), p)
    if not good.all():
        raise ReconstructionError("a random evaluation point was singular")
    return values.reshape(lines, count, -1)


def _degrees_along(chain, direction, offset, p, rng, bound):
    """Degrees of every quantity restricted to offset + t direction."""
    count = 8
    while True:
        nodes = rng.sample(range(1, p), count + 3)
        values = _line_values(chain, direction[None, :], offset[None, :], nodes, p, rng)[0]
        found = []
        for q in range(len(chain.quantities)):
            column = [int(v) for v in values[:, q]]
            found.append(
                _univariate_degrees(nodes[:count], column[:count], nodes[count:], column[count:], p)
            )
        if all(f is not None for f in found):
            return found
        if count > bound:
            raise ReconstructionError(f"no rational function of degree <= {bound} fits")
        count *= 2


def _pade(nodes, values, degree_numerator, degree_denominator, p):
    """Stacked Pade solves: N(t)/D(t) with D(0) = 1 through (nodes, values (L, M)).

    Returns (numerator coefficients (L, n+1), denominator coefficients (L, m+1), ok (L,)).
    """
    n, m = degree_numerator, degree_denominator
    size = n + m + 1
    lines = values.shape[0]
    t = np.array(nodes[:size], dtype=np.int64)
    system = np.zeros((lines, size, size + 1), dtype=np.int64)
    power = np.ones(size, dtype=np.int64)
    for a in range(n + 1):
        system[:, :, a] = power
        power = power * t % p
    f = values[:, :size] % p
    power = t.copy()
    for b in range(1, m + 1):
        system[:, :, n + b] = (-(f * power[None, :]) % p) % p
        power = power * t % p
    system[:, :, size] = f
    solution, ok = _gauss_jordan(system, p)
    numerator = solution[:, : n + 1]
    denominator = np.concatenate([np.ones((lines, 1), dtype=np.int64), solution[:, n + 1 :]], 1)
    return numerator, denominator, ok


def _inverse_vandermonde(nodes: list[int], p: int) -> np.ndarray:
    """V^{-1} mod p with V[i, j] = nodes[i]^j (coefficients = V^{-1} values)."""
    size = len(nodes)
    matrix = [
        [pow(x, j, p) for j in range(size)] + [int(i == r) for i in range(size)]
        for r, x in enumerate(nodes)
    ]
    for k in range(size):
        pivot = next(r for r in range(k, size) if matrix[r][k])
        matrix[k], matrix[pivot] = matrix[pivot], matrix[k]
        inverse = pow(matrix[k][k], -1, p)
        matrix[k] = [c * inverse % p for c in matrix[k]]
        for r in range(size):
            if r != k and matrix[r][k]:
                factor = matrix[r][k]
                matrix[r] = [
                    (a - factor * b) % p for a, b in zip(matrix[r], matrix[k], strict=True)
                ]
    return np.array([row[size:] for row in matrix], dtype=np.int64)


def _apply_along(values: np.ndarray, operator: np.ndarray, axis: int, p: int) -> np.ndarray:
    """operator applied along ``axis`` mod p, reducing after every term (no int64 overflow)."""
    moved = np.moveaxis(values, axis, -1)
    out = np.zeros(moved.shape[:-1] + (operator.shape[0],), dtype=np.int64)
    for j in range(operator.shape[1]):
        out = (out + moved[..., j, None] * operator[None, :, j]) % p
    return np.moveaxis(out, -1, axis)


@dataclass(frozen=True)
class _Shape:
    """Degrees from the first prime: per quantity (deg N, deg D); degree bound per variable."""

    totals: tuple[tuple[int, int], ...]
    degrees: tuple[int, ...]


def _find_shape(chain: _Chain, p: int, rng: random.Random) -> _Shape:
    n = chain.variable_count
    bound = 4096
    offset = np.array([rng.randrange(1, p) for _ in range(n)], dtype=np.int64)
    direction = np.array([rng.randrange(1, p) for _ in range(n)], dtype=np.int64)
    totals = _degrees_along(chain, direction, offset, p, rng, bound)
    degrees = []
    for axis in range(n):
        offset = np.array([rng.randrange(1, p) for _ in range(n)], dtype=np.int64)
        offset[axis] = 0
        unit = np.zeros(n, dtype=np.int64)
        unit[axis] = 1
        found = _degrees_along(chain, unit, offset, p, rng, bound)
        degrees.append(max(max(pair) for pair in found))
    return _Shape(tuple(totals), tuple(degrees))


def _taylor_shift(shift: int, degree: int, p: int) -> np.ndarray:
    """T with (T m)_j = sum_i m_i C(i, j) (-shift)^(i - j): coefficients of M(x - shift)."""
    operator = np.zeros((degree + 1, degree + 1), dtype=np.int64)
    for i in range(degree + 1):
        for j in range(i + 1):
            operator[j, i] = sp.binomial(i, j) * pow(-shift, i - j, p) % p
    return operator


def _reconstruct_mod(chain: _Chain, shape: _Shape, p: int, rng: random.Random):
    """Per quantity: dense coefficient arrays (N, D) mod p, scaled so that D(a) = 1.

    Lines a + t (1, z) through a random point a (D(a) != 0 with high probability, unlike
    D(0), which vanishes where the chain falls apart), z on a tensor grid; each homogeneous
    part of M(y) = N(a + y) is interpolated on the grid, then shifted back to N(x) = M(x - a).
    """
    n = chain.variable_count
    sizes = [degree + 1 for degree in shape.degrees]
    shift = [rng.randrange(1, p) for _ in range(n)]
    axes = [rng.sample(range(1, p), size) for size in sizes[1:]]
    mesh = np.meshgrid(*[np.array(a, dtype=np.int64) for a in axes], indexing="ij")
    lines = int(np.prod(sizes[1:])) if n > 1 else 1
    directions = np.ones((lines, n), dtype=np.int64)
    for axis, values in enumerate(mesh):
        directions[:, axis + 1] = values.reshape(-1)
    largest = max(a + b + 1 for a, b in shape.totals)
    nodes = rng.sample(range(1, p), largest)
    offsets = np.tile(np.array(shift, dtype=np.int64), (lines, 1))
    values = _line_values(chain, directions, offsets, nodes, p, rng)
    inverses = [_inverse_vandermonde(a, p) for a in axes]
    shifts = [_taylor_shift(shift[axis], shape.degrees[axis], p) for axis in range(n)]
    results = []
    for q, (degree_numerator, degree_denominator) in enumerate(shape.totals):
        numerator, denominator, ok = _pade(
            nodes, values[:, :, q], degree_numerator, degree_denominator, p
        )
        if not ok.all():
            raise ReconstructionError("a Pade system was singular (unlucky line)")
        parts = []
        for coefficients in (numerator, denominator):
            grid = coefficients.T.reshape((coefficients.shape[1], *sizes[1:]))
            for axis, inverse in enumerate(inverses):
                grid = _apply_along(grid, inverse, axis + 1, p)
            dense = np.zeros(sizes, dtype=np.int64)
            for k in range(grid.shape[0]):
                for index in zip(*np.nonzero(grid[k]), strict=True):
                    rest = tuple(int(i) for i in index)
                    first = k - sum(rest)
                    if first < 0 or first >= sizes[0]:
                        raise ReconstructionError("a homogeneous part had too high a degree")
                    dense[(first, *rest)] = grid[k][index]
            for axis in range(n):
                dense = _apply_along(dense, shifts[axis], axis, p)
            parts.append(dense)
        results.append(tuple(parts))
    return results


def _normalised(dense_results, p: int, anchors=None):
    """Dicts {exponents: residue} with the anchor coefficient of each D made 1.

    The anchor (largest monomial of D mod the first prime) fixes one scale for every prime.
    """
    found, chosen = [], []
    for q, (numerator, denominator) in enumerate(dense_results):
        if anchors is None:
            support = list(zip(*np.nonzero(denominator), strict=True))
            if not support:
                raise ReconstructionError("a reconstructed denominator vanished")
            anchor = max(tuple(int(i) for i in index) for index in support)
        else:
            anchor = anchors[q]
        scale = int(denominator[anchor])
        if scale == 0:
            raise ReconstructionError("unlucky prime: the anchor coefficient vanished")
        inverse = pow(scale, -1, p)
        pair = []
        for dense in (numerator, denominator):
            pair.append(
                {
                    tuple(int(i) for i in index): int(dense[index]) * inverse % p
                    for index in zip(*np.nonzero(dense), strict=True)
                }
            )
        found.append(tuple(pair))
        chosen.append(anchor)
    return found, chosen


# ----------------------------------------------------------------------------------------------
# Lifting to the rationals.


def _rational(residue: int, modulus: int) -> Fraction | None:
    """Wang's rational reconstruction of residue mod modulus, or None."""
    bound = isqrt(modulus // 2)
    r0, r1, s0, s1 = modulus, residue % modulus, 0, 1
    while r1 > bound:
        quotient = r0 // r1
        r0, r1 = r1, r0 - quotient * r1
        s0, s1 = s1, s0 - quotient * s1
    if s1 == 0 or abs(s1) > bound or gcd(r1, abs(s1)) != 1:
        return None
    return Fraction(r1, s1)


def _lift(accumulated, modulus):
    lifted = []
    for parts in accumulated:
        pair = []
        for terms in parts:
            converted = {}
            for monomial, residue in terms.items():
                value = _rational(residue, modulus)
                if value is None:
                    return None
                if value:
                    converted[monomial] = value
            pair.append(converted)
        lifted.append(tuple(pair))
    return lifted


def _crt(accumulated, modulus, fresh, p):
    combined = []
    inverse = pow(modulus, -1, p)
    for old_parts, new_parts in zip(accumulated, fresh, strict=True):
        pair = []
        for old, new in zip(old_parts, new_parts, strict=True):
            keys = set(old) | set(new)
            merged = {}
            for key in keys:
                a, b = old.get(key, 0), new.get(key, 0)
                merged[key] = (a + modulus * ((b - a) * inverse % p)) % (modulus * p)
            pair.append(merged)
        combined.append(tuple(pair))
    return combined


def _value_mod(terms: dict, points: np.ndarray, p: int) -> np.ndarray:
    monomial = _monomials(points, list(terms), p)
    total = np.zeros(points.shape[0], dtype=np.int64)
    for exponents, coefficient in terms.items():
        total = (total + monomial[exponents] * _residue(coefficient, p)) % p
    return total


def _check(chain, lifted, p, rng) -> bool:
    points = np.array(
        [[rng.randrange(1, p) for _ in range(chain.variable_count)] for _ in range(CHECK_POINTS)],
        dtype=np.int64,
    )
    values, good = evaluate(chain, points, p)
    for q, (numerator, denominator) in enumerate(lifted):
        top, bottom = _value_mod(numerator, points, p), _value_mod(denominator, points, p)
        if np.any(good & ((values[:, q] * bottom - top) % p != 0)):
            return False
    return True


def reconstruct(chain: _Chain, seed: int = 0) -> list[tuple[dict, dict]]:
    """Every quantity as (numerator, denominator) dicts of Fraction coefficients.

    The largest monomial of each denominator has coefficient 1.
    """
    rng = random.Random(seed)
    shape = _find_shape(chain, PRIMES[0], rng)
    accumulated, modulus, anchors = None, 1, None
    for index, p in enumerate(PRIMES[:-1]):
        fresh, anchors = _normalised(_reconstruct_mod(chain, shape, p, rng), p, anchors)
        accumulated = fresh if accumulated is None else _crt(accumulated, modulus, fresh, p)
        modulus *= p
        lifted = _lift(accumulated, modulus)
        # A lift that is not yet right fails the check at fresh random points mod an unused
        # prime (a wrong rational function agrees there with probability ~ degree / p each).
        if lifted is not None and _check(chain, lifted, PRIMES[index + 1], rng):
            return lifted
    raise ReconstructionError(
        f"coefficients did not reconstruct and verify within {len(PRIMES)} primes"
    )


# ----------------------------------------------------------------------------------------------
# sympy interface.


def _expression(terms: dict, symbols, scale: Fraction) -> sp.Expr:
    coefficients = {}
    for exponents, coefficient in terms.items():
        value = coefficient * scale
        if value.denominator != 1:
            raise ReconstructionError("non-integral coefficient after clearing denominators")
        coefficients[exponents] = int(value.numerator)
    return sp.Poly.from_dict(coefficients, *symbols, domain=sp.ZZ).as_expr()


def _fraction(numerator: dict, denominator: dict, symbols) -> sp.Expr:
    if not numerator:
        return sp.Integer(0)
    values = [*numerator.values(), *denominator.values()]
    common = lcm(*(v.denominator for v in values))
    content = gcd(*(int(v * common) for v in values))
    scale = Fraction(common, content)
    leading = max(denominator)
    if denominator[leading] < 0:
        scale = -scale
    return _expression(numerator, symbols, scale) / _expression(denominator, symbols, scale)


def _forms(model: SymbolicModel, variables: RateVariables, unit: str, seed: int):
    upper_energy, lower_energy = model.energy(1, 0), model.energy(0, 1)
    ratio = sp.nsimplify(lower_energy / upper_energy)
    rational = Fraction(int(ratio.p), int(ratio.q)) if ratio.is_Rational else None
    chain = _chain(model, variables, unit, rational)
    lifted = reconstruct(chain, seed)
    parts = {
        name: _fraction(numerator, denominator, variables.symbols)
        for name, (numerator, denominator) in zip(chain.names, lifted, strict=True)
    }

    def current(key) -> sp.Expr:
        if rational is not None:
            # One energy scale (J, or exact numbers): a single fraction, as fraction-free.
            coefficient, factor = sp.sympify(upper_energy).as_coeff_Mul()
            return factor * sp.cancel(coefficient * parts[(key, 0)])
        return upper_energy * parts[(key, 0)] + lower_energy * parts[(key, 1)]

    ring = model.ring
    return RationalForms(
        sp.ImmutableMatrix(_generator(model, variables)),
        sp.ImmutableMatrix([]),
        current("left"),
        current("right"),
        tuple(current(bond) for bond in range(ring.sites)),
    )


def _generator(model: SymbolicModel, variables: RateVariables) -> sp.Matrix:
    stand_in = encoding_model(model)
    count = stand_in.state_count
    generator = sp.zeros(count, count)
    for state in range(count):
        for _, target, exponents in moves(model, variables, stand_in, state):
            rate = sp.Integer(1)
            if exponents is not None:
                for symbol, power in zip(variables.symbols, exponents, strict=True):
                    rate *= symbol**power
            generator[target, state] += rate
            generator[state, state] -= rate
    return generator


def derive_modular(
    model: Ring | SymbolicModel,
    dynamics: str = "q2r",
    couplings: str = POSITIVE,
    *,
    unit: str = STEP,
    seed: int = 0,
) -> SymbolicSolution:
    """Closed-form currents by modular evaluation and rational reconstruction.

    Same parameters and result type as :func:`exactspin.classical.symbolic.derive`, except that
    ``rational.steady_state`` is empty (only the currents, Eqs. 6 and 9, are reconstructed) and
    ``seed`` fixes the random evaluation points. Raises :class:`ReconstructionError` when the
    reconstruction does not verify.
    """
    require_choice("unit", unit, UNITS)
    if isinstance(model, Ring):
        model = SymbolicModel(model, dynamics, couplings)
    elif not isinstance(model, SymbolicModel):
        raise ParameterError("model", model, "a Ring or SymbolicModel")
    stand_in = encoding_model(model)
    labels_source = RateVariables.for_model(
        model, UPPER_STRONGER if model.couplings == POSITIVE else None
    )
    out_moves = [
        moves(model, labels_source, stand_in, state) for state in range(stand_in.state_count)
    ]
    labels = _closed_classes(out_moves, stand_in.state_count)
    if model.couplings != POSITIVE:
        variables = RateVariables.for_model(model)
        forms = _forms(model, variables, unit, seed)
    else:
        upper = RateVariables.for_model(model, UPPER_STRONGER)
        lower = RateVariables.for_model(model, LOWER_STRONGER)
        forms = _join(
            _forms(model, upper, unit, seed),
            _forms(model, lower, unit, seed),
            sp.Ge(UPPER_COUPLING, LOWER_COUPLING),
        )
        variables = RateVariables.for_model(model, POSITIVE)
    return SymbolicSolution(
        model=model,
        unit=unit,
        variables=tuple(zip(variables.symbols, variables.definitions, strict=True)),
        rational=forms,
        closed_classes=max(labels.values()) + 1,
        class_labels=tuple(labels[state] for state in range(stand_in.state_count)),
    )


__all__ = ["ReconstructionError", "derive_modular", "reconstruct"]
