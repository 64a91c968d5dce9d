"""The random-number generator of the Monte Carlo kernel: xoshiro256++ with its state in locals.

xoshiro256++ (Blackman and Vigna, 2019) has a 256-bit state and passes BigCrush; it is a few
integer operations per 64-bit word, so the kernel can keep the state in registers. Each replica's
state comes from ``numpy.random.SeedSequence(seed).spawn(replicas)[r]``, whose child ``r`` does not
depend on how many replicas were spawned, so replica ``r`` draws the same numbers whatever the
number of replicas or workers. This module does not know the physics.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic


@numba.njit(inline="always", cache=True)
def rotate_left(value, bits):
    """Rotate the 64-bit ``value`` left by ``bits`` (both uint64)."""
    return (value << bits) | (value >> (np.uint64(64) - bits))


@numba.njit(inline="always", cache=True)
def next_word(s0, s1, s2, s3):
    """One xoshiro256++ step: returns ``(word, s0, s1, s2, s3)`` with the advanced state."""
    word = rotate_left(s0 + s3, np.uint64(23)) + s0
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotate_left(s3, np.uint64(45))
    return word, s0, s1, s2, s3


@intrinsic
def multiply_wide(typing_context, left, right):
    """The full 128-bit product of two uint64 values, as ``(high 64 bits, low 64 bits)``.

    One x86-64 ``mul``/``mulx`` instruction; numba has no such operation, so the product is
    written in LLVM IR (zero-extend to i128, multiply, split).
    """
    signature = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64)

    def codegen(context, builder, signature, arguments):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(arguments[0], wide), builder.zext(arguments[1], wide))
        high = builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))
        low = builder.trunc(product, ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, (high, low))

    return signature, codegen


@numba.njit(inline="always", cache=True)
def scale_word(word, count):
    """Split a uniform 64-bit ``word`` into an index in ``[0, count)`` and a uniform fraction.

    Returns ``(index, fraction)`` with index = floor(word * count / 2^64) (the high half of the
    128-bit product) and fraction = word * count mod 2^64 (the low half). Given the index, the
    fraction is uniform on an arithmetic progression of step ``count`` covering [0, 2^64), so
    ``fraction / 2^64`` is a uniform number with resolution count / 2^64: one word serves both the
    site choice and the acceptance test.
    """
    return multiply_wide(word, count)


def replica_seeds(seed: int, replicas: int) -> list[np.random.SeedSequence]:
    """One independent SeedSequence per replica; child ``r`` does not depend on ``replicas``."""
    return np.random.SeedSequence(seed).spawn(replicas)


def generator_state(sequence: np.random.SeedSequence) -> np.ndarray:
    """A nonzero xoshiro256++ state (4 uint64 words) drawn from ``sequence``."""
    state = sequence.generate_state(4, np.uint64)
    if not state.any():
        # The all-zero state is the generator's only fixed point; SeedSequence output is never
        # expected to hit it, but one word set to 1 keeps the stream valid if it does.
        state[0] = np.uint64(1)
    return state
