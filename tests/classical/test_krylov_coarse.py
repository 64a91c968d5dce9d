"""The coarse level of the Krylov preconditioner against plain constructions of the same objects.

A_c^-1 is held against P^T A P formed with scipy's sparse products from the pinned system; the
aggregates against the energies computed state by state; the coarse-preconditioned BiCGSTAB
against a dense solve; a class law solved through the coarse level against the sparse-LU law
(their difference within the sum of the two computed bounds).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from exactspin.classical import ClassicalModel, class_solver, krylov
from exactspin.classical.aggregation import (
    BOND_GROUPS,
    MAX_AGGREGATES,
    coarse_space,
    energy_aggregates,
)
from exactspin.classical.class_chain import class_chain, spin_flip_mask
from exactspin.classical.class_solver import DIRECT, ITERATIVE, _pinned_system, solve_class
from exactspin.classical.classes import flip_classes
from exactspin.classical.flips import ising_energy
from exactspin.classical.generator import all_site_flips

RINGS = (
    dict(nu=3, nd=4),
    dict(nu=4, nd=4, j1=1.0, j2=1.0, tl=0.5, tr=0.2),
    dict(nu=1, nd=2, j2=1.0, dynamics="cca", mu=4.0),
)


def _largest_class(keywords):
    """The largest class, lumped by the spin flip when the flip maps it onto itself."""
    model = ClassicalModel.from_parameters(**keywords)
    flips = all_site_flips(model)
    decomposition = flip_classes(flips)
    members = max(decomposition.all_members(), key=len)
    mirrored = members[0] ^ spin_flip_mask(model.sites)
    lumped = bool(decomposition.labels[mirrored] == decomposition.labels[members[0]])
    chain = class_chain(flips, members, lumped, model.sites)
    energy = ising_energy(model)[chain.states]
    pinned = int(np.argmin(energy))
    keep = np.ones(chain.size, dtype=bool)
    keep[pinned] = False
    return model, chain, energy, keep


@pytest.mark.parametrize("keywords", RINGS)
def test_aggregates_are_the_states_of_equal_energy_in_each_bond_group(keywords):
    model, chain, _, _ = _largest_class(keywords)
    labels = energy_aggregates(model, chain.states)
    if labels is None:
        pytest.skip("too few states for a coarse level")
    assert labels.shape == chain.states.shape
    count = labels.max() + 1
    assert 2 <= count <= min(MAX_AGGREGATES, 2 * np.sqrt(chain.size))
    # The partition by (total energy, energy of each of G consecutive bond groups), state by
    # state from the spins, for the G used (the largest one within the limit).
    energy = ising_energy(model, chain.states)
    bonds = model.network.bonds
    partitions = []
    for groups in range(1, BOND_GROUPS + 1):
        edges = np.linspace(0, len(bonds), groups + 1).astype(int)
        keys = [
            (float(total),)
            + tuple(
                sum(
                    -float(b.coupling) * _spin(int(state), b.first) * _spin(int(state), b.second)
                    for b in bonds[start:stop]
                )
                for start, stop in zip(edges[:-1], edges[1:], strict=True)
            )
            * (groups > 1)
            for state, total in zip(chain.states, energy, strict=True)
        ]
        partitions.append(keys)
    fitting = [keys for keys in partitions if len(set(keys)) <= count]
    expected = fitting[-1]
    pairs = set(zip(labels.tolist(), expected, strict=True))
    assert len(pairs) == count == len(set(expected))


def _spin(state: int, site: int) -> int:
    return 1 if (state >> site) & 1 else -1


@pytest.mark.parametrize("keywords", RINGS)
def test_coarse_matrix_is_the_aggregated_pinned_system(keywords):
    model, chain, _, keep = _largest_class(keywords)
    labels = np.arange(chain.size) % 7  # any partition: the identity must hold for all
    coarse = coarse_space(chain, keep, labels)
    matrix, _, _ = _pinned_system(chain, int(np.flatnonzero(~keep)[0]), keep)
    unpinned = labels[keep]
    used = np.unique(unpinned)
    prolongation = sp.csr_matrix(
        (np.ones(unpinned.size), (np.arange(unpinned.size), np.searchsorted(used, unpinned))),
        shape=(unpinned.size, used.size),
    )
    expected = (prolongation.T @ matrix @ prolongation).toarray()
    probe = np.random.default_rng(3).random(used.size)
    np.testing.assert_allclose(
        expected @ coarse.solve(probe), probe, rtol=0, atol=1e-9 * np.abs(probe).max()
    )


def test_coarse_preconditioned_bicgstab_matches_a_dense_solve():
    model, chain, _, keep = _largest_class(RINGS[1])
    labels = energy_aggregates(model, chain.states)
    assert labels is not None
    coarse = coarse_space(chain, keep, labels)
    assert coarse is not None and coarse.size == np.unique(labels[keep]).size
    matrix, diagonal, right_side = _pinned_system(chain, int(np.flatnonzero(~keep)[0]), keep)
    exact = np.linalg.solve(matrix.toarray(), right_side)
    with_coarse, info = krylov.bicgstab(matrix, 1 / diagonal, right_side, 1e-12, 2000, coarse)
    assert info == 0
    jacobi, jacobi_info = krylov.bicgstab(matrix, 1 / diagonal, right_side, 1e-12, 2000)
    assert jacobi_info == 0
    scale = np.max(np.abs(exact))
    assert np.max(np.abs(with_coarse - exact)) < 1e-8 * scale
    residual = np.linalg.norm(right_side - matrix @ with_coarse) / np.linalg.norm(right_side)
    assert residual < 2e-12


@pytest.mark.parametrize("keywords", RINGS[:2])
def test_class_law_through_the_coarse_level_matches_the_lu_law_within_the_bounds(keywords):
    model, chain, energy, _ = _largest_class(keywords)
    labels = energy_aggregates(model, chain.states)
    assert labels is not None
    fast = solve_class(chain, energy, ITERATIVE, labels)
    reference = solve_class(chain, energy, DIRECT)
    assert fast.method == ITERATIVE and np.all(np.isfinite(fast.error_bounds))
    difference = np.abs((fast.high - reference.high) + (fast.low - reference.low))
    assert np.all(difference <= fast.error_bounds + reference.error_bounds)
    assert np.max(fast.error_bounds / fast.high) < 1e-12


def test_a_wrong_coarse_level_costs_iterations_never_accuracy(monkeypatch):
    # Replace A_c's factors by those of an unrelated matrix: the preconditioner is then wrong,
    # and the law must still come out within its certified bound of the LU law.
    model, chain, energy, _ = _largest_class(RINGS[0])
    labels = energy_aggregates(model, chain.states)
    assert labels is not None

    def wrong_coarse_space(chain, keep, labels):
        right = coarse_space(chain, keep, labels)
        noise = np.random.default_rng(5).standard_normal((right.size, right.size))
        return dataclasses.replace(right, inverse=noise)

    monkeypatch.setattr(class_solver, "coarse_space", wrong_coarse_space)
    fast = solve_class(chain, energy, ITERATIVE, labels)
    reference = solve_class(chain, energy, DIRECT)
    assert np.all(np.isfinite(fast.error_bounds))
    difference = np.abs((fast.high - reference.high) + (fast.low - reference.low))
    assert np.all(difference <= fast.error_bounds + reference.error_bounds)


def _random_m_matrix(size: int, seed: int) -> sp.csr_matrix:
    """A random sparse column diagonally dominant Z-matrix (a pinned generator's shape)."""
    generator = np.random.default_rng(seed)
    rates = sp.random(size, size, density=4 / size, random_state=generator, format="csr")
    rates.setdiag(0)
    rates.eliminate_zeros()
    escape = np.asarray(rates.sum(axis=0)).ravel() + 0.1
    return sp.csr_matrix(sp.diags(escape) - rates)


def test_threaded_products_give_the_serial_iterates_bit_for_bit(monkeypatch):
    # The row blocks are fixed and their partial dots summed in block order: the number of
    # threads must not change a single bit of the solve.
    matrix = _random_m_matrix(3000, 9)
    right_side = np.random.default_rng(10).random(3000)
    monkeypatch.setattr(krylov, "PARALLEL_ROWS", 1000)
    results = []
    for count in (1, 2):
        monkeypatch.setattr(krylov, "threads", lambda count=count: count)
        results.append(krylov.bicgstab(matrix, 1 / matrix.diagonal(), right_side, 1e-10, 5000))
    (serial, serial_info), (threaded, threaded_info) = results
    assert serial_info == threaded_info == 0
    np.testing.assert_array_equal(serial, threaded)
    exact = np.linalg.solve(matrix.toarray(), right_side)
    assert np.max(np.abs(serial - exact)) < 1e-6 * np.max(np.abs(exact))
