"""Closed-form currents (Eqs. 6, 9) by modular evaluation and rational reconstruction.

The fraction-free route of :mod:`exactspin.classical.symbolic` solves W P = 0 (Eq. 4) over
ZZ[variables]; its cost explodes beyond N_S = 5. Here every current is instead treated as an
unknown reduced rational function f = N / D of the exponential variables x_1..x_n
(``RateVariables``) and recovered from exact values mod primes p < 2^30:

1. Series. Along lines a + t d through one random point a, the Taylor coefficients in t of
   every current of every closed class of the spin-flip-lumped chain come from one inverse of
   W(a) per prime and a block Krylov recurrence over all lines at once
   (:mod:`exactspin.classical.symbolic_series`). Currents that agree (or are opposite) along
   random lines are reconstructed once; symmetric classes give equal contributions.
2. Degrees. Berlekamp-Massey on a long series along a random line and along each axis
   (:mod:`exactspin.classical.series_pade`) gives the total degrees (deg N, deg D) and the
   degree in every variable; :func:`probe` stops here (the size estimate of the CLI).
3. Homogenisation. With d = (1, z), f(a + t d) = (sum_k N_k(d) t^k) / (sum_k D_k(d) t^k) with
   D_0 = 1: the Pade approximant of each line's series (Berlekamp-Massey again; the
   denominator of one current is tried for the others of its class first) fixes the scale of
   N and D consistently for all d, N_k and D_k are homogeneous parts of N(a + y) / D(a), and
   each is interpolated densely on a tensor grid in z, then shifted back by a.
4. Lifting. Coefficients mod several primes are combined (CRT); after each prime, a common
   denominator is proposed by maximal-quotient rational reconstruction of a sample, and every
   coefficient times it must be a small balanced integer. A lift is accepted only once every
   current matches an independent Gauss-Jordan evaluation (:func:`evaluate`) mod an unused
   prime at random points. When no lift verifies within :data:`PRIME_COUNT` primes,
   :class:`ReconstructionError` is raised rather than returning a form that was not verified.

The results are sympy expressions in the same variables and the same ``RationalForms`` /
``SymbolicSolution`` shape as the fraction-free route, for the currents (the steady state is not
reconstructed: it holds 2^N_S rational functions). The contributions of several closed classes
are summed exactly with python-flint's multivariate gcd.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

import flint
import numpy as np
import sympy as sp

from exactspin.classical import rules, series_pade
from exactspin.classical.series_pade import inverse_mod
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
from exactspin.classical.symbolic_series import SingularBasePoint, class_operators, line_series
from exactspin.ring import Ring
from exactspin.validation import ParameterError, ResourceError, require_choice

#: Largest lumped class (states after the spin-flip reduction) the evaluator accepts.
MAX_CLASS_STATES = 512

#: Primes used in turn (largest below 2^30: products of two residues fit in int64, and the
#: series engine's float64 products stay exact).
PRIME_COUNT = 96

#: Random points at which each reconstruction is checked mod a fresh prime.
CHECK_POINTS = 8

#: Points evaluated per batch (bounds memory: batch x class size^2 x 8 bytes).
BATCH_POINTS = 2048


class ReconstructionError(RuntimeError):
    """The modular reconstruction could not produce a verified rational function."""


class _UnluckyChoice(ReconstructionError):
    """A random grid or line hit a zero of a leading coefficient (retry with new choices)."""


#: Attempts per prime with fresh random grids when one is unlucky (probability ~ lines x
#: degree / p each, ~10^-3 at N_S = 7).
ATTEMPTS_PER_PRIME = 3


def _primes() -> list[int]:
    found, candidate = [], 2**30
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
    #: per quantity: [(class, local index, exponents, Fraction coefficient)], one class each
    quantities: tuple
    #: quantity names: ((key, part), class) with key "left", "right" or bond index, part 0
    #: (J1) / 1 (J2); a current is the sum of its quantities over the classes
    names: tuple

    @functools.cached_property
    def operators(self) -> list:
        """Each class as W(x) = sum_m m(x) A_m (:func:`symbolic_series.class_operators`)."""
        return [
            class_operators(size, entries, self.variable_count) for size, entries in self.classes
        ]


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
    # One quantity per (current, class): each class's contribution has its own, smaller
    # denominator; the total is their sum.
    names, quantities = [], []
    for name in terms:
        for label in range(len(classes)):
            found = tuple(
                (where_label, local, exps, value)
                for (where_label, local, exps), value in terms[name].items()
                if where_label == label
            )
            if found:
                names.append((name, label))
                quantities.append(found)
    return _Chain(len(variables.symbols), tuple(classes), tuple(quantities), tuple(names))


# ----------------------------------------------------------------------------------------------
# Vectorised arithmetic mod p (p < 2^31: a product of two residues fits in int64).


def _gauss_jordan(augmented: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Solve stacked systems [A | b] (shape (P, S, S+1)) mod p; returns (x, solvable mask)."""
    systems, size, _ = augmented.shape
    work = augmented % p
    good = np.ones(systems, dtype=bool)
    for k in range(size):
        pivot = work[:, k, k]
        good &= pivot != 0
        inverse = inverse_mod(np.where(pivot == 0, 1, pivot), p)
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
# Every quantity along lines through one base point, as Taylor series mod p.


