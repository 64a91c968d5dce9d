"""Reference data: parameter points with our exact values, in the versioned schema.

The document (see :mod:`exactspin.reference.schema`) holds

- closed forms of the small Q2R rings (N_S <= 4) evaluated with mpmath to 30 digits;
- numeric exact values (sparse steady state) for larger classical rings, Q2R and CCA;
- quantum steady-state observables for both zero-frequency conventions;
- exact spectra of small sectors.

It is built from the public solver API only; writing the file is left to the CLI.
"""

from __future__ import annotations

import numbers
from typing import Any

from exactspin import __version__
from exactspin.reference.schema import (
    SCHEMA_NAME,
    SCHEMA_VERSION,
    SPECTRUM_NUMBER_DEFAULTS,
    UNIT_CONTINUOUS,
    UNIT_PER_ATTEMPT,
    UNITS,
)
from exactspin.solvers import solver

#: Significant digits of the closed-form values (``exact_decimal``).
CLOSED_FORM_DIGITS = 30

#: Closed-form points: (nu, nd, j1, j2, tl, tr), small Q2R rings only.
CLOSED_FORM_POINTS = (
    (1, 0, 1.0, 1.0, 2.0, 1.0),
    (1, 0, 1.0, 1.0, 10.0, 1.0),
    (0, 1, 1.0, 1.0, 2.0, 1.0),
    (1, 1, 2.0, 1.9, 2.0, 0.1),
    (2, 0, 1.0, 1.0, 2.0, 0.5),
    (0, 2, 2.0, 1.5, 3.0, 0.5),
)

#: Numeric exact classical points: parameters of :data:`exactspin.parameters.CLASSICAL` (omitted
#: ones at its defaults, the Fig. 5 point).
NUMERIC_POINTS = (
    dict(nu=2, nd=3),
    dict(nu=3, nd=2),
    dict(nu=2, nd=3, tl=4.0),
    dict(nu=2, nd=3, j2=2.1),
    dict(nu=4, nd=4),
    dict(nu=3, nd=5, j1=1.0, j2=1.0, tl=2.0, tr=1.0),
    dict(nu=6, nd=4),
    dict(nu=1, nd=2, j2=1.0, dynamics="cca", mu=4.0),
    dict(nu=1, nd=2, j2=1.0, dynamics="cca", mu=2.0),
    dict(nu=1, nd=1, j2=1.0, tl=3.0, tr=0.5, dynamics="cca", mu=4.0),
)

#: Quantum points (both zero-frequency conventions each).
QUANTUM_POINTS = (
    dict(nu=2, nd=1, up=3, delta=-1.0),
    dict(nu=2, nd=1, up=3, delta=0.5),
    dict(nu=2, nd=1, up=3, delta=2.1),
    dict(nu=2, nd=1, up=2, delta=2.1),
    dict(nu=2, nd=1, up=3, delta=2.1, tl=5.0),
    dict(nu=3, nd=1, up=4, delta=1.0),
)
ZERO_FREQUENCY_CONVENTIONS = ("limit", "zero")

#: Spectra: (nu, nd, up, delta).
SPECTRUM_POINTS = ((2, 1, 3, 0.0), (2, 1, 3, 2.1), (2, 1, 2, 2.1), (3, 1, 4, 1.0), (1, 1, 2, 0.7))

#: Solver diagnostics (round-off sizes, thresholds, counts) that are not physics to compare.
DIAGNOSTIC_WORDS = ("error", "residual", "threshold", "dimension", "classes", "trace", "steps")


def numeric_observables(values: dict[str, Any]) -> dict[str, float]:
    """The scalar physical entries of a ``to_dict()`` (lists, labels, diagnostics dropped)."""
    return {
        key: float(value)
        for key, value in values.items()
        if isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and not any(word in key for word in DIAGNOSTIC_WORDS)
    }


