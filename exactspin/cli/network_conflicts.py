"""Which ring flags a user gave, so that ``--network`` can refuse the ones that conflict.

argparse fills every default in, so a flag given with its default value looks like a flag not
given. :func:`track_given` swaps each default for a :class:`Default` marker (printed as the
default itself, so ``--help`` is unchanged); :func:`given_flags` lists the flags the user typed
and :func:`restore_defaults` puts the plain defaults back before the model is built. Parsing only.
"""

from __future__ import annotations

import argparse

from exactspin.validation import ParameterError


class Default:
    """An argparse default that remembers it was not typed (``str`` is the value's)."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return str(self.value)

    __repr__ = __str__


def track_given(parser: argparse.ArgumentParser, destinations: tuple[str, ...]) -> None:
    """Mark the defaults of ``destinations`` so :func:`given_flags` can tell typed flags."""
    for action in parser._actions:
        if action.dest in destinations and not isinstance(action.default, Default):
            action.default = Default(action.default)


def given_flags(arguments: argparse.Namespace, destinations: tuple[str, ...]) -> list[str]:
    """The flags among ``destinations`` the user typed, as ``--name``."""
    return [
        "--" + name.replace("_", "-")
        for name in destinations
        if hasattr(arguments, name) and not isinstance(getattr(arguments, name), Default)
    ]


def restore_defaults(arguments: argparse.Namespace) -> None:
    """Replace every :class:`Default` marker in ``arguments`` by its value."""
    for name, value in vars(arguments).items():
        if isinstance(value, Default):
            setattr(arguments, name, value.value)


def refuse_with_network(arguments: argparse.Namespace, destinations: tuple[str, ...]) -> None:
    """With ``--network``, raise ParameterError naming the ring flags typed (the file has them)."""
    conflicting = given_flags(arguments, destinations)
    if getattr(arguments, "network", None) is not None and conflicting:
        raise ParameterError(
            "network",
            arguments.network,
            "a network file without the ring flags " + ", ".join(conflicting) + " (the file "
            "gives the sites, couplings, baths, dynamics and mu; edit it instead)",
        )
