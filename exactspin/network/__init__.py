"""Spin networks as data: sites, bonds, fields, baths (the paper's ring is one of them).

See :mod:`exactspin.network.graph` for the data model and its conventions,
:mod:`exactspin.network.files` for the TOML/JSON format, :mod:`exactspin.network.builders` for the
paper's rings and the report's networks, and :mod:`exactspin.network.cycles` for circulation.
"""

from exactspin.network.builders import (
    classical_ring,
    inhomogeneous_field_ring,
    quantum_ring,
    three_bath_ring,
    three_branch_junction,
)
from exactspin.network.cycles import Circulation, Cycle, circulation, cycle_basis
from exactspin.network.files import network_from_dict, parse_network, read_network, write_network
from exactspin.network.graph import (
    CLASSICAL,
    QUANTUM,
    Bath,
    Bond,
    Field,
    Network,
    NetworkError,
)

__all__ = [
    "CLASSICAL",
    "QUANTUM",
    "Bath",
    "Bond",
    "Circulation",
    "Cycle",
    "Field",
    "Network",
    "NetworkError",
    "circulation",
    "classical_ring",
    "cycle_basis",
    "inhomogeneous_field_ring",
    "network_from_dict",
    "parse_network",
    "quantum_ring",
    "read_network",
    "three_bath_ring",
    "three_branch_junction",
    "write_network",
]
