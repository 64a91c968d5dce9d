"""Bit operations on 64-bit words that numba does not offer: the population count.

Used by the multispin kernel, where one word holds one bit per replica; it does not know the
physics.
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic


@intrinsic
def population_count(typing_context, word):
    """Number of set bits of a uint64 (one ``popcnt`` instruction on x86-64), as int64.

    int64 rather than uint64 so that sums with signed counters stay integers in numba.
    """
    signature = types.int64(types.uint64)

    def codegen(context, builder, signature, arguments):
        (value,) = arguments
        function = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
        return builder.call(function, [value])

    return signature, codegen
