"""The quantum ring's command-line options (the paper's Fig. 10a defaults); parsing only.

A command that also offers ``--network FILE`` (:func:`add_network_option`) builds the model from
the network file instead; the ring flags (geometry, couplings, temperatures, sector) are then
refused by name, while --gamma, --omega-c and --zero-frequency apply to every bath.
"""

from __future__ import annotations

import argparse

from exactspin.cli.network_options import QUANTUM, add_network_argument, network_from_arguments
from exactspin.quantum.model import QuantumModel
from exactspin.validation import ParameterError

ZERO_FREQUENCY_CHOICES = ("limit", "zero")

#: The flags that describe the ring itself (the network file describes a network instead).
RING_FLAGS = ("--nu", "--nd", "--up", "--j", "--delta", "--tl", "--tr")


class RecordGiven(argparse.Action):
    """Store the value and remember that the flag was given (defaults are not "given")."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        given = set(getattr(namespace, "given_flags", ()))
        given.add(option_string)
        namespace.given_flags = given


def given_flags(args: argparse.Namespace, flags: tuple[str, ...]) -> list[str]:
    """Those of ``flags`` the user typed, in the order of ``flags``."""
    typed = getattr(args, "given_flags", set())
    return [flag for flag in flags if flag in typed]


def refuse_with_network(args: argparse.Namespace, flags: tuple[str, ...]) -> None:
    """ParameterError naming every flag of ``flags`` given together with --network."""
    conflicting = given_flags(args, flags)
    if conflicting:
        raise ParameterError(
            conflicting[0].lstrip("-"),
            " ".join(conflicting),
            "left out with --network (the network file gives the sites, bonds, fields, baths "
            f"and the sector; conflicting: {', '.join(conflicting)})",
        )


def add_model_arguments(parser: argparse.ArgumentParser, zero_frequency: bool = True) -> None:
    """Add --nu --nd --up --j --delta --tl --tr --zero-frequency --gamma --omega-c.

    ``zero_frequency=False`` leaves out --zero-frequency, for methods with no W(0) to choose
    (HEOM treats the bath exactly).
    """
    parser.add_argument(
        "--nu", action=RecordGiven, type=int, default=2, help="upper-branch bulk spins N_U (>= 1)"
    )
    parser.add_argument(
        "--nd", action=RecordGiven, type=int, default=1, help="lower-branch bulk spins N_D (>= 1)"
    )
    parser.add_argument(
        "--up", action=RecordGiven, type=int, default=3, help="number of up spins N_E (the sector)"
    )
    parser.add_argument("--j", action=RecordGiven, type=float, default=1.0, help="exchange J")
    parser.add_argument(
        "--delta", action=RecordGiven, type=float, default=0.0, help="anisotropy Delta"
    )
    parser.add_argument(
        "--tl", action=RecordGiven, type=float, default=2.0, help="left bath temperature T_L"
    )
    parser.add_argument(
        "--tr", action=RecordGiven, type=float, default=1.0, help="right bath temperature T_R"
    )
    if zero_frequency:
        parser.add_argument(
            "--zero-frequency",
            dest="zero_frequency",
            choices=ZERO_FREQUENCY_CHOICES,
            default="limit",
            help="bath rate at zero energy difference (Eq. 28): 'limit' W(0) = T, 'zero' W(0) = 0",
        )
    parser.add_argument("--gamma", type=float, default=0.01, help="system-bath coupling gamma")
    parser.add_argument("--omega-c", dest="omega_c", type=float, default=10.0, help="cutoff")


def add_network_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--network FILE`` (a quantum network instead of the ring flags)."""
    add_network_argument(parser)


def model_from_arguments(args: argparse.Namespace) -> QuantumModel:
    """The validated :class:`QuantumModel` the options describe (the network's with --network)."""
    network = network_from_arguments(args, QUANTUM)
    if network is not None:
        refuse_with_network(args, RING_FLAGS)
        return QuantumModel.from_network(
            network,
            gamma=args.gamma,
            omega_c=args.omega_c,
            zero_frequency=getattr(args, "zero_frequency", "limit"),
        )
    return QuantumModel.from_parameters(
        nu=args.nu,
        nd=args.nd,
        up=args.up,
        j=args.j,
        delta=args.delta,
        tl=args.tl,
        tr=args.tr,
        gamma=args.gamma,
        omega_c=args.omega_c,
        zero_frequency=getattr(args, "zero_frequency", "limit"),
    )
