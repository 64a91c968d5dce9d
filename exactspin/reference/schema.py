"""The reference-data format (versioned), shared by ``reference export`` and ``crosscheck``.

Schema version 1 (a JSON object)::

    {
      "schema": "exactspin-reference",
      "schema_version": 1,
      "exactspin_version": "0.1.0",
      "units": "...",                      # the conventions, in words
      "rows": [ ROW, ... ],
      "spectra": [ SPECTRUM, ... ]
    }

A ROW is flat, so the same row format is what ``crosscheck`` reads from other implementations
(as JSON, or as CSV with one column per key):

- ``"model"``: ``"classical"`` or ``"quantum"``;
- parameters, named as the CLI flags without dashes (omitted ones take the CLI defaults): those
  of :data:`exactspin.parameters.CLASSICAL` and :data:`exactspin.parameters.QUANTUM` (names,
  types and defaults are taken from there);
- observables: any numeric key of ``exactspin classical solve --json`` /
  ``exactspin quantum solve --json`` (e.g. ``left_bath_current``), each optionally with
  ``<key>_stderr`` (then it is compared in standard errors);
- ``"unit"`` (optional): the time unit of the row's currents. Classical rows: ``"per_attempt"``
  (the default and ours: per single-spin update attempt, ``"step"`` is a synonym) or
  ``"continuous"`` (per unit of continuous time = N_S x per attempt); quantum rows:
  ``"continuous"`` only (Eq. 35 is per unit time, there is no attempt);
- observables may be numbers or, for the list-valued keys of ``solve --json``
  (``bond_currents``, ``site_magnetization``, ``level_populations``, ...; ``site_currents`` also as
  an object keyed by site), lists compared element by element (in CSV: a JSON array in the cell);
  an empty cell or ``null`` means "not given";
- optional, ignored by ``crosscheck``: ``"method"`` (how the values were obtained:
  ``"closed form"``, ``"numeric exact"``, ``"redfield"``), ``"exact_decimal"`` (observable ->
  decimal string with 30 significant digits, for closed forms evaluated with mpmath),
  ``"note"``, ``"label"``.

A SPECTRUM is ``{"nu", "nd", "up", "j", "delta", "levels": [E_1 <= E_2 <= ...]}``: every energy
of the sector N_S(up up, N_S - up down) of Eq. 22, with multiplicity (``j`` defaults to 1 and
``delta`` to 0). ``crosscheck`` compares the sorted levels one by one with our exact spectrum.

Classical currents are per single-spin update attempt (continuous time / N_S), the steady state
of CCA rings weights the closed classes by their size (uniform initial distribution). Quantum
observables are those of the Redfield steady state in the given sector (Eqs. 26-35).
"""

from __future__ import annotations

from exactspin.parameters import CLASSICAL, QUANTUM

SCHEMA_NAME = "exactspin-reference"
SCHEMA_VERSION = 1

MODELS = ("classical", "quantum")
CLASSICAL_PARAMETERS = CLASSICAL.names
QUANTUM_PARAMETERS = QUANTUM.names
INTEGER_PARAMETERS = tuple(
    dict.fromkeys(p.name for spec in (CLASSICAL, QUANTUM) for p in spec.parameters if p.kind is int)
)
STRING_PARAMETERS = tuple(
    dict.fromkeys(p.name for spec in (CLASSICAL, QUANTUM) for p in spec.parameters if p.kind is str)
)

#: Time units of a row's currents (the ``"unit"`` key).
UNIT_PER_ATTEMPT = "per_attempt"
UNIT_CONTINUOUS = "continuous"
#: Spellings accepted for each unit (``"step"`` is what ``classical solve --json`` prints).
UNIT_SPELLINGS = {
    "per_attempt": UNIT_PER_ATTEMPT,
    "step": UNIT_PER_ATTEMPT,
    "continuous": UNIT_CONTINUOUS,
}
#: The unit a row has when it gives none, by model.
DEFAULT_UNITS = {"classical": UNIT_PER_ATTEMPT, "quantum": UNIT_CONTINUOUS}
#: Units each model's currents can be given in.
MODEL_UNITS = {"classical": (UNIT_PER_ATTEMPT, UNIT_CONTINUOUS), "quantum": (UNIT_CONTINUOUS,)}

#: Keys of a SPECTRUM entry: integers, numbers (with defaults) and the level list.
SPECTRUM_INTEGER_KEYS = ("nu", "nd", "up")
SPECTRUM_NUMBER_DEFAULTS = {name: QUANTUM[name].default for name in ("j", "delta")}
SPECTRUM_LEVELS = "levels"

UNITS = (
    "classical currents per single-spin update attempt (continuous time / N_S); CCA steady "
    "state weights closed classes by size; quantum: Redfield steady state in the given "
    "magnetization sector, bath currents positive from the bath into the ring, branch currents "
    "clockwise-positive"
)
