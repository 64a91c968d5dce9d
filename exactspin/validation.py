"""Parameter validation shared by every entry point.

Every public function validates its input here, before any heavy work, and raises
:class:`ParameterError`, whose message names the parameter, the value and the allowed range.
This module knows nothing about physics beyond ranges.
"""

from __future__ import annotations

import math
import numbers
import sys


def _shown(value: object) -> str:
    """The value for a one-line message; a huge int is shown by its size, not its 400 digits."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        # str() of a huge int is itself refused past 4300 digits; the bit length is not.
        return f"<an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits>"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


class _Missing:
    """The value of a parameter that was not given (shown as "is missing" in messages)."""

    def __repr__(self) -> str:
        return "<missing>"

    def __reduce__(self) -> str:
        return "MISSING"  # unpickles as the one module-level instance


#: Stand-in value for a required key or parameter that is absent.
MISSING = _Missing()


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

    def __init__(self, parameter: str, value: object, allowed: str, location: str | None = None):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        self.location = location
        shown = "is missing" if value is MISSING else f"= {_shown(value)}"
        message = f"parameter '{parameter}' {shown}: must be {allowed}"
        super().__init__(f"{location}: {message}" if location else message)

    def __reduce__(self):
        # rebuilt from its parts (the default, from the message alone, cannot call __init__),
        # so the error crosses process boundaries (sweep workers)
        return (_rebuilt, (type(self), self.parameter, self.value, self.allowed, self.location))

    def at(self, location: str) -> ParameterError:
        """The same error located at ``location`` (``file:line``), unless it has a location."""
        if self.location:
            return self
        located = ParameterError.__new__(type(self))
        ParameterError.__init__(located, self.parameter, self.value, self.allowed, location)
        return located


def _rebuilt(kind, parameter, value, allowed, location) -> ParameterError:
    error = ParameterError.__new__(kind)
    ParameterError.__init__(error, parameter, value, allowed, location)
    return error


class ResourceError(RuntimeError):
    """A requested computation would exceed a resource limit (memory), with the estimate."""


class UnresolvedError(Exception):
    """A solve ran but cannot resolve what was asked (accuracy, uniqueness); one-line message.

    The command line turns it into one line on stderr and exit status 2, never a number.
    """


def require_integer(name: str, value: object, minimum: int = 0, maximum: int | None = None) -> int:
    """Return ``value`` as an int in ``[minimum, maximum]`` or raise :class:`ParameterError`.

    Booleans are refused (``True`` is not a spin count) and so is any real number that is not a
    whole number (``0.5`` is never truncated); a float such as ``2.0`` is accepted as 2.
    """
    allowed = (
        f"an integer >= {minimum}" if maximum is None else (f"an integer in [{minimum}, {maximum}]")
    )
    if isinstance(value, bool):
        raise ParameterError(name, value, allowed)
    if not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ParameterError(name, value, allowed)
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        raise ParameterError(name, value, allowed)
    return value


#: The range every real parameter must fit in: the finite double-precision numbers.
FLOAT_RANGE = f"in [-{sys.float_info.max:.4g}, {sys.float_info.max:.4g}]"


def _as_float(name: str, value: object, allowed: str) -> float:
    """``float(value)`` for a real non-boolean ``value`` that fits a double, else ParameterError.

    An int such as ``10**400`` is a real number but has no double: ``float`` would raise
    OverflowError, which is an input error here, not a crash.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, value, allowed)
    try:
        result = float(value)
    except OverflowError:
        raise ParameterError(name, value, allowed) from None
    if not math.isfinite(result):
        raise ParameterError(name, value, allowed)
    return result


def require_finite(name: str, value: object) -> float:
    """Return ``value`` as a finite float or raise :class:`ParameterError`."""
    return _as_float(name, value, f"a finite real number {FLOAT_RANGE}")


def require_positive(name: str, value: object) -> float:
    """Return ``value`` as a positive finite float or raise :class:`ParameterError`."""
    allowed = f"a positive finite number (0, {sys.float_info.max:.4g}]"
    result = _as_float(name, value, allowed)
    if not result > 0:
        raise ParameterError(name, value, allowed)
    return result


def require_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices`` or raise :class:`ParameterError`."""
    if value not in choices:
        raise ParameterError(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return str(value)


def require_site_pairs(name: str, pairs: object, sites: int) -> tuple[tuple[int, int], ...]:
    """Return ``pairs`` as a tuple of (int, int) pairs of distinct 0-based sites in [0, sites-1].

    Each index must be a whole number (``(0.5, 1)`` is refused, never truncated to ``(0, 1)``);
    otherwise raise :class:`ParameterError` naming ``name``.
    """
    allowed = f"pairs of distinct whole-number 0-based site indices in [0, {sites - 1}]"
    try:
        items = list(pairs)  # type: ignore[call-overload]
    except TypeError:
        raise ParameterError(name, pairs, allowed) from None
    result = []
    for pair in items:
        if isinstance(pair, (str, bytes)):
            raise ParameterError(name, pairs, allowed)
        try:
            first, second = pair
            indices = (
                require_integer(name, first, 0, sites - 1),
                require_integer(name, second, 0, sites - 1),
            )
        except (TypeError, ValueError):
            raise ParameterError(name, pairs, allowed) from None
        if indices[0] == indices[1]:
            raise ParameterError(name, pairs, allowed)
        result.append(indices)
    return tuple(result)
