"""One declaration per model parameter (exactspin.parameters) and the layers that take it.

The specification is checked against what the paper states (the Fig. 5 and Fig. 10a working
points, the ranges of Secs. II-III), against the models' own validation (the same boundaries
refused by both), and against every consumer: the command-line options, the sweep registry, the
reference schema. A last test walks the library and refuses any import of ``exactspin.cli``.
"""

from __future__ import annotations

import argparse
import ast
import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from exactspin.classical.model import ClassicalModel
from exactspin.parameters import CLASSICAL, MONTE_CARLO_RUN, QUANTUM, Specification
from exactspin.quantum.model import QuantumModel
from exactspin.reference import schema
from exactspin.solvers import SOLVERS, solver
from exactspin.sweep.solvers import solver_entry
from exactspin.validation import ParameterError

PACKAGE = Path(__file__).resolve().parent.parent / "exactspin"

# The paper's working points, written out from the paper (Fig. 5: 7(2 up, 3 down) Q2R ring,
# J1 = 2, J2 = 1.9, T_L = 2, T_R = 0.1; Fig. 10a: 5(3 up 2 down) sector of the N_U = 2, N_D = 1
# ring, J = 1, Delta = 0, T_L = 2, T_R = 1, sqrt(gamma) = 0.1, Omega_c = 10).
FIG5 = {"nu": 2, "nd": 3, "j1": 2.0, "j2": 1.9, "tl": 2.0, "tr": 0.1, "dynamics": "q2r"}
FIG10A = {
    "nu": 2,
    "nd": 1,
    "up": 3,
    "j": 1.0,
    "delta": 0.0,
    "tl": 2.0,
    "tr": 1.0,
    "gamma": 0.01,
    "omega_c": 10.0,
    "zero_frequency": "limit",
}

# Values just outside each parameter's range (from Secs. II-III: temperatures and rates
# positive, classical couplings nonzero, branch sizes counts, quantum branches >= 1 for Eq. 32,
# the sector 0..N_S), and values just inside.
CLASSICAL_OUTSIDE = {
    "nu": [-1, 0.5, True],
    "nd": [-1, 2.5],
    "j1": [0.0, math.inf, math.nan, "2"],
    "j2": [0.0, -math.inf],
    "tl": [0.0, -1.0, math.inf],
    "tr": [0.0, -1e-300],
    "dynamics": ["Q2R", "metropolis"],
    "mu": [0.0, -4.0],
}
CLASSICAL_INSIDE = {
    "nu": [0, 5],
    "nd": [0, 2.0],
    "j1": [-1.0, 1e-300],
    "j2": [3],
    "tl": [1e-300, 1e300],
    "tr": [5],
    "dynamics": ["q2r"],
}
QUANTUM_OUTSIDE = {
    "nu": [0, -1, 1.5],
    "nd": [0],
    "up": [-1, 6],  # N_S = 5 at the defaults
    "j": [math.inf, math.nan],
    "delta": [math.nan],
    "tl": [0.0],
    "tr": [-2.0],
    "gamma": [0.0, -0.01],
    "omega_c": [0.0],
    "zero_frequency": ["infinite"],
}
QUANTUM_INSIDE = {
    "nu": [1],
    "nd": [2],
    "up": [0, 5],
    "j": [-3.0, 1e-300],
    "delta": [-2.1],
    "tl": [0.5],
    "gamma": [1e-6],
    "omega_c": [100.0],
    "zero_frequency": ["zero"],
}


def test_defaults_are_the_papers_working_points():
    assert {k: v for k, v in CLASSICAL.defaults().items() if v is not None} == FIG5
    assert CLASSICAL.defaults()["mu"] is None
    assert QUANTUM.defaults() == FIG10A
    assert ClassicalModel.from_parameters().parameters() == {**FIG5, "mu": None}
    assert QuantumModel.from_parameters().parameters() == FIG10A


def test_every_parameter_is_documented_once():
    for spec in (CLASSICAL, QUANTUM, MONTE_CARLO_RUN):
        assert len(set(spec.names)) == len(spec.names)
        for parameter in spec.parameters:
            assert parameter.kind in (int, float, str)
            assert parameter.symbol and parameter.equation and parameter.help
            assert parameter.flag == "--" + parameter.name.replace("_", "-")
    with pytest.raises(ValueError, match="declared twice"):
        Specification("x", (CLASSICAL["nu"], CLASSICAL["nu"]))


