"""Jupyter renderings of results: small HTML tables of the currents and a LaTeX closed form.

The result classes call these from ``_repr_html_`` and ``_repr_latex_``, so a notebook shows a
solution as a table (symbol, value, standard error when there is one, unit) followed by the
parameters that produced it. Pure string functions of a result's public attributes; this module
imports no solver and computes no physics.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

#: The four currents every solver reports: attribute, symbol, equation, one-line meaning.
CURRENTS = (
    ("left_bath_current", "I_L", "Eq. 6 / 35", "drawn from the left bath"),
    ("right_bath_current", "I_R", "Eq. 6 / 35", "drawn from the right bath"),
    ("upper_branch_current", "I_U", "Eq. 9 / 34", "upper branch, left -> right"),
    ("lower_branch_current", "I_D", "Eq. 9 / 34", "lower branch, right -> left"),
)

STEP_UNIT = "energy per single-spin update attempt"
CONTINUOUS_UNIT = "energy per unit time"
QUANTUM_UNIT = "energy per unit time (hbar = 1)"

#: How the exact classical solvers weight several closed classes by default (docs/conventions.md,
#: "Closed classes"): the uniform initial distribution over all states, i.e. by class size.
SIZE_WEIGHTING = "by size (uniform start over all states)"
#: ... and when the caller gave its own initial distribution.
INITIAL_WEIGHTING = "by the given initial distribution"


def class_weighting(sizes: Iterable[int], weights: Iterable[float]) -> str:
    """:data:`SIZE_WEIGHTING` when ``weights`` are the class sizes over their total (to round-off),
    else :data:`INITIAL_WEIGHTING`: the convention the currents of several classes follow."""
    sizes, weights = [int(size) for size in sizes], [float(weight) for weight in weights]
    total = sum(sizes)
    uniform = all(
        abs(weight - size / total) <= 1e-12 for size, weight in zip(sizes, weights, strict=True)
    )
    return SIZE_WEIGHTING if uniform else INITIAL_WEIGHTING


def closed_classes_text(count: int, weighting: str) -> str:
    """The text output's "closed classes" value: the count, with the weighting when it matters."""
    return str(count) if count == 1 else f"{count}, currents weighted {weighting}"


#: Significant digits shown for every number (a table to read, not an export: use ``to_dict``).
DIGITS = 10


def number(value: Any) -> str:
    """``value`` with :data:`DIGITS` significant digits; ``"-"`` for None."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return "nan" if math.isnan(value) else format(value, f".{DIGITS}g")


def with_error(value: float, error: float) -> str:
    """``value +- error`` with the error to 2 significant digits and the value rounded to the
    same last decimal place, trailing zeros kept (the digits beyond it are noise, the zeros up to
    it are not): 0.012397830 with error 1.1e-05 prints as ``0.012398 +- 1.1e-05``, -0.0059998
    with 3.1e-05 as ``-0.006000 +- 3.1e-05``. A value that rounds to nothing there prints as
    ``0``; a zero or non-finite error leaves the value at :data:`DIGITS` digits."""
    if not (math.isfinite(error) and error > 0) or not math.isfinite(value):
        return f"{number(value)} +- {error:.2g}"
    shown_error = _significant(error, 2)
    last = math.floor(math.log10(float(shown_error))) - 1  # the error's 2nd digit's place
    rounded = round(value / 10.0**last) * 10.0**last
    if rounded == 0:
        return f"0 +- {shown_error}"
    digits = max(1, math.floor(math.log10(abs(rounded))) - last + 1)
    return f"{_significant(rounded, digits)} +- {shown_error}"


def _significant(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, trailing zeros kept, no bare trailing point."""
    mantissa, _, exponent = f"{value:#.{digits}g}".partition("e")
    return mantissa.rstrip(".") + (f"e{exponent}" if exponent else "")


def _subscript(symbol: str) -> str:
    """``I_L`` as HTML with a subscript."""
    base, _, index = symbol.partition("_")
    return f"{html.escape(base)}<sub>{html.escape(index)}</sub>" if index else html.escape(symbol)