def _functionals(chain: _Chain, p: int) -> list[list[dict]]:
    """Per class, per quantity of that class: {exponents: weight residues over its states}."""
    found: list[list[dict]] = [[] for _ in chain.classes]
    for terms in chain.quantities:
        label = terms[0][0] if terms else 0
        weights: dict = {}
        for _, local, exponents, coefficient in terms:
            vector = weights.setdefault(exponents, [0] * chain.classes[label][0])
            vector[local] = (vector[local] + _residue(coefficient, p)) % p
        found[label].append(weights)
    return found


def _quantity_class(chain: _Chain) -> list[tuple[int, int]]:
    """(class, position among that class's quantities) of every quantity."""
    counters: dict[int, int] = {}
    out = []
    for terms in chain.quantities:
        label = terms[0][0] if terms else 0
        out.append((label, counters.get(label, 0)))
        counters[label] = counters.get(label, 0) + 1
    return out


def _series(chain, wanted, base, directions, order, p) -> np.ndarray:
    """Series (len(wanted), L, order) of the quantities ``wanted`` (indices) along the lines."""
    operators = chain.operators
    functionals = _functionals(chain, p)
    where = _quantity_class(chain)
    out = np.zeros((len(wanted), directions.shape[0], order), dtype=np.int64)
    for label in sorted({where[q][0] for q in wanted}):
        rows = [i for i, q in enumerate(wanted) if where[q][0] == label]
        chosen = [functionals[label][where[wanted[i]][1]] for i in rows]
        values = line_series(operators[label], chosen, base, directions, order, p)
        out[rows] = values
    return out


def _base_series(chain, wanted, directions, order, p, rng):
    """A random base point with W(a) invertible mod p in every class, and the series there."""
    for _ in range(8):
        base = np.array([rng.randrange(1, p) for _ in range(chain.variable_count)], dtype=np.int64)
        try:
            return base, _series(chain, wanted, base, directions, order, p)
        except SingularBasePoint:
            continue
    raise ReconstructionError("W(a) was singular mod p at every random base point tried")


def _distinct(chain: _Chain, p: int, rng: random.Random):
    """Quantities that differ as functions: (representatives, map q -> (representative, sign)).

    Quantities with the same series (or opposite series) along random lines mod p are taken
    as equal (or opposite); zero series as zero (map value None). Every quantity, not only the
    representatives, is checked against the final forms at fresh points (:func:`_check`), so a
    coincidence here cannot pass unnoticed.
    """
    n = chain.variable_count
    directions = np.array(
        [[rng.randrange(1, p) for _ in range(n)] for _ in range(3)], dtype=np.int64
    )
    _, values = _base_series(chain, list(range(len(chain.quantities))), directions, 12, p, rng)
    representatives, mapping, seen = [], {}, {}
    for q in range(len(chain.quantities)):
        key = tuple(int(v) for v in values[q].reshape(-1))
        if not any(key):
            mapping[q] = None
            continue
        negated = tuple((-v) % p for v in key)
        if key in seen:
            mapping[q] = (seen[key], 1)
        elif negated in seen:
            mapping[q] = (seen[negated], -1)
        else:
            seen[key] = len(representatives)
            mapping[q] = (len(representatives), 1)
            representatives.append(q)
    return representatives, mapping


