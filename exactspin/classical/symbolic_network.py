"""Closed-form steady state and currents of a small classical network (sympy).

Symbols: each distinct bond coupling gets one symbol, J1, J2, ... in order of first appearance
in the bond list (on one of the paper's rings bond 0 is on the upper path, so J1 is the ring's
J1 and J2 its J2); each distinct nonzero field h1, h2, ...; each bath its temperature T1..Tk
(bath order), with beta_k = 1/T_k. The Metropolis rate min(1, exp(-beta dE)) (Eq. 5) is a closed
form only once the sign of dE is known, and Q2R flips only where dE = 0: both are taken at the
network's own couplings and fields, so the result holds wherever every energy change keeps the
sign (and the zeros) it has there (``valid_where`` says so; on the rings this is the ring
derivation's ``upper_stronger``/``lower_stronger``/``symmetric`` assumption).

The rates are Laurent monomials in y_{k,m} = exp(-beta_k E_m) (E_m a coupling or field symbol);
each state's column of W is multiplied by a monomial D_s that clears the negative powers, the
scaled chain W D is solved fraction-free over ZZ[y] class by class
(:func:`exactspin.classical.symbolic._class_steady_state`), and P = D P' normalised. The closed
classes are those of the numeric engine's transition graph (which flips the rules allow), so
symbolic and numeric solve the same chain. Currents (Eqs. 6, 8-9) are sums of energy x rate x P,
per single-spin update attempt by default. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.polys.rings import ring as polynomial_ring

from exactspin.classical import states
from exactspin.classical.classes import closed_classes, transition_structure
from exactspin.classical.generator import all_site_flips
from exactspin.classical.model import CCA, ClassicalModel
from exactspin.classical.precision import require_representable_couplings
from exactspin.classical.rules import exact_value
from exactspin.classical.symbolic import (
    CONTINUOUS,
    EVALUATION_DIGITS,
    MAX_SYMBOLIC_STATES,
    STEP,
    UNITS,
    _class_steady_state,
)
from exactspin.display import SIZE_WEIGHTING, closed_classes_text
from exactspin.network import Network
from exactspin.network.labels import bath_label, bond_label
from exactspin.validation import ParameterError, ResourceError, require_choice

#: Largest closed class solved in closed form (the fraction-free solve grows very fast).
MAX_SYMBOLIC_CLASS = 64

__all__ = ["CONTINUOUS", "STEP", "NetworkSymbolicSolution", "derive_network"]


@dataclass(frozen=True)
class NetworkSymbolicSolution:
    """Closed-form bath and bond currents of a classical network.

    Attributes
    ----------
    network : Network
    unit : {"step", "continuous"}
    energies : tuple of (sympy.Symbol, float)
        Each coupling (J1, ...) and field (h1, ...) symbol and the network's value of it.
    temperatures : tuple of sympy.Symbol
        T1..Tk, one per bath (bath order).
    variables : tuple of (sympy.Symbol, sympy.Expr)
        Each exponential variable and its definition, y_k_m = exp(-E_m / T_k).
    valid_where : tuple of str
        The sign conditions the closed form assumes (one per distinct energy change).
    steady_state : tuple of sympy.Expr
        P(eta) in the variables (state encoding of :mod:`exactspin.classical.states`).
    rational_bath_currents, rational_bond_currents : tuple of sympy.Expr
        The currents in the variables (and the energy symbols).
    closed_classes : int
    """

    network: Network
    unit: str
    energies: tuple[tuple[sp.Symbol, float], ...]
    temperatures: tuple[sp.Symbol, ...]
    variables: tuple[tuple[sp.Symbol, sp.Expr], ...]
    valid_where: tuple[str, ...]
    steady_state: tuple[sp.Expr, ...]
    rational_bath_currents: tuple[sp.Expr, ...]
    rational_bond_currents: tuple[sp.Expr, ...]
    closed_classes: int

    def physical(self, expression: sp.Expr) -> sp.Expr:
        """``expression`` with each variable replaced by its exponential."""
        return sp.sympify(expression).xreplace(dict(self.variables))

    @property
    def bath_currents(self) -> tuple[sp.Expr, ...]:
        """Energy drawn from each bath (Eq. 6), in the couplings and temperatures."""
        return tuple(self.physical(current) for current in self.rational_bath_currents)

    @property
    def bond_currents(self) -> tuple[sp.Expr, ...]:
        """Energy moved along each bond from its first to its second site (Eqs. 8-9)."""
        return tuple(self.physical(current) for current in self.rational_bond_currents)

    def evaluate(self, temperatures: tuple[float, ...] | None = None) -> dict[str, tuple]:
        """Numbers at the network's couplings and fields and the given temperatures.

        ``temperatures`` (bath order) default to the network's. Evaluated with
        :data:`~exactspin.classical.symbolic.EVALUATION_DIGITS` digits, rounded to float.
        """
        if temperatures is None:
            temperatures = self.network.bath_temperatures
        if len(temperatures) != len(self.temperatures):
            raise ParameterError(
                "temperatures", temperatures, f"{len(self.temperatures)} values, one per bath"
            )
        numbers = {
            symbol: sp.Rational(exact_value(value).numerator, exact_value(value).denominator)
            for symbol, value in self.energies
        }
        numbers.update(
            {
                symbol: sp.Float(t, EVALUATION_DIGITS)
                for symbol, t in zip(self.temperatures, temperatures, strict=True)
            }
        )
        for symbol, definition in self.variables:
            numbers[symbol] = definition.xreplace(numbers).evalf(EVALUATION_DIGITS)

        def number(expression: sp.Expr) -> float:
            return float(sp.sympify(expression).xreplace(numbers).evalf(EVALUATION_DIGITS))

        return {
            "bath_currents": tuple(number(c) for c in self.rational_bath_currents),
            "bond_currents": tuple(number(c) for c in self.rational_bond_currents),
            "probabilities": tuple(number(p) for p in self.steady_state),
        }

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: symbols, variables, validity, the currents as strings (physical form)."""
        return {
            "network": self.network.to_dict(),
            "parameters": {"unit": self.unit},
            "symbols": {
                **{str(symbol): value for symbol, value in self.energies},
                **{
                    str(symbol): [bath.site + 1, "temperature of bath " + str(index + 1)]
                    for index, (symbol, bath) in enumerate(
                        zip(self.temperatures, self.network.baths, strict=True)
                    )
                },
            },
            "variables": {str(symbol): str(definition) for symbol, definition in self.variables},
            "valid_where": list(self.valid_where),
            "closed_classes": self.closed_classes,
            "class_weighting": SIZE_WEIGHTING,
            "bath_currents": [str(current) for current in self.bath_currents],
            "bond_currents": [str(current) for current in self.bond_currents],
            "unit": self.unit,
        }

    def latex(self) -> str:
        """The bath and bond currents as a LaTeX ``align*`` block."""
        rows = [
            rf"I_{{\mathrm{{bath}}\,{index + 1}}} &= {sp.latex(current)}"
            for index, current in enumerate(self.bath_currents)
        ]
        rows += [
            rf"I_{{{bond.first + 1} \to {bond.second + 1}}} &= {sp.latex(current)}"
            for bond, current in zip(self.network.bonds, self.bond_currents, strict=True)
        ]
        body = " \\\\\n".join(rows)
        return f"\\begin{{align*}}\n{body}\n\\end{{align*}}"

    def pretty(self) -> str:
        """Human-readable text of the symbols, validity and currents."""
        lines = [
            f"{self.network.dynamics.upper()} network, {self.network.sites} sites, "
            f"{len(self.network.bonds)} bonds, {len(self.network.baths)} baths; currents per "
            + ("single-spin update attempt" if self.unit == STEP else "unit time"),
            "symbols: "
            + ", ".join(f"{symbol} = {value:g}" for symbol, value in self.energies)
            + "; "
            + ", ".join(
                f"{symbol} = T of the bath at site {bath.site + 1}"
                for symbol, bath in zip(self.temperatures, self.network.baths, strict=True)
            ),
            "valid where: " + ("; ".join(self.valid_where) or "always"),
        ]
        if self.closed_classes > 1:
            lines.append(
                f"closed classes: {closed_classes_text(self.closed_classes, SIZE_WEIGHTING)}"
            )
        lines += [f"  {symbol} = {definition}" for symbol, definition in self.variables]
        for index, current in enumerate(self.bath_currents):
            lines.append(f"I, {bath_label(self.network, index)} = {current}")
        for index, current in enumerate(self.bond_currents):
            lines.append(f"I, {bond_label(self.network, index)} = {current}")
        return "\n".join(lines)


