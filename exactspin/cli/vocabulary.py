"""The shared JSON keys every solve command adds alongside its own (docs/conventions.md, "JSON").

Each command's result keeps the keys it always had (the report, ``reference crosscheck`` and
users' scripts read them: ``error_bounds`` of the exact classical ring, ``*_stderr`` of the Monte
Carlo, ``*_bound`` of the quantum ring, ``correlations`` as a dict or a list, ``unit`` as
"step" or a sentence). On top of them, every ``--json`` of ``classical solve``, ``classical mc``
and ``quantum solve``, ring or network, carries the same keys in the same shape:

- ``bath_currents``, ``bath_current_errors`` (bath order; a ring's baths are left, right),
  ``bond_current_errors`` where bond currents are given, and ``error_kind`` ("bound": a computed
  bound, exact solvers; "standard_error": Monte Carlo), as
  :func:`exactspin.solvers.ring_vocabulary` gives them for sweeps;
- ``pair_correlations``: a list of ``{"sites": [a, b], "value": v}`` (1-based sites; ``"stderr"``
  too for the Monte Carlo), one entry per pair asked for (classical ``--pair``; quantum: the
  one pair of ``zz_correlation``);
- ``time_unit``: ``"per_attempt"`` (classical currents per single-spin update attempt) or
  ``"continuous"`` (per unit time), the words of the reference schema.

Keys a result already has are never replaced. Pure dict functions; nothing here solves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exactspin.reference.schema import UNIT_CONTINUOUS, UNIT_PER_ATTEMPT
from exactspin.solvers import ring_vocabulary


def time_unit(unit: object) -> str:
    """The reference schema's word for a result's ``unit``: per_attempt or continuous."""
    return UNIT_PER_ATTEMPT if unit == "step" else UNIT_CONTINUOUS


def pair_correlations(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pair correlations of ``payload`` as a list of {"sites", "value"[, "stderr"]}."""
    correlations = payload.get("correlations")
    if isinstance(correlations, Mapping):  # exact classical: {"1,2": value}
        return [
            {"sites": [int(site) for site in key.split(",")], "value": value}
            for key, value in correlations.items()
        ]
    if isinstance(correlations, list):  # Monte Carlo: already this shape
        return [dict(entry) for entry in correlations]
    if payload.get("pair") is not None and "zz_correlation" in payload:  # quantum
        return [{"sites": list(payload["pair"]), "value": payload["zz_correlation"]}]
    return []


def with_shared_keys(solver: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the shared keys added (``solver``: "classical", "mc" or "quantum")."""
    extra: dict[str, Any] = {}
    if "bath_currents" not in payload:
        extra.update(ring_vocabulary(solver, payload))
    extra["pair_correlations"] = pair_correlations(payload)
    extra["time_unit"] = UNIT_CONTINUOUS if solver == "quantum" else time_unit(payload.get("unit"))
    return {**payload, **{key: value for key, value in extra.items() if key not in payload}}


__all__ = ["pair_correlations", "time_unit", "with_shared_keys"]
