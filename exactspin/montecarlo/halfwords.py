"""Sixteen-bit comparisons of 64 replicas at once: the first stage of a word's Metropolis test.

A word kernel's Metropolis test asks, per replica k, whether a 55-bit uniform u_k is below the
replica's threshold t_k = round(p 2^55). Comparing the top 16 bits of u_k and t_k decides it
unless they are equal (probability 2^-16 per replica); the rest of the bits are compared only
then, one bit of every replica per word as before. The top 16 bits of the 64 uniforms are the 64
half-words of 16 words from 16 extra xoshiro256++ streams ("lanes", one step each, independent
of each other and of the word's main stream), so the whole stage is a few vector instructions:
16 generator steps side by side, one 64-lane select of the thresholds, two 64-lane comparisons.

Layout. A word's generator array is uint64[:data:`WORD_GENERATOR_WORDS`]: the main stream's
state in words 0-3; lane l's state word j at ``4 + j L + l`` (L = :data:`LANES`); at
:data:`POSITION` the number of buffered lane steps already used; then the buffer, the lanes'
words of the next :data:`BUFFER_STEPS` steps, step i's word of lane l at ``BUFFER + L i + l``.
The buffer is refilled when used up, with the lanes' state in registers (a generator step whose
state went through memory at every Metropolis test would make the store-to-load latency the
kernel's). Lane l's k-th word used is its k-th word generated, however the steps are split into
kernel calls. Half-word h of the 64 of a step (the uniform of replica h) is bits
16 (h mod 4) .. 16 (h mod 4) + 15 of lane h // 4's word.

This module does not know the physics.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

#: Extra xoshiro256++ streams of a word generator: 16 words of 4 half-words, one per replica.
LANES = 16
#: Kernel steps between two buffer checks: at most this many lane steps are used in between.
STEPS_PER_CHECK = 64
#: Lane steps the buffer holds (16 KiB of words: stays in the L1 cache).
BUFFER_STEPS = 2 * STEPS_PER_CHECK
#: Index of the buffer position (lane steps used) and of the buffer in a word generator.
POSITION = 4 + 4 * LANES
BUFFER = POSITION + 1
#: Words of a word generator: main stream, lanes, position, buffer.
WORD_GENERATOR_WORDS = BUFFER + LANES * BUFFER_STEPS
#: Bits of the first-stage comparison.
HALF_BITS = 16

_I16x64 = ir.VectorType(ir.IntType(16), 64)
_I1x64 = ir.VectorType(ir.IntType(1), 64)


_I64xL = ir.VectorType(ir.IntType(64), LANES)


def _rotate(builder, vector, bits):
    left = builder.shl(vector, ir.Constant(_I64xL, [bits] * LANES))
    right = builder.lshr(vector, ir.Constant(_I64xL, [64 - bits] * LANES))
    return builder.or_(left, right)


@intrinsic
def fill_lanes(typing_context, generator, first):
    """Fill buffer steps ``first`` .. :data:`BUFFER_STEPS` - 1 of ``generator`` with the lanes'
    next steps (16 xoshiro256++ streams side by side, vector instructions)."""
    signature = types.void(generator, types.int64)

    def codegen(context, builder, signature, arguments):
        data = context.make_array(signature.args[0])(context, builder, arguments[0]).data

        def vector_at(index):
            pointer = builder.gep(data, [index])
            return builder.bitcast(pointer, _I64xL.as_pointer())

        word_index = ir.IntType(64)
        pointers = [vector_at(ir.Constant(word_index, 4 + j * LANES)) for j in range(4)]
        state = [cgutils.alloca_once(builder, _I64xL) for _ in range(4)]
        for variable, pointer in zip(state, pointers, strict=True):
            builder.store(builder.load(pointer, align=8), variable)
        count = builder.sub(ir.Constant(word_index, BUFFER_STEPS), arguments[1])
        with cgutils.for_range(builder, count) as loop:
            s0, s1, s2, s3 = (builder.load(variable) for variable in state)
            word = builder.add(_rotate(builder, builder.add(s0, s3), 23), s0)
            step = builder.add(loop.index, arguments[1])
            offset = builder.add(
                ir.Constant(word_index, BUFFER), builder.mul(step, ir.Constant(word_index, LANES))
            )
            builder.store(word, vector_at(offset), align=8)
            t = builder.shl(s1, ir.Constant(_I64xL, [17] * LANES))
            s2 = builder.xor(s2, s0)
            s3 = builder.xor(s3, s1)
            s1 = builder.xor(s1, s2)
            s0 = builder.xor(s0, s3)
            s2 = builder.xor(s2, t)
            s3 = _rotate(builder, s3, 45)
            for variable, value in zip(state, (s0, s1, s2, s3), strict=True):
                builder.store(value, variable)
        for variable, pointer in zip(state, pointers, strict=True):
            builder.store(builder.load(variable), pointer, align=8)
        return context.get_dummy_value()

    return signature, codegen


def _vector_pointer(context, builder, array_type, array, offset=None):
    data = context.make_array(array_type)(context, builder, array).data
    if offset is not None:
        data = builder.gep(data, [offset])
    return builder.bitcast(data, _I16x64.as_pointer())


def _broadcast(builder, value):
    half = builder.trunc(value, ir.IntType(16))
    single = builder.insert_element(
        ir.Constant(_I16x64, None), half, ir.Constant(ir.IntType(32), 0)
    )
    zeros = ir.Constant(ir.VectorType(ir.IntType(32), 64), [0] * 64)
    return builder.shuffle_vector(single, ir.Constant(_I16x64, None), zeros)


def _compare(builder, uniforms, thresholds):
    less = builder.bitcast(builder.icmp_unsigned("<", uniforms, thresholds), ir.IntType(64))
    equal = builder.bitcast(builder.icmp_unsigned("==", uniforms, thresholds), ir.IntType(64))
    return less, equal


@intrinsic
def compare_patterns(typing_context, uniforms, offset, m1, m2, m3, v0, v1, v2, v3):
    """(less, equal) masks of the 64 half-words of ``uniforms[offset:offset + 16]`` against
    per-replica thresholds: ``v_j`` (uint64, < 2^16) where mask ``m_j`` is set, ``v0`` elsewhere
    (masks disjoint). Bit h of ``less`` is set where half-word h < its threshold."""
    signature = types.UniTuple(types.uint64, 2)(uniforms, types.int64, *(types.uint64,) * 7)

    def codegen(context, builder, signature, arguments):
        pointer = _vector_pointer(context, builder, signature.args[0], arguments[0], arguments[1])
        values = builder.load(pointer, align=8)
        thresholds = _broadcast(builder, arguments[5])
        for mask, value in zip(arguments[2:5], arguments[6:9], strict=True):
            selector = builder.bitcast(mask, _I1x64)
            thresholds = builder.select(selector, _broadcast(builder, value), thresholds)
        less, equal = _compare(builder, values, thresholds)
        return context.make_tuple(builder, signature.return_type, (less, equal))

    return signature, codegen


@intrinsic
def compare_by_parity(typing_context, uniforms, offset, odd, table, table_offset):
    """(less, tie) of the 64 half-words of ``uniforms[offset:offset + 16]`` against per-replica
    thresholds: half-word h of ``table[table_offset + 16:table_offset + 32]`` where bit h of
    ``odd`` is set, of ``table[table_offset:table_offset + 16]`` elsewhere. Bit h of ``less`` is
    set where half-word h is below its threshold; ``tie`` is 1 if any half-word equals its
    threshold, else 0 (one test of the whole comparison: ties are rare, and the caller then
    decides the step again, exactly).

    The thresholds are two rows in memory, so the comparison needs one mask-register move (of
    ``odd``), two blends and four compares: on the ring fewer than a blend of four broadcast
    patterns (:func:`compare_patterns`)."""
    signature = types.UniTuple(types.uint64, 2)(
        uniforms, types.int64, types.uint64, table, types.int64
    )

    def codegen(context, builder, signature, arguments):
        values = builder.load(
            _vector_pointer(context, builder, signature.args[0], arguments[0], arguments[1]),
            align=8,
        )
        rows = []
        for row in range(2):
            row_offset = builder.add(arguments[4], ir.Constant(ir.IntType(64), row * LANES))
            pointer = _vector_pointer(context, builder, signature.args[3], arguments[3], row_offset)
            rows.append(builder.load(pointer, align=8))
        thresholds = builder.select(builder.bitcast(arguments[2], _I1x64), rows[1], rows[0])
        less, equal = _compare(builder, values, thresholds)
        word = ir.IntType(64)
        tie = builder.zext(builder.icmp_unsigned("!=", equal, ir.Constant(word, 0)), word)
        return context.make_tuple(builder, signature.return_type, (less, tie))

    return signature, codegen


@intrinsic
def blend_thresholds(typing_context, thresholds, mask, value):
    """Set half-word h of ``thresholds`` (uint64[16] seen as 64 half-words) to ``value`` (uint64,
    < 2^16) where bit h of ``mask`` is set."""
    signature = types.void(thresholds, types.uint64, types.uint64)

    def codegen(context, builder, signature, arguments):
        pointer = _vector_pointer(context, builder, signature.args[0], arguments[0])
        current = builder.load(pointer, align=8)
        selector = builder.bitcast(arguments[1], _I1x64)
        builder.store(builder.select(selector, _broadcast(builder, arguments[2]), current),
                      pointer, align=8)  # fmt: skip
        return context.get_dummy_value()

    return signature, codegen


@intrinsic
def compare_thresholds(typing_context, uniforms, offset, thresholds):
    """(less, equal) masks of the 64 half-words of ``uniforms[offset:offset + 16]`` against
    those of ``thresholds`` (uint64[16])."""
    signature = types.UniTuple(types.uint64, 2)(uniforms, types.int64, thresholds)

    def codegen(context, builder, signature, arguments):
        values = builder.load(
            _vector_pointer(context, builder, signature.args[0], arguments[0], arguments[1]),
            align=8,
        )
        limits = builder.load(
            _vector_pointer(context, builder, signature.args[2], arguments[2]), align=8
        )
        less, equal = _compare(builder, values, limits)
        return context.make_tuple(builder, signature.return_type, (less, equal))

    return signature, codegen


def word_generator_state(sequence) -> np.ndarray:
    """A word generator (uint64[:data:`WORD_GENERATOR_WORDS`]) drawn from a SeedSequence: the
    main stream's state, then the 16 lanes' (every lane's state nonzero)."""
    state = sequence.generate_state(WORD_GENERATOR_WORDS, np.uint64)
    lanes = state[4:POSITION].reshape(4, LANES)
    for stream in (state[:4], *lanes.T):
        if not stream.any():
            # xoshiro's only fixed point is the all-zero state (see generator_state).
            stream[0] = np.uint64(1)
    state[POSITION] = BUFFER_STEPS  # the buffer is empty: the first test fills it
    state[BUFFER:] = 0
    return state


def check_word_generator(generator) -> None:
    """Raise ValueError unless ``generator`` is a word generator (a word kernel's lanes would
    otherwise be read past the end of the array)."""
    if generator.shape != (WORD_GENERATOR_WORDS,) or generator.dtype != np.uint64:
        raise ValueError(
            f"generator: a word kernel needs uint64[{WORD_GENERATOR_WORDS}] (the main stream and "
            f"{LANES} lanes, word_generator_state); got {generator.dtype}{list(generator.shape)}"
        )


@numba.njit(cache=True, nogil=True)
def ensure_lane_steps(generator, position):
    """Make at least :data:`STEPS_PER_CHECK` unused lane steps available; returns the position.

    A kernel calls this once per :data:`STEPS_PER_CHECK` steps, outside its inner loop, so the
    inner loop has no call (a call there, even a rare one, costs registers at every step): the
    unused steps move to the front of the buffer and the lanes fill the rest, so each lane's
    words are used in the order they were generated.
    """
    if position <= BUFFER_STEPS - STEPS_PER_CHECK:
        return position
    unused = BUFFER_STEPS - position
    for index in range(LANES * unused):
        generator[BUFFER + index] = generator[BUFFER + LANES * position + index]
    fill_lanes(generator, np.int64(unused))
    return np.int64(0)


@numba.njit(inline="always", cache=True)
def next_lane_step(position):
    """Index in a word generator of the lane step at ``position`` and the next position (the
    caller has made the step available, :func:`ensure_lane_steps`)."""
    return BUFFER + LANES * position, position + 1
