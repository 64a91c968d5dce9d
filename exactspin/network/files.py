"""Reading and writing network files (TOML or JSON, the same keys).

A network file is data: reading one never imports or runs code. The keys (``docs/conventions.md``,
"Networks"), with 1-based sites::

    name = "three-branch junction"     # optional
    sites = 5
    bonds = [[1, 2, 1.0], [2, 3, 1.0], [2, 4, 1.5], [3, 5, 1.0], [4, 5, 1.0]]
    fields = [[3, 0.5]]                # optional: [site, h]
    baths = [[1, 2.0], [5, 0.5]]       # [site, T], at least one
    dynamics = "q2r"                   # classical: "q2r" (default) or "cca" (then mu = ...)
    # up = 2                           # quantum (bonds [a, b, J, Delta]): the sector

Every error names the key and ``file:line`` of the offending entry (TOML and JSON parsers give no
positions, so lines are found by a small scan of the text that follows the format's brackets).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exactspin.network.graph import (
    KEYS,
    Bath,
    Bond,
    Field,
    Network,
    NetworkError,
    Origin,
)
from exactspin.validation import MISSING

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

#: Largest network file read (bytes): a network of 10^5 bonds is a few MB.
MAX_FILE_BYTES = 64 * 2**20

FORMATS = ("toml", "json")


def read_network(path: str | Path) -> Network:
    """Read a network from a ``.toml`` or ``.json`` file (see the module docstring).

    Raises
    ------
    NetworkError
        For a missing or unreadable file, a syntax error (with its line), an unknown key or any
        invalid entry, naming the key and ``file:line``.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise NetworkError("network", source, "an existing network file (.toml or .json)")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise NetworkError(
            "network",
            source,
            f"a file of at most {MAX_FILE_BYTES // 2**20} MiB (it has {size} bytes)",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NetworkError("network", source, f"a readable UTF-8 file ({error})") from None
    form = "json" if path.suffix.lower() == ".json" else "toml"
    return parse_network(text, form=form, source=source)


def parse_network(text: str, form: str = "toml", source: str = "<string>") -> Network:
    """Build a :class:`Network` from the text of a TOML or JSON network file."""
    if form not in FORMATS:
        raise NetworkError("format", form, "one of 'toml', 'json'")
    data = _load(text, form, source)
    lines = _locate_keys(text, form, data)
    return network_from_dict(data, Origin(source, lines, parsed=True))


def network_from_dict(data: Mapping[str, Any], origin: Origin | None = None) -> Network:
    """Build a :class:`Network` from the file's keys (1-based sites), e.g. a parsed JSON object."""
    origin = origin if origin is not None else Origin("<dict>")

    def fail(key: str, value: object, allowed: str) -> NetworkError:
        return NetworkError(key, value, allowed, origin.locate(key))

    if not isinstance(data, Mapping):
        raise fail("network", type(data).__name__, "a table (TOML) or object (JSON) of keys")
    for key in data:
        if key not in KEYS:
            raise fail(str(key), data[key], "a known key: one of " + ", ".join(KEYS))
    if "sites" not in data:
        raise fail("sites", MISSING, "given: the number of sites N (sites are 1..N)")
    sites = data["sites"]
    if isinstance(sites, bool) or not isinstance(sites, int):
        raise fail("sites", sites, "an integer >= 2")
    bonds = tuple(_entries(data, "bonds", fail, _bond, (3, 4), "[a, b, J] or [a, b, J, Delta]"))
    baths = tuple(_entries(data, "baths", fail, _bath, (2,), "[site, T]"))
    fields = tuple(_entries(data, "fields", fail, _field, (2,), "[site, h]"))
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise fail("name", name, "a string")
    dynamics = data.get("dynamics")
    if dynamics is not None and not isinstance(dynamics, str):
        raise fail("dynamics", dynamics, "one of 'q2r', 'cca'")
    mu = data.get("mu")
    if mu is not None and (isinstance(mu, bool) or not isinstance(mu, (int, float))):
        raise fail("mu", mu, "a positive finite number")
    up = data.get("up")
    if up is not None and (isinstance(up, bool) or not isinstance(up, int)):
        raise fail("up", up, f"an integer in 0..{sites}")
    return Network(
        sites=sites,
        bonds=bonds,
        baths=baths,
        fields=fields,
        dynamics=dynamics,
        demon_unit=float(mu) if mu is not None else None,
        up_spins=up,
        name=name,
        origin=origin,
    )


def write_network(network: Network, path: str | Path) -> Path:
    """Write ``network`` as TOML (``.toml``) or JSON (any other suffix); returns the path."""
    path = Path(path)
    if path.suffix.lower() == ".toml":
        path.write_text(network_toml(network), encoding="utf-8")
    else:
        path.write_text(json.dumps(network.to_dict(), indent=2) + "\n", encoding="utf-8")
    return path


def network_toml(network: Network) -> str:
    """The network as TOML text with one bond per line (what :func:`parse_network` reads)."""
    data = network.to_dict()
    out = []
    for key, value in data.items():
        if isinstance(value, list):
            rows = ",\n".join("  " + json.dumps(row) for row in value)
            out.append(f"{key} = [\n{rows},\n]")
        else:
            out.append(f"{key} = {json.dumps(value)}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- parsing helpers
def _load(text: str, form: str, source: str) -> Any:
    if form == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise NetworkError(
                "network", error.msg, "valid JSON", f"{source}:{error.lineno}"
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        location = f"{source}:{match.group(1)}" if match else source
        raise NetworkError("network", str(error), "valid TOML", location) from None


def _entries(data, key, fail, build, lengths, shape):
    raw = data.get(key, [])
    if not isinstance(raw, list):
        raise fail(key, raw, f"a list of entries {shape}")
    for index, entry in enumerate(raw):
        entry_key = f"{key}[{index}]"
        if not isinstance(entry, list) or len(entry) not in lengths:
            raise fail(entry_key, entry, f"an entry {shape}")
        for position, value in enumerate(entry):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise fail(entry_key, entry, f"numbers only, {shape}")
            if position < (2 if key == "bonds" else 1) and not isinstance(value, int):
                raise fail(entry_key, entry, f"whole-number site indices, {shape}")
        yield build(entry)


def _bond(entry: list) -> Bond:
    anisotropy = float(entry[3]) if len(entry) == 4 else None
    return Bond(entry[0] - 1, entry[1] - 1, float(entry[2]), anisotropy)


def _bath(entry: list) -> Bath:
    return Bath(entry[0] - 1, float(entry[1]))


def _field(entry: list) -> Field:
    return Field(entry[0] - 1, float(entry[1]))


def _locate_keys(text: str, form: str, data: Any) -> dict[str, int]:
    """Line numbers (1-based) of each top-level key and of each entry of its list value."""
    lines: dict[str, int] = {}
    if not isinstance(data, Mapping):
        return lines
    for key in data:
        if form == "json":
            pattern = re.compile(r'"' + re.escape(str(key)) + r'"\s*:')
        else:
            pattern = re.compile(r"^[ \t]*" + re.escape(str(key)) + r"[ \t]*=", re.MULTILINE)
        match = pattern.search(text)
        if match is None:
            continue
        lines[str(key)] = text.count("\n", 0, match.start()) + 1
        if isinstance(data[key], list):
            for index, offset in enumerate(_item_offsets(text, match.end(), form)):
                lines[f"{key}[{index}]"] = text.count("\n", 0, offset) + 1
    return lines


def _item_offsets(text: str, start: int, form: str) -> list[int]:
    """Offsets where each item of the array starting after ``start`` begins (nested arrays ok)."""
    offsets: list[int] = []
    depth = 0
    expecting = False
    position = start
    length = len(text)
    while position < length:
        char = text[position]
        if char == "#" and form == "toml":
            end = text.find("\n", position)
            position = length if end < 0 else end
            continue
        if char == '"':
            if depth == 1 and expecting:
                offsets.append(position)
                expecting = False
            position = _string_end(text, position)
            continue
        if char == "[":
            depth += 1
            if depth == 1:
                expecting = True
            elif depth == 2 and expecting:
                offsets.append(position)
                expecting = False
        elif char == "]":
            depth -= 1
            if depth == 0:
                break
        elif char == ",":
            if depth == 1:
                expecting = True
        elif not char.isspace():
            if depth == 0:
                break
            if depth == 1 and expecting:
                offsets.append(position)
                expecting = False
        position += 1
    return offsets


def _string_end(text: str, position: int) -> int:
    position += 1
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text[position] == '"':
            return position + 1
        position += 1
    return position
