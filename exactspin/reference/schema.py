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
- parameters, named as the CLI flags without dashes (omitted ones take the CLI defaults):
  classical ``dynamics, nu, nd, j1, j2, tl, tr, mu``; quantum ``nu, nd, up, j, delta, tl, tr,
  zero_frequency, gamma, omega_c``;
- observables: any numeric key of ``exactspin classical solve --json`` /
  ``exactspin quantum solve --json`` (e.g. ``left_bath_current``), each optionally with
  ``<key>_stderr`` (then it is compared in standard errors);
- optional, ignored by ``crosscheck``: ``"method"`` (how the values were obtained:
  ``"closed form"``, ``"numeric exact"``, ``"redfield"``), ``"exact_decimal"`` (observable ->
  decimal string with 30 significant digits, for closed forms evaluated with mpmath),
  ``"note"``, ``"label"``.

A SPECTRUM is ``{"nu", "nd", "up", "j", "delta", "levels": [E_1 <= E_2 <= ...]}``: every energy
of the sector N_S(up up, N_S - up down) of Eq. 22, with multiplicity.

Classical currents are per single-spin update attempt (continuous time / N_S), the steady state
of CCA rings weights the closed classes by their size (uniform initial distribution). Quantum
observables are those of the Redfield steady state in the given sector (Eqs. 26-35).
"""

from __future__ import annotations

SCHEMA_NAME = "exactspin-reference"
SCHEMA_VERSION = 1

MODELS = ("classical", "quantum")
CLASSICAL_PARAMETERS = ("dynamics", "nu", "nd", "j1", "j2", "tl", "tr", "mu")
QUANTUM_PARAMETERS = (
    "nu",
    "nd",
    "up",
    "j",
    "delta",
    "tl",
    "tr",
    "zero_frequency",
    "gamma",
    "omega_c",
)
INTEGER_PARAMETERS = ("nu", "nd", "up")
STRING_PARAMETERS = ("dynamics", "zero_frequency")

UNITS = (
    "classical currents per single-spin update attempt (continuous time / N_S); CCA steady "
    "state weights closed classes by size; quantum: Redfield steady state in the given "
    "magnetization sector, bath currents positive from the bath into the ring, branch currents "
    "clockwise-positive"
)
