"""Text, LaTeX and JSON renderings of a :class:`~exactspin.classical.symbolic.SymbolicSolution`.

States are labelled as in the paper, P(up, down, down) = spins of sites 1..N_S in order (arrows
in text and LaTeX, ``u``/``d`` in JSON), followed by the CCA demons of the bulk sites. Bonds are
labelled 1-based like the paper, bond (i, i+1). Nothing here derives anything, and nothing
here simplifies: sympy's ``simplify`` has no time bound (it ran for minutes on a 3-spin ring
with J1 = 21/20), so each current is printed in the variables and then with the variables
replaced by their exponentials, as derived. Forms with ~10^5 terms (N_S >= 7) are printed
on one line each by :mod:`exactspin.classical.large_expressions` (no 2-D layout, no LaTeX).
Small currents are also printed in the paper's sinh / cosh form
(:mod:`exactspin.classical.symbolic_paper_form`, an exact rewriting, not a simplifier).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from exactspin.classical import states
from exactspin.classical.large_expressions import LARGE_SUM, is_large, text
from exactspin.classical.symbolic import SymbolicSolution, encoding_model
from exactspin.classical.symbolic_paper_form import paper_form
from exactspin.display import SIZE_WEIGHTING
from exactspin.validation import ResourceError

UP, DOWN = "\u2191", "\u2193"

CURRENT_SYMBOLS = {
    "left_bath_current": "I_L",
    "right_bath_current": "I_R",
    "upper_branch_current": "I_U",
    "lower_branch_current": "I_D",
}


def state_label(solution: SymbolicSolution, state: int, up: str = UP, down: str = DOWN) -> str:
    """``up,down,down`` for spins of sites 1..N_S, then ``; d=...`` with the CCA demons."""
    stand_in = encoding_model(solution.model)
    spins = ",".join(up if s > 0 else down for s in states.spins(state, stand_in.sites))
    if not stand_in.demon_sites:
        return spins
    demons = ",".join(str(states.demon(stand_in, state, site)) for site in stand_in.demon_sites)
    return f"{spins}; d={demons}"


def _assumption_text(solution: SymbolicSolution) -> str:
    model = solution.model
    return {
        "symmetric": "J1 = J2 = J > 0",
        "upper_stronger": "J1 >= J2 > 0",
        "lower_stronger": "J2 >= J1 > 0",
        "positive": "J1, J2 > 0 (Piecewise on J1 >= J2)",
        "exact": f"J1 = {model.upper_coupling}, J2 = {model.lower_coupling}"
        + (f", mu = {model.demon_unit}" if model.demon_unit is not None else ""),
    }[model.couplings]


def _header(solution: SymbolicSolution) -> str:
    ring = solution.model.ring
    return (
        f"{solution.model.dynamics.upper()} ring N_U={ring.upper_spins}, "
        f"N_D={ring.lower_spins}, {_assumption_text(solution)}; currents per "
        + ("single-spin update attempt" if solution.unit == "step" else "unit time")
    )


def pretty(solution: SymbolicSolution) -> str:
    """Human-readable text: variables, steady state and currents (sympy's pretty printer)."""
    lines = [_header(solution), ""]
    for symbol, definition in solution.variables:
        lines.append(f"{symbol} = {definition}")
    lines.append("")
    for state, probability in enumerate(solution.rational.steady_state):
        lines.append(f"P({state_label(solution, state)}) =")
        lines.append(sp.pretty(probability, use_unicode=True))
    lines.append("")
    for name, value in solution.currents(physical=False).items():
        lines.append(f"{CURRENT_SYMBOLS[name]} =")
        if is_large(value):
            # A 2-D layout of ~10^5 terms takes hours and is unreadable: one line instead.
            lines.append(text(value))
            continue
        lines.append(sp.pretty(value, use_unicode=True))
        lines.append(f"{CURRENT_SYMBOLS[name]} = {solution.physical(value)}")
        hyperbolic = paper_form(value, solution.variables)
        if hyperbolic is not None:
            lines.append(f"{CURRENT_SYMBOLS[name]} = {hyperbolic}")
    return "\n".join(lines)


def latex(solution: SymbolicSolution) -> str:
    """A LaTeX ``align*`` block with the variables, the steady state and the currents."""
    rows = [
        f"{sp.latex(symbol)} &= {sp.latex(definition)}" for symbol, definition in solution.variables
    ]
    for state, probability in enumerate(solution.rational.steady_state):
        label = state_label(solution, state, r"\uparrow", r"\downarrow")
        rows.append(f"P({label}) &= {sp.latex(probability)}")
    for name, value in solution.currents(physical=False).items():
        symbol = CURRENT_SYMBOLS[name].replace("_", "_{") + "}"
        if is_large(value):
            raise ResourceError(
                f"{CURRENT_SYMBOLS[name]} has sums of more than {LARGE_SUM} terms: too large for "
                "LaTeX (use the JSON or text output)"
            )
        rows.append(f"{symbol} &= {sp.latex(value)} = {sp.latex(solution.physical(value))}")
    body = " \\\\\n".join(rows)
    return f"% {_header(solution)}\n\\begin{{align*}}\n{body}\n\\end{{align*}}"


def to_dict(solution: SymbolicSolution) -> dict[str, Any]:
    """JSON-ready dict: expressions as ``str`` (``sympy.sympify`` reads them back)."""
    return {
        "parameters": solution.model.parameters(),
        "unit": solution.unit,
        "symbols": {
            name: {"assumptions": "positive" if symbol.is_positive else "none"}
            for name, symbol in solution.symbols.items()
        },
        "variables": {str(symbol): str(definition) for symbol, definition in solution.variables},
        "closed_classes": solution.closed_classes,
        "class_weighting": SIZE_WEIGHTING,
        "steady_state": {
            state_label(solution, state, "u", "d"): str(probability)
            for state, probability in enumerate(solution.rational.steady_state)
        },
        "currents": {
            name: text(value) for name, value in solution.currents(physical=False).items()
        },
        "bond_currents": {
            f"({bond + 1},{(bond + 1) % solution.model.ring.sites + 1})": text(value)
            for bond, value in enumerate(solution.rational.bond_currents)
        },
    }
