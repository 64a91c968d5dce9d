"""The symbolic master equation (Eq. 4) of a classical ring and its closed-form steady state.

The generator is built from the energy function and the transition rules (Eqs. 3, 5, 10, 21)
through :mod:`exactspin.classical.rules` (flip-energy coefficients) and
:mod:`exactspin.classical.states` (encoding), never from the numeric generator. Rates are
monomials in the exponential variables of ``symbolic_model.RateVariables``, so the generator
lives in a polynomial ring ZZ[x_L, x_R, ...] and the steady state of each closed class is
solved fraction-free (``DomainMatrix.solve_den``): one polynomial per state over one common
denominator. Plain ``Matrix.solve`` does not finish beyond a handful of states.

Two exact reductions keep this fast: every state of a reversible chain is recurrent, so the
closed classes are the connected components of the flip graph; and the dynamics is invariant
under flipping every spin (Eq. 2 is even in the spins, Eqs. 5, 10, 21 see only dE), so within the
uniform-start steady state P(eta) = P(-eta) and the chain may be solved on spin-flip pairs.

Currents (Eqs. 6, 9) are sums over every allowed flip from every state of energy x rate x P,
reported per single-spin update attempt (continuous rate / N_S; docs/conventions.md) by default.
Printing and the command line live in :mod:`exactspin.classical.symbolic_output`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import ring as polynomial_ring

from exactspin.classical import rules, states
from exactspin.classical.model import CCA, DEMON_LEVELS, Q2R, ClassicalModel
from exactspin.classical.symbolic_model import (
    BETA_L,
    BETA_R,
    LOWER_COUPLING,
    LOWER_STRONGER,
    POSITIVE,
    UPPER_COUPLING,
    UPPER_STRONGER,
    RateVariables,
    SymbolicModel,
    cca_demon_after,
)
from exactspin.ring import Ring
from exactspin.validation import ParameterError, ResourceError, require_choice

STEP = "step"
CONTINUOUS = "continuous"
UNITS = (STEP, CONTINUOUS)

#: Largest state space the symbolic solver accepts (CCA with N_S = 4 has 256 states).
MAX_SYMBOLIC_STATES = 4096

#: Decimal digits used by :meth:`SymbolicSolution.evaluate` (currents are differences of
#: positive terms; extra digits keep them exact to double precision near T_L = T_R).
EVALUATION_DIGITS = 50


@dataclass(frozen=True)
class RationalForms:
    """The master equation and its solution in the exponential variables (no exp, no beta).

    Attributes
    ----------
    generator : sympy.ImmutableMatrix
        W of dP/dt = W P (Eq. 4): W[j, i] is the rate of i -> j, columns sum to zero; indices
        are the encoding of :mod:`exactspin.classical.states`.
    steady_state : sympy.ImmutableMatrix
        Column of P(eta), uniform start over all states (each closed class weighted by size).
    left_bath_current, right_bath_current : sympy.Expr
        I_L, I_R of Eq. 6.
    bond_currents : tuple of sympy.Expr
        Energy moved into bond b by flips of spin b (Eq. 9), b = 0..N_S-1 (0-based).
    """

    generator: sp.ImmutableMatrix
    steady_state: sp.ImmutableMatrix
    left_bath_current: sp.Expr
    right_bath_current: sp.Expr
    bond_currents: tuple[sp.Expr, ...]

    def map(self, function) -> RationalForms:
        """Apply ``function`` to every expression."""
        return RationalForms(
            self.generator.applyfunc(function),
            self.steady_state.applyfunc(function),
            function(self.left_bath_current),
            function(self.right_bath_current),
            tuple(function(current) for current in self.bond_currents),
        )


@dataclass(frozen=True)
class SymbolicSolution:
    """Closed-form steady state and currents of a classical ring.

    Attributes
    ----------
    model : SymbolicModel
        The ring, dynamics and coupling assumption that produced this solution.
    unit : {"step", "continuous"}
        Currents per single-spin update attempt (default; docs/conventions.md) or per unit time.
    variables : tuple of (sympy.Symbol, sympy.Expr)
        Each exponential variable and its definition, e.g. (x_L, exp(-2 J beta_L)).
    rational : RationalForms
        Everything as rational functions of the variables.
    closed_classes : int
        Number of closed classes of the full chain (1 for Q2R).
    class_labels : tuple of int
        Closed class of every state (states of the encoding).
    """

    model: SymbolicModel
    unit: str
    variables: tuple[tuple[sp.Symbol, sp.Expr], ...]
    rational: RationalForms
    closed_classes: int
    class_labels: tuple[int, ...]

    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        """Every symbol the results may contain, by name (couplings, betas, variables)."""
        found = [*self.model.coupling_symbols, BETA_L, BETA_R]
        found += [symbol for symbol, _ in self.variables]
        return {symbol.name: symbol for symbol in found}

    def physical(self, expression: sp.Expr) -> sp.Expr:
        """``expression`` with each variable replaced by its exponential in J and beta."""
        return sp.sympify(expression).xreplace(dict(self.variables))

    @property
    def generator(self) -> sp.ImmutableMatrix:
        """W of Eq. 4 in J (or J1, J2), beta_L, beta_R; W[j, i] = rate of i -> j."""
        return self.rational.generator.applyfunc(self.physical)

    @property
    def steady_state(self) -> sp.ImmutableMatrix:
        """P(eta) for every state (column, encoding order), in J and beta."""
        return self.rational.steady_state.applyfunc(self.physical)

    @property
    def left_bath_current(self) -> sp.Expr:
        """I_L (Eq. 6): energy drawn from the left bath."""
        return self.physical(self.rational.left_bath_current)

    @property
    def right_bath_current(self) -> sp.Expr:
        """I_R (Eq. 6): energy drawn from the right bath."""
        return self.physical(self.rational.right_bath_current)

    @property
    def bond_currents(self) -> tuple[sp.Expr, ...]:
        """Energy moved into bond b by flips of spin b (Eq. 9), b = 0..N_S-1."""
        return tuple(self.physical(current) for current in self.rational.bond_currents)

    @property
    def upper_branch_current(self) -> sp.Expr:
        """I_U: current of the upper bonds, positive left -> right (bond 0, all equal)."""
        return self.bond_currents[self.model.ring.upper_bonds[0]]

    @property
    def lower_branch_current(self) -> sp.Expr:
        """I_D: current of the lower bonds, positive right -> left (bond N_U+1, all equal)."""
        return self.bond_currents[self.model.ring.lower_bonds[0]]

    def currents(self, physical: bool = True) -> dict[str, sp.Expr]:
        """I_L, I_R, I_U, I_D by their full names (rational forms if ``physical`` is False)."""
        ring = self.model.ring
        forms = self.rational
        convert = self.physical if physical else sp.sympify
        return {
            "left_bath_current": convert(forms.left_bath_current),
            "right_bath_current": convert(forms.right_bath_current),
            "upper_branch_current": convert(forms.bond_currents[ring.upper_bonds[0]]),
            "lower_branch_current": convert(forms.bond_currents[ring.lower_bonds[0]]),
        }

    def pretty(self) -> str:
        """Human-readable text of the variables, steady state and currents."""
        from exactspin.classical.symbolic_output import pretty

        return pretty(self)

    def latex(self) -> str:
        """The same as a LaTeX ``align*`` block."""
        from exactspin.classical.symbolic_output import latex

        return latex(self)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (the keys of ``exactspin classical derive --json``)."""
        from exactspin.classical.symbolic_output import to_dict

        return to_dict(self)

    def evaluate(self, model: ClassicalModel) -> dict[str, object]:
        """Numbers for a numeric model satisfying this solution's assumption.

        Returns floats under the keys ``left_bath_current``, ``right_bath_current``,
        ``upper_branch_current``, ``lower_branch_current``, a tuple ``bond_currents`` and a
        tuple ``probabilities`` (encoding order). Evaluated with :data:`EVALUATION_DIGITS`
        digits, then rounded to float. Raises ParameterError when ``model`` is another ring or
        dynamics or violates the coupling assumption.
        """
        values = self.model.check_numeric(model)
        numbers = {symbol: sp.Float(value, EVALUATION_DIGITS) for symbol, value in values.items()}
        for symbol, definition in self.variables:
            numbers[symbol] = definition.xreplace(numbers).evalf(EVALUATION_DIGITS)

        def number(expression: sp.Expr) -> float:
            return float(sp.sympify(expression).xreplace(numbers).evalf(EVALUATION_DIGITS))

        result: dict[str, object] = {
            name: number(value) for name, value in self.currents(physical=False).items()
        }
        result["bond_currents"] = tuple(number(c) for c in self.rational.bond_currents)
        result["probabilities"] = tuple(number(p) for p in self.rational.steady_state)
        return result

    def _repr_latex_(self) -> str:
        """The closed-form currents as one LaTeX display, for Jupyter."""
        from exactspin.display import closed_form_latex

        return closed_form_latex(self)