@dataclass(frozen=True)
class _Shape:
    """Degrees from the first prime: per representative (deg N, deg D); bound per variable."""

    totals: tuple[tuple[int, int], ...]
    degrees: tuple[int, ...]


def _find_shape(chain: _Chain, wanted, p: int, rng: random.Random, bound: int = 4096) -> _Shape:
    """Total degrees along a random line and the degree in each variable along axis lines."""
    n = chain.variable_count
    directions = np.eye(n + 1, n, -1, dtype=np.int64)
    directions[0] = [rng.randrange(1, p) for _ in range(n)]
    order = 32
    while True:
        _, values = _base_series(chain, wanted, directions, order, p, rng)
        found = [series_pade.degrees(values[i], p) for i in range(len(wanted))]
        if all(pair is not None for rows in found for pair in rows):
            totals = tuple(rows[0] for rows in found)
            degrees = tuple(max(max(rows[axis + 1]) for rows in found) for axis in range(n))
            return _Shape(totals, degrees)
        if order > bound:
            raise ReconstructionError(f"no rational function of degree <= {bound} fits")
        order *= 2


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


def _taylor_shift(shift: int, degree: int, p: int) -> np.ndarray:
    """T with (T m)_j = sum_i m_i C(i, j) (-shift)^(i - j): coefficients of M(x - shift)."""
    operator = np.zeros((degree + 1, degree + 1), dtype=np.int64)
    for i in range(degree + 1):
        for j in range(i + 1):
            operator[j, i] = sp.binomial(i, j) * pow(-shift, i - j, p) % p
    return operator


def _reconstruct_mod(chain: _Chain, wanted, shape: _Shape, p: int, rng: random.Random):
    """Per representative: dense coefficient arrays (N, D) mod p, scaled so that D(a) = 1.

    Lines a + t (1, z) through a random point a (D(a) != 0 with high probability, unlike
    D(0), which vanishes where the chain falls apart), z on a tensor grid; the Taylor series
    in t of each quantity gives, by Pade, the homogeneous parts of M(y) = N(a + y) at (1, z),
    interpolated on the grid, then shifted back to N(x) = M(x - a).
    """
    n = chain.variable_count
    sizes = [degree + 1 for degree in shape.degrees]
    axes = [rng.sample(range(1, p), size) for size in sizes[1:]]
    mesh = np.meshgrid(*[np.array(a, dtype=np.int64) for a in axes], indexing="ij")
    lines = int(np.prod(sizes[1:])) if n > 1 else 1
    directions = np.ones((lines, n), dtype=np.int64)
    for axis, values in enumerate(mesh):
        directions[:, axis + 1] = values.reshape(-1)
    order = max(2 * max(b, a + 1) for a, b in shape.totals)
    base, series = _base_series(chain, wanted, directions, order, p, rng)
    shift = [int(v) for v in base]
    inverses = [_inverse_vandermonde(a, p) for a in axes]
    shifts = [_taylor_shift(shift[axis], shape.degrees[axis], p) for axis in range(n)]
    results = []
    where = _quantity_class(chain)
    denominators: dict = {}
    for q, (degree_numerator, degree_denominator) in enumerate(shape.totals):
        # The currents of one class usually share their denominator: try the one found for an
        # earlier quantity (its Pade conditions must hold on every line) before a new solve.
        key = (where[wanted[q]][0], degree_denominator)
        numerator = None
        if key in denominators:
            denominator = denominators[key]
            product = series_pade.truncated_product(denominator, series[q], order, p)
            if not product[:, degree_numerator + 1 :].any():
                numerator = product[:, : degree_numerator + 1]
        if numerator is None:
            numerator, denominator, ok = series_pade.pade(
                series[q], degree_numerator, degree_denominator, p
            )
            if not ok.all():
                raise _UnluckyChoice("a Pade approximant had an unexpected shape (unlucky line)")
            denominators.setdefault(key, denominator)
        parts = []
        for coefficients in (numerator, denominator):
            grid = coefficients.T.reshape((coefficients.shape[1], *sizes[1:]))
            for axis, inverse in enumerate(inverses):
                grid = _apply_along(grid, inverse, axis + 1, p)
            # The coefficient of t^k z^rest in the part of degree k belongs to x_1^(k-|rest|).
            dense = np.zeros(sizes, dtype=np.int64)
            support = np.nonzero(grid)
            first = support[0] - sum(support[1:])
            if np.any((first < 0) | (first >= sizes[0])):
                raise ReconstructionError("a homogeneous part had too high a degree")
            dense[(first, *support[1:])] = grid[support]
            for axis in range(n):
                dense = _apply_along(dense, shifts[axis], axis, p)
            parts.append(dense)
        results.append(tuple(parts))
    return results


