"""Cross-checks of the classical engines against each other, across ring sizes.

- symbolic (sympy closed form) vs numeric exact (sparse steady state), every Q2R ring with
  N_S <= 5, random parameters;
- numeric exact vs Monte Carlo, N_S = 3..14, Q2R and CCA, difference in standard errors.

Each comparison is a table row; the check passes when every row does. Nothing here is
physics: the values come from the engines' public API.
"""

from __future__ import annotations

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.validation import ResourceError
from verify.checks import (
    CROSSCHECK,
    EXACT_CCA_STATE_LIMIT,
    NOT_RUN,
    Check,
    CheckResult,
    Row,
    compare_row,
    engine,
    rows_verdict,
    sigma_row,
)

CURRENTS = ("left_bath_current", "upper_branch_current", "lower_branch_current")
SHORT = {"left_bath_current": "I_L", "upper_branch_current": "I_U", "lower_branch_current": "I_D"}

#: Agreement required between the sympy closed form and the sparse numeric steady state.
SYMBOLIC_RTOL = 1e-9
#: Monte Carlo vs exact: pass below this many standard errors.
SIGMAS = 5.0
#: Multispin replicas of the Monte Carlo rows: 2 words for Q2R, 17 for CCA (closed classes).
MULTISPIN_REPLICAS = {"q2r": 128, "cca": 17 * 64}


def _steps_per_replica(steps_per_site: int, sites: int, replicas: int) -> int:
    """Steps per replica giving 16 x steps_per_site x N_S replica-updates (two words of 64 at
    an eighth of steps_per_site x N_S each, as the Q2R rows run)."""
    return 16 * steps_per_site * sites // replicas


def _rings_up_to(max_sites: int) -> list[tuple[int, int]]:
    return [(nu, total - nu) for total in range(0, max_sites - 1) for nu in range(total, -1, -1)]


def _random_parameters(generator: np.random.Generator) -> dict[str, float]:
    return {
        "j1": float(generator.uniform(0.5, 2.5)),
        "j2": float(generator.uniform(0.5, 2.5)),
        "tl": float(generator.uniform(0.3, 5.0)),
        "tr": float(generator.uniform(0.3, 5.0)),
    }


def symbolic_vs_numeric(quick: bool) -> CheckResult:
    """Sympy closed form vs sparse numeric steady state, every Q2R ring with N_S <= 5."""
    symbolic = engine("exactspin.classical.symbolic")
    solve = engine("exactspin.classical", "solve")
    generator = np.random.default_rng(20230320)
    rows: list[Row] = []
    data = []
    for nu, nd in _rings_up_to(3 if quick else 5):
        parameters = _random_parameters(generator)
        model = ClassicalModel.from_parameters(nu=nu, nd=nd, **parameters)
        exact = symbolic.evaluate_currents(symbolic.derive(model.ring, model.dynamics), model)
        numeric = solve(model)
        scale = max(abs(getattr(numeric, name)) for name in CURRENTS)
        for name in CURRENTS:
            label = f"N_U={nu} N_D={nd} {SHORT[name]}"
            rows.append(
                compare_row(label, exact[name], getattr(numeric, name), SYMBOLIC_RTOL, 1e-3 * scale)
            )
        data.append({"parameters": model.parameters(), "symbolic": exact})
    sizes = sorted({nu + nd + 2 for nu, nd in _rings_up_to(3 if quick else 5)})
    return CheckResult(
        "symbolic_vs_numeric",
        CROSSCHECK,
        "symbolic closed form == numeric exact steady state (Q2R, every ring with N_S <= "
        f"{max(sizes)}, random J1, J2, T_L, T_R)",
        f"{len(rows)} currents on {len(data)} rings, largest relative difference "
        f"{max(r.difference for r in rows):.1e}",
        "per-step currents; differences relative to max(|a|, |b|, 1e-3 x current scale)",
        rows_verdict(rows),
        rows=tuple(rows),
        data={"points": data},
    )


def _ring_for(sites: int) -> tuple[int, int]:
    """A ring with N_S sites and both branches as equal as possible (N_D >= N_U)."""
    upper = (sites - 2) // 2
    return upper, sites - 2 - upper


