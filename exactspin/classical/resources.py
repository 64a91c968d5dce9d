"""Memory estimate of the exact classical solver, and refusal before building what would not fit.

The estimate counts the arrays the solver holds at its peak, phase by phase
(:mod:`exactspin.classical.steady_state`): the per-site flip tables live throughout; the
transition graph used to find the closed classes is freed before any class is solved; a class
is solved on at most half the states (the spin flip halves every class or pairs it with
another), with its moves, the pinned sparse system (CSC and a CSR copy), the Krylov vectors, the
dense coarse level of the preconditioner and, up to
:data:`~exactspin.classical.class_solver.DIRECT_FALLBACK_LIMIT` states, a sparse LU whose fill
was measured at about n^2 / 8 entries on these state graphs. It is an upper bound in the
sense that it assumes every spin may flip from every state.
"""

from __future__ import annotations

import os

from exactspin.classical.aggregation import MAX_AGGREGATES
from exactspin.classical.class_solver import DIRECT_FALLBACK_LIMIT
from exactspin.classical.model import DEMON_LEVELS, ClassicalModel
from exactspin.ring import MAX_ENUMERATED_STATES, require_enumerable
from exactspin.validation import ParameterError, ResourceError

#: Environment variable overriding the default memory limit (bytes).
MEMORY_LIMIT_VARIABLE = "EXACTSPIN_MEMORY_LIMIT_BYTES"

#: Default limit on the estimated peak memory of one exact solve (8 GiB).
DEFAULT_MEMORY_LIMIT_BYTES = 8 * 2**30

#: Per state and site: rate (8 bytes), target (int32), alignment pattern and allowed mask (dE
#: and bond transfers are formed from the pattern one site at a time, below the solve's peak).
_FLIP_TABLE_BYTES = 8 + 4 + 1 + 1
#: Per move of the transition graph: COO (two int32 + int8) and its CSR copy.
_GRAPH_BYTES_PER_MOVE = 2 * (4 + 4 + 1)
#: Per move of a class chain: source, target (int64), rate and correction (float64)...
_CHAIN_BYTES_PER_MOVE = 4 * 8
#: ... and of its pinned system: COO assembly, CSC and the Krylov solver's CSR copy.
_SYSTEM_BYTES_PER_MOVE = 3 * 8 + 2 * (8 + 4)
#: Vectors per class state (iterate, residuals, Krylov work vectors, bounds, aggregates).
_CLASS_VECTORS = 25
#: The coarse level of the preconditioner: A_c and its inverse, dense.
_COARSE_BYTES = 2 * MAX_AGGREGATES**2 * 8
#: Vectors per state of the whole chain (energies, labels, laws, bounds, index maps).
_STATE_VECTORS = 16
#: Bytes per entry of the sparse LU factors (value and row index) and fill (entries / n^2).
_FACTOR_BYTES = 8 + 4
_FACTOR_FILL = 1 / 8


def estimated_memory_bytes(model: ClassicalModel) -> int:
    """Estimated peak memory (bytes) of :func:`exactspin.classical.steady_state` for ``model``."""
    states, sites = model.state_count, model.sites
    tables = states * sites * _FLIP_TABLE_BYTES + 2 * states * 8
    graph = states * sites * _GRAPH_BYTES_PER_MOVE
    class_states = max(states // 2, 1)
    class_moves = class_states * sites
    solve = class_moves * (_CHAIN_BYTES_PER_MOVE + _SYSTEM_BYTES_PER_MOVE)
    solve += class_states * 8 * _CLASS_VECTORS + _COARSE_BYTES
    factor_states = min(class_states, DIRECT_FALLBACK_LIMIT)
    solve += int(factor_states**2 * _FACTOR_FILL * _FACTOR_BYTES)
    return int(tables + max(graph, solve) + states * 8 * _STATE_VECTORS)


def memory_limit_bytes(limit: int | None = None) -> int:
    """The limit in force: ``limit`` if given, else $EXACTSPIN_MEMORY_LIMIT_BYTES, else 8 GiB."""
    if limit is None:
        text = os.environ.get(MEMORY_LIMIT_VARIABLE)
        if text is None:
            return DEFAULT_MEMORY_LIMIT_BYTES
        try:
            limit = int(text)
        except ValueError:
            raise ParameterError(
                MEMORY_LIMIT_VARIABLE, text, "a positive integer number of bytes"
            ) from None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ParameterError("memory_limit_bytes", limit, "a positive integer number of bytes")
    return limit


def require_memory(model: ClassicalModel, limit: int | None = None) -> int:
    """Raise :class:`ResourceError` when the estimate exceeds the limit; return the estimate.

    Works in integers throughout, so rings far beyond any memory (2^1000 states and more) are
    refused with the estimate rather than failing on a float overflow; rings whose states
    cannot be numbered in 64 bits are refused first.
    """
    if model.is_ring:
        require_enumerable(model.ring, DEMON_LEVELS if model.demon_sites else 1)
    elif model.state_count > MAX_ENUMERATED_STATES:
        raise ParameterError(
            "sites",
            model.sites,
            f"a network with at most {MAX_ENUMERATED_STATES} states for an exact solve (this "
            f"one has about 2^{model.state_count.bit_length() - 1}: 2^N spins"
            + (" x 4 demon values per site without a bath" if model.demon_sites else "")
            + "; state indices are 64-bit)",
        )
    estimate = estimated_memory_bytes(model)
    allowed = memory_limit_bytes(limit)
    if estimate > allowed:
        raise ResourceError(
            f"exact classical solve of {_count(model.state_count)} states ({model.dynamics}, "
            f"N_S = {model.sites}) needs an estimated {_gibibytes(estimate)} GiB, over the limit "
            f"of {_gibibytes(allowed)} GiB (argument memory_limit_bytes or environment variable "
            f"{MEMORY_LIMIT_VARIABLE})"
        )
    return estimate


def _count(number: int) -> str:
    return str(number) if number < 10**15 else f"~2^{number.bit_length() - 1}"


def _gibibytes(size: int) -> str:
    return f"{size / 2**30:.2f}" if size < 2**900 else f"~2^{size.bit_length() - 31}"
