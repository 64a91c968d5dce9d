"""The labels of baths, bonds and cycles in text output, one format for every command.

docs/conventions.md, "Networks": everything a user reads is 1-based, as the network file is. Bath
k and bond k are the k-th entries of the file (the same k as the sweep axes ``bath<k>_t`` and
``bond<k>_j``), sites are the file's site numbers, and a bond shows its orientation a->b (its
current is the energy moved from a to b). Error messages keep the entry key of the file's list,
``bonds[3]`` (0-based, as a list index). Pure string functions; nothing here computes.
"""

from __future__ import annotations

from exactspin.network.graph import Network


def bath_label(network: Network, index: int) -> str:
    """``bath 1 (site 3, T=0.5)`` for the 0-based bath ``index``."""
    bath = network.baths[index]
    return f"bath {index + 1} (site {bath.site + 1}, T={bath.temperature:g})"


def bond_label(network: Network, index: int) -> str:
    """``bond 1 [1->2]`` for the 0-based bond ``index``: its number and orientation."""
    bond = network.bonds[index]
    return f"bond {index + 1} [{bond.first + 1}->{bond.second + 1}]"


def cycle_label(index: int, sites) -> str:
    """``cycle 1 (sites 1-2-3)`` for the 0-based cycle ``index`` through 0-based ``sites``."""
    return f"cycle {index + 1} (sites {'-'.join(str(site + 1) for site in sites)})"


__all__ = ["bath_label", "bond_label", "cycle_label"]
