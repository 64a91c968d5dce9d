"""The steady state of QuTiP's HEOM generator by preconditioned GMRES (scales past sparse LU).

The hierarchy is QuTiP's: the generator is ``HEOMSolver.rhs(0)`` as a sparse matrix, the ADOs
are indexed as in ``solver.ados.labels``, and the trace condition is imposed exactly as
``HEOMSolver.steady_state`` does (the equation of rho_00 of the system ADO is replaced by
Tr rho = 1), so the linear system is the one QuTiP's LU solves; only the solver differs.
QuTiP's sparse LU (SuperLU) of that system fills in: on the paper's ring (sector dimension 10)
a depth-2 hierarchy with 3003 ADOs (3 x 10^5 unknowns) did not finish in 15 min.

Preconditioner: block ILU(0) of the hierarchy, blocks = ADOs, ADOs eliminated from the deepest
tier down. QuTiP's generator couples an ADO n only to n +- e_k (one tier up or down) and its
diagonal block is L_S - z_n with z_n = sum_k n_k nu_k (both checked on the matrix before use).
Eliminating tier m+1 into tier m gives the Schur blocks

    D_n = A_nn - sum_{j = n + e_k} A_nj D_j^{-1} A_jn,        D_j = A_jj on the deepest tier,

kept only on the diagonal (the fill between two ADOs of tier m that share a neighbour in tier
m+1 is dropped: that is the ILU(0) approximation). On the deepest tier D_j^{-1} is exact and
cheap in the eigenbasis of H_S (L_S is diagonal there: -i(E_a - E_b)); the lower tiers' blocks
are dense d^2 x d^2 and inverted. Tier 0 is exact at depth 1 (then the preconditioner is the
inverse and GMRES takes one step); deeper, the dropped fill is what GMRES iterates on. Measured
on the paper's ring: depth 2, 20-term fits (3 x 10^5 unknowns), ~2 min, against no result from
the LU in 15 min.

Accuracy. GMRES stops at a relative residual ``rtol`` (its own, preconditioned); the true
residual r = b - A x is then recomputed and must be below ``rtol`` too, else
:class:`KrylovNotConverged` (never a number). The error of x is estimated from the residual by
one preconditioned correction, e = M^{-1} r (M^{-1} ~ A^{-1}, so e ~ A^{-1} r = x_exact - x; the
conditioning of A, ~1/gamma here, enters e, unlike the backward error). The normwise backward
error ||r|| / (||A|| ||x|| + ||b||) is reported too.

Memory. :func:`memory_estimate` counts the generator (QuTiP's copy and the one with the trace
row), the preconditioner's dense blocks and GMRES's Krylov basis before anything is built;
:func:`check_memory` refuses past a limit with the estimate.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from exactspin.validation import ResourceError, UnresolvedError

#: GMRES relative residual (true residual checked too) of the HEOM steady state.
KRYLOV_TOLERANCE = 1e-10
#: GMRES restart length and number of restarts.
KRYLOV_RESTART = 30
KRYLOV_RESTARTS = 40
#: Memory (bytes) a hierarchy solve may use; larger ones are refused with the estimate.
MEMORY_LIMIT = 4.0e9
#: Bytes per stored sparse entry (complex128 value + int64 index) and per complex number.
_ENTRY_BYTES = 24
_COMPLEX_BYTES = 16
#: Resident memory of the interpreter with NumPy, SciPy and QuTiP loaded (measured ~0.2 GB).
_BASELINE_BYTES = 300_000_000


class KrylovNotConverged(UnresolvedError):
    """GMRES did not bring the HEOM steady-state residual below its tolerance."""


@dataclass(frozen=True)
class HierarchyLayout:
    """The size of a bosonic hierarchy: ADOs per tier for ``exponents`` exponents and ``depth``."""

    exponents: int
    depth: int
    dimension: int

    @property
    def ados(self) -> int:
        """All ADOs, tiers 0..depth: C(K + depth, depth)."""
        return math.comb(self.exponents + self.depth, self.depth)

    @property
    def inner_ados(self) -> int:
        """ADOs of tiers 0..depth-1 (those with dense preconditioner blocks)."""
        return math.comb(self.exponents + self.depth - 1, self.depth - 1)

    @property
    def unknowns(self) -> int:
        return self.ados * self.dimension**2

    @property
    def links(self) -> int:
        """Pairs (n, n + e_k): each inner ADO has one per exponent."""
        return self.inner_ados * self.exponents


def memory_estimate(layout: HierarchyLayout, system_entries: int, restart: int = KRYLOV_RESTART):
    """Bytes of one Krylov steady-state solve (an upper estimate), before anything is built.

    ``system_entries`` is the number of non-zeros of the system Liouvillian L_S. The generator
    has L_S - z on every ADO and two d^2-entry blocks (commutator, and the bath's
    (anti)commutator) per link. Three copies are counted: QuTiP's (its list of blocks is as large
    while it is gathered), the one with the trace row, and the tier-to-tier slices the
    preconditioner keeps. Dense preconditioner blocks: one d^2 x d^2 per inner ADO, twice (the
    blocks and their inverses). Krylov basis: restart + 6 vectors of all unknowns. Measured
    peak resident memory (benchmarks/bench_heom_steady_state.py) stays below this estimate.
    """
    d2 = layout.dimension**2
    entries = layout.ados * (system_entries + d2) + 2 * layout.links * d2
    generator = 3 * entries * _ENTRY_BYTES
    blocks = 2 * layout.inner_ados * d2 * d2 * _COMPLEX_BYTES
    krylov = (restart + 6) * layout.unknowns * _COMPLEX_BYTES
    return int(_BASELINE_BYTES + generator + blocks + krylov)


def check_memory(layout: HierarchyLayout, system_entries: int, limit: float = MEMORY_LIMIT):
    """Raise :class:`ResourceError` (with the estimate) when the solve would exceed ``limit``."""
    estimate = memory_estimate(layout, system_entries)
    if estimate > limit:
        raise ResourceError(
            f"a depth-{layout.depth} hierarchy with {layout.exponents} exponents in a sector of "
            f"dimension {layout.dimension} has {layout.ados} ADOs ({layout.unknowns} unknowns) "
            f"and needs ~{estimate / 1e9:.1f} GB, above the limit of {limit / 1e9:.1f} GB"
        )
    return estimate


@dataclass(frozen=True)
class KrylovReport:
    """How a steady state was solved and how well (one row of the method's diagnostics)."""

    method: str
    unknowns: int
    iterations: int
    residual: float
    backward_error: float
    tolerance: float
    seconds: float
    memory_estimate: int
    correction: np.ndarray  # e = M^{-1} r: the estimated error of the ADO vector

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "unknowns": self.unknowns,
            "iterations": self.iterations,
            "residual": self.residual,
            "backward_error": self.backward_error,
            "tolerance": self.tolerance,
            "seconds": self.seconds,
            "memory_estimate": self.memory_estimate,
        }