def evaluate_currents(solution: SymbolicSolution, model: ClassicalModel) -> dict[str, object]:
    """:meth:`SymbolicSolution.evaluate` as a function (for callers holding the module)."""
    return solution.evaluate(model)


def derive(
    model: Ring | SymbolicModel | ClassicalModel,
    dynamics: str = Q2R,
    couplings: str = POSITIVE,
    *,
    unit: str = STEP,
    reduce_symmetry: bool = True,
) -> SymbolicSolution:
    """Derive the master equation (Eq. 4) and solve its steady state in closed form.

    Parameters
    ----------
    model : Ring, SymbolicModel or ClassicalModel
        A bare ring (then ``dynamics`` and ``couplings`` apply), a full symbolic model, or a
        numeric model (its couplings and mu become exact rationals; temperatures stay symbolic).
    dynamics : {"q2r", "cca"}
        Used with a bare ring only.
    couplings : str
        Coupling assumption used with a bare ring (see
        :mod:`exactspin.classical.symbolic_model`); the default ``"positive"`` covers any
        J1, J2 > 0 with a Piecewise on J1 >= J2.
    unit : {"step", "continuous"}
        Currents per single-spin update attempt (continuous / N_S; the paper's Eqs. 14-16)
        or per unit continuous time.
    reduce_symmetry : bool
        Solve on pairs of spin-flipped states (exact, several times faster); False solves the
        full chain (the slow, obviously right twin used in tests).

    Returns
    -------
    SymbolicSolution
    """
    require_choice("unit", unit, UNITS)
    if isinstance(model, Ring):
        model = SymbolicModel(model, dynamics, couplings)
    elif isinstance(model, ClassicalModel):
        model = SymbolicModel.from_classical(model)
    elif not isinstance(model, SymbolicModel):
        raise ParameterError("model", model, "a Ring, SymbolicModel or ClassicalModel")
    size = 2**model.ring.sites * DEMON_LEVELS ** (
        len(model.ring.bulk_sites) * (model.dynamics == CCA)
    )
    if size > MAX_SYMBOLIC_STATES:
        raise ResourceError(
            f"symbolic master equation with {size} states exceeds the limit of "
            f"{MAX_SYMBOLIC_STATES} states (use the numeric solver)"
        )
    if model.couplings != POSITIVE:
        variables = RateVariables.for_model(model)
        forms, labels = _solve(model, variables, unit, reduce_symmetry)
    else:
        upper = RateVariables.for_model(model, UPPER_STRONGER)
        lower = RateVariables.for_model(model, LOWER_STRONGER)
        upper_forms, labels = _solve(model, upper, unit, reduce_symmetry)
        lower_forms, _ = _solve(model, lower, unit, reduce_symmetry)
        forms = _join(upper_forms, lower_forms, sp.Ge(UPPER_COUPLING, LOWER_COUPLING))
        variables = RateVariables.for_model(model, POSITIVE)
    return SymbolicSolution(
        model=model,
        unit=unit,
        variables=tuple(zip(variables.symbols, variables.definitions, strict=True)),
        rational=forms,
        closed_classes=max(labels) + 1,
        class_labels=labels,
    )


