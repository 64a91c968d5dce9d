"""Memory estimate of the exact classical solver, and refusal before building what would not fit.

The estimate counts the arrays the solver holds at its peak: the per-site flip tables, the sparse
generator during assembly (COO plus CSR), and the factorisation or Krylov workspace. It is an
upper bound in the sense that it assumes every spin may flip from every state.
"""

from __future__ import annotations

import os

from exactspin.classical.model import DEMON_LEVELS, ClassicalModel
from exactspin.ring import require_enumerable
from exactspin.validation import ParameterError, ResourceError

#: Environment variable overriding the default memory limit (bytes).
MEMORY_LIMIT_VARIABLE = "EXACTSPIN_MEMORY_LIMIT_BYTES"

#: Default limit on the estimated peak memory of one exact solve (8 GiB).
DEFAULT_MEMORY_LIMIT_BYTES = 8 * 2**30

#: Bytes per stored move during assembly: COO (two int64 indices + float64) and CSR copy.
_BYTES_PER_MOVE = 3 * 8 + 2 * (8 + 4)
#: Per-state float64 vectors alive at the peak (flip tables per site counted separately).
_VECTORS_PER_STATE = 24
#: Per-state, per-site arrays of the flip tables (rate, target, dE, bond transfer: 4 x 8 bytes).
_FLIP_TABLE_BYTES = 4 * 8
#: Fill-in allowance of the sparse factorisation, in multiples of the generator's size.
_FACTOR_FILL = 8


def estimated_memory_bytes(model: ClassicalModel) -> int:
    """Estimated peak memory (bytes) of :func:`exactspin.classical.steady_state` for ``model``."""
    states = model.state_count
    moves = states * (model.sites + 1)
    generator = moves * _BYTES_PER_MOVE
    tables = states * model.sites * _FLIP_TABLE_BYTES
    factor = moves * (8 + 4) * _FACTOR_FILL
    return int(generator + tables + factor + states * 8 * _VECTORS_PER_STATE)


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
    """Raise :class:`ResourceError` when the estimate exceeds the limit; return the estimate."""
    require_enumerable(model.ring, DEMON_LEVELS if model.demon_sites else 1)
    estimate = estimated_memory_bytes(model)
    allowed = memory_limit_bytes(limit)
    if estimate > allowed:
        raise ResourceError(
            f"exact classical solve of {model.state_count} states ({model.dynamics}, "
            f"N_S = {model.sites}) needs an estimated {estimate / 2**30:.2f} GiB, over the limit "
            f"of {allowed / 2**30:.2f} GiB (argument memory_limit_bytes or environment variable "
            f"{MEMORY_LIMIT_VARIABLE})"
        )
    return estimate
