"""One closed class of a classical ring as a small chain of its own, halved by spin-flip symmetry.

Closed classes are independent blocks of the generator, so each is solved alone. The global flip
s -> -s of every spin (demons untouched) leaves every energy change, and so every rate, invariant
(Eqs. 3, 5, 10, 21). A class that the flip maps onto itself therefore has a stationary law with
P(eta) = P(-eta), and the chain lumped on the pairs {eta, -eta} is exactly lumpable (Kemeny and
Snell, Finite Markov Chains, Sec. 6.3): its rate from a pair to another is the rate from either
member. A class that the flip maps onto another class has that class's law, mirrored. Either
way half the states are solved. Nothing here solves; :mod:`exactspin.classical.class_solver`
does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from exactspin.classical.flips import SiteFlips


@dataclass(frozen=True)
class ClassChain:
    """The moves of one closed class, on local states 0..size-1.

    Attributes
    ----------
    states : numpy.ndarray
        Global state code of each local state (for a lumped class: the member of the pair with
        the smaller code).
    lumped : bool
        Whether local state k stands for the pair {states[k], flipped(states[k])}.
    sources, targets : numpy.ndarray
        Local source and target of every move (int32 below 2^31 states, else int64).
    rate, rate_correction : numpy.ndarray
        The move's rate as a double plus the part double drops (see SiteFlips).
    """

    states: np.ndarray
    lumped: bool
    sources: np.ndarray
    targets: np.ndarray
    rate: np.ndarray
    rate_correction: np.ndarray

    @property
    def size(self) -> int:
        """Number of local states."""
        return int(self.states.size)


def spin_flip_mask(sites: int) -> int:
    """The bits of the spins: XOR with it flips every spin and leaves the demons."""
    return (1 << sites) - 1


def class_chain(
    flips: tuple[SiteFlips, ...], members: np.ndarray, lumped: bool, sites: int
) -> ClassChain:
    """The chain of the closed class ``members`` (global codes, increasing).

    Parameters
    ----------
    flips : tuple of SiteFlips
        Every site's flips from every state.
    members : numpy.ndarray
        The states of the class.
    lumped : bool
        Lump the pairs {eta, -eta}: only valid when the flip maps the class onto itself.
    sites : int
        N_S.
    """
    mask = spin_flip_mask(sites)
    states = members[members < (members ^ mask)] if lumped else members
    total = flips[0].rate.size
    index_type = np.int32 if total < 2**31 else np.int64
    local = np.full(total, -1, dtype=index_type)
    local[states] = np.arange(states.size, dtype=index_type)
    if lumped:
        local[states ^ mask] = np.arange(states.size, dtype=index_type)
    counts = [_count_moves(states, site.allowed) for site in flips]
    moves = int(sum(counts))
    sources = np.empty(moves, dtype=index_type)
    targets = np.empty(moves, dtype=index_type)
    rate = np.empty(moves)
    rate_correction = np.zeros(moves)
    offset = 0
    for site, count in zip(flips, counts, strict=True):
        correction = site.rate_correction
        _fill_moves(
            states,
            site.allowed,
            site.target,
            site.rate,
            np.zeros(0) if correction is None else correction,
            local,
            offset,
            sources,
            targets,
            rate,
            rate_correction,
        )
        offset += count
    if np.any(targets < 0):
        raise ValueError("a move leaves the class: the members do not form a closed class")
    return ClassChain(
        states=states,
        lumped=lumped,
        sources=sources,
        targets=targets,
        rate=rate,
        rate_correction=rate_correction,
    )


@numba.njit(cache=True)
def _count_moves(states, allowed):
    """How many of ``states`` the site may flip from."""
    count = 0
    for state in states:
        count += allowed[state]
    return count


@numba.njit(cache=True)
def _fill_moves(
    states, allowed, target, rate, correction, local, offset, sources, targets, rates, corrections
):
    """Write the allowed flips of one site from ``states`` at ``offset`` (local indices)."""
    position = offset
    with_correction = correction.size > 0
    for index in range(states.size):
        state = states[index]
        if allowed[state]:
            sources[position] = index
            targets[position] = local[target[state]]
            rates[position] = rate[state]
            if with_correction:
                corrections[position] = correction[state]
            position += 1
