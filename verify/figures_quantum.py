"""Every panel of the paper's quantum Figs. 10 and 11, under both zero-frequency conventions.

Each PNG has two panels side by side: ``zero_frequency="limit"`` (W(0) = T) on the left and
``"zero"`` (W(0) = 0) on the right; circulation regimes shaded as in the paper. Only the public
API is used; the sweeps are those of :mod:`verify.claims_quantum`.
"""

from __future__ import annotations

import numpy as np

from verify import plotting
from verify.checks import Figure, FigureResult, engine
from verify.claims_quantum import CONVENTIONS, sweep
from verify.crosschecks_quantum import exact_level_values, quantum_parameters

TITLES = tuple(f"zero_frequency={c!r} (W(0)={'T' if c == 'limit' else '0'})" for c in CONVENTIONS)
CURRENTS = ("left_bath_current", "upper_branch_current", "lower_branch_current")


def _deltas(quick: bool, start=-4.0, stop=4.0, count=81, skip_zero=False):
    values = np.round(np.linspace(start, stop, 17 if quick else count), 10)
    if skip_zero:
        values = values[values != 0.0]
    return values


def _current_panel(name, caption, overrides, variable, values, quick, directory, extras=False):
    figure, axes = plotting.new_pair(
        caption.split(":")[0], plotting.QUANTUM_LABELS[variable], titles=TITLES
    )
    data = {}
    for ax, convention in zip(axes, CONVENTIONS, strict=True):
        points = sweep(quantum_parameters(**overrides, zero_frequency=convention), variable, values)
        xs = [p[variable] for p in points]
        for key in CURRENTS:
            symbol, colour = plotting.CURRENT_STYLES[key]
            ax.plot(xs, [p[key] for p in points], color=colour, label=symbol)
        if extras:
            ax.plot(
                xs,
                [0.2 * p["zz_correlation_23"] for p in points],
                "k--",
                label=r"$0.2\,\langle \sigma^z_2 \sigma^z_3 \rangle$ (no unit)",
            )
            ax.plot(
                xs,
                [0.2 * p["concurrence_23"] for p in points],
                "k:",
                label=r"$0.2\,C_{23}$ (no unit)",
            )
        # Regime ends at the zeros of I_U, I_D (quantum boundaries), not at grid midpoints.
        found = engine("exactspin.boundaries", "quantum_boundaries")(
            engine("exactspin.quantum", "QuantumModel").from_parameters(
                **quantum_parameters(**overrides, zero_frequency=convention)
            ),
            variable,
            float(min(values)),
            float(max(values)),
            points=len(values),
        )
        regimes = plotting.shade_exact_regimes(ax, found.regimes)
        ax.axhline(0, color="black", lw=0.5)
        plotting.legend(ax, regimes)
        data[convention] = points
        data[f"{convention}_boundaries"] = found.to_dict()
    path = plotting.save(figure, directory, name)
    return FigureResult(
        name, caption, path, "made", "shading from exact boundaries (quantum boundaries)", data
    )


def fig10a(quick, directory):
    return _current_panel(
        "fig10a",
        "Fig. 10a: currents vs Delta, 5(3up2down), N_U=2, N_D=1, T_L=2, T_R=1, J=1",
        {},
        "delta",
        _deltas(quick),
        quick,
        directory,
    )


def fig10b(quick, directory):
    return _current_panel(
        "fig10b",
        "Fig. 10b: currents vs Delta, 5(2up3down)",
        {"up": 2},
        "delta",
        _deltas(quick),
        quick,
        directory,
    )


def fig10c(quick, directory):
    return _current_panel(
        "fig10c",
        "Fig. 10c: currents vs Delta, 6(4up2down), N_U=3, N_D=1 "
        "(Delta=0 omitted: steady state not unique)",
        {"nu": 3, "nd": 1, "up": 4},
        "delta",
        _deltas(quick, skip_zero=True),
        quick,
        directory,
    )


def fig10d(quick, directory):
    temperatures = np.round(np.geomspace(1.05, 50.0, 8 if quick else 30), 8)
    return _current_panel(
        "fig10d",
        "Fig. 10d: currents, 0.2 <sz_2 sz_3> and 0.2 concurrence "
        "C_23 vs T_L at Delta=2.1 (5(3up2down), T_R=1)",
        {"delta": 2.1},
        "tl",
        temperatures,
        quick,
        directory,
        extras=True,
    )


def _levels(deltas):
    return np.array(exact_level_values(5, 3, deltas))


def _level_panel(name, caption, deltas, directory):
    levels = _levels(deltas)
    figure, axes = plotting.new_axes(
        caption.split(":")[0], plotting.QUANTUM_LABELS["delta"], plotting.QUANTUM_ENERGY_LABEL
    )
    # Columns are the levels with multiplicity in ascending energy at each Delta (E_1 lowest).
    # Each line is labelled at its right end; degenerate levels (the momentum +-k doublets)
    # share one label, "E_1,2", instead of printing on top of each other.
    for k in range(levels.shape[1]):
        axes.plot(deltas, levels[:, k], lw=1, color=f"C{k % 10}")
    groups: list[list[int]] = []
    for k in range(levels.shape[1]):
        if groups and abs(levels[-1, k] - levels[-1, groups[-1][0]]) < 1e-9:
            groups[-1].append(k)
        else:
            groups.append([k])
    for group in groups:
        axes.annotate(
            "$E_{" + ",".join(str(k + 1) for k in group) + "}$",
            (deltas[-1], levels[-1, group[0]]),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=7,
            color=f"C{group[0] % 10}",
            va="center",
        )
    span = deltas[-1] - deltas[0]
    axes.set_xlim(deltas[0], deltas[-1] + 0.14 * span)
    path = plotting.save(figure, directory, name)
    return FigureResult(
        name,
        caption,
        path,
        "made",
        data={"delta": list(map(float, deltas)), "levels": levels.tolist()},
    )


