"""On-disk cache of sweep points, so an interrupted sweep resumes where it stopped.

One JSON file per point, named by a SHA-256 of (solver, point parameters, point seed for
stochastic solvers, library version). Files are written atomically (a temporary file in the same
directory, then ``os.replace``), so a killed process leaves either no file or a complete one; a
file that is unreadable, truncated or fails its checksum counts as missing and is recomputed.
This module stores and loads; it knows nothing about solvers or executors.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from exactspin import __version__


def canonical_json(value: Any) -> str:
    """Compact, key-sorted JSON: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_key(
    solver: str, parameters: dict[str, Any], seed: int | None, version: str = __version__
) -> str:
    """The cache key of one point; ``seed`` is None for deterministic solvers."""
    identity = {"solver": solver, "parameters": parameters, "seed": seed, "version": version}
    return hashlib.sha256(canonical_json(identity).encode()).hexdigest()


class ResultCache:
    """A directory of per-point results.

    Parameters
    ----------
    directory : str or Path
        Created on first write. Several sweeps may share it: keys differ by solver, parameters,
        seed and version.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        """Where the result of ``key`` lives (two-level fan-out keeps directories small)."""
        return self.directory / key[:2] / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        """The stored result of ``key``, or None when absent, corrupt or written for another key."""
        try:
            record = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        result = record.get("result")
        if not isinstance(result, dict) or record.get("checksum") != _checksum(result):
            return None
        return result

    def store(self, key: str, result: dict[str, Any], identity: dict[str, Any]) -> None:
        """Write ``result`` for ``key`` atomically; ``identity`` is kept for people reading it."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        record = {"key": key, **identity, "result": result, "checksum": _checksum(result)}
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{key[:16]}-", suffix=".tmp", dir=target.parent
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(_ordered_json(record))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _ordered_json(value: Any) -> str:
    # Key order is kept: it is the column order of the sweep table.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _checksum(result: dict[str, Any]) -> str:
    return hashlib.sha256(_ordered_json(result).encode()).hexdigest()
