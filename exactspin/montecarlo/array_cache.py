"""Results computed from read-only arrays, remembered while those arrays live.

A word kernel's tables are built from the model's read-only arrays at every call; building them
again for the same arrays would cost more than the call. :func:`cached` keys a result on the
identity of every array it was built from, so different arrays (even equal ones) never share a
result, and forgets it when the first array is collected. Writable arrays are never cached:
their contents may change under the same identity.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any


def cached(cache: dict, arrays: Sequence[Any], build: Callable[[], Any]) -> Any:
    """``build()``, remembered in ``cache`` for these exact ``arrays`` while all are read-only
    and alive."""
    key = tuple(id(array) for array in arrays)
    entry = cache.get(key)
    if entry is not None and all(
        ref() is array for ref, array in zip(entry[0], arrays, strict=True)
    ):
        return entry[1]
    result = build()
    if not any(array.flags.writeable for array in arrays):
        cache[key] = (tuple(weakref.ref(array) for array in arrays), result)
        weakref.finalize(arrays[0], cache.pop, key, None)
    return result
