"""Bases of spin-1/2 configurations: a fixed-magnetization sector or the full 2^N_S space.

A configuration is an integer whose bit ``i`` is 1 when site ``i`` (0-based, as in
:mod:`exactspin.ring`) is up, sz = +1 ("excited" in the paper). States are listed in increasing
integer order. The sector "N_S(N_E up, N_G down)" of the paper (Sec. III C) is
``sector_basis(N_S, N_E)``. This module builds no operators.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from exactspin.validation import require_integer

#: Largest ring the bases accept (2^24 states); solvers impose tighter limits by memory.
MAX_SITES = 24


@dataclass(frozen=True)
class SpinBasis:
    """An ordered list of spin configurations of ``sites`` spins.

    Parameters
    ----------
    sites : int
        N_S, the number of spins.
    up_spins : int or None
        N_E, the number of up spins of every state, or None for the full 2^N_S space.
    states : numpy.ndarray
        The configurations (int64, increasing); bit ``i`` set means site ``i`` is up.
    """

    sites: int
    up_spins: int | None
    states: np.ndarray = field(repr=False)

    @property
    def dimension(self) -> int:
        """Number of states d."""
        return int(self.states.size)

    def index(self, state: int) -> int:
        """Position of configuration ``state`` in this basis; KeyError if absent."""
        position = int(np.searchsorted(self.states, state))
        if position < self.dimension and int(self.states[position]) == state:
            return position
        raise KeyError(state)

    def site_is_up(self, site: int) -> np.ndarray:
        """Boolean vector over the basis: True where ``site`` (0-based) is up."""
        return ((self.states >> site) & 1).astype(bool)

    def site_sz(self, site: int) -> np.ndarray:
        """Eigenvalue of the Pauli sz of ``site`` (0-based) on every basis state: +1 up, -1 down."""
        return np.where(self.site_is_up(site), 1.0, -1.0)


def sector_basis(sites: int, up_spins: int) -> SpinBasis:
    """All configurations of ``sites`` spins with exactly ``up_spins`` up, in increasing order.

    This is the paper's sector N_S(N_E up, N_G down) with N_E = ``up_spins``; its dimension is
    the binomial coefficient C(N_S, N_E).
    """
    sites = require_integer("sites", sites, 2, MAX_SITES)
    up_spins = require_integer("up", up_spins, 0, sites)
    states = np.array(
        sorted(
            sum(1 << s for s in chosen) for chosen in itertools.combinations(range(sites), up_spins)
        ),
        dtype=np.int64,
    )
    assert states.size == math.comb(sites, up_spins)
    states.setflags(write=False)
    return SpinBasis(sites, up_spins, states)


def full_basis(sites: int) -> SpinBasis:
    """All 2^N_S configurations of ``sites`` spins, ordered by their integer value."""
    sites = require_integer("sites", sites, 2, MAX_SITES)
    states = np.arange(2**sites, dtype=np.int64)
    states.setflags(write=False)
    return SpinBasis(sites, None, states)
