"""Exact symmetry blocks of the uniform modified XXZ ring (Eq. 22) in one magnetization sector.

With one J and one Delta on every bond, H commutes with the translation T (site i -> i+1, 0-based
sites) and the reflection P (site i -> -i mod N_S). Following QuSpin's orbit construction, a
sector splits into momentum blocks k = 0..N_S-1 (T = w^k with w = exp(2 pi i / N_S)); the blocks
k = 0 and k = N_S/2, where P commutes with T, split again by parity p = +-1.

Blocks are written in the unnormalised orbit states |r, k> = sum_j w^(-k j) T^j |r> (r the
smallest integer of its orbit). That basis is not orthonormal, so a block is similar to, not
equal to, the Hermitian restriction of H; its eigenvalues are exact and its entries stay in
Z[w, J, Delta] (no square roots of orbit lengths). The phase w is the sympy symbol
:data:`ROOT_OF_UNITY`, to be reduced modulo the cyclotomic polynomial by the caller.
This module does no diagonalisation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy

from exactspin.validation import require_integer

#: The symbol standing for w = exp(2 pi i / N_S) in block entries.
ROOT_OF_UNITY = sympy.Symbol("w")

#: Largest ring for which symmetry blocks are built (the blocks are symbolic matrices).
MAX_SITES = 16


@dataclass(frozen=True)
class SymmetryBlock:
    """One block of H: a momentum k and, for k = 0 or N_S/2, a parity.

    Attributes
    ----------
    sites, up_spins : int
        The ring size N_S and the sector's number of up spins.
    momentum : int
        k in 0..N_S-1; the block's states have T = exp(2 pi i k / N_S).
    parity : int or None
        +1 or -1 under the reflection site i -> -i mod N_S when it commutes with T
        (k = 0 or k = N_S/2), else None.
    representatives : tuple of int
        The orbit representatives (bit i set = site i up) labelling the block's states.
    matrix : sympy.Matrix
        The block of H in the unnormalised symmetric states, entries in Z[w, J, Delta].
    """

    sites: int
    up_spins: int
    momentum: int
    parity: int | None
    representatives: tuple[int, ...]
    matrix: sympy.Matrix

    @property
    def dimension(self) -> int:
        """Number of states in the block."""
        return len(self.representatives)


def translate(state: int, sites: int, steps: int = 1) -> int:
    """T^steps applied to a configuration: site i moves to site i + steps (mod N_S)."""
    steps %= sites
    mask = (1 << sites) - 1
    return ((state << steps) | (state >> (sites - steps))) & mask


def reflect(state: int, sites: int) -> int:
    """P applied to a configuration: site i moves to site -i (mod N_S); site 0 stays."""
    return sum(1 << ((-site) % sites) for site in range(sites) if state >> site & 1)


def orbit_representative(state: int, sites: int) -> tuple[int, int]:
    """The smallest configuration r of the translation orbit and l with state = T^l r."""
    best, shift = state, 0
    for steps in range(1, sites):
        image = translate(state, sites, steps)
        if image < best:
            best, shift = image, steps
    return best, (-shift) % sites


def orbit_period(state: int, sites: int) -> int:
    """The smallest R > 0 with T^R state = state."""
    return next(steps for steps in range(1, sites + 1) if translate(state, sites, steps) == state)


def _sector_states(sites: int, up_spins: int) -> list[int]:
    return sorted(
        sum(1 << site for site in chosen)
        for chosen in itertools.combinations(range(sites), up_spins)
    )


def _hamiltonian_action(state: int, sites: int, exchange, anisotropy) -> dict[int, sympy.Expr]:
    """H|state> of Eq. 22 as {configuration: amplitude}; each bond hops with 2J (Pauli xy)."""
    action: dict[int, sympy.Expr] = {}
    for bond in range(sites):
        a, b = bond, (bond + 1) % sites
        up_a, up_b = state >> a & 1, state >> b & 1
        if up_a and up_b:
            action[state] = action.get(state, 0) + anisotropy
        elif up_a != up_b:
            partner = state ^ ((1 << a) | (1 << b))
            action[partner] = action.get(partner, 0) + 2 * exchange
    return action


def momentum_blocks(
    sites: int, up_spins: int, exchange: sympy.Expr, anisotropy: sympy.Expr
) -> tuple[SymmetryBlock, ...]:
    """Every non-empty symmetry block of the sector with ``up_spins`` up on a ring of ``sites``.

    Parameters
    ----------
    sites : int
        N_S >= 2.
    up_spins : int
        Number of up spins, 0..N_S.
    exchange, anisotropy : sympy expressions
        J and Delta of Eq. 22.

    Returns
    -------
    tuple of SymmetryBlock
        Ordered by momentum, then parity +1 before -1. Their dimensions add up to C(N_S, up).
    """
    sites = require_integer("n", sites, 2, MAX_SITES)
    up_spins = require_integer("up", up_spins, 0, sites)
    w = ROOT_OF_UNITY
    representatives = sorted(
        {orbit_representative(s, sites)[0] for s in _sector_states(sites, up_spins)}
    )
    periods = {r: orbit_period(r, sites) for r in representatives}
    actions = {r: _hamiltonian_action(r, sites, exchange, anisotropy) for r in representatives}
    blocks = []
    for momentum in range(sites):
        # |r, k> vanishes unless w^(k R) = 1 for the orbit period R.
        allowed = [r for r in representatives if momentum * periods[r] % sites == 0]
        if not allowed:
            continue
        position = {r: i for i, r in enumerate(allowed)}
        matrix = sympy.zeros(len(allowed), len(allowed))
        for column, r in enumerate(allowed):
            for image, amplitude in actions[r].items():
                target, shift = orbit_representative(image, sites)
                if target in position:
                    # T^j |image> = T^(j + shift) |target>, so the image contributes w^(k shift).
                    phase = w ** ((momentum * shift) % sites)
                    matrix[position[target], column] += amplitude * phase
        if (2 * momentum) % sites == 0:
            blocks.extend(_parity_blocks(sites, up_spins, momentum, allowed, matrix))
        else:
            blocks.append(SymmetryBlock(sites, up_spins, momentum, None, tuple(allowed), matrix))
    return tuple(blocks)


def _parity_blocks(
    sites: int, up_spins: int, momentum: int, allowed: list[int], matrix: sympy.Matrix
) -> list[SymmetryBlock]:
    """Split a k = 0 or k = N_S/2 block by the reflection parity.

    P|r, k> = chi(r) |r', k> with r' the representative of P r and chi = (-1)^(k l) = +-1,
    where P r = T^l r'. The states (1 + p P)|r, k> of one pair {r, r'} are one vector; the
    block is read off at each pair's first representative, where only that vector has support.
    """
    position = {r: i for i, r in enumerate(allowed)}
    partner: dict[int, tuple[int, int]] = {}
    for r in allowed:
        image, shift = orbit_representative(reflect(r, sites), sites)
        partner[r] = (image, 1 if (momentum * shift) % sites == 0 else -1)
    blocks = []
    for parity in (1, -1):
        vectors, leaders = [], []
        for r in allowed:
            image, sign = partner[r]
            if image < r or (image == r and parity * sign != 1):
                continue
            vector = sympy.zeros(len(allowed), 1)
            vector[position[r]] += 1
            vector[position[image]] += parity * sign
            vectors.append(vector)
            leaders.append(r)
        if not vectors:
            continue
        basis = sympy.Matrix.hstack(*vectors)
        image_rows = (matrix * basis).extract([position[r] for r in leaders], range(len(leaders)))
        scale = sympy.diag(*[basis[position[r], i] for i, r in enumerate(leaders)])
        blocks.append(
            SymmetryBlock(
                sites, up_spins, momentum, parity, tuple(leaders), (scale.inv() * image_rows)
            )
        )
    return blocks
