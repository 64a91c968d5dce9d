"""Sweep axes over a network's numbers: bath temperatures, bond couplings, field strengths.

A network sweep names a network file and sweeps some of its numbers, each by one axis name with a
1-based index in the file's order:

- ``bath<k>_t``: the temperature T of the k-th bath (the order of ``bath_currents``);
- ``bond<k>_j``: the coupling J of the k-th bond; ``bond<k>_delta``: its anisotropy Delta
  (quantum networks only, Eq. 22);
- ``field<k>_h``: the strength h of the k-th field.

:func:`network_axis` checks a name against a network (one line naming it: an unknown axis, an
index past the network's count, Delta of a classical bond) and :func:`with_values` gives the
network with some of these numbers replaced (built and validated again, so a value the network
refuses, e.g. T <= 0, is refused naming the axis). Nothing here reads files or solves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exactspin.network import Bath, Bond, Field, Network
from exactspin.network.graph import NetworkError
from exactspin.validation import ParameterError

#: Axis name -> (entries, number): ``bath2_t`` is (``baths``, ``t``).
AXIS_PATTERN = re.compile(r"^(bath|bond|field)([0-9]+)_(t|j|delta|h)$")
#: The numbers each kind of entry has, by axis suffix.
QUANTITIES = {"bath": ("t",), "bond": ("j", "delta"), "field": ("h",)}
#: What each suffix is, for messages.
MEANINGS = {
    "t": "temperature T",
    "j": "coupling J",
    "delta": "anisotropy Delta",
    "h": "field strength h",
}
AXIS_FORMS = "bath<k>_t, bond<k>_j, bond<k>_delta (quantum), field<k>_h (k 1-based)"


@dataclass(frozen=True)
class NetworkAxis:
    """One swept number of a network: ``kind`` (bath/bond/field), 0-based ``index``, quantity."""

    name: str
    kind: str
    index: int
    quantity: str


def is_network_axis_name(name: object) -> bool:
    """Whether ``name`` has the form of a network axis (whatever the network)."""
    return isinstance(name, str) and AXIS_PATTERN.match(name) is not None


def network_axis(name: str, network: Network, value: object = None) -> NetworkAxis:
    """The axis ``name`` of ``network`` (``value``: the swept value(s), for the message).

    Raises
    ------
    ParameterError
        Not of the form ``bath<k>_t`` / ``bond<k>_j`` / ``bond<k>_delta`` / ``field<k>_h``, an
        index k outside 1..count of the network's entries, or ``delta`` of a classical network.
    """
    match = AXIS_PATTERN.match(name) if isinstance(name, str) else None
    if match is None:
        raise ParameterError(str(name), value, f"a network axis: {AXIS_FORMS}")
    kind, number, quantity = match.group(1), int(match.group(2)), match.group(3)
    if quantity not in QUANTITIES[kind]:
        allowed = " or ".join(f"{kind}<k>_{q}" for q in QUANTITIES[kind])
        raise ParameterError(name, value, f"a network axis ({kind} entries have {allowed})")
    entries = {"bath": network.baths, "bond": network.bonds, "field": network.fields}[kind]
    label = network.name or "the network"
    if not 1 <= number <= len(entries):
        count = len(entries)
        if count == 0:
            raise ParameterError(name, value, f"an axis of {label} (it has no {kind}s)")
        have = f"has {count} {kind}{'s' if count != 1 else ''}"
        raise ParameterError(name, value, f"an index in 1..{count} ({label} {have}, in file order)")
    if quantity == "delta" and network.kind != "quantum":
        raise ParameterError(
            name, None, f"a quantum network's axis ({label} is classical: bonds have no Delta)"
        )
    return NetworkAxis(name, kind, number - 1, quantity)


def with_values(network: Network, values: Mapping[str, Any]) -> Network:
    """``network`` with the numbers named by ``values`` (axis name -> value) replaced.

    Raises
    ------
    ParameterError
        An axis that is not one of the network's (see :func:`network_axis`), or a value the
        network refuses (named by its axis).
    """
    axes = [network_axis(name, network) for name in values]
    if not axes:
        return network
    baths, bonds, fields = list(network.baths), list(network.bonds), list(network.fields)
    for axis in axes:
        value = values[axis.name]
        if axis.kind == "bath":
            baths[axis.index] = Bath(baths[axis.index].site, value)
        elif axis.kind == "field":
            fields[axis.index] = Field(fields[axis.index].site, value)
        else:
            bond = bonds[axis.index]
            if axis.quantity == "j":
                bonds[axis.index] = Bond(bond.first, bond.second, value, bond.anisotropy)
            else:
                bonds[axis.index] = Bond(bond.first, bond.second, bond.coupling, value)
    try:
        return network.replace(baths=tuple(baths), bonds=tuple(bonds), fields=tuple(fields))
    except NetworkError as error:
        axis = _axis_at_fault(axes, error)
        raise ParameterError(
            axis.name,
            values[axis.name],
            f"a {MEANINGS[axis.quantity]} the network accepts: {error.allowed}",
        ) from None


#: The network's key of an entry (``baths[0]``) -> the kind of axis.
_ENTRY_KEY = re.compile(r"^(baths|bonds|fields)\[([0-9]+)\]$")


def _axis_at_fault(axes: list[NetworkAxis], error: NetworkError) -> NetworkAxis:
    """The swept axis of the entry the network refused (its first axis when it cannot tell)."""
    match = _ENTRY_KEY.match(str(error.parameter))
    if match is not None:
        kind, index = match.group(1)[:-1], int(match.group(2))
        for axis in axes:
            if axis.kind == kind and axis.index == index:
                return axis
    return axes[0]


def axis_names(network: Network) -> tuple[str, ...]:
    """Every axis name of ``network``, in file order (baths, bonds, fields)."""
    names = [f"bath{k}_t" for k in range(1, len(network.baths) + 1)]
    for k in range(1, len(network.bonds) + 1):
        names.append(f"bond{k}_j")
        if network.kind == "quantum":
            names.append(f"bond{k}_delta")
    names += [f"field{k}_h" for k in range(1, len(network.fields) + 1)]
    return tuple(names)


__all__ = ["NetworkAxis", "axis_names", "is_network_axis_name", "network_axis", "with_values"]
