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

A network solver (``classical-network``, ``mc-network``, ``quantum-network``) names a network
file, relative to the sweep file, and sweeps its numbers by axes ``bath<k>_t`` (temperature of
the k-th bath), ``bond<k>_j`` / ``bond<k>_delta`` (coupling / anisotropy of the k-th bond) and
``field<k>_h`` (strength of the k-th field), k 1-based in the network file's order::

    solver = "classical-network"
    network = "junction.toml"
    [grid]
    bath1_t = [1.0, 2.0, 4.0]
    bond3_j = [0.5, 1.0]

A sweep file is data: reading one never imports a module or runs code (a network file is data
too). A ``module:function`` solver
runs only when the caller allows its module (``allowed_plugins``, the command line's
``--allow-plugin``), which no key of the file can do. This module only parses; :class:`Sweep`
validates names, types and ranges.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from exactspin.sweep.grid import Sweep
from exactspin.validation import MISSING, ParameterError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

#: Top-level keys a sweep file may hold.
TOP_LEVEL_KEYS = ("solver", "seed", "network", "fixed", "grid", "points")


def parse_sweep(
    text: str,
    seed: int | None = None,
    source: str = "<string>",
    allowed_plugins: Sequence[str] = (),
    directory: str | Path | None = None,
) -> Sweep:
    """Build a :class:`Sweep` from TOML text; ``seed`` (if given) overrides the file's seed.

    ``allowed_plugins`` are the modules the caller (never the file) allows plugin solvers from;
    ``directory`` is where a relative ``network`` path is found (default: the working directory).

    Raises
    ------
    ParameterError
        Invalid TOML (parameter ``config``, value ``source``), unknown top-level keys, a missing
        solver, an unreadable or invalid network file (``file:line``), or anything
        :class:`Sweep` refuses (an unknown axis, an index past the network's entries), naming
        the offending key.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ParameterError("config", source, f"valid TOML ({error})") from None
    lines = key_lines(text)
    try:
        return _sweep(document, seed, allowed_plugins, directory)
    except ParameterError as error:
        # every refusal names the sweep file's line of the key at fault (a missing network: the
        # solver line that needs it); an error inside the network file keeps that file's line
        line = lines.get(str(error.parameter))
        if line is None and (error.parameter == "network" or _about_the_network(error)):
            line = lines.get("network", lines.get("solver", 1))
        elif line is None and error.parameter == "solver":
            line = 1
        raise error.at(f"{source}:{line}" if line is not None else source) from None


def _about_the_network(error: ParameterError) -> bool:
    """Whether ``error`` is about the network file (the wrong kind of bonds for the solver)."""
    from exactspin.network import NetworkError

    return isinstance(error, NetworkError)


def _sweep(document, seed, allowed_plugins, directory) -> Sweep:
    """The :class:`Sweep` of a parsed sweep file (see :func:`parse_sweep`)."""
    for key in document:
        if key not in TOP_LEVEL_KEYS:
            raise ParameterError(
                key,
                document[key],
                "absent (a sweep file holds only " + ", ".join(TOP_LEVEL_KEYS) + ")",
            )
    if "solver" not in document:
        raise ParameterError("solver", MISSING, "given at the top of the sweep file")
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
    if "network" in document:
        arguments["network"] = _network(document["network"], directory)
    if seed is not None:
        arguments["seed"] = seed
    elif "seed" in document:
        arguments["seed"] = document["seed"]
    return Sweep(**arguments)


def key_lines(text: str) -> dict[str, int]:
    """1-based line of each key of a sweep file: top-level keys, the keys of its [fixed] and
    [grid] tables (the first line wins), and ``points`` at its first ``[[points]]`` header.

    A small scan of the text (tomllib gives no positions), for error messages only.
    """
    lines: dict[str, int] = {}
    key = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")
    header = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_-]+)\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        table = header.match(line)
        if table is not None:
            lines.setdefault(table.group(1), number)
            continue
        match = key.match(line)
        if match is not None:
            lines.setdefault(match.group(1).strip('"'), number)
    return lines


def load_sweep(
    path: str | Path, seed: int | None = None, allowed_plugins: Sequence[str] = ()
) -> Sweep:
    """Read a sweep file (see the module docstring); ``seed`` overrides the file's seed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError("config", str(path), f"a readable UTF-8 TOML file ({error})") from None
    return parse_sweep(
        text,
        seed=seed,
        source=str(path),
        allowed_plugins=allowed_plugins,
        directory=Path(path).parent,
    )


def _network(value: object, directory: str | Path | None):
    """The network file ``value`` names (relative to ``directory``), read as data."""
    from exactspin.network import read_network

    if not isinstance(value, str) or not value:
        raise ParameterError("network", value, "a network file path (a string)")
    path = Path(value)
    if not path.is_absolute() and directory is not None:
        path = Path(directory) / path
    return read_network(path)
