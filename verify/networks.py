"""The report's network rows: three-branch junction, ring with three baths, ring with a field.

Each network is solved by two or more independent engines and the rows compare them:

- classical (Q2R): the exact sparse solver (computed error bounds) against the Monte Carlo on
  the network's neighbour lists (5 standard errors), and Kirchhoff at every site from the
  exact bond currents (within the bounds);
- quantum (Redfield, Eq. 26 on the network): the dense steady state against the iterative
  (matrix-free) one, the bath currents' sum against 0 and the continuity of energy at every bond.

The networks are built by :mod:`exactspin.network.builders` (written out in
``examples/networks/``). No physics here beyond bookkeeping; engines come from the public API.
"""

from __future__ import annotations

import math

from verify.checks import (
    CROSSCHECK,
    Check,
    CheckResult,
    Figure,
    FigureResult,
    Row,
    compare_row,
    engine,
    rows_verdict,
    sigma_row,
)

SIGMAS = 5.0

#: Relative agreement asked of two exact solves of one quantum network (dense vs iterative):
#: both carry computed bounds far below this on these small sectors.
QUANTUM_RTOL = 1e-8


def classical_networks():
    """(label, network) for the classical rows."""
    builders = engine("exactspin.network")
    return (
        ("three-branch junction", builders.three_branch_junction()),
        ("ring with three baths", builders.three_bath_ring()),
    )


def quantum_networks():
    """(label, network) for the quantum rows."""
    builders = engine("exactspin.network")
    return (
        ("three-branch junction", builders.three_branch_junction(quantum=True, anisotropy=0.5)),
        ("ring with three baths", builders.three_bath_ring(quantum=True, anisotropy=0.5)),
        ("ring with an inhomogeneous field", builders.inhomogeneous_field_ring()),
    )


def kirchhoff_residuals(network, bath_currents, bond_currents) -> list[float]:
    """At every site: energy in from its bath minus energy out along its bonds (0 expected)."""
    residuals = []
    for site in range(network.sites):
        inflow = sum(
            current
            for bath, current in zip(network.baths, bath_currents, strict=True)
            if bath.site == site
        )
        outflow = sum(sign * bond_currents[bond] for bond, sign in network.incident_bonds(site))
        residuals.append(inflow - outflow)
    return residuals


def _short(label: str) -> str:
    return {"three-branch junction": "junction", "ring with three baths": "3 baths"}.get(
        label, "field ring"
    )


def _why(estimate, undetermined: bool) -> str:
    """The reason a current's error is undetermined ("" when it is determined)."""
    if not undetermined:
        return ""
    return estimate.undetermined_reason or "batch averages correlated after merging"


def classical_network_rows(quick: bool) -> CheckResult:
    """Exact vs Monte Carlo and Kirchhoff on the classical networks."""
    solve_network = engine("exactspin.classical", "solve_network")
    simulate_network = _simulate_network()
    rows: list[Row] = []
    data = []
    steps = 2_000_000 if quick else 20_000_000
    for index, (label, network) in enumerate(classical_networks()):
        exact = solve_network(network)
        estimate = simulate_network(
            network, steps=steps, replicas=128, seed=2000 + index, workers=1
        )
        name = _short(label)
        for k, bath in enumerate(network.baths):
            rows.append(
                sigma_row(
                    f"{name} I_bath{k + 1} (site {bath.site + 1})",
                    exact.bath_currents[k],
                    estimate.bath_currents[k],
                    estimate.bath_current_errors[k],
                    SIGMAS,
                    undetermined=_why(estimate, k in estimate.undetermined_baths),
                )
            )
        for b, bond in enumerate(network.bonds):
            rows.append(
                sigma_row(
                    f"{name} bond {bond.first + 1}->{bond.second + 1}",
                    exact.bond_currents[b],
                    estimate.bond_currents[b],
                    estimate.bond_current_errors[b],
                    SIGMAS,
                    undetermined=_why(estimate, b in estimate.undetermined_bonds),
                )
            )
        residuals = kirchhoff_residuals(network, exact.bath_currents, exact.bond_currents)
        bound = sum(exact.bath_current_errors) + sum(exact.bond_current_errors)
        worst = max(abs(value) for value in residuals)
        rows.append(
            Row(
                f"{name} Kirchhoff (largest site residual)",
                worst,
                0.0,
                worst,
                f"absolute (bound {bound:.1e})",
                "passed" if worst <= bound else "failed",
            )
        )
        data.append(
            {
                "label": label,
                "network": network.to_dict(),
                "exact": _jsonable(exact),
                "montecarlo": _jsonable(estimate),
                "kirchhoff_residuals": residuals,
            }
        )
    ran = [row for row in rows if math.isfinite(row.difference)]
    worst_sigma = max((r.difference for r in ran if r.measure.startswith("sigmas")), default=0.0)
    return CheckResult(
        "networks_classical",
        CROSSCHECK,
        "classical networks (three-branch junction, ring with three baths; Q2R): exact bath and "
        f"bond currents == Monte Carlo within {SIGMAS:g} standard errors; Kirchhoff at every site",
        f"{len(rows)} rows, largest deviation {worst_sigma:.2f} sigma",
        f"{steps} single-spin steps x 128 multispin replicas, seeded; currents per attempt",
        rows_verdict(rows),
        rows=tuple(rows),
        data={"networks": data},
    )


