"""Integer encoding of classical configurations.

A configuration eta = (sigma_1..sigma_N_S; d_1..d_K) is one integer:

- bit i (i = 0..N_S-1) is 1 when sigma_{i+1} = +1 (up) and 0 when it is -1 (down), so the
  paper's ordering of Eq. 11, P(down,down,down), P(up,down,down), P(down,up,down), ... is
  index order;
- for CCA, the demon of the k-th bulk site (k = 0.., bulk sites in increasing order) is the two
  bits at N_S + 2k.

Spins are therefore the low N_S bits, demons the high bits. Nothing here knows the dynamics.
"""

from __future__ import annotations

from exactspin.classical.model import ClassicalModel


def spin(state: int, site: int) -> int:
    """sigma of ``site`` in ``state``: +1 or -1."""
    return 1 if (state >> site) & 1 else -1


def spins(state: int, sites: int) -> tuple[int, ...]:
    """All spins sigma_1..sigma_N_S of ``state`` as a tuple of +-1."""
    return tuple(spin(state, i) for i in range(sites))


def flip(state: int, site: int) -> int:
    """The state eta^i with spin ``site`` flipped (demons untouched)."""
    return state ^ (1 << site)


def demon(model: ClassicalModel, state: int, site: int) -> int:
    """The demon value d of bulk ``site`` (CCA only), in 0..3."""
    k = model.demon_sites.index(site)
    return (state >> (model.sites + 2 * k)) & 3


def with_demon(model: ClassicalModel, state: int, site: int, value: int) -> int:
    """``state`` with the demon of bulk ``site`` set to ``value`` (0..3)."""
    shift = model.sites + 2 * model.demon_sites.index(site)
    return (state & ~(3 << shift)) | (value << shift)


def encode(
    model: ClassicalModel, spin_values: tuple[int, ...], demons: tuple[int, ...] = ()
) -> int:
    """The integer of a configuration given its spins (+-1, site order) and demons."""
    state = sum(1 << i for i, s in enumerate(spin_values) if s > 0)
    for k, d in enumerate(demons):
        state |= d << (model.sites + 2 * k)
    return state
