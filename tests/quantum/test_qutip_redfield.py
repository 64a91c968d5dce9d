"""Our sector Redfield steady state equals QuTiP 5's non-secular Bloch-Redfield one.

QuTiP builds the tensor in the full 2^N space from its own Hamiltonian, coupling operators and
spectra; the spectra are Eq. 28 written out here (not taken from exactspin): QuTiP's
S(w) (w = energy given to the bath) is 2 gamma W(-w). The full space holds one steady state per
sector, so the sector block of QuTiP's tensor is cut out and its null vector taken with numpy.
"""

import math
from functools import reduce

import numpy as np
import pytest
import qutip

from exactspin.quantum import QuantumModel, solve

GAMMA = 0.01
CUTOFF = 10.0


def eq28_spectrum(temperature, zero_frequency, tolerance):
    def spectrum(w):
        w = float(np.real(w))
        if abs(w) <= tolerance:
            rate = temperature if zero_frequency == "limit" else 0.0
        else:
            absorbed = -w
            rate = absorbed * math.exp(-abs(absorbed) / CUTOFF) / math.expm1(absorbed / temperature)
        return 2 * GAMMA * rate

    return spectrum


def site_operator(operator, site, sites):
    return qutip.tensor([operator if k == site else qutip.qeye(2) for k in range(sites)])


def qutip_ring(model):
    sites = model.sites
    sx = [site_operator(qutip.sigmax(), k, sites) for k in range(sites)]
    sy = [site_operator(qutip.sigmay(), k, sites) for k in range(sites)]
    sz = [site_operator(qutip.sigmaz(), k, sites) for k in range(sites)]
    identity = qutip.qeye([2] * sites)
    szp = [(s + identity) / 2 for s in sz]
    bonds = []
    for a in range(sites):
        b = (a + 1) % sites
        bonds.append(
            model.exchange * (sx[a] * sx[b] + sy[a] * sy[b]) + model.anisotropy * szp[a] * szp[b]
        )
    return reduce(lambda x, y: x + y, bonds), bonds, sz


def qutip_index(state, sites):
    """QuTiP's first tensor factor is site 0 and basis(2, 0) is sz = +1 (up)."""
    return sum((1 - ((state >> k) & 1)) << (sites - 1 - k) for k in range(sites))


def sector_states(sites, up):
    return [s for s in range(2**sites) if bin(s).count("1") == up]


def qutip_steady_state(model):
    hamiltonian, bonds, sz = qutip_ring(model)
    scale = max(abs(model.exchange), abs(model.anisotropy)) * 4 * model.sites
    tolerance = 1e-9 * scale
    a_ops = [
        (sz[site], eq28_spectrum(temperature, model.zero_frequency, tolerance))
        for site, temperature in zip(model.bath_sites, model.bath_temperatures, strict=True)
    ]
    tensor = qutip.bloch_redfield_tensor(hamiltonian, a_ops, sec_cutoff=-1, fock_basis=True)
    full = tensor.full()
    dimension = 2**model.sites
    indices = [qutip_index(s, model.sites) for s in sector_states(model.sites, model.up_spins)]
    # QuTiP vectorises by columns: rho_ij sits at i + j * dimension.
    positions = [i + j * dimension for j in indices for i in indices]
    block = full[np.ix_(positions, positions)]
    _, singular, right_h = np.linalg.svd(block)
    assert singular[-2] > 1e-9 * singular[0], "QuTiP's sector block has a degenerate null space"
    d = len(indices)
    rho_sector = right_h[-1].conj().reshape(d, d).T
    rho_sector /= np.trace(rho_sector)
    embedded = np.zeros((dimension, dimension), dtype=complex)
    embedded[np.ix_(indices, indices)] = rho_sector
    rho = qutip.Qobj(embedded, dims=hamiltonian.dims)
    left_only = qutip.bloch_redfield_tensor(hamiltonian, a_ops[:1], sec_cutoff=-1, fock_basis=True)
    drho = qutip.vector_to_operator(left_only * qutip.operator_to_vector(rho))
    left_current = (drho * hamiltonian).tr().real
    currents = {}
    for site in model.ring.bulk_sites:
        operator = 1j * qutip.commutator(bonds[site - 1], bonds[site])
        currents[site] = qutip.expect(operator, rho)
    return rho_sector, left_current, currents


# The 6-spin full-space QuTiP tensor (4096 x 4096) takes minutes on a shared core: slow marker.
SIX_SPINS = pytest.mark.slow
CASES = [
    (2, 1, 3, 0.7, "limit"),
    (2, 1, 3, 0.7, "zero"),
    (2, 1, 3, 0.0, "zero"),
    pytest.param(2, 1, 3, 0.0, "limit", marks=pytest.mark.slow),
    pytest.param(2, 1, 2, -1.3, "zero", marks=pytest.mark.slow),
    pytest.param(3, 1, 4, 0.5, "limit", marks=SIX_SPINS),
    pytest.param(3, 1, 4, 0.5, "zero", marks=SIX_SPINS),
    pytest.param(3, 1, 3, 1.1, "limit", marks=SIX_SPINS),
]


@pytest.mark.parametrize("nu, nd, up, delta, zero_frequency", CASES)
def test_steady_state_and_currents_match_qutip(nu, nd, up, delta, zero_frequency):
    model = QuantumModel.from_parameters(
        nu=nu, nd=nd, up=up, delta=delta, tl=2.0, tr=1.0, zero_frequency=zero_frequency
    )
    rho_qutip, left_qutip, currents_qutip = qutip_steady_state(model)
    solution = solve(model)
    assert solution.steady_state_dimension == 1
    assert np.max(np.abs(solution.steady_state.sector_density_matrix - rho_qutip)) < 1e-10
    assert abs(solution.left_bath_current - left_qutip) < 1e-10
    for site, value in currents_qutip.items():
        assert abs(solution.site_currents[site] - value) < 1e-10