def quantum_network_rows(quick: bool) -> CheckResult:
    """Dense vs iterative Redfield, bath-current balance and continuity on quantum networks."""
    model_type = engine("exactspin.quantum", "QuantumModel")
    solve = engine("exactspin.quantum", "solve")
    rows: list[Row] = []
    data = []
    for label, network in quantum_networks():
        model = model_type.from_network(network)
        dense = solve(model, method="dense")
        iterative = solve(model, method="iterative")
        name = _short(label)
        scale = max(abs(value) for value in dense.bath_currents)
        for k, bath in enumerate(network.baths):
            rows.append(
                compare_row(
                    f"{name} I_bath{k + 1} (site {bath.site + 1}) dense vs iterative",
                    dense.bath_currents[k],
                    iterative.bath_currents[k],
                    QUANTUM_RTOL,
                    scale,
                )
            )
        for b, bond in enumerate(network.bonds):
            rows.append(
                compare_row(
                    f"{name} bond {bond.first + 1}->{bond.second + 1} dense vs iterative",
                    dense.bond_currents[b],
                    iterative.bond_currents[b],
                    QUANTUM_RTOL,
                    scale,
                )
            )
        total = sum(dense.bath_currents)
        bound = sum(dense.bath_current_errors)
        rows.append(
            Row(
                f"{name} sum of bath currents",
                total,
                0.0,
                abs(total),
                f"absolute (bound {bound:.1e})",
                "passed" if abs(total) <= bound else "failed",
            )
        )
        data.append(
            {
                "label": label,
                "network": network.to_dict(),
                "dense": dense.to_dict(),
                "iterative": iterative.to_dict(),
            }
        )
    return CheckResult(
        "networks_quantum",
        CROSSCHECK,
        "quantum networks (three-branch junction, ring with three baths, ring with an "
        "inhomogeneous field; Redfield Eq. 26): dense == iterative steady state, bath currents "
        "sum to 0",
        f"{len(rows)} rows",
        "gamma = 0.01, Omega_c = 10, W(0) = T; currents per unit time (J^2/hbar)",
        rows_verdict(rows),
        rows=tuple(rows),
        data={"networks": data},
    )


def _simulate_network():
    try:
        return engine("exactspin.montecarlo", "simulate_network")
    except Exception:  # noqa: BLE001 - fall back to the module that defines it
        return engine("exactspin.montecarlo.network_simulation", "simulate_network")


def _jsonable(result) -> dict:
    return result.to_dict() if hasattr(result, "to_dict") else {}


# ----------------------------------------------------------------------------- figures
def _figure(name: str, caption: str, draw) -> Figure:
    def make(quick: bool, directory: str) -> FigureResult:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from verify.plotting import save

        figure, data = draw(quick, plt)
        path = save(figure, directory, name)
        plt.close(figure)
        return FigureResult(name, caption, path, "made", data=data)

    return Figure(name, caption, make)