def _normalised(dense_results, p: int, anchors=None):
    """Dense residue arrays with the anchor coefficient of each D made 1.

    The anchor (largest monomial of D mod the first prime) fixes one scale for every prime.
    """
    found, chosen = [], []
    for q, (numerator, denominator) in enumerate(dense_results):
        if anchors is None:
            support = np.argwhere(denominator)
            if not support.size:
                raise ReconstructionError("a reconstructed denominator vanished")
            anchor = tuple(int(i) for i in max(map(tuple, support)))
        else:
            anchor = anchors[q]
        scale = int(denominator[anchor])
        if scale == 0:
            raise ReconstructionError("unlucky prime: the anchor coefficient vanished")
        inverse = pow(scale, -1, p)
        found.append(tuple(dense % p * inverse % p for dense in (numerator, denominator)))
        chosen.append(anchor)
    return found, chosen


# ----------------------------------------------------------------------------------------------
# Lifting to the rationals.

#: A coefficient times the common denominator is accepted as an integer only when it is this
#: many bits below the modulus (a wrong denominator gives a residue of full size).
MARGIN_BITS = 20

#: Coefficients per polynomial whose rational reconstruction proposes the common denominator.
DENOMINATOR_SAMPLE = 256


def _rational(residue: int, modulus: int) -> Fraction | None:
    """Maximal-quotient rational reconstruction of residue mod modulus, or None.

    Runs Euclid on (modulus, residue); the candidate n / d sits just before the largest
    quotient q, and q ~ modulus / (|n| d), so it is accepted only when q exceeds
    2^MARGIN_BITS (Monagan, ISSAC 2004): unlike Wang's balanced bounds this recovers a large
    numerator over a small denominator, and a random residue is rejected.
    """
    r0, r1, s0, s1 = modulus, residue % modulus, 0, 1
    best, best_quotient = None, 0
    while r1:
        quotient = r0 // r1
        if quotient > best_quotient:
            best, best_quotient = (r1, s1), quotient
        r0, r1 = r1, r0 - quotient * r1
        s0, s1 = s1, s0 - quotient * s1
    if best is None or best_quotient >> MARGIN_BITS == 0:
        return None
    numerator, denominator = best
    if gcd(numerator, abs(denominator)) != 1:
        return None
    return Fraction(numerator, denominator)


def _lift_one(residues: np.ndarray, modulus: int, rng: random.Random) -> dict | None:
    """{exponents: Fraction} from residues mod ``modulus`` (object array), or None.

    The coefficients share a small common denominator L (the anchor's integer coefficient
    over a content), so L is found by rational reconstruction of a few coefficients (those
    small enough already succeed) and every coefficient is then L c read as a balanced
    integer, which needs about half the bits of reconstructing every fraction by itself.
    Coefficients whose L c is not small get their own reconstruction, which extends L.
    """
    support = np.flatnonzero(residues)
    if not support.size:
        return {}
    flat = residues.reshape(-1)
    common = 1
    for index in rng.sample(range(support.size), min(DENOMINATOR_SAMPLE, support.size)):
        value = _rational(int(flat[support[index]]), modulus)
        if value is not None:
            common = lcm(common, value.denominator)
    bound, half = modulus >> MARGIN_BITS, modulus // 2
    for _ in range(4):
        scaled = flat[support] * common % modulus
        scaled = np.where(scaled > half, scaled - modulus, scaled)
        large = np.flatnonzero(np.abs(scaled) > bound)
        if not large.size:
            shape = residues.shape
            return {
                tuple(int(i) for i in np.unravel_index(int(position), shape)): Fraction(
                    int(value), common
                )
                for position, value in zip(support, scaled, strict=True)
                if value
            }
        for index in large[:DENOMINATOR_SAMPLE]:
            value = _rational(int(flat[support[index]]), modulus)
            if value is None:
                return None
            common = lcm(common, value.denominator)
    return None


