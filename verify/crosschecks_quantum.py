"""Cross-checks of the quantum engines against independent twins, across sizes.

- exact spectra (momentum blocks) vs dense numeric diagonalization of Eq. 22 built here from
  Kronecker products, every sector with N_S <= 6;
- dense vs matrix-free Redfield steady state;
- ours vs QuTiP's non-secular Bloch-Redfield steady state, N_S = 5 and 6, both zero-frequency
  conventions (QuTiP is a test dependency: without it the check is "not run").
"""

from __future__ import annotations

import numpy as np

from exactspin.parameters import QUANTUM
from verify import oracles
from verify.checks import (
    CROSSCHECK,
    NOT_RUN,
    Check,
    CheckResult,
    Row,
    compare_row,
    engine,
    rows_verdict,
)

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)
SHORT = {
    "left_bath_current": "I_L",
    "right_bath_current": "I_R",
    "upper_branch_current": "I_U",
    "lower_branch_current": "I_D",
}
SPECTRUM_ATOL = 1e-9
#: Ours vs QuTiP and dense vs matrix-free: relative to the largest current of the point.
REDFIELD_RTOL = 1e-6


def quantum_parameters(**overrides) -> dict:
    """The Fig. 10 defaults (5(3 up 2 down), N_U=2, N_D=1, T_L=2, T_R=1, J=1) with overrides."""
    parameters = {**QUANTUM.defaults(), "delta": 2.1}
    parameters.update(overrides)
    return parameters


def solve_quantum(parameters: dict, **options):
    """Our Redfield steady state at ``parameters`` (CLI names)."""
    model_class = engine("exactspin.quantum", "QuantumModel")
    solve = engine("exactspin.quantum", "solve")
    return solve(model_class.from_parameters(**parameters), **options)


def exact_level_values(sites: int, up: int, anisotropies, exchange: float = 1.0) -> list:
    """Every level (with multiplicity, ascending) of the exact spectrum at each Delta."""
    exact_levels = engine("exactspin.quantum.spectrum", "exact_levels")
    spectrum = exact_levels(sites, up)
    result = []
    for anisotropy in anisotropies:
        levels = spectrum.evaluate(exchange=repr(exchange), anisotropy=repr(float(anisotropy)))
        result.append(sorted(float(e) for e, count in levels for _ in range(count)))
    return result


def spectra_vs_diagonalization(quick: bool) -> CheckResult:
    """Exact levels == eigvalsh of the Kronecker-built Hamiltonian, every sector N_S <= 6."""
    rows = []
    deltas = (2.1,) if quick else (-1.3, 0.0, 2.1)
    for sites in range(2, 7):
        for up in range(sites + 1):
            for delta, levels in zip(deltas, exact_level_values(sites, up, deltas), strict=True):
                ours = np.asarray(levels)
                dense = np.linalg.eigvalsh(oracles.sector_hamiltonian(sites, up, 1.0, delta))
                if ours.shape != dense.shape:
                    difference = float("inf")
                else:
                    difference = float(np.max(np.abs(ours - dense)))
                verdict = "passed" if difference <= SPECTRUM_ATOL else "failed"

                rows.append(
                    Row(
                        f"N_S={sites} up={up} Delta={delta}",
                        float(ours.sum()),
                        float(dense.sum()),
                        difference,
                        f"max |level difference| (tol {SPECTRUM_ATOL:g})",
                        verdict,
                        f"{len(dense)} levels",
                    )
                )
    return CheckResult(
        "spectra_vs_diagonalization",
        CROSSCHECK,
        "exact spectra == numeric diagonalization of Eq. 22 (every sector with N_S <= 6)",
        f"{len(rows)} sectors, largest level difference {max(r.difference for r in rows):.1e}",
        "J = 1; 'ours'/'other' columns show the sum of the levels; Pauli matrices as in Eq. 22",
        rows_verdict(rows),
        rows=tuple(rows),
    )


