"""Tutorial: Fig. 5(a) of the paper three ways: sparse exact solver, Monte Carlo, closed form.

Fig. 5(a) plots the heat currents of a Q2R ring with N_U = 2, N_D = 3, J1 = 2, J2 = 1.9 and
T_R = 0.1 against T_L: the two branch currents circulate clockwise (I_U > 0 and I_D > 0, so
|I_U| > |I_L|: current magnification) over most of the range. We compute it

1. with the sparse exact master-equation solver (:func:`exactspin.classical.solve`),
2. with random-sequential Monte Carlo (:func:`exactspin.montecarlo.simulate`), whose error bars
   must cover the exact values, and
3. with the symbolic closed form (:func:`exactspin.classical.symbolic.derive`), which must agree
   with the sparse solver to rounding.

Currents are per single-spin update attempt (see the conventions). Run it with
``python docs/tutorials/fig5a_three_ways.py [--out DIR]``; it writes ``fig5a_three_ways.png`` to
DIR and exits with status 1 if any of the three ways disagrees with another.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import matplotlib
import mpmath
import sympy

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from exactspin.classical import ClassicalModel, solve  # noqa: E402
from exactspin.classical.symbolic import derive  # noqa: E402
from exactspin.montecarlo import simulate  # noqa: E402
from exactspin.ring import Ring  # noqa: E402
from exactspin.sweep.plot import REGIME_ALPHA, REGIME_COLOURS, regime_spans  # noqa: E402

#: The Fig. 5 point with T_L left free (the paper's caption).
FIG5 = dict(nu=2, nd=3, j1=2.0, j2=1.9, tr=0.1)
#: T_L values of the figure (those of examples/sweep_fig5a.toml).
LEFT_TEMPERATURES = [0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0]
#: Where Monte Carlo runs: below T_L ~ 1 the currents are too small for a short run to resolve.
MONTE_CARLO_TEMPERATURES = [1.0, 2.0, 4.0, 8.0]
MONTE_CARLO_STEPS = 4 * 10**6
MONTE_CARLO_REPLICAS = 2
#: |Monte Carlo - exact| must stay below this many standard errors (fixed seed).
SIGMAS = 5.0
#: The closed form and the sparse solver must agree to this (relative to the current scale).
CLOSED_FORM_RTOL = 1e-9
NAMES = ("left_bath_current", "upper_branch_current", "lower_branch_current")
SYMBOLS = {"left_bath_current": "I_L", "upper_branch_current": "I_U", "lower_branch_current": "I_D"}


def sparse_exact() -> list:
    """Way 1: the exact steady state on every T_L of the figure."""
    print("1. sparse exact solver, N_U=2, N_D=3, J1=2, J2=1.9, T_R=0.1")
    print(f"{'T_L':>6} {'I_L':>12} {'I_U':>12} {'I_D':>12}  circulation  ratio")
    solutions = []
    for tl in LEFT_TEMPERATURES:
        solution = solve(ClassicalModel.from_parameters(**FIG5, tl=tl))
        solutions.append(solution)
        print(
            f"{tl:>6g} {solution.left_bath_current:>12.5e} {solution.upper_branch_current:>12.5e}"
            f" {solution.lower_branch_current:>12.5e}  {solution.circulation:<11}  "
            f"{solution.magnification_ratio:.4f}"
        )
    return solutions


def monte_carlo(exact_by_temperature: dict) -> tuple[list, bool]:
    """Way 2: Monte Carlo at a few T_L, each current compared with the exact one in stderr."""
    print(f"\n2. Monte Carlo, {MONTE_CARLO_REPLICAS} replicas x {MONTE_CARLO_STEPS:.0e} steps")
    print(f"{'T_L':>6} {'current':<8} {'Monte Carlo':>24} {'exact':>12} {'z':>6}")
    results, agree = [], True
    for index, tl in enumerate(MONTE_CARLO_TEMPERATURES):
        result = simulate(
            ClassicalModel.from_parameters(**FIG5, tl=tl),
            steps=MONTE_CARLO_STEPS,
            replicas=MONTE_CARLO_REPLICAS,
            seed=index,
        )
        results.append(result)
        exact = exact_by_temperature[tl]
        for name in NAMES:
            value, stderr = getattr(result, name), getattr(result, name + "_stderr")
            z = (value - getattr(exact, name)) / stderr
            agree &= abs(z) < SIGMAS
            print(
                f"{tl:>6g} {SYMBOLS[name]:<8} {value:>12.5e} +- {stderr:.1e} "
                f"{getattr(exact, name):>12.5e} {z:>6.2f}"
            )
        print(f"{'':>6} circulation: {result.circulation} (exact: {exact.circulation})")
    return results, agree


def closed_form() -> tuple[list, bool]:
    """Way 3: the closed form, derived once, evaluated on every T_L.

    The closed form of the Fig. 5 ring itself (2^7 states in four exponential variables) takes
    far longer than a tutorial should; the same couplings on the ring N_U = 1, N_D = 2 (2^5
    states) show the same clockwise magnification, and the derivation takes seconds.
    """
    ring = dict(FIG5, nu=1, nd=2)
    print("\n3. closed form, ring N_U=1, N_D=2 with the same couplings (J1 >= J2 > 0)")
    solution = derive(Ring(ring["nu"], ring["nd"]), couplings="upper_stronger")
    print(f"   exponential variables: {', '.join(f'{s} = {d}' for s, d in solution.variables)}")
    # SymbolicSolution.evaluate gives every probability too; for a curve, compile the currents
    # once (mpmath, 50 digits: near T_L = T_R they are differences of nearly equal terms).
    symbols = [solution.symbols[name] for name in ("J1", "J2", "beta_L", "beta_R")]
    currents = solution.currents(physical=True)
    function = sympy.lambdify(symbols, [currents[name] for name in NAMES], "mpmath")
    print(f"{'T_L':>6} {'I_U closed form':>16} {'I_U sparse':>16} {'max rel. diff':>14}")
    rows, agree = [], True
    for tl in LEFT_TEMPERATURES:
        with mpmath.workdps(50):
            exact = function(
                *(mpmath.mpf(repr(v)) for v in (ring["j1"], ring["j2"])),
                1 / mpmath.mpf(repr(tl)),
                1 / mpmath.mpf(repr(ring["tr"])),
            )
            values = {name: float(value) for name, value in zip(NAMES, exact, strict=True)}
        sparse = solve(ClassicalModel.from_parameters(**ring, tl=tl))
        scale = max(abs(getattr(sparse, name)) for name in NAMES)
        difference = max(abs(values[name] - getattr(sparse, name)) for name in NAMES) / scale
        agree &= difference < CLOSED_FORM_RTOL
        rows.append((tl, values, sparse))
        print(
            f"{tl:>6g} {values['upper_branch_current']:>16.9e} "
            f"{sparse.upper_branch_current:>16.9e} {difference:>14.1e}"
        )
    return rows, agree


def shade(axes, temperatures, circulations) -> None:
    for start, end, label in regime_spans(temperatures, circulations):
        axes.axvspan(start, end, color=REGIME_COLOURS[label], alpha=REGIME_ALPHA, lw=0)


def plot(path: Path, solutions: list, results: list, rows: list) -> None:
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    shade(left, LEFT_TEMPERATURES, [s.circulation for s in solutions])
    for name, colour in zip(NAMES, ("black", "tab:blue", "tab:red"), strict=True):
        left.plot(
            LEFT_TEMPERATURES,
            [getattr(s, name) for s in solutions],
            color=colour,
            label=f"{SYMBOLS[name]} sparse exact",
        )
        left.errorbar(
            MONTE_CARLO_TEMPERATURES,
            [getattr(r, name) for r in results],
            yerr=[getattr(r, name + "_stderr") for r in results],
            fmt="o",
            color=colour,
            capsize=3,
            label=f"{SYMBOLS[name]} Monte Carlo",
        )
    left.set(
        xlabel="T_L",
        ylabel="current per update attempt",
        title="Fig. 5(a): N_U=2, N_D=3, J1=2, J2=1.9, T_R=0.1",
    )
    left.legend(fontsize=7)
    temperatures = [tl for tl, _, _ in rows]
    shade(right, temperatures, [sparse.circulation for _, _, sparse in rows])
    for name, colour in zip(NAMES, ("black", "tab:blue", "tab:red"), strict=True):
        right.plot(
            temperatures,
            [getattr(sparse, name) for _, _, sparse in rows],
            color=colour,
            label=f"{SYMBOLS[name]} sparse exact",
        )
        right.plot(
            temperatures,
            [values[name] for _, values, _ in rows],
            "x",
            color=colour,
            label=f"{SYMBOLS[name]} closed form",
        )
    right.set(xlabel="T_L", title="closed form vs sparse: N_U=1, N_D=2, same couplings")
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="directory for the figure (default: temporary)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="exactspin-fig5a-"))
    out.mkdir(parents=True, exist_ok=True)

    solutions = sparse_exact()
    results, monte_carlo_agrees = monte_carlo(dict(zip(LEFT_TEMPERATURES, solutions, strict=True)))
    rows, closed_form_agrees = closed_form()
    plot(out / "fig5a_three_ways.png", solutions, results, rows)
    print("\nfigure written: fig5a_three_ways.png")
    if not (monte_carlo_agrees and closed_form_agrees):
        print(
            f"DISAGREEMENT: Monte Carlo within {SIGMAS} stderr: {monte_carlo_agrees}; "
            f"closed form within {CLOSED_FORM_RTOL}: {closed_form_agrees}"
        )
        return 1
    print(
        f"Monte Carlo agrees within {SIGMAS:g} standard errors, the closed form to "
        f"{CLOSED_FORM_RTOL:g}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
