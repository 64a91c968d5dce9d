"""The fast paths of the exact classical solver against plain constructions of the same objects.

Each fast piece (union-find classes, the counting-sort CSR of the pinned system, the fused
BiCGSTAB) is held against something built independently here: the strong-component search on
the transition matrix, -W from :func:`generator_matrix` restricted by hand, scipy's bicgstab and
a dense solve.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from exactspin.classical import ClassicalModel, krylov
from exactspin.classical.class_chain import class_chain
from exactspin.classical.class_solver import _pinned_system
from exactspin.classical.classes import closed_classes, flip_classes, transition_structure
from exactspin.classical.flips import ising_energy
from exactspin.classical.generator import all_site_flips, generator_matrix

RINGS = (
    dict(nu=1, nd=1, j1=1.0, j2=1.0),
    dict(nu=2, nd=3),
    dict(nu=0, nd=1),
    dict(nu=1, nd=2, j2=1.0, dynamics="cca", mu=4.0),
    dict(nu=2, nd=2, j2=1.0, dynamics="cca", mu=2.0),
)


@pytest.mark.parametrize("keywords", RINGS)
def test_union_find_classes_are_the_strong_components(keywords):
    flips = all_site_flips(ClassicalModel.from_parameters(**keywords))
    fast = flip_classes(flips)
    general = closed_classes(transition_structure(flips))
    assert fast.count == general.count
    np.testing.assert_array_equal(fast.labels, general.labels)


def test_irreversible_moves_fall_back_to_the_general_search():
    # Forbid the node flip out of every state whose first spin is up: those states can still
    # be left by other flips, the moves are no longer reversible, and the answer must be the
    # strong-component search's (which may have transient states).
    flips = list(all_site_flips(ClassicalModel.from_parameters(nu=1, nd=1, j1=1.0, j2=1.0)))
    allowed = flips[0].allowed & (np.arange(flips[0].allowed.size) & 1 == 0)
    flips[0] = dataclasses.replace(flips[0], allowed=allowed, rate=np.where(allowed, 1.0, 0.0))
    fast = flip_classes(flips)
    general = closed_classes(transition_structure(flips))
    assert fast.count == general.count
    np.testing.assert_array_equal(fast.labels, general.labels)


@pytest.mark.parametrize("keywords", RINGS[:2] + RINGS[3:4])
def test_pinned_system_is_minus_the_generator_restricted(keywords):
    model = ClassicalModel.from_parameters(**keywords)
    flips = all_site_flips(model)
    decomposition = closed_classes(transition_structure(flips))
    members = decomposition.members(0)
    chain = class_chain(flips, members, False, model.sites)
    energy = ising_energy(model)[chain.states]
    pinned = int(np.argmin(energy))
    keep = np.ones(chain.size, dtype=bool)
    keep[pinned] = False
    matrix, diagonal, right_side = _pinned_system(chain, pinned, keep)
    generator = generator_matrix(model, flips).toarray()[np.ix_(members, members)]
    expected = -generator[np.ix_(keep, keep)]
    np.testing.assert_allclose(matrix.toarray(), expected, rtol=1e-15, atol=0)
    np.testing.assert_allclose(diagonal, np.diag(expected), rtol=1e-15, atol=0)
    np.testing.assert_allclose(right_side, generator[keep, pinned], rtol=1e-15, atol=0)


def _m_matrix(size: int, seed: int) -> sp.csr_matrix:
    """A random column diagonally dominant Z-matrix (a pinned Markov generator's shape)."""
    generator = np.random.default_rng(seed)
    rates = sp.random(size, size, density=0.05, random_state=generator, format="csr")
    rates.setdiag(0)
    rates.eliminate_zeros()
    escape = np.asarray(rates.sum(axis=0)).ravel() + 0.1
    return sp.csr_matrix(sp.diags(escape) - rates)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fused_bicgstab_solves_to_its_tolerance(seed):
    matrix = _m_matrix(400, seed)
    right_side = np.random.default_rng(seed).random(400)
    solution, info = krylov.bicgstab(matrix, 1.0 / matrix.diagonal(), right_side, 1e-11, 2000)
    assert info == 0
    residual = np.linalg.norm(right_side - matrix @ solution) / np.linalg.norm(right_side)
    assert residual < 2e-11
    exact = np.linalg.solve(matrix.toarray(), right_side)
    reference, reference_info = spla.bicgstab(
        matrix, right_side, M=sp.diags(1.0 / matrix.diagonal()), rtol=1e-11, atol=0.0
    )
    assert reference_info == 0
    scale = np.max(np.abs(exact))
    assert np.max(np.abs(solution - exact)) < 1e-8 * scale
    assert np.max(np.abs(solution - reference)) < 1e-8 * scale


def test_fused_bicgstab_reports_running_out_of_iterations():
    matrix = _m_matrix(400, 4)
    right_side = np.ones(400)
    _, info = krylov.bicgstab(matrix, 1.0 / matrix.diagonal(), right_side, 1e-14, 2)
    assert info == 2
    zero, info = krylov.bicgstab(matrix, 1.0 / matrix.diagonal(), np.zeros(400), 1e-11, 10)
    assert info == 0 and not np.any(zero)


@pytest.mark.parametrize("keywords", RINGS)
def test_all_members_are_the_members_of_each_class(keywords):
    flips = all_site_flips(ClassicalModel.from_parameters(**keywords))
    decomposition = closed_classes(transition_structure(flips))
    grouped = decomposition.all_members()
    assert len(grouped) == decomposition.count
    for index, members in enumerate(grouped):
        np.testing.assert_array_equal(members, decomposition.members(index))


def test_all_members_skip_transient_states():
    flips = list(all_site_flips(ClassicalModel.from_parameters(nu=1, nd=1, j1=1.0, j2=1.0)))
    allowed = flips[0].allowed & (np.arange(flips[0].allowed.size) & 1 == 0)
    flips[0] = dataclasses.replace(flips[0], allowed=allowed, rate=np.where(allowed, 1.0, 0.0))
    decomposition = closed_classes(transition_structure(flips))
    assert decomposition.transient.size
    np.testing.assert_array_equal(decomposition.all_members()[0], decomposition.members(0))