def _points(quick: bool) -> list[dict]:
    rings = [dict(nu=2, nd=1, up=3), dict(nu=2, nd=1, up=2), dict(nu=3, nd=1, up=4)]
    if not quick:
        rings.append(dict(nu=3, nd=1, up=3))
    deltas = (-1.0, 2.1) if quick else (-1.0, 0.5, 2.1)
    return [
        quantum_parameters(**ring, delta=delta, zero_frequency=convention)
        for ring in rings
        for delta in deltas
        for convention in ("limit", "zero")
    ]


def _label(parameters: dict) -> str:
    sites = parameters["nu"] + parameters["nd"] + 2
    return (
        f"{sites}({parameters['up']}up) N_U={parameters['nu']} Delta={parameters['delta']} "
        f"{parameters['zero_frequency']}"
    )


def _not_unique(parameters: dict, solution) -> Row:
    """A "not run" row: with several steady states the solvers may pick different members."""
    nan = float("nan")
    note = f"steady state not unique (dimension {solution.steady_state_dimension})"
    return Row(_label(parameters), nan, nan, nan, "relative", NOT_RUN, note)


def ours_vs_qutip(quick: bool) -> CheckResult:
    """Our Redfield currents == QuTiP non-secular Bloch-Redfield, N_S = 5, 6."""
    rows, data = [], []
    for parameters in _points(quick):
        ours = solve_quantum(parameters)
        if ours.steady_state_dimension > 1:
            rows.append(_not_unique(parameters, ours))
            continue
        reference = oracles.qutip_steady_state(parameters)
        scale = max(abs(reference[name]) for name in CURRENTS)
        for name in CURRENTS:
            rows.append(
                compare_row(
                    f"{_label(parameters)} {SHORT[name]}",
                    getattr(ours, name),
                    reference[name],
                    REDFIELD_RTOL,
                    scale,
                )
            )
        data.append({"parameters": parameters, "qutip": reference})
    return CheckResult(
        "ours_vs_qutip",
        CROSSCHECK,
        "our Redfield steady-state currents == QuTiP 5 bloch_redfield_tensor (sec_cutoff=-1), "
        "N_S = 5, 6, both zero-frequency conventions",
        f"{len(rows)} currents, largest relative difference "
        f"{max(r.difference for r in rows if r.verdict != NOT_RUN):.1e}; "
        f"{sum(r.verdict == NOT_RUN for r in rows)} points with a non-unique steady state skipped",
        "QuTiP spectrum S(w) = 2 gamma W(-w); Hamiltonian built independently from Pauli "
        "matrices; differences relative to the largest current of the point",
        rows_verdict(rows),
        rows=tuple(rows),
        data={"points": data},
    )


def dense_vs_matrix_free(quick: bool) -> CheckResult:
    """The dense and the matrix-free Redfield solvers give the same steady state."""
    rows = []
    for parameters in _points(quick):
        dense = solve_quantum(parameters, method="dense")
        if dense.steady_state_dimension > 1:
            rows.append(_not_unique(parameters, dense))
            continue
        iterative = solve_quantum(parameters, method="iterative")
        scale = max(abs(getattr(dense, name)) for name in CURRENTS)
        for name in CURRENTS:
            rows.append(
                compare_row(
                    f"{_label(parameters)} {SHORT[name]}",
                    getattr(iterative, name),
                    getattr(dense, name),
                    REDFIELD_RTOL,
                    scale,
                )
            )
    return CheckResult(
        "dense_vs_matrix_free",
        CROSSCHECK,
        "dense Redfield steady state == matrix-free (iterative) steady state",
        f"{len(rows)} currents, largest relative difference "
        f"{max(r.difference for r in rows if r.verdict != NOT_RUN):.1e}; "
        f"{sum(r.verdict == NOT_RUN for r in rows)} points with a non-unique steady state skipped",
        "ours = matrix-free, other = dense; relative to the largest current of the point",
        rows_verdict(rows),
        rows=tuple(rows),
    )


CHECKS = (
    Check(
        "spectra_vs_diagonalization",
        CROSSCHECK,
        "exact spectra == diagonalization",
        spectra_vs_diagonalization,
    ),
    Check(
        "dense_vs_matrix_free", CROSSCHECK, "dense == matrix-free Redfield", dense_vs_matrix_free
    ),
    Check("ours_vs_qutip", CROSSCHECK, "ours == QuTiP non-secular", ours_vs_qutip),
)