def _lift(accumulated, modulus, rng):
    lifted = []
    for parts in accumulated:
        pair = []
        for residues in parts:
            terms = _lift_one(residues, modulus, rng)
            if terms is None:
                return None
            pair.append(terms)
        lifted.append(tuple(pair))
    return lifted


def _crt(accumulated, modulus, fresh, p):
    """Combine residues mod ``modulus`` (object arrays) with residues mod p (int64)."""
    inverse = pow(modulus, -1, p)
    combined = []
    for old_parts, new_parts in zip(accumulated, fresh, strict=True):
        pair = []
        for old, new in zip(old_parts, new_parts, strict=True):
            step = (new.astype(object) - old) % p * inverse % p
            pair.append((old + modulus * step) % (modulus * p))
        combined.append(tuple(pair))
    return combined


def _value_mod(terms: dict, points: np.ndarray, p: int) -> np.ndarray:
    """Polynomial {exponents: Fraction} at every point mod p (vectorised over terms)."""
    if not terms:
        return np.zeros(points.shape[0], dtype=np.int64)
    exponents = np.array(list(terms), dtype=np.int64)
    coefficients = np.array([_residue(c, p) for c in terms.values()], dtype=np.int64)
    total = np.zeros(points.shape[0], dtype=np.int64)
    largest = int(exponents.max())
    for row, point in enumerate(points):
        value = coefficients.copy()
        for variable in range(points.shape[1]):
            powers = np.ones(largest + 1, dtype=np.int64)
            for e in range(1, largest + 1):
                powers[e] = powers[e - 1] * int(point[variable]) % p
            value = value * powers[exponents[:, variable]] % p
        total[row] = int(value.sum() % p)
    return total


def _expanded(mapping, lifted, quantity_count: int, variable_count: int):
    """Every quantity's (N, D) from its representative's (sign x N, D); zero as (0, 1)."""
    one = {(0,) * variable_count: Fraction(1)}
    negated: dict = {}
    out = []
    for q in range(quantity_count):
        if mapping[q] is None:
            out.append(({}, one))
            continue
        representative, sign = mapping[q]
        numerator, denominator = lifted[representative]
        if sign == -1:
            # One negated copy per representative: equal currents share their objects.
            if representative not in negated:
                negated[representative] = {k: -v for k, v in numerator.items()}
            numerator = negated[representative]
        out.append((numerator, denominator))
    return out


def _check(chain, mapping, lifted, p, rng) -> bool:
    """Every quantity (not only the representatives) equals its form at fresh points mod p.

    The values come from the independent elimination :func:`evaluate`, not from the series.
    """
    points = np.array(
        [[rng.randrange(1, p) for _ in range(chain.variable_count)] for _ in range(CHECK_POINTS)],
        dtype=np.int64,
    )
    values, good = evaluate(chain, points, p)
    forms = [tuple(_value_mod(terms, points, p) for terms in pair) for pair in lifted]
    for q in range(len(chain.quantities)):
        if mapping[q] is None:
            top, bottom, sign = np.zeros(points.shape[0], dtype=np.int64), 1, 1
        else:
            (top, bottom), sign = forms[mapping[q][0]], mapping[q][1]
        if np.any(good & ((values[:, q] * bottom - sign * top) % p != 0)):
            return False
    return True


def _silent(message: str) -> None:
    """Default progress callback: report nothing."""


def reconstruct(chain: _Chain, seed: int = 0, progress=_silent) -> list[tuple[dict, dict]]:
    """Every quantity as (numerator, denominator) dicts of Fraction coefficients.

    The largest monomial of each nonzero denominator has coefficient 1. ``progress`` receives
    one line per stage (degrees found, each prime done).
    """
    rng = random.Random(seed)
    representatives, mapping = _distinct(chain, PRIMES[0], rng)
    count, variables = len(chain.quantities), chain.variable_count
    if not representatives:
        return _expanded(mapping, [], count, variables)
    shape = _find_shape(chain, representatives, PRIMES[0], rng)
    progress(
        f"{len(representatives)} distinct of {count} quantities; degrees (N, D) "
        f"{sorted(set(shape.totals))}, per variable {list(shape.degrees)}"
    )
    accumulated, modulus, anchors = None, 1, None
    for index, p in enumerate(PRIMES[:-1]):
        for attempt in range(ATTEMPTS_PER_PRIME):
            try:
                dense = _reconstruct_mod(chain, representatives, shape, p, rng)
                break
            except _UnluckyChoice:
                if attempt == ATTEMPTS_PER_PRIME - 1:
                    raise
        fresh, anchors = _normalised(dense, p, anchors)
        if accumulated is None:
            accumulated = [tuple(part.astype(object) for part in pair) for pair in fresh]
        else:
            accumulated = _crt(accumulated, modulus, fresh, p)
        modulus *= p
        lifted = _lift(accumulated, modulus, rng)
        # A lift that is not yet right fails the check at fresh random points mod an unused
        # prime (a wrong rational function agrees there with probability ~ degree / p each).
        verified = lifted is not None and _check(chain, mapping, lifted, PRIMES[index + 1], rng)
        progress(
            f"prime {index + 1} done ({modulus.bit_length()} bits): "
            + ("verified at fresh points" if verified else "not yet reconstructed")
        )
        if verified:
            return _expanded(mapping, lifted, count, variables)
    raise ReconstructionError(
        f"coefficients did not reconstruct and verify within {len(PRIMES)} primes"
    )


