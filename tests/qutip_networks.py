"""QuTiP references for quantum networks, built independently of exactspin from Pauli matrices.

Shared by the network tests (Redfield and every other master equation against QuTiP's
Bloch-Redfield tensors): the full-space Hamiltonian of a network, QuTiP's basis order, and the
paper's bath spectrum (Eq. 28) in QuTiP's convention.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import qutip

GAMMA = 0.01
CUTOFF = 10.0


def site_operator(operator, site, sites):
    return qutip.tensor([operator if k == site else qutip.qeye(2) for k in range(sites)])


def qutip_network(network):
    """(H, bond operators, field operators by site, sz by site), all QuTiP, full space:
    bond J (sx sx + sy sy) + Delta sz' sz' (sz' = (sz + 1) / 2), field h sz."""
    n = network.sites
    sx = [site_operator(qutip.sigmax(), k, n) for k in range(n)]
    sy = [site_operator(qutip.sigmay(), k, n) for k in range(n)]
    sz = [site_operator(qutip.sigmaz(), k, n) for k in range(n)]
    identity = qutip.qeye([2] * n)
    szp = [(s + identity) / 2 for s in sz]
    bonds = [
        b.coupling * (sx[b.first] * sx[b.second] + sy[b.first] * sy[b.second])
        + b.anisotropy * szp[b.first] * szp[b.second]
        for b in network.bonds
    ]
    fields = {f.site: f.strength * sz[f.site] for f in network.fields}
    hamiltonian = reduce(lambda x, y: x + y, bonds + list(fields.values()))
    return hamiltonian, bonds, fields, sz


def qutip_index(state, sites):
    """QuTiP's first tensor factor is site 0 and basis(2, 0) is sz = +1 (up)."""
    return sum((1 - ((state >> k) & 1)) << (sites - 1 - k) for k in range(sites))


def eq28_spectrum(temperature, zero_frequency, tolerance):
    """QuTiP's S(w) (w = energy given to the bath) = 2 gamma W(-w), Eq. 28; W(0) = T for
    ``zero_frequency == "limit"``, else 0."""

    def spectrum(w):
        w = float(np.real(w))
        if abs(w) <= tolerance:
            return 2 * GAMMA * (temperature if zero_frequency == "limit" else 0.0)
        absorbed = -w
        if absorbed / temperature > 700:
            return 0.0
        rate = absorbed * math.exp(-abs(absorbed) / CUTOFF) / math.expm1(absorbed / temperature)
        return 2 * GAMMA * rate

    return spectrum