@pytest.mark.parametrize(
    ("spec", "model", "outside", "inside"),
    [
        (CLASSICAL, ClassicalModel, CLASSICAL_OUTSIDE, CLASSICAL_INSIDE),
        (QUANTUM, QuantumModel, QUANTUM_OUTSIDE, QUANTUM_INSIDE),
    ],
)
def test_specification_and_model_refuse_the_same_values(spec, model, outside, inside):
    assert set(outside) == set(spec.names), "every parameter has a value outside its range"
    for name, values in outside.items():
        for value in values:
            with pytest.raises(ParameterError) as error:
                model.from_parameters(**{name: value})
            assert error.value.parameter == name
            if name != "up":  # the sector's upper end is coupled to nu, nd (checked by the model)
                with pytest.raises(ParameterError):
                    spec[name].check(value)
    for name, values in inside.items():
        for value in values:
            given = {name: value}
            if name == "mu":
                given["dynamics"] = "cca"
            built = model.from_parameters(**given)
            assert built.parameters()[name] == spec[name].check(value)


def test_coupled_parameters_are_refused_together():
    with pytest.raises(ParameterError, match="'mu'"):
        ClassicalModel.from_parameters(dynamics="cca")
    with pytest.raises(ParameterError, match="'mu'"):
        ClassicalModel.from_parameters(mu=4.0)
    assert ClassicalModel.from_parameters(dynamics="cca", mu=4.0).demon_unit == 4.0
    with pytest.raises(ParameterError, match="'up'"):
        QuantumModel.from_parameters(nu=1, nd=1, up=5)
    # A bond with J = Delta = 0 is no bond: refused together, fine apart.
    with pytest.raises(ParameterError):
        QuantumModel.from_parameters(j=0.0, delta=0.0)
    assert QuantumModel.from_parameters(j=0.0, delta=1.0).exchange == 0.0
    assert frozenset({"j", "delta"}) in QUANTUM.coupled


def test_an_unknown_name_is_refused_naming_it_and_the_allowed_names():
    with pytest.raises(ParameterError, match="'j3'.*one of the classical parameters: nu, nd"):
        ClassicalModel.from_parameters(j3=1.0)
    with pytest.raises(ParameterError, match="'j1'.*quantum parameters"):
        QuantumModel.from_parameters(j1=1.0)


@settings(max_examples=40, deadline=None)
@given(
    nu=st.integers(0, 6),
    nd=st.integers(0, 6),
    j1=st.floats(0.1, 5.0) | st.floats(-5.0, -0.1),
    j2=st.floats(0.1, 5.0),
    tl=st.floats(1e-3, 1e3),
    tr=st.floats(1e-3, 1e3),
    cca=st.booleans(),
    mu=st.floats(0.1, 8.0),
)
def test_classical_parameters_round_trip(nu, nd, j1, j2, tl, tr, cca, mu):
    given_ = dict(nu=nu, nd=nd, j1=j1, j2=j2, tl=tl, tr=tr)
    if cca:
        given_.update(dynamics="cca", mu=mu)
    model = ClassicalModel.from_parameters(**given_)
    exported = model.parameters()
    assert exported == CLASSICAL.complete(given_)
    assert list(exported) == list(CLASSICAL.names)
    assert ClassicalModel.from_parameters(**exported) == model


@settings(max_examples=40, deadline=None)
@given(
    nu=st.integers(1, 4),
    nd=st.integers(1, 4),
    data=st.data(),
    j=st.floats(-3.0, 3.0),
    delta=st.floats(-3.0, 3.0),
    gamma=st.floats(1e-4, 0.1),
    zero=st.sampled_from(["limit", "zero"]),
)
def test_quantum_parameters_round_trip(nu, nd, data, j, delta, gamma, zero):
    assume(j != 0 or delta != 0)  # such a bond is no bond (refused, see the coupled groups)
    up = data.draw(st.integers(0, nu + nd + 2))
    given_ = dict(nu=nu, nd=nd, up=up, j=j, delta=delta, gamma=gamma, zero_frequency=zero)
    model = QuantumModel.from_parameters(**given_)
    assert model.parameters() == QUANTUM.complete(given_)
    assert QuantumModel.from_parameters(**model.parameters()) == model


@pytest.mark.parametrize("spec", [CLASSICAL, QUANTUM])
def test_cli_options_come_from_the_specification(spec):
    parser = argparse.ArgumentParser()
    spec.add_arguments(parser)
    parsed = parser.parse_args([])
    assert spec.from_arguments(parsed) == spec.defaults()
    text = parser.format_help().replace("\n", " ")
    text = " ".join(text.split())
    for parameter in spec.parameters:
        assert parameter.flag in text
        shown = "none" if parameter.default is None else parameter.default
        assert f"(default: {shown})" in text
        assert parameter.short_range in text