# ----------------------------------------------------------------------------------------------
# sympy interface.


def _expression(terms: dict, symbols, scale: Fraction) -> sp.Expr:
    """The polynomial sum c x^e as a sympy expression, built term by term without re-sorting.

    ``Poly.as_expr`` flattens and re-derives assumptions for every term (minutes for the
    ~10^5 terms of N_S = 7); the terms here are already canonical: an integer times powers of
    distinct symbols in sympy's order.
    """
    order = sorted(range(len(symbols)), key=lambda i: sp.default_sort_key(symbols[i]))
    largest = max((max(e) for e in terms), default=0)
    powers = [
        [sp.Integer(1), symbol] + [symbol**k for k in range(2, largest + 1)] for symbol in symbols
    ]
    top, bottom = scale.numerator, scale.denominator
    out = []
    for exponents in sorted(terms, reverse=True):
        coefficient = terms[exponents]
        value, remainder = divmod(coefficient.numerator * top, coefficient.denominator * bottom)
        if remainder:
            raise ReconstructionError("non-integral coefficient after clearing denominators")
        factors = [powers[i][exponents[i]] for i in order if exponents[i]]
        number = sp.Integer(value)
        if not factors:
            out.append(number)
        elif number == 1 and len(factors) == 1:
            out.append(factors[0])
        elif number == 1:
            out.append(sp.Mul._from_args(tuple(factors), is_commutative=True))
        else:
            out.append(sp.Mul._from_args((number, *factors), is_commutative=True))
    if len(out) == 1:
        return out[0]
    return sp.Add._from_args(tuple(out), is_commutative=True)


def _primitive_scale(terms: dict) -> Fraction:
    """s with s x terms integral, coprime and the largest monomial's coefficient positive."""
    common = lcm(*(v.denominator for v in terms.values()))
    scale = Fraction(common, gcd(*(int(v * common) for v in terms.values())))
    return -scale if terms[max(terms)] < 0 else scale


def _fraction(numerator: dict, denominator: dict, symbols, built: dict) -> sp.Expr:
    """c N' / D' with D' the primitive denominator (built once per dict, kept in ``built``)
    and N' primitive: the currents of a class share D, the largest sympy sum."""
    if not numerator:
        return sp.Integer(0)
    if id(denominator) not in built:
        scale = _primitive_scale(denominator)
        built[id(denominator)] = (
            _expression(denominator, symbols, scale),
            scale,
            denominator,
        )
    bottom, scale, _ = built[id(denominator)]
    scaled = {k: v * scale for k, v in numerator.items()}
    inner = _primitive_scale(scaled)
    factor = 1 / inner
    top = _expression(scaled, symbols, inner)
    # One Mul of three factors: a number times a lone sum would be distributed over its terms.
    return sp.Mul(sp.Rational(factor.numerator, factor.denominator), top, 1 / bottom)


