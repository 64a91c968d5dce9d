"""The one rule for ``--pair A B`` in every command: two distinct 1-based sites of the model.

<s_i s_i> = 1 is no question (and the quantum commands' concurrence needs two sites), so every
command refuses it alike, with the same words, before any work.
"""

from __future__ import annotations

from collections.abc import Iterable

from exactspin.validation import ParameterError


def check_pairs(pairs: Iterable[Iterable[int]], sites: int) -> None:
    """Raise ParameterError("pair", ...) unless every pair is two distinct sites in 1..sites."""
    for pair in pairs:
        a, b = pair
        if a == b or not (1 <= a <= sites and 1 <= b <= sites):
            raise ParameterError("pair", f"{a} {b}", f"two distinct 1-based sites in 1..{sites}")