def closed_form_rows() -> list[dict[str, Any]]:
    """Small Q2R rings: sympy closed forms evaluated at exact rationals with mpmath, 30 digits."""
    from exactspin.classical import symbolic
    from exactspin.classical.model import ClassicalModel

    rows = []
    for nu, nd, j1, j2, tl, tr in CLOSED_FORM_POINTS:
        model = ClassicalModel.from_parameters(nu=nu, nd=nd, j1=j1, j2=j2, tl=tl, tr=tr)
        decimals = _closed_form_currents(symbolic.derive(model.ring, model.dynamics), model)
        row = {
            "model": "classical",
            **_classical_parameters(model),
            "unit": UNIT_PER_ATTEMPT,
            "method": "closed form",
        }
        row.update({key: float(value) for key, value in decimals.items()})
        row["exact_decimal"] = {key: str(value) for key, value in decimals.items()}
        rows.append(row)
    return rows


def _closed_form_currents(solution, model) -> dict[str, str]:
    """The currents of a symbolic solution at ``model``'s parameters, as 30-digit decimals.

    Parameters enter as the exact rationals of their decimal form (2.1 is 21/10); the closed
    form is evaluated with 10 guard digits beyond :data:`CLOSED_FORM_DIGITS`.
    """
    import sympy

    working = CLOSED_FORM_DIGITS + 10
    values = solution.model.check_numeric(model)
    numbers = {symbol: sympy.Rational(repr(value)) for symbol, value in values.items()}
    for symbol, definition in solution.variables:
        numbers[symbol] = definition.xreplace(numbers).evalf(working)
    return {
        name: sympy.sympify(expression).xreplace(numbers).evalf(working).evalf(CLOSED_FORM_DIGITS)
        for name, expression in solution.currents(physical=False).items()
    }


def _classical_parameters(model) -> dict[str, Any]:
    parameters = model.parameters()
    if parameters.get("mu") is None:
        parameters.pop("mu", None)
    return parameters


def numeric_rows() -> list[dict[str, Any]]:
    """Larger classical rings: numeric exact steady state."""
    entry = solver("classical")
    rows = []
    for point in NUMERIC_POINTS:
        model = entry.build(point)
        values = numeric_observables(entry.evaluate(point))
        rows.append(
            {
                "model": "classical",
                **_classical_parameters(model),
                "unit": UNIT_PER_ATTEMPT,
                "method": "numeric exact",
                **values,
            }
        )
    return rows


def quantum_rows() -> list[dict[str, Any]]:
    """Redfield steady states, both zero-frequency conventions."""
    entry = solver("quantum")
    rows = []
    for point in QUANTUM_POINTS:
        for convention in ZERO_FREQUENCY_CONVENTIONS:
            parameters = {**point, "zero_frequency": convention}
            model = entry.build(parameters)
            values = numeric_observables(entry.evaluate(parameters))
            rows.append(
                {
                    "model": "quantum",
                    **model.parameters(),
                    "unit": UNIT_CONTINUOUS,
                    "method": "redfield",
                    **values,
                }
            )
    return rows


def spectrum_entries() -> list[dict[str, Any]]:
    """Every level of small sectors of Eq. 22 (exact spectra engine)."""
    from exactspin.quantum.spectrum import exact_levels
    from exactspin.ring import Ring

    entries = []
    for nu, nd, up, delta in SPECTRUM_POINTS:
        spectrum = exact_levels(Ring(nu, nd).sites, up)
        exchange = SPECTRUM_NUMBER_DEFAULTS["j"]
        levels = spectrum.evaluate(exchange=repr(exchange), anisotropy=repr(delta))
        entries.append(
            {
                "nu": nu,
                "nd": nd,
                "up": up,
                "j": SPECTRUM_NUMBER_DEFAULTS["j"],
                "delta": delta,
                "levels": sorted(float(e) for e, count in levels for _ in range(count)),
            }
        )
    return entries


def build_reference() -> dict[str, Any]:
    """The whole reference document (schema version :data:`SCHEMA_VERSION`).

    Without the symbolic engine the closed-form rows are left out and ``"notes"`` says so.
    """
    notes = []
    try:
        closed = closed_form_rows()
    except ImportError as error:
        closed = []
        notes.append(f"closed-form rows missing: symbolic engine unavailable ({error})")
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "exactspin_version": __version__,
        "units": UNITS,
        "notes": notes,
        "rows": closed + numeric_rows() + quantum_rows(),
        "spectra": spectrum_entries(),
    }
