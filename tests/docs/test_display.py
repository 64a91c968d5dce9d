"""Jupyter display: results render as HTML tables and closed forms as LaTeX displays.

Values read back from the rendered table are compared with the paper's closed forms (Eqs. 13-15
for the three-spin ring) or with invariants (Kirchhoff, energy balance), so a table that shows a
number in the wrong row or drops digits fails.
"""

from __future__ import annotations

import math
from html.parser import HTMLParser

import pytest
import sympy as sp

from exactspin.classical import ClassicalModel, solve
from exactspin.classical.symbolic import derive
from exactspin.montecarlo import simulate
from exactspin.quantum import QuantumModel
from exactspin.quantum import solve as solve_quantum
from exactspin.ring import Ring

#: Digits the table shows (exactspin.display.DIGITS is 10): agreement to this is expected.
SHOWN_RELATIVE = 1e-9


class TableReader(HTMLParser):
    """Collects table rows as lists of cell texts and checks that every tag is closed in order."""

    VOID = {"br", "hr", "img", "meta"}

    def __init__(self) -> None:
        super().__init__()
        self.open_tags: list[str] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open_tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        assert self.open_tags and self.open_tags[-1] == tag, f"</{tag}> closes {self.open_tags}"
        self.open_tags.pop()
        if tag in ("td", "th"):
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def read_table(markup: str) -> dict[str, list[str]]:
    """Rows of the rendered tables by their first cell (``I_L`` for I<sub>L</sub>)."""
    reader = TableReader()
    reader.feed(markup)
    reader.close()
    assert reader.open_tags == [], f"unclosed tags {reader.open_tags}"
    return {row[0]: row[1:] for row in reader.rows if row}


def three_spin_left_current(coupling: float, tl: float, tr: float) -> float:
    """I_L = J sinh(2J(beta_R - beta_L)) / D with D of Eq. 13 (Eq. 14), per update attempt."""
    bl, br = 1 / tl, 1 / tr
    denominator = 3 * math.cosh(2 * coupling * (br - bl)) + math.exp(2 * coupling * (bl + br))
    return coupling * math.sinh(2 * coupling * (br - bl)) / denominator


def test_classical_table_shows_eq_14_and_ohms_law_in_its_rows():
    """Three spins, J = 1, T_L = 2, T_R = 1: I_L of Eq. 14, I_U = I_L/3, I_D = -2 I_L/3 (Eq. 15)."""
    solution = solve(ClassicalModel.from_parameters(nu=1, nd=0, j1=1.0, j2=1.0, tl=2.0, tr=1.0))
    rows = read_table(solution._repr_html_())
    left = three_spin_left_current(1.0, 2.0, 1.0)
    expected = {"IL": left, "IR": -left, "IU": left / 3, "ID": -2 * left / 3}
    for symbol, value in expected.items():
        assert float(rows[symbol][0]) == pytest.approx(value, rel=SHOWN_RELATIVE)
        assert rows[symbol][1] == "energy per single-spin update attempt"
    assert rows["circulation"] == ["parallel"]
    assert rows["closed classes"] == ["1"]
    assert rows["tl"] == ["2"] and rows["tr"] == ["1"] and rows["dynamics"] == ["q2r"]


def test_classical_table_names_the_continuous_unit():
    """unit="continuous" multiplies every current by N_S = 3 and the table says so."""
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=1.0, j2=1.0, tl=2.0, tr=1.0)
    rows = read_table(solve(model, unit="continuous")._repr_html_())
    left = three_spin_left_current(1.0, 2.0, 1.0)
    assert float(rows["IL"][0]) == pytest.approx(3 * left, rel=SHOWN_RELATIVE)
    assert rows["IL"][1] == "energy per unit time"


def test_classical_table_shows_an_undefined_ratio_at_equilibrium():
    """At T_L = T_R the magnification ratio is undefined; the table shows nan, not a number."""
    solution = solve(ClassicalModel.from_parameters(tl=1.0, tr=1.0))
    assert read_table(solution._repr_html_())["magnification ratio"] == ["nan"]


def test_monte_carlo_table_has_error_bars_that_cover_eq_14():
    """Small run (fixed seed): the shown I_L is within 5 shown standard errors of Eq. 14."""
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=1.0, j2=1.0, tl=2.0, tr=1.0)
    result = simulate(model, steps=40_000, replicas=2, seed=7)
    rows = read_table(result._repr_html_())
    assert rows["current"][:3] == ["value", "stderr", "unit"]
    for symbol, name in (("IL", "left_bath_current"), ("ID", "lower_branch_current")):
        assert float(rows[symbol][0]) == pytest.approx(getattr(result, name), rel=SHOWN_RELATIVE)
        stderr = getattr(result, name + "_stderr")
        assert float(rows[symbol][1]) == pytest.approx(stderr, rel=SHOWN_RELATIVE)
    shown, shown_stderr = float(rows["IL"][0]), float(rows["IL"][1])
    assert shown_stderr > 0
    assert abs(shown - three_spin_left_current(1.0, 2.0, 1.0)) < 5 * shown_stderr
    assert rows["equilibrated"] == ["yes" if result.equilibrated else "no"]
    assert rows["seed"] == ["7"]


