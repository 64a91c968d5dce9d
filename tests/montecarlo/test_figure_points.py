"""The report's Monte Carlo figure points come from multispin words (Q2R: 2 words, CCA: its
default 17) and agree with the exact solver within 5 standard errors (quick mode)."""

import pytest

from exactspin.classical.solution import solve
from verify import figures_classical as figures

CURRENTS = figures.CURRENTS


@pytest.mark.parametrize("name, method", [("fig5a", "multispin"), ("fig8a", "multispin")])
def test_figure_points_are_multispin_and_within_five_sigma(name, method):
    panel = next(p for p in figures.PANELS if p.name == name)
    values = figures._thin(panel.values, True)
    label, overrides = (panel.series or (("", {}),))[0]
    parameters = {**panel.parameters, **overrides}
    exact = figures._exact_series(panel, parameters, values, True)
    points = figures._mc_series(panel, parameters, values, exact["x"], True)
    assert points["x"] and set(points["method"]) == {method}
    if name == "fig5a":
        assert set(points["replicas"]) == {figures.MULTISPIN_REPLICAS}
    for index, value in enumerate(points["x"]):
        solution = solve(figures._model(parameters, panel.variable, value))
        for current in CURRENTS:
            error = points[current + "_stderr"][index]
            assert abs(points[current][index] - getattr(solution, current)) < 5 * error