def _montecarlo_rows(
    dynamics: str, sizes: list[int], steps_per_site: int, cca_limit: int
) -> tuple[list, list]:
    solve = engine("exactspin.classical", "solve")
    simulate = engine("exactspin.montecarlo", "simulate")
    rows, data = [], []
    for index, sites in enumerate(sizes):
        nu, nd = _ring_for(sites)
        if dynamics == "q2r":
            model = ClassicalModel.from_parameters(nu=nu, nd=nd, j1=2.0, j2=1.9, tl=2.0, tr=0.5)
        else:
            model = ClassicalModel.from_parameters(
                nu=nu, nd=nd, j1=2.0, j2=1.0, tl=2.0, tr=0.5, dynamics="cca", mu=4.0
            )
        try:
            if model.state_count > cca_limit and dynamics == "cca":
                raise ResourceError(f"{model.state_count} CCA states > {cca_limit} (time budget)")
            exact = solve(model)
        except ResourceError as error:
            for name in CURRENTS:
                label = f"{dynamics} N_S={sites} ({nu},{nd}) {SHORT[name]}"
                rows.append(
                    Row(
                        label,
                        float("nan"),
                        float("nan"),
                        float("nan"),
                        "sigmas",
                        NOT_RUN,
                        f"exact solver limit: {error}",
                    )
                )
            continue
        # Multispin words of 64 replicas, 16 x steps_per_site x N_S replica-updates in all.
        # Q2R: 2 words, an eighth of steps_per_site x N_S each (16x the replica-updates of 4
        # single chains, in less time). CCA: 17 words at 2/17 of that, since a CCA chain stays
        # in its closed class and only the spread between independent words estimates the
        # spread between classes (16 degrees of freedom; 2 words leave it undetermined).
        replicas = MULTISPIN_REPLICAS[dynamics]
        estimate = simulate(
            model,
            steps=_steps_per_replica(steps_per_site, sites, replicas),
            replicas=replicas,
            seed=1000 + index,
            workers=1,
        )
        for name in CURRENTS:
            label = f"{dynamics} N_S={sites} ({nu},{nd}) {SHORT[name]}"
            undetermined = estimate.status(name) == "undetermined"
            rows.append(
                sigma_row(
                    label,
                    getattr(exact, name),
                    getattr(estimate, name),
                    getattr(estimate, name + "_stderr"),
                    SIGMAS,
                    undetermined=estimate.undetermined_reason if undetermined else "",
                )
            )
        data.append(
            {
                "parameters": model.parameters(),
                "exact": exact.to_dict(),
                "montecarlo": estimate.to_dict(),
            }
        )
    return rows, data


def _numeric_vs_montecarlo(dynamics: str, quick: bool) -> CheckResult:
    sizes = list(range(3, 7 if quick else 15))
    steps_per_site = 200_000 if quick else 2_000_000
    rows, data = _montecarlo_rows(
        dynamics, sizes, steps_per_site, EXACT_CCA_STATE_LIMIT["quick" if quick else "full"]
    )
    ran = [r for r in rows if r.verdict != NOT_RUN]
    worst = max((r.difference for r in ran), default=float("nan"))
    unsettled = sum(not point["montecarlo"]["equilibration"]["equilibrated"] for point in data)
    parameters = (
        "J1=2, J2=1.9, T_L=2, T_R=0.5" if dynamics == "q2r" else "J1=2, J2=1, mu=4, T_L=2, T_R=0.5"
    )
    return CheckResult(
        f"exact_vs_montecarlo_{dynamics}",
        CROSSCHECK,
        f"numeric exact == Monte Carlo within {SIGMAS:g} standard errors ({dynamics.upper()}, "
        f"N_S = {sizes[0]}..{sizes[-1]}, {parameters})",
        f"{len(ran)} currents compared, largest deviation {worst:.2f} sigma; "
        f"{len(rows) - len(ran)} beyond the exact solver's size limit; "
        f"{unsettled} of {len(data)} runs flagged by the burn-in check",
        f"{_steps_per_replica(steps_per_site, 1, MULTISPIN_REPLICAS[dynamics])} single-spin "
        f"steps per site x {MULTISPIN_REPLICAS[dynamics]} multispin replicas, seeded; "
        "batch-means standard errors",
        rows_verdict(rows),
        rows=tuple(rows),
        data={"points": data},
    )


def exact_vs_montecarlo_q2r(quick: bool) -> CheckResult:
    """Numeric exact vs Monte Carlo for Q2R rings, N_S = 3..14."""
    return _numeric_vs_montecarlo("q2r", quick)


def exact_vs_montecarlo_cca(quick: bool) -> CheckResult:
    """Numeric exact vs Monte Carlo for CCA rings, N_S = 3..14 (exact where it fits)."""
    return _numeric_vs_montecarlo("cca", quick)


CHECKS = (
    Check("symbolic_vs_numeric", CROSSCHECK, "symbolic == numeric exact", symbolic_vs_numeric),
    Check(
        "exact_vs_montecarlo_q2r", CROSSCHECK, "numeric exact == MC (Q2R)", exact_vs_montecarlo_q2r
    ),
    Check(
        "exact_vs_montecarlo_cca", CROSSCHECK, "numeric exact == MC (CCA)", exact_vs_montecarlo_cca
    ),
)
