"""``exactspin classical derive``: closed-form steady state and currents (sympy).

Parsing and printing only; the work is :func:`exactspin.classical.symbolic.derive`. The default
is the paper's 3-spin ring (N_U = 1, N_D = 0, J1 = J2 = J, Eqs. 11-16), which takes well under
a second. The run time grows very fast with the ring (the 8-spin ring would take hours), so the
command first counts the chain (:mod:`exactspin.classical.symbolic_cost`), prints the estimate
on stderr, refuses an expected time above ``--max-seconds`` (exit 2, with the estimate) and
prints an elapsed-time line every few seconds while it works. ``--method modular``
(:func:`exactspin.classical.symbolic_modular.derive_modular`) reconstructs the currents only;
its estimate comes from the degrees found at one prime
(:mod:`exactspin.classical.symbolic_modular_cost`), with the same refusal and a line per stage.
``--currents-only`` leaves the steady-state probabilities out of the output.

``--network FILE`` derives a classical network instead: one of the paper's rings (numbered as
:func:`exactspin.network.classical_ring` numbers it) goes through the ring derivation with its
J1, J2 (or J when they are equal) and T_L, T_R, so Eqs. 11-16 come out as before; any other
network through :func:`exactspin.classical.symbolic_network.derive_network` (J1, J2, ... per
distinct coupling, T1..Tk per bath).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import sympy as sp

from exactspin.classical.large_expressions import LARGE_SUM, text
from exactspin.classical.model import CCA, DYNAMICS, Q2R, ring_parameters
from exactspin.classical.precision import require_representable_couplings
from exactspin.classical.resources import MEMORY_LIMIT_VARIABLE, memory_limit_bytes
from exactspin.classical.symbolic import MAX_SYMBOLIC_STATES, UNITS, derive
from exactspin.classical.symbolic_cost import estimate, state_count
from exactspin.classical.symbolic_model import (
    COUPLING_ASSUMPTIONS,
    EXACT,
    LOWER_STRONGER,
    SYMMETRIC,
    UPPER_STRONGER,
    SymbolicModel,
)
from exactspin.classical.symbolic_modular import derive_modular, probe
from exactspin.classical.symbolic_modular_cost import estimate as modular_estimate
from exactspin.classical.symbolic_network import derive_network
from exactspin.classical.symbolic_network_cost import estimate_network
from exactspin.cli.budget import budget
from exactspin.cli.network_conflicts import refuse_with_network, restore_defaults, track_given
from exactspin.cli.network_options import CLASSICAL, add_network_argument, network_from_arguments
from exactspin.cli.output import json_text
from exactspin.cli.progress import elapsed_ticker
from exactspin.ring import Ring
from exactspin.validation import ParameterError, ResourceError, require_positive

FRACTION_FREE, MODULAR = "fraction-free", "modular"
METHODS = (FRACTION_FREE, MODULAR)

#: The ring flags a network file replaces (refused together with --network).
RING_FLAGS = ("nu", "nd", "couplings", "j1", "j2", "mu", "dynamics")

#: Default refusal threshold on the expected derivation time (seconds on one core).
DEFAULT_MAX_SECONDS = 120.0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``derive`` subcommand."""
    parser = subparsers.add_parser(
        "derive",
        help="closed-form steady state and currents (sympy)",
        description="Derive the master equation (Eq. 4) symbolically and print its steady "
        "state and heat currents (Eqs. 6, 9) in closed form, in beta_L = 1/T_L, beta_R = 1/T_R "
        "and exponential variables such as x_L = exp(-2 J beta_L). The Metropolis rate needs "
        "the sign of each energy change, hence --couplings; give --j1/--j2 (and --mu for CCA) "
        "as exact numbers instead for couplings='exact'. Rings up to 5 sites (Q2R) are "
        "practical; the expected time is printed first and a derivation expected to exceed "
        "--max-seconds is refused. --method modular reconstructs the currents only, from exact "
        "values mod primes checked at fresh points (N_S = 7 with any J1, J2 in about a minute); "
        "it finds the degrees at one prime first, prints its own estimate and refuses past "
        "--max-seconds too.",
    )
    parser.add_argument("--nu", type=int, default=1, help="N_U, upper-branch bulk spins (>= 0)")
    parser.add_argument("--nd", type=int, default=0, help="N_D, lower-branch bulk spins (>= 0)")
    parser.add_argument(
        "--couplings",
        choices=[c for c in COUPLING_ASSUMPTIONS if c != EXACT],
        default=None,
        help="assumption on J1, J2 (default symmetric: J1 = J2 = J > 0)",
    )
    parser.add_argument("--j1", type=str, default=None, help="exact J1, e.g. 2 or 19/10")
    parser.add_argument("--j2", type=str, default=None, help="exact J2")
    parser.add_argument("--mu", type=str, default=None, help="exact CCA demon unit")
    parser.add_argument("--dynamics", choices=DYNAMICS, default=Q2R, help="bulk dynamics")
    parser.add_argument("--unit", choices=UNITS, default="step", help="time unit of currents")
    parser.add_argument(
        "--max-seconds",
        dest="max_seconds",
        type=float,
        default=DEFAULT_MAX_SECONDS,
        help="refuse a derivation expected to take longer (seconds on one core; > 0)",
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default=FRACTION_FREE,
        help="fraction-free: solve over ZZ[variables] (steady state and currents); modular: "
        "reconstruct the currents from exact values mod primes (larger rings; no steady state)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no estimate or progress lines on stderr"
    )
    parser.add_argument(
        "--currents-only",
        dest="currents_only",
        action="store_true",
        help="print the currents only, not the 2^N_S steady-state probabilities",
    )
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--latex", action="store_true", help="print a LaTeX align* block")
    style.add_argument("--json", action="store_true", help="print one JSON object")
    add_network_argument(parser)
    track_given(parser, RING_FLAGS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Derive and print; returns the exit status."""
    refuse_with_network(args, RING_FLAGS)
    restore_defaults(args)
    network = network_from_arguments(args, CLASSICAL)
    if network is not None:
        return _run_network(args, network)
    exact = args.j1 is not None or args.j2 is not None
    if exact and args.couplings is not None:
        raise ParameterError("couplings", args.couplings, "omitted when --j1/--j2 are given")
    model = SymbolicModel(
        Ring(args.nu, args.nd),
        args.dynamics,
        EXACT if exact else (args.couplings or SYMMETRIC),
        args.j1,
        args.j2,
        args.mu,
    )
    return _run_ring(args, model)


def ring_symbolic_model(values: dict) -> SymbolicModel:
    """The ring derivation's model for a network that is one of the paper's rings.

    Positive couplings keep J1, J2 symbolic under the ordering the values have (equal: J,
    Eqs. 11-16); other signs and CCA use them as exact numbers.
    """
    ring = Ring(values["nu"], values["nd"])
    j1, j2 = values["j1"], values["j2"]
    if values["dynamics"] == CCA or not (j1 > 0 and j2 > 0):
        return SymbolicModel(ring, values["dynamics"], EXACT, j1, j2, values["mu"])
    couplings = SYMMETRIC if j1 == j2 else UPPER_STRONGER if j1 > j2 else LOWER_STRONGER
    return SymbolicModel(ring, Q2R, couplings)


def _run_network(args: argparse.Namespace, network) -> int:
    """``--network FILE``: the ring derivation for the paper's rings, else derive_network."""
    limit = require_positive("max-seconds", args.max_seconds)
    values = ring_parameters(network)
    if values is not None:
        return _run_ring(args, ring_symbolic_model(values), network)
    if args.method == MODULAR:
        raise ParameterError(
            "method", MODULAR, "fraction-free for a network that is not one of the paper's rings"
        )
    require_representable_couplings(network)
    cost = estimate_network(network)
    memory_limit = memory_limit_bytes()
    label = "classical derive --network"
    if cost.expected_seconds > limit or cost.expected_bytes > memory_limit:
        over = (
            f"over --max-seconds {limit:g} (raise it to wait)"
            if cost.expected_seconds > limit
            else f"over the memory limit of {memory_limit / 2**30:.2f} GiB "
            f"(${MEMORY_LIMIT_VARIABLE})"
        )
        raise ResourceError(
            f"{label} {args.network}: {cost.describe()}, {over}; use 'exactspin classical "
            "solve --network' for numbers"
        )
    if not args.quiet:
        print(f"exactspin {label}: {cost.describe()}", file=sys.stderr, flush=True)
    with budget(
        f"exactspin {label}",
        limit,
        memory_limit,
        cost.describe(),
        cost.expected_seconds,
        progress=not args.quiet,
    ):
        solution = derive_network(network, unit=args.unit)
        if args.json:
            text = json_text(solution.to_dict())
        elif args.latex:
            text = solution.latex()
        else:
            text = solution.pretty()
    print(text)
    return 0


def _run_ring(args: argparse.Namespace, model: SymbolicModel, network=None) -> int:
    """The ring derivation (``network``: the file it came from, echoed in the JSON)."""
    limit = require_positive("max-seconds", args.max_seconds)
    states = state_count(model.ring, model.dynamics)
    if states > MAX_SYMBOLIC_STATES:
        raise ResourceError(
            f"symbolic master equation with {states} states exceeds the limit of "
            f"{MAX_SYMBOLIC_STATES} states (use 'exactspin classical solve')"
        )
    if args.method == MODULAR:
        return _run_modular(args, model, limit, network)
    cost = estimate(model)
    if cost.expected_seconds > limit:
        raise ResourceError(
            f"classical derive N_U={model.ring.upper_spins}, N_D={model.ring.lower_spins}: "
            f"{cost.describe()}, over --max-seconds {limit:g} (raise it to wait, try "
            "--method modular for the currents, or use 'exactspin classical solve' for numbers)"
        )
    if not args.quiet:
        print(f"exactspin classical derive: {cost.describe()}", file=sys.stderr, flush=True)
    # Rendering converts the polynomials to sympy expressions and can take as long as the
    # solve itself (the estimate covers both), so the ticker runs through it too.
    with elapsed_ticker("exactspin classical derive", cost.expected_seconds, not args.quiet):
        solution = derive(model, unit=args.unit)
        text = _render(solution, args, network)
    print(text)
    return 0


def _run_modular(args: argparse.Namespace, model: SymbolicModel, limit: float, network) -> int:
    """``--method modular``: probe the degrees, estimate, refuse or reconstruct with progress."""

    def say(line: str) -> None:
        if not args.quiet:
            print(f"exactspin classical derive: {line}", file=sys.stderr, flush=True)

    say("modular reconstruction of the currents; finding the degrees at one prime")
    cost = modular_estimate(probe(model, unit=args.unit))
    if cost.expected_seconds > limit:
        raise ResourceError(
            f"classical derive --method modular N_U={model.ring.upper_spins}, "
            f"N_D={model.ring.lower_spins}: {cost.describe()}, over --max-seconds {limit:g} "
            "(raise it to wait, or use 'exactspin classical solve' for numbers)"
        )
    if args.latex and cost.terms > LARGE_SUM:
        raise ResourceError(
            f"--latex: the polynomials may have up to {cost.terms} terms, too large for LaTeX "
            "(use --json or the text output)"
        )
    say(cost.describe())
    with elapsed_ticker("exactspin classical derive", cost.expected_seconds, not args.quiet):
        solution = derive_modular(model, unit=args.unit, progress=say)
        rendered = _render(solution, args, network)
    print(rendered)
    return 0


def _render(solution, args: argparse.Namespace, network=None) -> str:
    if args.currents_only:
        solution = replace(
            solution, rational=replace(solution.rational, steady_state=sp.ImmutableMatrix([]))
        )
    if args.json:
        payload = solution.to_dict()
        if network is not None:
            payload = _network_payload(solution, payload, network)
        return json_text(payload)
    if args.latex:
        return solution.latex()
    return solution.pretty()


def _network_payload(solution, payload: dict, network) -> dict:
    """The ring derivation's JSON with the --network keys (bath order, bond order, in J, beta)."""
    return {
        "network": network.to_dict(),
        **payload,
        "bath_currents": [text(solution.left_bath_current), text(solution.right_bath_current)],
        "bond_currents": [text(current) for current in solution.bond_currents],
    }
