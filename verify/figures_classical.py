"""Every panel of the paper's classical Figs. 4, 5, 7 and 8, recomputed.

Exact currents (numeric steady state) are lines, Monte Carlo estimates are points with error
bars (1 standard error, in the legend), circulation regimes are shaded as in the paper (green
clockwise, gray parallel, yellow anticlockwise; legend patches). Axis ranges follow the paper's
panels where the text gives them. Each panel is one :class:`verify.checks.Figure`; the panel
table below is the only place where parameters live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from exactspin.classical.model import ClassicalModel
from exactspin.parameters import CLASSICAL
from exactspin.validation import ResourceError
from verify import plotting
from verify.checks import EXACT_CCA_STATE_LIMIT, EngineMissing, Figure, FigureResult, engine

CURRENTS = ("left_bath_current", "upper_branch_current", "lower_branch_current")

#: Largest ring solved exactly in the figures (Q2R): 2^16 states; larger rings get MC only.
EXACT_SITES_LIMIT = {"quick": 12, "full": 16}


@dataclass(frozen=True)
class Panel:
    """One panel: vary ``variable`` over ``values`` around ``parameters``."""

    name: str
    caption: str
    variable: str
    values: tuple[float, ...]
    parameters: dict = field(default_factory=dict)
    currents: tuple[str, ...] = CURRENTS
    series: tuple[tuple[str, dict], ...] = ()
    correlation: tuple[int, int] | None = None
    closed_form: bool = False
    mc_points: int = 4


def _grid(start: float, stop: float, count: int = 40) -> tuple[float, ...]:
    return tuple(float(x) for x in np.round(np.linspace(start, stop, count), 10))


TL = _grid(0.1, 10.0)
TR = _grid(0.05, 4.0)
J2 = _grid(0.1, 4.0)
#: The Fig. 5 point (the classical defaults of exactspin.parameters), without the dynamics.
Q2R_DEFAULTS = {
    name: value
    for name, value in CLASSICAL.defaults().items()
    if name in ("nu", "nd", "j1", "j2", "tl", "tr")
}
CCA_SOURCES = (
    "; exact lines where the sparse solver converges (its Krylov solve fails on the stiffest "
    "low-T_L CCA rings), Monte Carlo points with error bars"
)
CCA_DEFAULTS = {**Q2R_DEFAULTS, "j2": 1.0, "dynamics": "cca", "mu": 4.0}
PAPER_SYMMETRIC = dict(j1=1.0, j2=1.0, tr=1.0)

PANELS = (
    Panel(
        "fig4a",
        "Fig. 4a: I_L vs T_L, N_U=1, N_D=0, J=1, T_R=1: Eq. 14 (dashed), exact "
        "numeric (line), Monte Carlo (points)",
        "tl",
        TL,
        dict(nu=1, nd=0, **PAPER_SYMMETRIC),
        currents=("left_bath_current",),
        closed_form=True,
        mc_points=6,
    ),
    Panel(
        "fig4b",
        "Fig. 4b: I_L, I_U, I_D vs T_L, N_U=1, N_D=0, J=1, T_R=1",
        "tl",
        TL,
        dict(nu=1, nd=0, **PAPER_SYMMETRIC),
    ),
    Panel(
        "fig4c",
        "Fig. 4c: I_L vs T_L, eight spins split (N_U, N_D) differently, J=1, T_R=1",
        "tl",
        TL,
        dict(PAPER_SYMMETRIC),
        currents=("left_bath_current",),
        series=tuple((f"N_U={u}, N_D={6 - u}", dict(nu=u, nd=6 - u)) for u in range(4)),
        mc_points=3,
    ),
    Panel(
        "fig4d",
        "Fig. 4d: currents vs N_U, N_D=4, J=1, T_L=2, T_R=0.1 (exact lines up to "
        "the size limit, Monte Carlo points beyond)",
        "nu",
        tuple(float(u) for u in range(15)),
        dict(nd=4, j1=1.0, j2=1.0, tl=2.0, tr=0.1),
    ),
    Panel(
        "fig5a",
        "Fig. 5a: currents vs T_L (J1=2, J2=1.9, T_R=0.1, N_U=2, N_D=3)",
        "tl",
        TL,
        Q2R_DEFAULTS,
    ),
    Panel(
        "fig5b",
        "Fig. 5b: currents vs T_L, N_U=3, N_D=2",
        "tl",
        TL,
        {**Q2R_DEFAULTS, "nu": 3, "nd": 2},
    ),
    Panel(
        "fig5c",
        "Fig. 5c: currents vs T_R (J1=2, J2=1.9, T_L=2, N_U=2, N_D=3)",
        "tr",
        TR,
        Q2R_DEFAULTS,
    ),
    Panel(
        "fig5d",
        "Fig. 5d: currents vs J2 (J1=2, T_L=2, T_R=0.1, N_U=2, N_D=3)",
        "j2",
        J2,
        Q2R_DEFAULTS,
    ),
    Panel(
        "fig5e",
        "Fig. 5e: currents vs N_U, N_D=4 (J1=2, J2=1.9, T_L=2, T_R=0.1; exact lines "
        "up to the size limit, Monte Carlo points beyond)",
        "nu",
        tuple(float(u) for u in range(15)),
        {**Q2R_DEFAULTS, "nd": 4},
    ),
    Panel(
        "fig5f",
        "Fig. 5f: currents and <s_2 s_3> vs T_L (Fig. 5 defaults)",
        "tl",
        TL,
        Q2R_DEFAULTS,
        correlation=(1, 2),
    ),
    Panel(
        "fig7a",
        "Fig. 7a: currents vs T_L, N_U=N_D=1 (J1=2, J2=1.9, T_R=0.1)",
        "tl",
        TL,
        {**Q2R_DEFAULTS, "nu": 1, "nd": 1},
    ),
    Panel(
        "fig7b",
        "Fig. 7b: currents vs J2, N_U=N_D=1 (J1=2, T_L=2, T_R=0.1)",
        "j2",
        J2,
        {**Q2R_DEFAULTS, "nu": 1, "nd": 1},
    ),
    Panel(
        "fig8a",
        "Fig. 8a: CCA currents vs T_L, J1=J2=1 (mu=4, T_R=0.1, N_U=2, N_D=3)" + CCA_SOURCES,
        "tl",
        _grid(0.1, 10.0, 25),
        {**CCA_DEFAULTS, "j1": 1.0, "j2": 1.0},
    ),
    Panel(
        "fig8b",
        "Fig. 8b: CCA currents vs T_L (J1=2, J2=1, mu=4, T_R=0.1)" + CCA_SOURCES,
        "tl",
        _grid(0.1, 10.0, 25),
        CCA_DEFAULTS,
    ),
    Panel(
        "fig8c",
        "Fig. 8c: CCA currents vs T_R (J1=2, J2=1, mu=4, T_L=2)" + CCA_SOURCES,
        "tr",
        _grid(0.05, 4.0, 25),
        CCA_DEFAULTS,
    ),
    Panel(
        "fig8d",
        "Fig. 8d: CCA currents vs mu (J1=2, J2=1, T_L=2, T_R=0.1)" + CCA_SOURCES,
        "mu",
        (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0, 16.0),
        CCA_DEFAULTS,
    ),
)


def _model(parameters: dict, variable: str, value: float) -> ClassicalModel:
    values = dict(parameters)
    values[variable] = int(value) if variable in ("nu", "nd") else value
    return ClassicalModel.from_parameters(**values)


def _thin(values: tuple[float, ...], quick: bool) -> tuple[float, ...]:
    if not quick or len(values) <= 10:
        return values
    step = max(1, len(values) // 10)
    return values[::step]


def _exact_series(panel: Panel, parameters: dict, values, quick: bool) -> dict:
    solve = engine("exactspin.classical", "solve")
    limit = EXACT_SITES_LIMIT["quick" if quick else "full"]
    rows = {"x": [], "circulation": [], "correlation": [], "exact_not_converged": []} | {
        name: [] for name in CURRENTS
    }
    for value in values:
        model = _model(parameters, panel.variable, value)
        if model.sites > limit or (
            model.dynamics == "cca"
            and model.state_count > EXACT_CCA_STATE_LIMIT["quick" if quick else "full"]
        ):
            continue
        try:
            solution = solve(model)
        except ResourceError:
            continue
        except ArithmeticError:
            # Recorded, not hidden: the Monte Carlo points cover these parameters.
            rows["exact_not_converged"].append(value)
            continue
        rows["x"].append(value)
        rows["circulation"].append(solution.circulation)
        for name in CURRENTS:
            rows[name].append(getattr(solution, name))
        if panel.correlation is not None:
            rows["correlation"].append(solution.correlation(*panel.correlation))
    return rows


#: Swept parameters whose regimes are shaded from exact boundaries (zeros of I_U, I_D).
EXACT_SHADING = ("tl", "tr", "j2")


def _shade(axes, panel: Panel, parameters: dict, exact: dict, values) -> tuple[tuple, str]:
    """Shade from the zeros of I_U and I_D (classical boundaries) for Q2R panels over T_L,
    T_R or J2; CCA panels and size sweeps keep the sampled labels, and say so."""
    model = _model(parameters, panel.variable, values[0])
    if panel.variable in EXACT_SHADING and model.dynamics == "q2r" and len(exact["x"]) > 1:
        boundaries = engine("exactspin.boundaries", "classical_boundaries")
        found = boundaries(model, panel.variable, min(values), max(values), points=len(values))
        return plotting.shade_exact_regimes(axes, found.regimes), (
            "shading from exact boundaries: "
            + (", ".join(f"{z.name} = 0 at {z.value:.10g}" for z in found.zeros) or "none")
        )
    shaded = plotting.shade_regimes(axes, exact["x"], exact["circulation"])
    return shaded, "shading from the sampled labels" if shaded else ""


#: Monte Carlo points of Q2R rings: replicas (two multispin words) and the steps per replica as
#: a fraction of the single-chain runs' 4 x 10^6 N_S.
MULTISPIN_REPLICAS = 128
MULTISPIN_STEP_DIVISOR = 8


def _mc_series(panel: Panel, parameters: dict, values, exact_x, quick: bool) -> dict:
    simulate = engine("exactspin.montecarlo", "simulate")
    default_replicas = engine("exactspin.montecarlo.simulation", "default_replicas")
    count = 2 if quick else panel.mc_points
    if not exact_x:
        chosen = list(values[:: 3 if quick else 1])
    elif panel.variable in ("nu",):
        # Size sweeps: Monte Carlo beyond the exact limit, plus two overlap points.
        beyond = [v for v in values if v not in exact_x]
        chosen = list(exact_x[-2:]) + beyond[:: 2 if quick else 1]
    else:
        indices = np.linspace(0, len(values) - 1, count + 2)[1:-1].round().astype(int)
        chosen = [values[i] for i in sorted(set(indices))]
    rows = {"x": []} | {n: [] for n in CURRENTS} | {n + "_stderr": [] for n in CURRENTS}
    rows |= {"method": [], "replicas": [], "steps": []}
    for index, value in enumerate(chosen):
        model = _model(parameters, panel.variable, value)
        # Q2R: multispin words, 128 replicas in two words, 4x the replica updates of four
        # single chains in about a third of the time (same errors or smaller). CCA: the default
        # 17 words of 64 replicas (a CCA replica stays in its closed class; only the spread
        # between independent units estimates the spread between classes, and each word's
        # replicas start in 64 classes), each 4/17 of the steps four chains ran.
        steps = (200_000 if quick else 4_000_000) * model.sites
        replicas = None
        if model.dynamics == "q2r":
            steps //= MULTISPIN_STEP_DIVISOR
            replicas = MULTISPIN_REPLICAS
        else:
            steps = steps * 4 // (default_replicas(model.dynamics) // 64)
        estimate = simulate(
            model, steps=steps, replicas=replicas, seed=7919 * (index + 1), workers=1
        )
        rows["x"].append(value)
        rows["method"].append(estimate.method)
        rows["replicas"].append(estimate.replicas)
        rows["steps"].append(estimate.steps)
        for name in CURRENTS:
            rows[name].append(getattr(estimate, name))
            # A current with no events has no standard error; its 95% bound is drawn instead.
            error = getattr(estimate, name + "_stderr")
            rows[name + "_stderr"].append(
                error if error is not None else getattr(estimate, name + "_bound")
            )
    return rows


def draw_panel(panel: Panel, quick: bool, directory: str) -> FigureResult:
    """Compute and draw one panel."""
    values = _thin(panel.values, quick) if panel.variable != "nu" else panel.values
    series = panel.series or (("", {}),)
    figure, axes = plotting.new_axes(
        panel.caption.split(":")[0], plotting.CLASSICAL_LABELS[panel.variable]
    )
    data: dict = {"variable": panel.variable, "series": []}
    notes, regimes, error_bars_labelled = [], (), False
    for label, overrides in series:
        parameters = {**panel.parameters, **overrides}
        exact = _exact_series(panel, parameters, values, quick)
        try:
            mc = _mc_series(panel, parameters, values, exact["x"], quick)
        except EngineMissing as error:  # lines only; the report says so
            mc = None
            notes.append(f"Monte Carlo points missing ({error})")
        for name in panel.currents:
            symbol, colour = plotting.CURRENT_STYLES[name]
            text = f"{symbol} {label}".strip()
            if panel.series:
                colour = None
            line = axes.plot(exact["x"], exact[name], "-", color=colour, label=text)[0]
            if mc is not None and mc["x"]:
                axes.errorbar(
                    mc["x"],
                    mc[name],
                    yerr=mc[name + "_stderr"],
                    color=line.get_color(),
                    label=None if error_bars_labelled else plotting.MONTE_CARLO_LABEL,
                    **plotting.MONTE_CARLO_STYLE,
                )
                error_bars_labelled = True
        if panel.correlation is not None:
            axes.plot(exact["x"], exact["correlation"], "k--", label=r"$\langle s_2 s_3 \rangle$")
        if not panel.series:
            regimes, shading = _shade(axes, panel, parameters, exact, values)
            if shading:
                notes.append(shading)
        data["series"].append(
            {"label": label, "parameters": parameters, "exact": exact, "montecarlo": mc}
        )
    if panel.closed_form:
        from verify.claims_classical import paper_eq14_15_currents

        xs = np.linspace(min(values), max(values), 200)
        axes.plot(
            xs,
            [paper_eq14_15_currents(1.0, x, 1.0)["left_bath_current"] for x in xs],
            "k--",
            lw=1,
            label="Eq. 14",
        )
    axes.axhline(0, color="black", lw=0.5)
    plotting.legend(axes, regimes)
    path = plotting.save(figure, directory, panel.name)
    return FigureResult(panel.name, panel.caption, path, "made", "; ".join(notes), data)


def _figure(panel: Panel) -> Figure:
    return Figure(
        panel.name, panel.caption, lambda quick, directory: draw_panel(panel, quick, directory)
    )


FIGURES = tuple(_figure(panel) for panel in PANELS)
