"""Reading a sweep from a TOML file.

The file names the solver and splits the parameters into fixed values and grid axes::

    solver = "classical"    # or "mc", "quantum", an installed plugin, "module:function"
    seed = 0                # optional base seed
    [fixed]
    nu = 2
    j1 = 2.0
    [grid]
    tl = [1.0, 2.0, 3.0]
    j2 = [1.0, 1.9]

Axes keep the file's order (first axis slowest). Instead of ``[grid]``, a file may list its points,
each an array-of-tables entry naming the same swept parameters, run in file order::

    [[points]]
    tl = 1.0
    j2 = 1.5
    [[points]]
    tl = 3.0
    j2 = 1.9

A sweep file is data: reading one never imports a module or runs code. A ``module:function`` solver
runs only when the caller allows its module (``allowed_plugins``, the command line's
``--allow-plugin``), which no key of the file can do. This module only parses; :class:`Sweep`
validates names, types and ranges.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from exactspin.sweep.grid import Sweep
from exactspin.validation import ParameterError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

#: Top-level keys a sweep file may hold.
TOP_LEVEL_KEYS = ("solver", "seed", "fixed", "grid", "points")


def parse_sweep(
    text: str,
    seed: int | None = None,
    source: str = "<string>",
    allowed_plugins: Sequence[str] = (),
) -> Sweep:
    """Build a :class:`Sweep` from TOML text; ``seed`` (if given) overrides the file's seed.

    ``allowed_plugins`` are the modules the caller (never the file) allows plugin solvers from.

    Raises
    ------
    ParameterError
        Invalid TOML (parameter ``config``, value ``source``), unknown top-level keys, a missing
        solver, or anything :class:`Sweep` refuses, naming the offending key.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ParameterError("config", source, f"valid TOML ({error})") from None
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            raise ParameterError(
                key,
                document[key],
                "absent (a sweep file holds only " + ", ".join(TOP_LEVEL_KEYS) + ")",
            )
    if "solver" not in document:
        raise ParameterError("solver", None, "given at the top of the sweep file")
    for table in ("fixed", "grid"):
        if not isinstance(document.get(table, {}), Mapping):
            raise ParameterError(table, document[table], f"a [{table}] table")
    arguments: dict[str, Any] = {
        "solver": document["solver"],
        "fixed": document.get("fixed", {}),
        "grid": document.get("grid", {}),
        "listed": document.get("points", ()),
        "allowed_plugins": tuple(allowed_plugins),
    }
    if seed is not None:
        arguments["seed"] = seed
    elif "seed" in document:
        arguments["seed"] = document["seed"]
    return Sweep(**arguments)


def load_sweep(
    path: str | Path, seed: int | None = None, allowed_plugins: Sequence[str] = ()
) -> Sweep:
    """Read a sweep file (see the module docstring); ``seed`` overrides the file's seed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError("config", str(path), f"a readable UTF-8 TOML file ({error})") from None
    return parse_sweep(text, seed=seed, source=str(path), allowed_plugins=allowed_plugins)
