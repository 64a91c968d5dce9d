"""``exactspin quantum spectrum``: exact levels of one sector of the uniform XXZ ring (Eq. 22).

Without ``--delta`` the levels are printed in closed form (J symbolic unless ``--j`` is given);
with ``--delta`` they are evaluated to ``--digits`` significant digits (J defaults to 1).
Parsing and printing only; the physics is in :mod:`exactspin.quantum.spectrum`.
"""

from __future__ import annotations

import argparse
import math

import mpmath
import sympy

from exactspin.cli.output import print_json
from exactspin.validation import ParameterError, require_integer

#: Levels closer than this many units of the last printed digit count as one distinct level.
MERGE_DIGITS_MARGIN = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``spectrum`` subcommand under ``exactspin quantum``."""
    parser = subparsers.add_parser(
        "spectrum",
        help="exact energy levels of one magnetization sector (closed forms, multiplicities)",
        description=(
            "Exact levels of the sector with UP up spins on a uniform ring of N spins, "
            "H = sum over bonds of J(sx sx + sy sy) + Delta sz' sz' (Eq. 22), from momentum "
            "and parity blocks solved in radicals. Symbolic without --delta; numeric with it."
        ),
    )
    parser.add_argument("--n", required=True, help="number of sites N_S (>= 2)")
    parser.add_argument("--up", required=True, help="number of up spins N_E, 0..N")
    parser.add_argument(
        "--j", default=None, help="exchange J (default: symbolic, or 1 with --delta)"
    )
    parser.add_argument("--delta", default=None, help="anisotropy Delta (default: symbolic)")
    parser.add_argument(
        "--digits", default="30", help="significant digits of numeric levels, 1..1000 (default: 30)"
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--latex", action="store_true", help="print LaTeX (symbolic levels)")
    form.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the levels; returns the exit status."""
    from exactspin.quantum.spectrum import EXCHANGE, distinct_levels, exact_levels

    sites = require_integer("n", _integer("n", args.n), 2)
    up = require_integer("up", _integer("up", args.up), 0, sites)
    digits = require_integer("digits", _integer("digits", args.digits), 1, 1000)
    exchange = _real("j", args.j) if args.j is not None else None
    anisotropy = _real("delta", args.delta) if args.delta is not None else None
    if anisotropy is None:
        spectrum = exact_levels(sites, up, EXCHANGE if exchange is None else exchange)
        return _print_symbolic(spectrum, args)
    if args.latex:
        raise ParameterError("latex", True, "used without --delta (LaTeX is symbolic)")
    exchange = "1" if exchange is None else exchange
    spectrum = exact_levels(sites, up)
    with mpmath.workdps(digits):
        numeric = spectrum.numeric_levels(exchange, anisotropy, digits)
        scale = max((abs(value) for value, _ in numeric), default=mpmath.mpf(1))
        tolerance = float(max(scale, 1) * mpmath.mpf(10) ** (MERGE_DIGITS_MARGIN - digits))
        merged = distinct_levels(
            [(value, level.multiplicity) for value, level in numeric], tolerance
        )
        parameters = {**spectrum.parameters(), "j": exchange, "delta": anisotropy}
        if args.json:
            print_json(
                {
                    "parameters": parameters,
                    "digits": digits,
                    "levels": [
                        {
                            "value": mpmath.nstr(value, digits),
                            "float": float(value),
                            "multiplicity": level.multiplicity,
                            "momenta": list(level.momenta),
                            "closed_form": str(level.energy),
                        }
                        for value, level in numeric
                    ],
                    "distinct_levels": [
                        {
                            "value": mpmath.nstr(value, digits),
                            "float": float(value),
                            "multiplicity": multiplicity,
                        }
                        for value, multiplicity in merged
                    ],
                    "merge_tolerance": tolerance,
                }
            )
            return 0
        print(f"{sites} sites, {up} up, J = {parameters['j']}, Delta = {anisotropy}")
        for index, (value, level) in enumerate(numeric, start=1):
            momenta = ",".join(str(k) for k in sorted(set(level.momenta)))
            text = mpmath.nstr(value, digits)
            print(f"E{index:<3d} {text:>{digits + 8}}  x{level.multiplicity}  k={momenta}")
        print(f"{len(merged)} distinct levels at this point (merged within {tolerance:.1e})")
    return 0


def _print_symbolic(spectrum, args: argparse.Namespace) -> int:
    if args.latex:
        print(spectrum.latex())
    elif args.json:
        print_json(
            {
                "parameters": spectrum.parameters(),
                "dimension": spectrum.dimension,
                "levels": [
                    {
                        "closed_form": str(level.energy),
                        "latex": sympy.latex(level.energy),
                        "multiplicity": level.multiplicity,
                        "momenta": list(level.momenta),
                    }
                    for level in spectrum.levels
                ],
            }
        )
    else:
        print(spectrum.pretty())
    return 0


def _integer(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ParameterError(name, text, "an integer") from None


def _real(name: str, text: str) -> str:
    """Keep the decimal text (read exactly later) after checking it is a finite real."""
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(name, text, "a finite real number") from None
    if not math.isfinite(value):
        raise ParameterError(name, text, "a finite real number")
    return text
