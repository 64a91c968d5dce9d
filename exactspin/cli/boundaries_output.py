"""Printing a boundary search (shared by ``classical boundaries`` and ``quantum boundaries``)."""

from __future__ import annotations

import sys

from exactspin.cli.output import print_json

#: Exit status when part of the range could not be decided (the result is printed all the same).
EXIT_UNRESOLVED = 2


def report(result, as_json: bool) -> int:
    """Print ``result`` (a :class:`exactspin.boundaries.Boundaries`); the exit status."""
    if as_json:
        print_json(result.to_dict())
    else:
        print(f"{result.vary} in [{result.low:g}, {result.high:g}]: {result.method}")
        print(f"certified: {'yes' if result.certified else 'no'}")
        for zero in result.zeros:
            print(
                f"  {zero.name} = 0 at {result.vary} = {zero.value:.15g} +- {zero.uncertainty:.1e}"
            )
        for regime in result.regimes:
            print(f"  [{regime.low:.12g}, {regime.high:.12g}]  {regime.circulation}")
        for note in result.notes:
            print(f"note: {note}")
    if result.unresolved:
        for stretch in result.unresolved:
            print(
                f"exactspin: warning: sign of {stretch.name} undetermined on "
                f"[{stretch.low:.12g}, {stretch.high:.12g}]: {stretch.reason}",
                file=sys.stderr,
            )
        return EXIT_UNRESOLVED
    return 0