def fig11a(quick, directory):
    return _level_panel(
        "fig11a",
        "Fig. 11a: the 10 levels of 5(3up2down) vs Delta (J=1), E_k ascending, labelled at "
        "the right edge; E4 "
        "and E5 of the nondegenerate ones cross at Delta=0",
        np.linspace(-1, 1, 41 if quick else 201),
        directory,
    )


def fig11e(quick, directory):
    return _level_panel(
        "fig11e",
        "Fig. 11e: the levels of 5(3up2down) for Delta in [-15, 15]",
        np.linspace(-15, 15, 61 if quick else 301),
        directory,
    )


def _observable_panel(
    name, caption, ylabel, extract, quick, directory, tl_values=(2.0,), symbol="", log=False
):
    # Delta = 0 itself is left out: E4 and E5 cross there, so the distinct levels merge and a
    # population per level is not defined; points close to 0 on both sides show the inversion.
    near_zero = (-0.1, -0.03, -0.01, 0.01, 0.03, 0.1)
    deltas = np.round(np.union1d(np.linspace(-1.0, 1.0, 10 if quick else 40), near_zero), 10)
    figure, axes = plotting.new_pair(
        caption.split(":")[0], plotting.QUANTUM_LABELS["delta"], ylabel, titles=TITLES
    )
    data = {}
    for ax, convention in zip(axes, CONVENTIONS, strict=True):
        data[convention] = {}
        for tl in tl_values:
            points = sweep(quantum_parameters(zero_frequency=convention, tl=tl), "delta", deltas)
            rows = [np.atleast_1d(extract(p)) for p in points]
            # Distinct levels merge at crossings (Delta = 0): pad the shorter rows with NaN.
            width = max(len(r) for r in rows)
            series = np.array(
                [np.pad(r, (0, width - len(r)), constant_values=np.nan) for r in rows]
            )
            if series.ndim == 1:
                series = series[:, None]
            for k in range(series.shape[1]):
                label = f"$T_L$ = {tl:g} J" if len(tl_values) > 1 else f"${symbol}_{{{k + 1}}}$"
                ax.plot(deltas, series[:, k], lw=1, label=label)
            data[convention][str(tl)] = points
        if log:
            # The population inversion near Delta = 0 is between populations orders of
            # magnitude apart; on a linear axis the small ones are flat on the floor.
            ax.set_yscale("log")
        plotting.legend(ax, fontsize=6, ncol=2)
    path = plotting.save(figure, directory, name)
    return FigureResult(name, caption, path, "made", data=data)


def fig11b(quick, directory):
    return _observable_panel(
        "fig11b",
        "Fig. 11b: populations P_k of the sector levels (ascending energy) vs Delta, log "
        "scale so that the inversion near Delta = 0 shows",
        "population $P_k$ (no unit, log scale)",
        lambda p: p["level_populations"],
        quick,
        directory,
        symbol="P",
        log=True,
    )


def fig11c(quick, directory):
    return _observable_panel(
        "fig11c",
        "Fig. 11c: single-spin magnetizations M_k vs Delta",
        r"magnetization $M_k = \mathrm{Tr}(\sigma^z_k \rho)$ (no unit)",
        lambda p: p["site_magnetization"],
        quick,
        directory,
        symbol="M",
    )


def fig11d(quick, directory):
    return _observable_panel(
        "fig11d",
        "Fig. 11d: ergotropy vs Delta (T_L = 2 and 4)",
        "ergotropy (J)",
        lambda p: p["ergotropy"],
        quick,
        directory,
        tl_values=(2.0, 4.0),
    )


def fig11f(quick, directory):
    deltas = _deltas(quick, -15.0, 15.0, 121)
    figure, axes = plotting.new_pair(
        "Fig. 11f",
        plotting.QUANTUM_LABELS["delta"],
        r"$|I|$ ($J^2/\hbar$, log scale)",
        titles=TITLES,
    )
    data = {}
    for ax, convention in zip(axes, CONVENTIONS, strict=True):
        points = sweep(quantum_parameters(zero_frequency=convention), "delta", deltas)
        for key in CURRENTS:
            symbol, colour = plotting.CURRENT_STYLES[key]
            ax.semilogy(deltas, [abs(p[key]) for p in points], color=colour, label=f"|{symbol}|")
        regimes = plotting.shade_regimes(ax, deltas, [p["circulation"] for p in points])
        plotting.legend(ax, regimes)
        data[convention] = points
    path = plotting.save(figure, directory, "fig11f")
    caption = (
        "Fig. 11f: |currents| (log scale) vs Delta in [-15, 15], 5(3up2down); shading "
        "keeps the circulation regimes"
    )
    return FigureResult("fig11f", caption, path, "made", data=data)


FIGURES = tuple(
    Figure(function.__name__, (function.__doc__ or function.__name__), function)
    for function in (fig10a, fig10b, fig10c, fig10d, fig11a, fig11b, fig11c, fig11d, fig11e, fig11f)
)
