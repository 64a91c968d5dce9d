"""Checks that output paths can be written, made before a sweep computes anything.

A sweep writes its table, its plot and its cache at the end or as it goes; finding only then
that a directory is missing or read-only wastes the whole computation. These checks try what the
write will do (create a file next to the target, create the cache directory), because permission
bits alone do not tell (root, read-only or virtual file systems). This module checks paths; it
writes no results.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from exactspin.validation import ParameterError


def require_writable_file(name: str, path: str | os.PathLike[str]) -> Path:
    """Return ``path`` if a file can be written there, else raise :class:`ParameterError`.

    The path must not be a directory, its directory must exist, and a file must be creatable in
    it (and the file itself writable when it exists). Nothing is left behind.
    """
    target = Path(path)
    if target.is_dir():
        raise ParameterError(name, str(path), "a file path, not a directory")
    parent = target.parent
    if not parent.is_dir():
        raise ParameterError(name, str(path), f"a file in an existing directory ({parent} is not)")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
        if target.exists():
            with open(target, "a", encoding="utf-8"):
                pass
    except OSError as error:
        raise ParameterError(name, str(path), f"a writable file ({error.strerror})") from None
    return target


def require_writable_directory(name: str, path: str | os.PathLike[str]) -> Path:
    """Create directory ``path`` if needed and check that files can be created in it.

    Raises
    ------
    ParameterError
        The path is a file, or the directory cannot be created or written.
    """
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise ParameterError(name, str(path), "a directory, not a file")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise ParameterError(name, str(path), f"a writable directory ({error.strerror})") from None
    return directory
