"""Parameter validation shared by every entry point.

Every public function validates its input here, before any heavy work, and raises
:class:`ParameterError`, whose message names the parameter, the value and the allowed range.
This module knows nothing about physics beyond ranges.
"""

from __future__ import annotations

import math
import numbers


class ParameterError(ValueError):
    """A parameter is outside its allowed range.

    Attributes
    ----------
    parameter : str
        The parameter's name as the user spells it (CLI flag names without dashes).
    value : object
        The offending value.
    allowed : str
        The allowed range, in words.
    """

    def __init__(self, parameter: str, value: object, allowed: str):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"parameter '{parameter}' = {value!r}: must be {allowed}")


class ResourceError(RuntimeError):
    """A requested computation would exceed a resource limit (memory), with the estimate."""


def require_integer(name: str, value: object, minimum: int = 0, maximum: int | None = None) -> int:
    """Return ``value`` as an int in ``[minimum, maximum]`` or raise :class:`ParameterError`."""
    allowed = (
        f"an integer >= {minimum}" if maximum is None else (f"an integer in [{minimum}, {maximum}]")
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ParameterError(name, value, allowed)
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        raise ParameterError(name, value, allowed)
    return value


def require_finite(name: str, value: object) -> float:
    """Return ``value`` as a finite float or raise :class:`ParameterError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, value, "a finite real number")
    result = float(value)
    if not math.isfinite(result):
        raise ParameterError(name, value, "a finite real number")
    return result


def require_positive(name: str, value: object) -> float:
    """Return ``value`` as a positive finite float or raise :class:`ParameterError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, value, "a positive finite number")
    result = float(value)
    if not (math.isfinite(result) and result > 0):
        raise ParameterError(name, value, "a positive finite number")
    return result


def require_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices`` or raise :class:`ParameterError`."""
    if value not in choices:
        raise ParameterError(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return str(value)