def _sum_fractions(pairs, variable_count: int) -> tuple[dict, dict]:
    """sum_i N_i / D_i as one reduced fraction (flint's exact multivariate gcd).

    Symmetric closed classes contribute the same fraction (the same objects, see
    :func:`_expanded`): those are counted, not multiplied out, and numerators over one shared
    denominator are added before any product of denominators is formed.
    """
    pairs = [pair for pair in pairs if pair[0]]
    if not pairs:
        return {}, {(0,) * variable_count: Fraction(1)}
    by_denominator: dict = {}
    for numerator, denominator in pairs:
        entry = by_denominator.setdefault(id(denominator), [denominator, {}])
        counts = entry[1]
        counts[id(numerator)] = (numerator, counts.get(id(numerator), (None, 0))[1] + 1)
    if len(by_denominator) == 1:
        denominator, counts = next(iter(by_denominator.values()))
        if len(counts) == 1:
            numerator, count = next(iter(counts.values()))
            if count == 1:
                return numerator, denominator
            return {k: v * count for k, v in numerator.items()}, denominator
    context = flint.fmpz_mpoly_ctx.get(tuple(f"x{i}" for i in range(variable_count)), "lex")

    def integral(terms: dict, scale: int):
        return context.from_dict({k: int(v * scale) for k, v in terms.items()})

    top = bottom = None
    for denominator, counts in by_denominator.values():
        values = [v for n, _ in counts.values() for v in n.values()] + list(denominator.values())
        scale = lcm(*(v.denominator for v in values))
        numerator = sum(
            (integral(n, scale) * count for n, count in counts.values()), context.from_dict({})
        )
        part_bottom = integral(denominator, scale)
        if top is None:
            top, bottom = numerator, part_bottom
        else:
            top, bottom = top * part_bottom + numerator * bottom, bottom * part_bottom
        common = top.gcd(bottom)
        top, bottom = top // common, bottom // common
    return tuple(
        {tuple(k): Fraction(int(v)) for k, v in poly.to_dict().items()} for poly in (top, bottom)
    )


def _forms(model: SymbolicModel, variables: RateVariables, unit: str, seed: int, progress=_silent):
    upper_energy, lower_energy = model.energy(1, 0), model.energy(0, 1)
    rational = _ratio(model)
    chain = _chain(model, variables, unit, rational)
    lifted = reconstruct(chain, seed, progress)
    grouped: dict = {}
    for (name, _), pair in zip(chain.names, lifted, strict=True):
        grouped.setdefault(name, []).append(pair)
    coefficient, factor = sp.sympify(upper_energy).as_coeff_Mul()
    scale = Fraction(int(sp.Rational(coefficient).p), int(sp.Rational(coefficient).q))
    parts, built, denominators = {}, {}, {}
    for name, pairs in grouped.items():
        numerator, denominator = _sum_fractions(pairs, len(variables.symbols))
        # Equal currents share their dicts; the entry keeps them alive so ids stay unique.
        key = (id(numerator), id(denominator))
        if key not in built:
            top = numerator
            if rational is not None:
                # One energy scale (J, or exact numbers): the number goes into the numerator,
                # so the current is a single fraction as in the fraction-free route.
                top = {k: v * scale for k, v in numerator.items()}
            built[key] = (
                _fraction(top, denominator, variables.symbols, denominators),
                numerator,
                denominator,
            )
        parts[name] = built[key][0]

    def part(key, index) -> sp.Expr:
        return parts.get((key, index), sp.Integer(0))

    def current(key) -> sp.Expr:
        if rational is not None:
            return factor * part(key, 0)
        return upper_energy * part(key, 0) + lower_energy * part(key, 1)

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


def _model(model: Ring | SymbolicModel, dynamics: str, couplings: str) -> SymbolicModel:
    if isinstance(model, Ring):
        return SymbolicModel(model, dynamics, couplings)
    if not isinstance(model, SymbolicModel):
        raise ParameterError("model", model, "a Ring or SymbolicModel")
    return model


def _orderings(model: SymbolicModel) -> list[RateVariables]:
    """The variable sets derived in turn: both orderings of J1, J2 for positive couplings."""
    if model.couplings != POSITIVE:
        return [RateVariables.for_model(model)]
    return [RateVariables.for_model(model, order) for order in (UPPER_STRONGER, LOWER_STRONGER)]


def _ratio(model: SymbolicModel) -> Fraction | None:
    ratio = sp.nsimplify(model.energy(0, 1) / model.energy(1, 0))
    return Fraction(int(ratio.p), int(ratio.q)) if ratio.is_Rational else None