def test_quantum_table_obeys_kirchhoff_and_energy_balance():
    """Fig. 10a ring, 5 sites with 3 up: the shown currents obey I_L = I_U - I_D, I_L + I_R = 0."""
    model = QuantumModel.from_parameters(nu=2, nd=1, up=3, delta=0.5, zero_frequency="zero")
    solution = solve_quantum(model)
    rows = read_table(solution._repr_html_())
    left, right, upper, lower = (float(rows[s][0]) for s in ("IL", "IR", "IU", "ID"))
    scale = abs(left)
    assert scale > 0
    assert abs(left - (upper - lower)) < 1e-8 * scale
    assert abs(left + right) < 1e-8 * scale
    assert rows["IL"][1] == "energy per unit time (hbar = 1)"
    assert rows["steady-state dimension"] == ["1"] and rows["steady-state member"] == ["unique"]
    assert rows["up"] == ["3"] and rows["zero_frequency"] == ["zero"]


def test_closed_form_latex_is_one_display_with_the_currents():
    """Eqs. 12-15 ring: a $$ ... $$ aligned block with the variables and I_L, I_R, I_U, I_D."""
    solution = derive(Ring(1, 0), couplings="symmetric")
    text = solution._repr_latex_()
    assert text.startswith("$$\\begin{aligned}") and text.endswith("\\end{aligned}$$")
    assert text.count("{") == text.count("}")
    for symbol, definition in solution.variables:
        assert f"{sp.latex(symbol)} &= {sp.latex(definition)}" in text
    currents = solution.currents(physical=False)
    for name, symbol in (
        ("left_bath_current", "I_{L}"),
        ("right_bath_current", "I_{R}"),
        ("upper_branch_current", "I_{U}"),
        ("lower_branch_current", "I_{D}"),
    ):
        assert f"{symbol} &= {sp.latex(currents[name])}" in text
    assert "J_1 = J_2 = J > 0" in text


def test_closed_form_latex_states_exact_couplings():
    """A numeric model's couplings become exact rationals (1.9 -> 19/10) and are stated."""
    model = ClassicalModel.from_parameters(nu=1, nd=0, j1=2.0, j2=1.9, tl=2.0, tr=1.0)
    text = derive(model)._repr_latex_()
    assert text.startswith("$$") and "J_2 = \\frac{19}{10}" in text and "J_1 = 2" in text


@pytest.mark.parametrize(
    ("value", "error", "text"),
    [
        (0.012397830, 1.1e-05, "0.012398 +- 1.1e-05"),  # the README's junction bond
        (-0.018041418, 4.5e-05, "-0.018041 +- 4.5e-05"),
        (5.3088235e-06, 6.7e-06, "5.3e-06 +- 6.7e-06"),  # smaller than its error
        (1.06685, 0.2, "1.07 +- 0.20"),
        (123456.789, 12.0, "123457 +- 12"),
        (0.0, 3.0e-4, "0 +- 0.00030"),
        # The second trial: trailing zeros are digits (not -0.006 +- 3.1e-05), and a float
        # cancellation far below the error is no measurement (not -1.9e-23 +- 5.1e-08).
        (-0.0059998, 3.1e-05, "-0.006000 +- 3.1e-05"),
        (1.4347, 0.00604, "1.4347 +- 0.0060"),
        (-1.9e-23, 5.1e-08, "0 +- 5.1e-08"),
        (-9.2e-10, 5.4e-08, "-1e-09 +- 5.4e-08"),
    ],
)
def test_a_value_with_an_error_shows_the_digits_the_error_leaves(value, error, text):
    """The last digit shown is at the error's second significant digit; every digit beyond
    it would be noise. The rounded value stays within a tenth of the error of the value."""
    from exactspin.display import with_error

    assert with_error(value, error) == text
    shown, shown_error = (float(part) for part in text.split(" +- "))
    assert abs(shown - value) <= 0.1 * error
    assert abs(shown_error - error) <= 0.05 * error


def test_a_value_without_a_finite_error_keeps_its_digits():
    from exactspin.display import DIGITS, with_error

    assert with_error(0.1234567891234, 0.0) == f"{0.1234567891234:.{DIGITS}g} +- 0"