def _rows(cells: Iterable[Iterable[str]], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "".join(
        "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in row) + "</tr>" for row in cells
    )


def results_table(
    title: str,
    result: Any,
    unit: str,
    facts: Iterable[tuple[str, Any]],
    parameters: Mapping[str, Any],
    with_stderr: bool = False,
) -> str:
    """An HTML fragment: the four currents of ``result``, then ``facts``, then ``parameters``.

    Parameters
    ----------
    title : str
        First line (what solved what).
    result : object
        Anything with the attributes of :data:`CURRENTS` (and ``<name>_stderr`` when
        ``with_stderr``).
    unit : str
        Time unit of the currents, shown in the table.
    facts : iterable of (str, object)
        Further labelled values (circulation, thresholds, diagnostics).
    parameters : mapping
        The parameters that produced the result (CLI names).
    with_stderr : bool
        Add a standard-error column.

    Returns
    -------
    str
        A ``<div>`` holding three ``<table>`` elements; every text is HTML-escaped.
    """
    header = ["current", "value"] + (["stderr"] if with_stderr else []) + ["unit", "meaning"]
    current_rows = []
    for name, symbol, equation, meaning in CURRENTS:
        row = [_subscript(symbol), number(getattr(result, name))]
        if with_stderr:
            error = number(getattr(result, name + "_stderr"))
            # An error not known to be right, or no events, says so next to the number.
            status = result.status(name) if hasattr(result, "status") else "resolved"
            row.append(html.escape(error if status == "resolved" else f"{error} ({status})"))
        row += [html.escape(unit), html.escape(f"{meaning} ({equation})")]
        current_rows.append(row)
    fact_rows = [[html.escape(label), html.escape(number(value))] for label, value in facts]
    parameter_rows = [
        [html.escape(key), html.escape(number(value))] for key, value in parameters.items()
    ]
    return (
        f"<div><p><b>{html.escape(title)}</b></p>"
        f"<table>{_rows([header], header=True)}{_rows(current_rows)}</table>"
        f"<table>{_rows(fact_rows)}</table>"
        f"<table>{_rows([['parameter', 'value']], header=True)}{_rows(parameter_rows)}</table>"
        "</div>"
    )


def classical_solution_html(solution: Any) -> str:
    """:func:`results_table` of a :class:`~exactspin.classical.solution.ClassicalSolution`."""
    unit = STEP_UNIT if solution.unit == "step" else CONTINUOUS_UNIT
    facts = [
        ("circulation", solution.circulation),
        ("circulation threshold", solution.circulation_threshold),
        ("magnification ratio", solution.magnification_ratio),
        ("closed classes", solution.closed_classes),
    ]
    return results_table(
        "Exact steady state (classical master equation, Eq. 4)",
        solution,
        unit,
        facts,
        solution.model.parameters(),
    )


def quantum_solution_html(solution: Any) -> str:
    """:func:`results_table` of a :class:`~exactspin.quantum.solution.QuantumSolution`."""
    facts = [
        ("circulation", solution.circulation),
        ("I_U error bound", solution.upper_branch_current_bound),
        ("I_D error bound", solution.lower_branch_current_bound),
        ("magnification ratio", solution.magnification_ratio),
        ("steady-state dimension", solution.steady_state_dimension),
        ("steady-state member", solution.steady_state_member),
        *(("undetermined because", reason) for reason in solution.undetermined_reasons),
    ]
    return results_table(
        "Redfield steady state (Eq. 26) in the sector "
        f"{solution.model.sites}({solution.model.up_spins} up)",
        solution,
        QUANTUM_UNIT,
        facts,
        solution.model.parameters(),
    )


def monte_carlo_html(result: Any) -> str:
    """:func:`results_table` of a :class:`~exactspin.montecarlo.result.MonteCarloResult`."""
    facts = [
        ("circulation", result.circulation),
        ("circulation threshold", result.circulation_threshold),
        ("magnification ratio", result.magnification_ratio),
        ("magnification ratio stderr", result.magnification_ratio_stderr),
        ("magnification ratio status", result.magnification_ratio_status),
        (
            "equilibrated",
            {True: "yes", False: "no", None: "undetermined"}[result.equilibrated],
        ),
        ("steps per replica", result.steps),
        ("replicas", result.replicas),
        ("seed", result.seed),
    ]
    if result.undetermined_reason:
        facts.append(("errors undetermined", result.undetermined_reason))
    return results_table(
        "Monte Carlo estimate (random-sequential updates, batch-means standard errors)",
        result,
        STEP_UNIT,
        facts,
        result.model.parameters(),
        with_stderr=True,
    )


_ASSUMPTIONS = {
    "symmetric": r"J_1 = J_2 = J > 0",
    "upper_stronger": r"J_1 \ge J_2 > 0",
    "lower_stronger": r"J_2 \ge J_1 > 0",
    "positive": r"J_1, J_2 > 0",
}


def closed_form_latex(solution: Any) -> str:
    """The currents of a :class:`~exactspin.classical.symbolic.SymbolicSolution` as LaTeX.

    One ``$$ ... $$`` display (what Jupyter renders): a line naming the ring, the coupling
    assumption and the unit, the definition of each exponential variable, then I_L, I_R, I_U,
    I_D as rational functions of those variables. The steady state itself is left out (it has
    one entry per state); :meth:`~exactspin.classical.symbolic.SymbolicSolution.latex` has it.
    """
    import sympy

    model = solution.model
    if model.couplings in _ASSUMPTIONS:
        assumption = _ASSUMPTIONS[model.couplings]
    else:
        assumption = rf"J_1 = {sympy.latex(model.upper_coupling)},\ "
        assumption += rf"J_2 = {sympy.latex(model.lower_coupling)}"
        if model.demon_unit is not None:
            assumption += rf",\ \mu = {sympy.latex(model.demon_unit)}"
    unit = "per single-spin update attempt" if solution.unit == "step" else "per unit time"
    ring = model.ring
    rows = [
        rf"&\text{{{model.dynamics.upper()} ring}}\ N_U = {ring.upper_spins},\ "
        rf"N_D = {ring.lower_spins},\ {assumption};\ \text{{currents {unit}}}"
    ]
    rows += [
        f"{sympy.latex(symbol)} &= {sympy.latex(definition)}"
        for symbol, definition in solution.variables
    ]
    currents = solution.currents(physical=False)
    for name, symbol, _, _ in CURRENTS:
        base, _, index = symbol.partition("_")
        rows.append(f"{base}_{{{index}}} &= {sympy.latex(currents[name])}")
    body = " \\\\\n".join(rows)
    return f"$$\\begin{{aligned}}\n{body}\n\\end{{aligned}}$$"