def test_command_help_shows_every_default_and_range(capsys):
    from exactspin.cli.main import main

    for command, spec in (("classical", CLASSICAL), ("quantum", QUANTUM)):
        with pytest.raises(SystemExit):
            main([command, "solve", "--help"])
        text = " ".join(capsys.readouterr().out.split())
        for parameter in spec.parameters:
            shown = "none" if parameter.default is None else parameter.default
            assert f"{parameter.flag} " in text
            assert f"(default: {shown})" in text
        assert "default: default" not in text and "(default: %" not in text


def test_command_line_values_reach_the_model_and_bad_ones_name_the_flag(capsys):
    from exactspin.cli.main import main

    assert main(["classical", "solve", "--json", "--j2", "1.0", "--nd", "2"]) == 0
    import json

    echoed = json.loads(capsys.readouterr().out)["parameters"]
    assert echoed == {**FIG5, "j2": 1.0, "nd": 2, "mu": None}
    assert main(["classical", "solve", "--tl", "0"]) == 2
    assert "'tl'" in capsys.readouterr().err


def test_sweep_registry_and_reference_schema_take_the_specification():
    assert solver_entry("classical").parameters == CLASSICAL.types
    assert solver_entry("quantum").parameters == QUANTUM.types
    assert solver_entry("mc").parameters == {**CLASSICAL.types, **MONTE_CARLO_RUN.types}
    assert solver_entry("classical").coupled == CLASSICAL.coupled
    assert set(schema.CLASSICAL_PARAMETERS) == set(CLASSICAL.names)
    assert set(schema.QUANTUM_PARAMETERS) == set(QUANTUM.names)
    assert set(schema.INTEGER_PARAMETERS) == {"nu", "nd", "up"}
    assert set(schema.STRING_PARAMETERS) == {"dynamics", "zero_frequency"}
    assert schema.SPECTRUM_NUMBER_DEFAULTS == {"j": 1.0, "delta": 0.0}


def test_registry_builds_the_same_model_as_from_parameters():
    assert solver("classical").build({"nu": 1, "tl": 3.0}) == ClassicalModel.from_parameters(
        nu=1, tl=3.0
    )
    assert solver("mc").build({"steps": 10, "nu": 1}) == ClassicalModel.from_parameters(nu=1)
    assert solver("quantum").build({"delta": 2.1}) == QuantumModel.from_parameters(delta=2.1)
    with pytest.raises(ParameterError, match="'steps'"):
        solver("mc").build({"nu": 1})
    with pytest.raises(ParameterError, match="'steps'"):
        solver("mc").build({"steps": 0})
    with pytest.raises(ParameterError, match="'solver'"):
        solver("exact")
    assert {"classical", "mc", "quantum"} <= set(SOLVERS)


def test_registry_result_is_plain_json_and_hides_undetermined_numbers():
    values = solver("classical").evaluate({"nu": 1, "nd": 0, "j1": 1.0, "j2": 1.0})
    assert values["determined"] is True
    assert isinstance(values["bond_currents"], list)
    # I_L = -I_R (energy conservation, Eq. 7).
    assert values["left_bath_current"] == pytest.approx(-values["right_bath_current"], abs=1e-14)


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                yield node.lineno, str(node.args[0].value)


def test_no_library_module_imports_the_cli():
    offenders = []
    files = [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "cli" not in path.relative_to(PACKAGE).parts[:1] and path.name != "__main__.py"
    ]
    assert len(files) > 50
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imports(tree):
            if name == "exactspin.cli" or name.startswith("exactspin.cli."):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name}")
    assert not offenders, "library modules import the CLI:\n" + "\n".join(offenders)


def test_the_import_walker_finds_an_import_of_the_cli():
    tree = ast.parse(
        "def f():\n    from exactspin.cli.output import to_jsonable\n"
        "import exactspin.cli\nfrom exactspin import cli\n"
    )
    names = [name for _, name in _imports(tree)]
    assert "exactspin.cli.output" in names
    assert "exactspin.cli" in names


def test_choices_are_the_engines_own():
    from exactspin.classical.model import DYNAMICS
    from exactspin.quantum.bath import ZERO_FREQUENCY_OPTIONS

    assert CLASSICAL["dynamics"].choices == DYNAMICS
    assert tuple(QUANTUM["zero_frequency"].choices) == tuple(ZERO_FREQUENCY_OPTIONS)
