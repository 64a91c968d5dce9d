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
        Local source and target of every move (int64).
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
    local = np.full(total, -1, dtype=np.int64)
    local[states] = np.arange(states.size)
    if lumped:
        local[states ^ mask] = np.arange(states.size)
    sources, targets, rates, corrections = [], [], [], []
    for site in flips:
        allowed = site.allowed[states]
        source = np.flatnonzero(allowed)
        sources.append(source)
        targets.append(local[site.target[states[source]]])
        rates.append(site.rate[states[source]])
        corrections.append(
            np.zeros(source.size)
            if site.rate_correction is None
            else site.rate_correction[states[source]]
        )
    target = np.concatenate(targets)
    if np.any(target < 0):
        raise ValueError("a move leaves the class: the members do not form a closed class")
    return ClassChain(
        states=states,
        lumped=lumped,
        sources=np.concatenate(sources),
        targets=target,
        rate=np.concatenate(rates),
        rate_correction=np.concatenate(corrections),
    )
