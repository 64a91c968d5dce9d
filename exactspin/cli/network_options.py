"""The ``--network FILE`` option shared by every command that takes a spin network.

Only parsing lives here: the file is read by :func:`exactspin.network.read_network`, whose errors
(exit 2, one line naming the key and ``file:line``) reach the user through ``main``.
"""

from __future__ import annotations

import argparse

from exactspin.network import Network, read_network
from exactspin.network.graph import CLASSICAL, QUANTUM, NetworkError

NETWORK_HELP = (
    "a network file (.toml or .json: sites, bonds, fields, baths, dynamics, mu, up; sites 1-based) "
    "instead of the ring flags; see the README's 'Networks' section"
)


def add_network_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--network FILE`` to ``parser``."""
    parser.add_argument("--network", metavar="FILE", default=None, help=NETWORK_HELP)


def network_from_arguments(arguments: argparse.Namespace, kind: str) -> Network | None:
    """The network named by ``--network`` (None without it), refused unless of ``kind``."""
    path = getattr(arguments, "network", None)
    if path is None:
        return None
    network = read_network(path)
    if network.kind != kind:
        shape = "[a, b, J]" if kind == CLASSICAL else "[a, b, J, Delta]"
        raise NetworkError(
            "bonds",
            f"{network.kind} bonds",
            f"{kind} bonds {shape} for this command",
            network.origin.locate("bonds") if network.origin else None,
        )
    if kind == CLASSICAL:
        from exactspin.classical.precision import require_representable_couplings

        require_representable_couplings(network)
    return network


__all__ = ["CLASSICAL", "QUANTUM", "add_network_argument", "network_from_arguments"]