def _join(first: RationalForms, second: RationalForms, condition) -> RationalForms:
    """Piecewise((first, condition), (second, True)) entry by entry, merged where equal."""

    def pick(a: sp.Expr, b: sp.Expr) -> sp.Expr:
        # Both sides are canonical (coprime, positive leading denominator), so equal rational
        # functions are equal expressions; a cancel() here would dominate the run time.
        return a if a == b else sp.Piecewise((a, condition), (b, True))

    return RationalForms(
        sp.ImmutableMatrix(
            first.generator.shape[0],
            first.generator.shape[1],
            [pick(a, b) for a, b in zip(first.generator, second.generator, strict=True)],
        ),
        sp.ImmutableMatrix(
            [pick(a, b) for a, b in zip(first.steady_state, second.steady_state, strict=True)]
        ),
        pick(first.left_bath_current, second.left_bath_current),
        pick(first.right_bath_current, second.right_bath_current),
        tuple(pick(a, b) for a, b in zip(first.bond_currents, second.bond_currents, strict=True)),
    )


def encoding_model(model: SymbolicModel) -> ClassicalModel:
    """A numeric stand-in carrying the ring and the demon layout, for the state encoding.

    Only the geometry and the dynamics of this stand-in are read: flip-energy coefficients
    depend on the ring alone, and demons on which sites are bulk.
    """
    return ClassicalModel(
        model.ring, 1.0, 1.0, 1.0, 1.0, model.dynamics, 1.0 if model.dynamics == CCA else None
    )


