"""What a Monte Carlo result could not resolve, in words: the clauses of the command line's
warning and of ``MonteCarloResult.problems`` (and the network result's).

A result with no problem is resolved, stationary and complete; each clause names what is not
(an undetermined error and why, a current with no events, a label left undetermined, a budget
spent) and what to change. Flags are named as on the command line.
"""

from __future__ import annotations

from exactspin.montecarlo.result import CURRENT_NAMES
from exactspin.montecarlo.simulation import CORRELATED_BATCHES

_UNSETTLED_REASON = f" ({CORRELATED_BATCHES})"
#: Why a label (circulation, cycle) is left undetermined on a run not shown to be stationary.
_NOT_STATIONARY = "(the run is not shown to be stationary)"


def ring_problems(result) -> tuple[str, ...]:
    """What a ring result could not resolve, one clause each (empty: nothing)."""
    problems = []
    if result.interrupted:
        problems.append(f"interrupted: {result.batches} finished batches shown")
    problems += stationarity_problems(result)
    silent = [name for name in CURRENT_NAMES if result.status(name) == "no events"]
    if silent:
        problems.append("no events for " + ", ".join(silent) + " (95% bounds shown)")
    reason = f" ({result.undetermined_reason})" if result.undetermined_reason else _UNSETTLED_REASON
    unsettled = [name for name in CURRENT_NAMES if result.status(name) == "undetermined"]
    if unsettled:
        problems.append("error undetermined for " + ", ".join(unsettled) + reason)
    if result.circulation == "undetermined":
        problems.append(
            f"circulation undetermined {_NOT_STATIONARY}"
            if result.equilibrated is not True
            else "circulation undetermined (a branch current is not resolved, or its error is "
            "undetermined)"
        )
    if (
        result.magnification_ratio_status == "undetermined"
        and not unsettled
        and result.equilibrated is True
    ):
        problems.append("magnification ratio error undetermined" + _UNSETTLED_REASON)
    problems += pair_problems(result)
    problems += budget_problems(result)
    return tuple(problems)


def network_problems(result) -> tuple[str, ...]:
    """What a network result could not resolve, one clause each (empty: nothing)."""
    problems = []
    problems += stationarity_problems(result)
    silent = [f"bath {m + 1}" for m, e in enumerate(result.bath_current_errors) if e is None]
    silent += [f"bond {b + 1}" for b, e in enumerate(result.bond_current_errors) if e is None]
    if silent:
        problems.append("no events for " + ", ".join(silent) + " (95% bounds shown)")
    unsettled = [f"bath {m + 1}" for m in result.undetermined_baths]
    unsettled += [f"bond {b + 1}" for b in result.undetermined_bonds]
    if unsettled:
        reason = result.undetermined_reason
        problems.append(
            "error undetermined for "
            + ", ".join(unsettled)
            + (f" ({reason})" if reason else _UNSETTLED_REASON)
        )
    problems += pair_problems(result)
    problems += budget_problems(result)
    if result.stop_reason == "interrupted":
        problems.append(f"interrupted: {result.batches} finished batches shown")
    undetermined = [c for c in result.cycles if c.label == "undetermined"]
    if undetermined:
        problems.append(
            f"circulation undetermined on {len(undetermined)} of {len(result.cycles)} cycles "
            + (
                _NOT_STATIONARY
                if result.equilibrated is not True
                else "(a bond current is not resolved)"
            )
        )
    return tuple(problems)


def pair_problems(result) -> list[str]:
    """The warning's part for correlations without a determined error."""
    frozen = [
        f"<s_{a + 1} s_{b + 1}> ({status})"
        for (a, b), status in zip(result.pairs, result.pair_correlations_status, strict=True)
        if status != "determined"
    ]
    return ["correlation error undetermined for " + ", ".join(frozen)] if frozen else []


def budget_problems(result) -> list[str]:
    """The warning's part for a budget spent: a target missed, or a planned run cut short."""
    if result.stop_reason == "step budget" or (
        result.stop_reason == "time budget" and result.target_stderr is not None
    ):
        return [f"target not reached ({result.stop_reason} spent)"]
    if result.stop_reason == "time budget":
        return [
            f"time budget (--max-seconds) spent after {result.steps} measured steps per replica"
        ]
    return []


def stationarity_problems(result) -> list[str]:
    """The warning's part for a run that is not, or cannot be shown to be, stationary."""
    if result.equilibrated is None:
        return [f"stationarity undetermined ({result.equilibration_reason})"]
    if not result.equilibrated and result.burn_in == 0:
        # Nothing discarded: the start's energy stays in the window however long the run.
        return [
            f"the run does not look stationary ({result.equilibration_reason}); discard a "
            "start (--burn-in above 0, or 'auto')"
        ]
    if not result.equilibrated:
        return [
            f"the run does not look stationary ({result.equilibration_reason}); increase "
            "--burn-in or --steps"
            + (", or use --target-stderr" if result.stop_reason == "steps" else "")
        ]
    return []