def trace_condition_system(solver):
    """QuTiP's steady-state system A x = b: the HEOM generator with row 0 replaced by the trace.

    Same as ``HEOMSolver.steady_state`` (row 0 = the rho_00 equation of the system ADO becomes
    sum_i rho_ii = 1), built without its LIL conversion (which does not scale).
    """
    import scipy.sparse as sp

    d = solver._sys_shape
    generator = solver.rhs(0).to("CSR").data.as_scipy()
    matrix = sp.csr_matrix(generator, dtype=complex, copy=True)
    matrix.data[matrix.indptr[0] : matrix.indptr[1]] = 0.0
    size = matrix.shape[0]
    trace = sp.csr_matrix(
        (np.ones(d), (np.zeros(d, dtype=int), np.arange(d) * (d + 1))), shape=(size, size)
    )
    matrix = (matrix + trace).tocsr()
    matrix.eliminate_zeros()
    right = np.zeros(size, dtype=complex)
    right[0] = 1.0
    return matrix, right


class TierBlockILU:
    """Block ILU(0) of the HEOM generator, ADO blocks, deepest tier eliminated first.

    Parameters
    ----------
    matrix : scipy CSR
        The steady-state system (:func:`trace_condition_system`).
    system : scipy sparse
        QuTiP's system Liouvillian L_S (d^2 x d^2).
    hamiltonian : ndarray
        H_S (d x d, Hermitian): the eigenbasis in which L_S is diagonal.
    labels, rates : sequences
        ``solver.ados.labels`` and ``solver.ados.vk``.
    """

    def __init__(self, matrix, system, hamiltonian, labels, rates):

        d = hamiltonian.shape[0]
        b = d * d
        self.d, self.b = d, b
        labels = np.asarray(labels, dtype=int)
        levels = labels.sum(axis=1)
        depth = int(levels.max())
        self.depth = depth
        shifts = labels @ np.asarray(rates, dtype=complex)
        self.tiers = [np.nonzero(levels == m)[0] for m in range(depth + 1)]
        self.indices = [(tier[:, None] * b + np.arange(b)[None, :]).ravel() for tier in self.tiers]
        _check_tier_structure(matrix, levels, b)
        energies, vectors = np.linalg.eigh(hamiltonian)
        self.vectors = vectors
        self.bohr = -1j * (energies[:, None] - energies[None, :])
        self.top_shifts = shifts[self.tiers[depth]]
        # The deepest tier's blocks must be L_S - z: probed with a random vector on that tier
        # (an exact operator identity, checked without slicing the tier out of the matrix).
        rng = np.random.default_rng(0)
        probe = np.zeros(matrix.shape[0], dtype=complex)
        probe[self.indices[depth]] = rng.standard_normal(self.indices[depth].size)
        image = (matrix @ probe)[self.indices[depth]].reshape(-1, b)
        blocks = probe[self.indices[depth]].reshape(-1, b)
        expected = (system @ blocks.T).T - self.top_shifts[:, None] * blocks
        scale = max(float(abs(system).max()), float(np.max(np.abs(self.top_shifts))), 1.0)
        if np.max(np.abs(image - expected)) > 1e-12 * scale * np.sqrt(b):
            raise ValueError("the deepest tier's blocks are not L_S - z: not QuTiP's hierarchy")
        single = rng.standard_normal((1, d, d)) + 0j
        image = (system @ _to_vector(single)).reshape(1, b) - 0.5 * _to_vector(single)
        if not np.allclose(self._deepest_solve(_to_matrices(image.ravel(), d), [0.5]), single):
            raise ValueError("L_S is not -i[H, .] in QuTiP's vectorisation")
        self.up = [matrix[self.indices[m]][:, self.indices[m + 1]].tocsr() for m in range(depth)]
        self.down = [None] + [
            matrix[self.indices[m]][:, self.indices[m - 1]].tocsr() for m in range(1, depth + 1)
        ]
        self.inverses: list[np.ndarray | None] = [None] * depth
        for m in range(depth - 1, -1, -1):
            self.inverses[m] = np.linalg.inv(self._schur_blocks(matrix, m))

    def _schur_blocks(self, matrix, m: int) -> np.ndarray:
        b, d = self.b, self.d
        up, down = self.up[m], self.down[m + 1]
        blocks = np.empty((len(self.tiers[m]), b, b), dtype=complex)
        for i, ado in enumerate(self.tiers[m]):
            block = matrix[ado * b : (ado + 1) * b, ado * b : (ado + 1) * b].toarray()
            rows = up[i * b : (i + 1) * b]
            for j in np.unique(rows.indices // b):
                coupling_up = rows[:, j * b : (j + 1) * b]
                coupling_down = down[j * b : (j + 1) * b, i * b : (i + 1) * b].toarray()
                if m + 1 == self.depth:
                    solved = self._deepest_solve(
                        _to_matrices(coupling_down.T.ravel(), d), [self.top_shifts[j]] * b
                    )
                    solved = _to_vector(solved).reshape(b, b).T
                else:
                    solved = self.inverses[m + 1][j] @ coupling_down
                block -= coupling_up @ solved
            blocks[i] = block
        return blocks

    def _deepest_solve(self, rhos: np.ndarray, shifts) -> np.ndarray:
        """(L_S - z) x = rho for a stack of d x d matrices, in the eigenbasis of H_S."""
        u = self.vectors
        rotated = u.conj().T @ rhos @ u
        rotated = rotated / (self.bohr[None] - np.asarray(shifts)[:, None, None])
        return u @ rotated @ u.conj().T

    def _apply_tier(self, m: int, vector: np.ndarray) -> np.ndarray:
        if m == self.depth:
            return _to_vector(self._deepest_solve(_to_matrices(vector, self.d), self.top_shifts))
        blocks = vector.reshape(-1, self.b)
        return np.einsum("nij,nj->ni", self.inverses[m], blocks).ravel()

    def solve(self, residual: np.ndarray) -> np.ndarray:
        """M^{-1} r: forward sweep from the deepest tier, backward sweep up from tier 0."""
        parts = [residual[index] for index in self.indices]
        forward: list[Any] = [None] * (self.depth + 1)
        forward[self.depth] = self._apply_tier(self.depth, parts[self.depth])
        for m in range(self.depth - 1, -1, -1):
            forward[m] = self._apply_tier(m, parts[m] - self.up[m] @ forward[m + 1])
        result = np.empty_like(residual)
        previous = forward[0]
        result[self.indices[0]] = previous
        for m in range(1, self.depth + 1):
            previous = forward[m] - self._apply_tier(m, self.down[m] @ previous)
            result[self.indices[m]] = previous
        return result


def _to_matrices(vector: np.ndarray, d: int) -> np.ndarray:
    """QuTiP's column-stacked ADO vectors -> a stack of d x d matrices rho[i, j]."""
    return vector.reshape(-1, d, d).transpose(0, 2, 1)


def _to_vector(matrices: np.ndarray) -> np.ndarray:
    return matrices.transpose(0, 2, 1).reshape(-1)


def _check_tier_structure(matrix, levels: np.ndarray, block: int) -> None:
    """The generator couples an ADO only to ADOs one tier up or down (and to itself)."""
    coo = matrix.tocoo()
    jump = np.abs(levels[coo.row // block] - levels[coo.col // block])
    same_tier_other_ado = (jump == 0) & (coo.row // block != coo.col // block)
    if np.any(jump > 1) or np.any(same_tier_other_ado):
        raise ValueError("the generator couples ADOs beyond adjacent tiers: not a hierarchy")


def krylov_steady_state(
    solver,
    hamiltonian: np.ndarray,
    tolerance: float = KRYLOV_TOLERANCE,
    restart: int = KRYLOV_RESTART,
    restarts: int = KRYLOV_RESTARTS,
    memory_limit: float = MEMORY_LIMIT,
):
    """The HEOM steady state of ``solver`` (a QuTiP ``HEOMSolver``) by preconditioned GMRES.

    Returns ``(rho, ado_state, report)`` like ``HEOMSolver.steady_state`` (rho Hermitised the
    same way; ``ado_state`` a QuTiP ``HierarchyADOsState``) plus a :class:`KrylovReport`.

    Raises
    ------
    ResourceError
        When :func:`memory_estimate` exceeds ``memory_limit`` (checked before the build of the
        system matrix copy and the preconditioner).
    KrylovNotConverged
        When GMRES, or the true residual after it, misses ``tolerance``.
    """
    import qutip
    import scipy.sparse.linalg as spla
    from qutip.solver.heom.bofin_solvers import HierarchyADOsState

    start = time.perf_counter()
    d = solver._sys_shape
    system = solver.L_sys(0).to("CSR").data.as_scipy()
    layout = HierarchyLayout(len(solver.ados.exponents), solver.ados.max_depth, d)
    estimate = check_memory(layout, system.nnz, memory_limit)
    matrix, right = trace_condition_system(solver)
    preconditioner = TierBlockILU(
        matrix, system, np.asarray(hamiltonian), solver.ados.labels, solver.ados.vk
    )
    operator = spla.LinearOperator(matrix.shape, preconditioner.solve, dtype=complex)
    count = [0]

    def counted(_):
        count[0] += 1

    x, info = spla.gmres(
        matrix,
        right,
        M=operator,
        rtol=tolerance,
        restart=restart,
        maxiter=restarts,
        callback=counted,
        callback_type="pr_norm",
    )
    residual_vector = right - matrix @ x
    residual = float(np.linalg.norm(residual_vector) / np.linalg.norm(right))
    if info != 0 or not residual <= tolerance:
        raise KrylovNotConverged(
            f"GMRES on the depth-{layout.depth} hierarchy ({layout.unknowns} unknowns) stopped "
            f"at relative residual {residual:.1e} after {count[0]} iterations, above "
            f"{tolerance:.0e}: the HEOM steady state is undetermined"
        )
    norm = float(spla.norm(matrix, np.inf))
    backward = float(
        np.linalg.norm(residual_vector, np.inf)
        / (norm * np.linalg.norm(x, np.inf) + np.linalg.norm(right, np.inf))
    )
    correction = preconditioner.solve(residual_vector)
    report = KrylovReport(
        method="gmres + tier block ILU(0)",
        unknowns=layout.unknowns,
        iterations=count[0],
        residual=residual,
        backward_error=backward,
        tolerance=tolerance,
        seconds=time.perf_counter() - start,
        memory_estimate=estimate,
        correction=correction.reshape(layout.ados, d, d),
    )
    rho = x[: d * d].reshape((d, d), order="F")
    rho = qutip.Qobj((rho + rho.conj().T) / 2, dims=solver._sys_dims)
    state = HierarchyADOsState(rho, solver.ados, x.reshape((layout.ados, d, d)))
    return rho, state, report