def moves(
    model: SymbolicModel, variables: RateVariables, stand_in: ClassicalModel, state: int
) -> list[tuple[int, int, tuple[int, ...] | None]]:
    """Every allowed flip out of ``state``: (site, new state, rate exponents or None for 1).

    Nodal spins: Metropolis with their bath (Eq. 5). Bulk spins: Q2R flips iff both bonds'
    energies cancel, dE = 0 (Eq. 10); CCA flips iff the demon can pay (Eq. 21).
    """
    ring = model.ring
    found = []
    for site in range(ring.sites):
        c1, c2 = rules.flip_energy_coefficients(stand_in, state, site)
        target = states.flip(state, site)
        if site in (ring.left_node, ring.right_node):
            bath = 0 if site == ring.left_node else 1
            found.append((site, target, variables.metropolis_exponents(bath, c1, c2)))
        elif model.dynamics == CCA:
            after = cca_demon_after(model, states.demon(stand_in, state, site), c1, c2)
            if after is not None:
                found.append((site, states.with_demon(stand_in, target, site, after), None))
        elif (c1, c2) == (0, 0):
            found.append((site, target, None))
    return found


def _solve(
    model: SymbolicModel, variables: RateVariables, unit: str, reduce_symmetry: bool
) -> tuple[RationalForms, tuple[int, ...]]:
    ring = model.ring
    stand_in = encoding_model(model)
    polynomials, *generators = polynomial_ring(variables.symbols, sp.ZZ)

    def rate(exponents: tuple[int, ...] | None):
        if exponents is None:
            return polynomials.one
        result = polynomials.one
        for generator, power in zip(generators, exponents, strict=True):
            result *= generator**power
        return result

    count = stand_in.state_count
    out_moves = [
        [
            (site, target, rate(exponents))
            for site, target, exponents in moves(model, variables, stand_in, state)
        ]
        for state in range(count)
    ]
    labels = _closed_classes(out_moves, count)
    mask = (1 << ring.sites) - 1

    def representative(state: int) -> int:
        return min(state, state ^ mask) if reduce_symmetry else state

    lumped_labels = _closed_classes(
        [[(s, representative(t), r) for s, t, r in out_moves[state]] for state in range(count)],
        count,
        only=sorted({representative(state) for state in range(count)}),
    )
    cache = _ExpressionCache()
    numerators: dict[int, tuple] = {}
    denominators: dict[int, object] = {}
    weights: dict[int, sp.Rational] = {}
    for label in sorted(set(lumped_labels.values())):
        members = sorted(state for state, value in lumped_labels.items() if value == label)
        # Uniform start: a class holds the share of states it contains.
        weights[label] = sp.Rational(len(members), count)
        solution, denominators[label] = _class_steady_state(
            members, out_moves, representative, polynomials
        )
        for state, value in zip(members, solution, strict=True):
            numerators[state] = (weights[label], value, label)
    energy_unit = sp.Rational(1, ring.sites) if unit == STEP else sp.Integer(1)

    def probability_parts(state: int) -> tuple:
        return numerators[representative(state)]

    steady = []
    for state in range(count):
        weight, value, label = probability_parts(state)
        steady.append(cache.fraction(weight, value, denominators[label]))
    current_parts = _current_numerators(model, stand_in, out_moves, probability_parts, polynomials)

    upper_energy, lower_energy = model.energy(1, 0), model.energy(0, 1)
    ratio = lower_energy / upper_energy

    def current(key) -> sp.Expr:
        total = sp.Integer(0)
        for label, (first, second) in current_parts[key].items():
            scale = energy_unit * weights[label]
            if ratio.is_Rational:
                # One energy scale (J, or exact numbers): a single fraction.
                coefficient, factor = (scale * upper_energy / ratio.q).as_coeff_Mul()
                combined = first * ratio.q + second * ratio.p
                total += factor * cache.fraction(coefficient, combined, denominators[label])
            else:
                total += upper_energy * cache.fraction(scale, first, denominators[label])
                total += lower_energy * cache.fraction(scale, second, denominators[label])
        return total

    generator = sp.zeros(count, count)
    for state in range(count):
        for _, target, value in out_moves[state]:
            generator[target, state] += value.as_expr()
            generator[state, state] -= value.as_expr()
    forms = RationalForms(
        sp.ImmutableMatrix(generator),
        sp.ImmutableMatrix(steady),
        current("left"),
        current("right"),
        tuple(current(bond) for bond in range(ring.sites)),
    )
    return forms, tuple(int(labels[state]) for state in range(count))