def derive_network(network: Network, unit: str = STEP) -> NetworkSymbolicSolution:
    """Closed-form steady state and bath/bond currents of a small classical ``network``.

    Raises ResourceError above :data:`~exactspin.classical.symbolic.MAX_SYMBOLIC_STATES`
    states or a closed class above :data:`MAX_SYMBOLIC_CLASS` states (before any algebra).
    """
    require_choice("unit", unit, UNITS)
    require_representable_couplings(network)
    model = ClassicalModel.from_network(network)
    network = model.network
    if model.state_count > MAX_SYMBOLIC_STATES:
        raise ResourceError(
            f"symbolic master equation with {model.state_count} states exceeds the limit of "
            f"{MAX_SYMBOLIC_STATES} states (use 'exactspin classical solve --network')"
        )
    flips = all_site_flips(model)
    decomposition = closed_classes(transition_structure(flips))
    if decomposition.transient.size:
        raise RuntimeError("the flip graph has transient states; the rules are not reversible")
    sizes = np.bincount(decomposition.labels, minlength=decomposition.count)
    if sizes.max() > MAX_SYMBOLIC_CLASS:
        raise ResourceError(
            f"symbolic solve of a closed class of {int(sizes.max())} states exceeds the limit of "
            f"{MAX_SYMBOLIC_CLASS} (use 'exactspin classical solve --network')"
        )

    # ---- symbols: couplings J1.., fields h1.., temperatures T1..
    coupling_symbols: dict[Fraction, sp.Symbol] = {}
    for bond in network.bonds:
        value = exact_value(bond.coupling)
        if value not in coupling_symbols:
            coupling_symbols[value] = sp.Symbol(f"J{len(coupling_symbols) + 1}", real=True)
    field_symbols: dict[Fraction, sp.Symbol] = {}
    for entry in network.fields:
        value = exact_value(entry.strength)
        if value != 0 and value not in field_symbols:
            field_symbols[value] = sp.Symbol(f"h{len(field_symbols) + 1}", real=True)
    energies = [(symbol, float(value)) for value, symbol in coupling_symbols.items()]
    energies += [(symbol, float(value)) for value, symbol in field_symbols.items()]
    energy_index = {symbol: index for index, (symbol, _) in enumerate(energies)}
    temperatures = tuple(
        sp.Symbol(f"T{index + 1}", positive=True) for index in range(len(network.baths))
    )

    def site_terms(site: int) -> list[tuple[int, int]]:
        """(energy index, sign) of each term of dE at ``site``: bonds then the field."""
        return [
            (energy_index[coupling_symbols[exact_value(network.bonds[bond].coupling)]], bond)
            for _, bond in network.neighbours(site)
        ]

    def coefficients(state: int, site: int) -> tuple[int, ...]:
        """Integers c with dE = sum_m c_m E_m (Eq. 3 with the field term 2 h s)."""
        values = [0] * len(energies)
        s = states.spin(state, site)
        for other, bond in network.neighbours(site):
            symbol = coupling_symbols[exact_value(network.bonds[bond].coupling)]
            values[energy_index[symbol]] += 2 * s * states.spin(state, other)
        field = exact_value(network.field(site))
        if field != 0:
            values[energy_index[field_symbols[field]]] += 2 * s
        return tuple(values)

    def energy_value(c: tuple[int, ...]) -> Fraction:
        return sum(
            (
                coefficient * exact_value(value)
                for coefficient, (_, value) in zip(c, energies, strict=True)
            ),
            Fraction(0),
        )

    # ---- variables y_{k,m} = exp(-E_m / T_k) for each bath k and energy m at its site
    variable_keys: list[tuple[int, int]] = []
    for k, bath in enumerate(network.baths):
        present = sorted({m for m, _ in site_terms(bath.site)})
        field = exact_value(network.field(bath.site))
        if field != 0:
            present.append(energy_index[field_symbols[field]])
        variable_keys += [(k, m) for m in sorted(set(present))]
    variable_symbols = tuple(
        sp.Symbol(f"y_{k + 1}_{energies[m][0]}", positive=True) for k, m in variable_keys
    )
    definitions = tuple(sp.exp(-energies[m][0] / temperatures[k]) for k, m in variable_keys)
    polynomials, *generators = polynomial_ring(list(variable_symbols) or [sp.Symbol("y")], sp.ZZ)
    position = {key: index for index, key in enumerate(variable_keys)}
    bath_of = {bath.site: k for k, bath in enumerate(network.baths)}

    # ---- moves: (site, target, exponents of the rate or None for 1)
    count = model.state_count
    out_moves: list[list[tuple[int, int, tuple[int, ...] | None]]] = []
    conditions: set[str] = set()
    for state in range(count):
        found = []
        for site_flips in flips:
            site = site_flips.site
            if not site_flips.allowed[state]:
                continue
            target = int(site_flips.target[state])
            if site in bath_of:
                c = coefficients(state, site)
                change = energy_value(c)
                expression = sum(ci * energies[m][0] for m, ci in enumerate(c) if ci)
                if change > 0:
                    conditions.add(_condition(expression, ">"))
                    exponents = [0] * len(variable_keys)
                    for m, ci in enumerate(c):
                        if ci:
                            exponents[position[(bath_of[site], m)]] += ci
                    found.append((site, target, tuple(exponents)))
                else:
                    if change < 0:
                        conditions.add(_condition(-expression, ">"))
                    elif expression != 0:
                        conditions.add(_condition(expression, "="))
                    found.append((site, target, None))
            else:
                if model.dynamics != CCA:
                    expression = sum(
                        ci * energies[m][0] for m, ci in enumerate(coefficients(state, site)) if ci
                    )
                    if expression != 0:
                        conditions.add(_condition(expression, "="))
                found.append((site, target, None))
        out_moves.append(found)

    # column scaling D_s clearing the negative powers of the moves out of s
    scales = []
    for state in range(count):
        lowest = [0] * len(variable_keys)
        for _, _, exponents in out_moves[state]:
            if exponents is not None:
                lowest = [min(a, b) for a, b in zip(lowest, exponents, strict=True)]
        scales.append(tuple(-value for value in lowest))

    def monomial(exponents) -> object:
        result = polynomials.one
        for generator, power in zip(generators, exponents, strict=False):
            result *= generator**power
        return result

    scaled = [
        [
            (site, target, monomial(_add(scales[state], exponents)))
            for site, target, exponents in out_moves[state]
        ]
        for state in range(count)
    ]
    labels = decomposition.labels
    symmetric = not field_symbols
    mask = (1 << network.sites) - 1
    energy_unit = sp.Rational(1, network.sites) if unit == STEP else sp.Integer(1)
    steady = [sp.Integer(0)] * count
    bath_totals = [sp.Integer(0)] * len(network.baths)
    bond_totals = [sp.Integer(0)] * len(network.bonds)
    for label in range(decomposition.count):
        members = [int(s) for s in np.flatnonzero(labels == label)]
        weight = sp.Rational(len(members), count)
        member_set = set(members)
        # Without fields the global spin flip is a symmetry: a class it maps onto itself is
        # solved on the pairs {eta, -eta} (exactly lumpable; P(eta) = P(-eta)).
        lumped = symmetric and (members[0] ^ mask) in member_set
        representative = (lambda s: min(s, s ^ mask)) if lumped else (lambda s: s)
        solved = sorted({representative(state) for state in members})
        if len(solved) == 1:
            values = [polynomials.one]  # a class of one state (or one spin-flip pair)
        elif len(solved) == 2:
            values = _two_state_law(solved, scaled, representative, polynomials)
        else:
            values, _ = _class_steady_state(solved, scaled, representative, polynomials)
        index_of = {state: position for position, state in enumerate(solved)}
        unnormalised = {
            state: values[index_of[representative(state)]] * monomial(scales[state])
            for state in members
        }
        norm = sum(unnormalised.values(), polynomials.zero)
        norm_expression = norm.as_expr()
        for state, value in unnormalised.items():
            steady[state] = weight * value.as_expr() / norm_expression
        bath_polys: list[dict[int, object]] = [{} for _ in network.baths]
        bond_polys: list[dict[int, object]] = [{} for _ in network.bonds]
        for state in members:
            value = values[index_of[representative(state)]]
            for site, _, rate in scaled[state]:
                # r(s) P_s x norm = (r D_s) x P'_s: the scaled rate times the solved value
                flow = rate * value
                if site in bath_of:
                    parts = bath_polys[bath_of[site]]
                    for m, c in enumerate(coefficients(state, site)):
                        if c:
                            parts[m] = parts.get(m, polynomials.zero) + c * flow
                for other, bond in network.neighbours(site):
                    if network.bonds[bond].first != site:
                        continue
                    m = energy_index[coupling_symbols[exact_value(network.bonds[bond].coupling)]]
                    sign = 2 * states.spin(state, site) * states.spin(state, other)
                    parts = bond_polys[bond]
                    parts[m] = parts.get(m, polynomials.zero) + sign * flow
        scale = energy_unit * weight / norm_expression
        for k, parts in enumerate(bath_polys):
            for m, polynomial in parts.items():
                bath_totals[k] += scale * energies[m][0] * polynomial.as_expr()
        for bond, parts in enumerate(bond_polys):
            for m, polynomial in parts.items():
                bond_totals[bond] += scale * energies[m][0] * polynomial.as_expr()
    return NetworkSymbolicSolution(
        network=network,
        unit=unit,
        energies=tuple(energies),
        temperatures=temperatures,
        variables=tuple(zip(variable_symbols, definitions, strict=True)),
        valid_where=tuple(sorted(conditions)),
        steady_state=tuple(steady),
        rational_bath_currents=tuple(bath_totals),
        rational_bond_currents=tuple(bond_totals),
        closed_classes=decomposition.count,
    )


def _add(first: tuple[int, ...], second: tuple[int, ...] | None) -> tuple[int, ...]:
    if second is None:
        return first
    return tuple(a + b for a, b in zip(first, second, strict=True))


def _condition(expression: sp.Expr, relation: str) -> str:
    """``expression > 0`` or ``expression = 0`` as text, in lowest terms (2 J1 > 0 is J1 > 0)."""
    expression = sp.sympify(expression)
    content, primitive = expression.as_content_primitive()
    if relation == "=":
        if primitive.could_extract_minus_sign():
            primitive = -primitive
        return f"{primitive} = 0"
    return f"{primitive if content > 0 else -primitive} > 0"


def _two_state_law(solved, moves, representative, polynomials) -> list:
    """P' of a two-state class, (rate 1 -> 0, rate 0 -> 1) unnormalised (sympy's charpoly
    solve fails on 2 x 2 polynomial systems)."""
    first, second = solved
    forward = sum(
        (rate for _, target, rate in moves[first] if representative(target) == second),
        polynomials.zero,
    )
    backward = sum(
        (rate for _, target, rate in moves[second] if representative(target) == first),
        polynomials.zero,
    )
    return [backward, forward]
