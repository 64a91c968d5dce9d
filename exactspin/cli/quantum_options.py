"""The quantum ring's command-line options (the paper's Fig. 10a defaults); parsing only.

Flags, defaults, ranges and help come from :data:`exactspin.parameters.QUANTUM`.

A command that also offers ``--network FILE`` (:func:`add_network_option`) builds the model from
the network file instead; the ring flags (geometry, couplings, temperatures, sector) are then
refused by name, while --gamma, --omega-c and --zero-frequency apply to every bath.
"""

from __future__ import annotations

import argparse

from exactspin.cli.network_options import QUANTUM, add_network_argument, network_from_arguments
from exactspin.parameters import QUANTUM as SPECIFICATION
from exactspin.parameters import QUANTUM_BATH
from exactspin.quantum.model import QuantumModel
from exactspin.validation import ParameterError

ZERO_FREQUENCY_CHOICES = SPECIFICATION["zero_frequency"].choices

#: The flags that describe the ring itself (the network file describes a network instead).
RING_FLAGS = tuple(p.flag for p in SPECIFICATION.parameters if p.name not in QUANTUM_BATH)


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
    """Add --nu --nd --up --j --delta --tl --tr --gamma --omega-c --zero-frequency.

    ``zero_frequency=False`` leaves out --zero-frequency, for methods with no W(0) to choose
    (HEOM treats the bath exactly).
    """
    SPECIFICATION.add_arguments(
        parser, exclude=() if zero_frequency else ("zero_frequency",), action=RecordGiven
    )


def add_network_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--network FILE`` (a quantum network instead of the ring flags)."""
    add_network_argument(parser)


def model_from_arguments(args: argparse.Namespace) -> QuantumModel:
    """The validated :class:`QuantumModel` the options describe (the network's with --network;
    omitted options take their defaults)."""
    network = network_from_arguments(args, QUANTUM)
    values = SPECIFICATION.from_arguments(args)
    if network is not None:
        refuse_with_network(args, RING_FLAGS)
        return QuantumModel.from_network(
            network, **{name: values[name] for name in QUANTUM_BATH if name in values}
        )
    return QuantumModel.from_parameters(**values)