@dataclass(frozen=True)
class ReconstructionShape:
    """What one ordering's reconstruction will cost, from the degrees found at one prime.

    Attributes
    ----------
    class_sizes : tuple of int
        Lumped states of each closed class.
    solved_class_sizes : tuple of int
        Sizes of the classes whose series are computed (those holding a distinct current;
        symmetric classes give equal contributions and are checked, not solved).
    quantities, distinct : int
        Currents per class, and how many of them differ as functions.
    totals : tuple of (int, int)
        (deg N, deg D) of each distinct quantity (total degree).
    degrees : tuple of int
        Degree bound in each rate variable.
    lines, order : int
        Lines of the tensor grid and Taylor terms along each, per prime.
    """

    class_sizes: tuple[int, ...]
    solved_class_sizes: tuple[int, ...]
    quantities: int
    distinct: int
    totals: tuple[tuple[int, int], ...]
    degrees: tuple[int, ...]
    lines: int
    order: int


def probe(
    model: Ring | SymbolicModel,
    dynamics: str = "q2r",
    couplings: str = POSITIVE,
    *,
    unit: str = STEP,
    seed: int = 0,
) -> tuple[ReconstructionShape, ...]:
    """The degrees and grid of every ordering, found at the first prime (cheap: no lifting).

    This is the first step of :func:`derive_modular` (same random choices for the same seed),
    exposed so that a caller can estimate and refuse before the work.
    """
    model = _model(model, dynamics, couplings)
    found = []
    for variables in _orderings(model):
        chain = _chain(model, variables, unit, _ratio(model))
        rng = random.Random(seed)
        representatives, _ = _distinct(chain, PRIMES[0], rng)
        if not representatives:
            shape = _Shape((), (0,) * chain.variable_count)
        else:
            shape = _find_shape(chain, representatives, PRIMES[0], rng)
        lines = int(np.prod([d + 1 for d in shape.degrees[1:]])) if shape.degrees else 1
        order = max((2 * max(b, a + 1) for a, b in shape.totals), default=0)
        solved = sorted({_quantity_class(chain)[q][0] for q in representatives})
        found.append(
            ReconstructionShape(
                tuple(size for size, _ in chain.classes),
                tuple(chain.classes[label][0] for label in solved),
                len(chain.quantities),
                len(representatives),
                shape.totals,
                shape.degrees,
                lines,
                order,
            )
        )
    return tuple(found)


def derive_modular(
    model: Ring | SymbolicModel,
    dynamics: str = "q2r",
    couplings: str = POSITIVE,
    *,
    unit: str = STEP,
    seed: int = 0,
    progress=_silent,
) -> SymbolicSolution:
    """Closed-form currents by modular evaluation and rational reconstruction.

    Same parameters and result type as :func:`exactspin.classical.symbolic.derive`, except that
    ``rational.steady_state`` is empty (only the currents, Eqs. 6 and 9, are reconstructed),
    ``seed`` fixes the random evaluation points and ``progress`` (a callable taking one line
    of text) hears about every stage. Raises :class:`ReconstructionError` when the
    reconstruction does not verify.
    """
    require_choice("unit", unit, UNITS)
    model = _model(model, dynamics, couplings)
    stand_in = encoding_model(model)
    labels_source = RateVariables.for_model(
        model, UPPER_STRONGER if model.couplings == POSITIVE else None
    )
    out_moves = [
        moves(model, labels_source, stand_in, state) for state in range(stand_in.state_count)
    ]
    labels = _closed_classes(out_moves, stand_in.state_count)
    orderings = _orderings(model)
    derived = []
    for variables in orderings:
        prefix = f"ordering {variables.order}: " if len(orderings) > 1 else ""
        derived.append(
            _forms(
                model, variables, unit, seed, lambda line, prefix=prefix: progress(prefix + line)
            )
        )
    if model.couplings != POSITIVE:
        forms, variables = derived[0], orderings[0]
    else:
        forms = _join(*derived, sp.Ge(UPPER_COUPLING, LOWER_COUPLING))
        variables = RateVariables.for_model(model, POSITIVE)
    return SymbolicSolution(
        model=model,
        unit=unit,
        variables=tuple(zip(variables.symbols, variables.definitions, strict=True)),
        rational=forms,
        closed_classes=max(labels.values()) + 1,
        class_labels=tuple(labels[state] for state in range(stand_in.state_count)),
    )


__all__ = [
    "ReconstructionError",
    "ReconstructionShape",
    "derive_modular",
    "probe",
    "reconstruct",
]