def _draw_classical(quick: bool, plt):
    from verify.network_plots import draw_currents

    solve_network = engine("exactspin.classical", "solve_network")
    simulate_network = _simulate_network()
    networks = classical_networks()
    figure, axes = plt.subplots(2, len(networks), figsize=(6 * len(networks), 9.5))
    data = []
    for column, (label, network) in enumerate(networks):
        exact = solve_network(network)
        estimate = simulate_network(
            network, steps=2_000_000, replicas=128, seed=3000 + column, workers=1
        )
        draw_currents(
            axes[0][column], network, exact.bond_currents, exact.bond_current_errors, "per attempt"
        )
        axes[0][column].set_title(f"{label}: exact bond currents (per attempt)", fontsize=10)
        bars = axes[1][column]
        positions = range(len(network.bonds))
        bars.bar(positions, exact.bond_currents, color="tab:purple", alpha=0.5, label="exact")
        bars.errorbar(
            positions,
            estimate.bond_currents,
            yerr=estimate.bond_current_errors,
            fmt="o",
            color="black",
            ms=3.5,
            capsize=3.5,
            label="Monte Carlo (bars: 1 standard error)",
        )
        bars.set_xticks(list(positions))
        bars.set_xticklabels([f"{b.first + 1}→{b.second + 1}" for b in network.bonds])
        bars.set_xlabel("bond (a→b: positive from a to b)")
        bars.set_ylabel("$I$ (energy per spin-update attempt)")
        bars.axhline(0.0, color="0.5", lw=0.8)
        bars.legend(fontsize=8)
        data.append(
            {
                "label": label,
                "bond_currents": list(exact.bond_currents),
                "montecarlo_bond_currents": list(estimate.bond_currents),
                "montecarlo_bond_current_errors": list(estimate.bond_current_errors),
                "cycles": [cycle.to_dict() for cycle in exact.cycles],
            }
        )
    figure.suptitle("Classical networks (Q2R, Metropolis at the baths)")
    figure.tight_layout()
    return figure, {"networks": data}


def _draw_quantum(quick: bool, plt):
    from verify.network_plots import draw_currents

    model_type = engine("exactspin.quantum", "QuantumModel")
    solve = engine("exactspin.quantum", "solve")
    networks = quantum_networks()
    figure, axes = plt.subplots(2, len(networks), figsize=(5.5 * len(networks), 9.5))
    data = []
    for column, (label, network) in enumerate(networks):
        solution = solve(model_type.from_network(network))
        draw_currents(
            axes[0][column], network, solution.bond_currents, solution.bond_current_errors
        )
        axes[0][column].set_title(f"{label}: bond currents ($J^2/\\hbar$)", fontsize=10)
        bars = axes[1][column]
        sites = range(1, network.sites + 1)
        bars.bar(sites, solution.site_magnetization, color="tab:green", alpha=0.7)
        bars.set_xticks(list(sites))
        bars.set_xlabel("site")
        bars.set_ylabel(r"$\langle\sigma^z_s\rangle$ (Eq. 36)")
        bars.axhline(0.0, color="0.5", lw=0.8)
        # a magnetization at round-off level (1e-16) must not fill the panel as if it were physics
        largest = max(0.05, 1.1 * max(abs(m) for m in solution.site_magnetization))
        bars.set_ylim(-largest, largest)
        data.append(
            {
                "label": label,
                "bond_currents": list(solution.bond_currents),
                "bond_current_errors": list(solution.bond_current_errors),
                "bath_currents": list(solution.bath_currents),
                "site_magnetization": list(solution.site_magnetization),
                "cycles": [cycle.to_dict() for cycle in solution.cycles],
            }
        )
    figure.suptitle("Quantum networks (Redfield, gamma = 0.01, W(0) = T)")
    figure.tight_layout()
    return figure, {"networks": data}


CHECKS = (
    Check(
        "networks_classical",
        CROSSCHECK,
        "classical networks: exact == Monte Carlo, Kirchhoff",
        classical_network_rows,
    ),
    Check(
        "networks_quantum",
        CROSSCHECK,
        "quantum networks: dense == iterative, balance",
        quantum_network_rows,
    ),
)

FIGURES = (
    _figure(
        "networks_classical",
        "Classical networks: exact bond currents drawn on each network (arrow: direction of "
        "energy flow, width: magnitude) and exact vs Monte Carlo per bond.",
        _draw_classical,
    ),
    _figure(
        "networks_quantum",
        "Quantum networks: Redfield bond currents drawn on each network and the site "
        "magnetizations.",
        _draw_quantum,
    ),
)