class _ExpressionCache:
    """Sympy expressions of polynomials, each converted once (``as_expr`` dominates otherwise)."""

    def __init__(self) -> None:
        self._expressions: dict = {}

    def fraction(self, coefficient: sp.Rational, numerator, denominator) -> sp.Expr:
        """coefficient x numerator / denominator as one fraction with coprime integer content."""
        numerator = numerator * int(coefficient.p)
        denominator = denominator * int(coefficient.q)
        common = sp.igcd(int(numerator.content()), int(denominator.content())) or 1
        if common != 1:
            numerator, denominator = numerator.quo_ground(common), denominator.quo_ground(common)
        return self.expression(numerator) / self.expression(denominator)

    def expression(self, polynomial) -> sp.Expr:
        key = (polynomial.ring, tuple(sorted(polynomial.items())))
        if key not in self._expressions:
            self._expressions[key] = polynomial.as_expr()
        return self._expressions[key]


def _closed_classes(out_moves, count: int, only: list[int] | None = None) -> dict[int, int]:
    """Closed class label of every state in ``only`` (default: all), or RuntimeError.

    Every flip of these dynamics is reversible, so communicating classes are all closed;
    a transient state would mean a broken rule and is reported rather than averaged away.
    """
    nodes = list(range(count)) if only is None else only
    index = {state: position for position, state in enumerate(nodes)}
    rows, cols = [], []
    for state in nodes:
        for _, target, _ in out_moves[state]:
            rows.append(index[state])
            cols.append(index[target])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(nodes)))
    classes, strong = connected_components(graph, directed=True, connection="strong")
    weak_classes, _ = connected_components(graph, directed=True, connection="weak")
    if classes != weak_classes:
        raise RuntimeError("the flip graph has transient states; the rules are not reversible")
    return {state: int(strong[index[state]]) for state in nodes}


def _class_steady_state(members, out_moves, representative, polynomials):
    """Fraction-free stationary vector of one closed class: (numerators, denominator).

    Solves W_C P = 0 with the last equation replaced by sum(P) = 1, by
    ``DomainMatrix.solve_den`` over ZZ[variables]; the denominator is made to have a positive
    leading coefficient.
    """
    size = len(members)
    domain = polynomials.to_domain()
    index = {state: position for position, state in enumerate(members)}
    matrix = [[polynomials.zero] * size for _ in range(size)]
    for column, state in enumerate(members):
        for _, target, value in out_moves[state]:
            matrix[index[representative(target)]][column] += value
            matrix[column][column] -= value
    matrix[-1] = [polynomials.one] * size
    right = [[polynomials.zero] for _ in range(size)]
    right[-1][0] = polynomials.one
    numerator, denominator = DomainMatrix(matrix, (size, size), domain).solve_den(
        DomainMatrix(right, (size, 1), domain), method="charpoly"
    )
    values = [numerator[row, 0].element for row in range(size)]
    if denominator.LC < 0:
        values, denominator = [-value for value in values], -denominator
    common = denominator
    for value in values:
        common = common.gcd(value)
    return [value.exquo(common) for value in values], denominator.exquo(common)


def _current_numerators(model, stand_in, out_moves, probability_parts, polynomials):
    """Per class, the J1- and J2-parts of sum(energy x rate x P x denominator) per current.

    Keys: "left", "right" (Eq. 6, bath energy dE) and bond b (Eq. 9, energy 2 J_b s_b s_b+1,
    0-based b). Values: {class label: [J1-part, J2-part]}, polynomials over the class
    denominator; the class weight is applied by the caller.
    """
    ring = model.ring
    keys = ["left", "right", *range(ring.sites)]
    parts: dict[object, dict[int, list]] = {key: {} for key in keys}
    for state, state_moves in enumerate(out_moves):
        _, numerator, label = probability_parts(state)
        for site, _, value in state_moves:
            flow = value * numerator
            energies = [(site, rules.bond_transfer_coefficient(stand_in, state, site))]
            if site in (ring.left_node, ring.right_node):
                bath = "left" if site == ring.left_node else "right"
                energies.append((bath, rules.flip_energy_coefficients(stand_in, state, site)))
            for key, (c1, c2) in energies:
                entry = parts[key].setdefault(label, [polynomials.zero, polynomials.zero])
                entry[0] += c1 * flow
                entry[1] += c2 * flow
    return parts
