"""``exactspin quantum spectrum``: exact levels of one sector of the uniform XXZ ring (Eq. 22).

Without ``--delta`` the levels are printed in closed form (J symbolic unless ``--j`` is given);
with ``--delta`` they are evaluated to ``--digits`` significant digits (J defaults to 1).
With ``--network FILE`` (any quantum network) the levels of the network's sector are numeric,
with multiplicities decided by a stated degeneracy tolerance
(:mod:`exactspin.quantum.network_spectrum`); the ring flags are refused by name there.
Parsing and printing only; the physics is in :mod:`exactspin.quantum.spectrum`.
"""

from __future__ import annotations

import argparse
import math

import mpmath
import sympy

from exactspin.cli.network_options import QUANTUM, add_network_argument, network_from_arguments
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
    parser.add_argument(
        "--n", default=None, help="number of sites N_S (>= 2; required without --network)"
    )
    parser.add_argument(
        "--up", default=None, help="number of up spins N_E, 0..N (required without --network)"
    )
    parser.add_argument(
        "--j", default=None, help="exchange J (default: symbolic, or 1 with --delta)"
    )
    parser.add_argument("--delta", default=None, help="anisotropy Delta (default: symbolic)")
    parser.add_argument(
        "--digits",
        default=None,
        help="significant digits of numeric levels, 1..1000 (default: 30; ring only)",
    )
    add_network_argument(parser)
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--latex", action="store_true", help="print LaTeX (symbolic levels)")
    form.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the levels; returns the exit status."""
    from exactspin.quantum.spectrum import EXCHANGE, distinct_levels, exact_levels

    network = network_from_arguments(args, QUANTUM)
    if network is not None:
        return _print_network(network, args)
    for name in ("n", "up"):
        if getattr(args, name) is None:
            raise ParameterError(name, None, f"given as --{name} (or a network with --network)")
    sites = require_integer("n", _integer("n", args.n), 2)
    up = require_integer("up", _integer("up", args.up), 0, sites)
    digits_text = "30" if args.digits is None else args.digits
    digits = require_integer("digits", _integer("digits", digits_text), 1, 1000)
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


#: Flags of the ring's closed forms that a network file replaces or that do not apply to it.
RING_ONLY = ("n", "up", "j", "delta", "digits", "latex")


def _print_network(network, args: argparse.Namespace) -> int:
    """Numeric levels and multiplicities of the network's sector."""
    from exactspin.quantum.network_spectrum import numeric_spectrum

    given = [f"--{name}" for name in RING_ONLY if getattr(args, name) not in (None, False)]
    if given:
        raise ParameterError(
            given[0].lstrip("-"),
            " ".join(given),
            "left out with --network (the file gives the sites, bonds, fields and sector; its "
            f"levels are numeric; conflicting: {', '.join(given)})",
        )
    spectrum = numeric_spectrum(network)
    if args.json:
        print_json(
            {
                "network": network.to_dict(),
                "parameters": {"up": spectrum.up_spins},
                "dimension": spectrum.dimension,
                "method": "numeric (double-precision symmetric eigensolver)",
                "degeneracy_tolerance": spectrum.tolerance,
                "distinct_levels": [
                    {"float": energy, "multiplicity": multiplicity}
                    for energy, multiplicity in zip(
                        spectrum.energies, spectrum.multiplicities, strict=True
                    )
                ],
            }
        )
        return 0
    name = network.name or "network"
    print(f"{name}: {network.sites} sites, {spectrum.up_spins} up, dimension {spectrum.dimension}")
    for index, (energy, multiplicity) in enumerate(
        zip(spectrum.energies, spectrum.multiplicities, strict=True), start=1
    ):
        print(f"E{index:<3d} {energy:>24.15g}  x{multiplicity}")
    print(
        f"{len(spectrum.energies)} distinct levels (numeric; eigenvalues within "
        f"{spectrum.tolerance:.1e} count as one)"
    )
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
