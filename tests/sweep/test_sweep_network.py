"""Networks in sweep files: ``network = "file"`` and axes over its temperatures and couplings.

Axis names (``bath<k>_t``, ``bond<k>_j``, ``bond<k>_delta``, ``field<k>_h``, 1-based in file
order) are checked against the network before any point runs, each fault in one line naming the
axis. The network transformation is checked against the network core's own
``with_temperatures`` and against the file's entries written by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import exactspin.classical
from exactspin.network import (
    Bond,
    Network,
    NetworkError,
    classical_ring,
    quantum_ring,
    read_network,
)
from exactspin.solvers import solver
from exactspin.sweep import Sweep, load_sweep, parse_sweep, run_sweep
from exactspin.sweep.network_axes import axis_names, network_axis, with_values
from exactspin.sweep.runner import _key
from exactspin.validation import ParameterError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "networks"
JUNCTION = EXAMPLES / "junction.toml"  # 6 sites, 7 bonds, 2 baths, no fields, classical
THREE_BATHS = EXAMPLES / "three_baths_quantum.json"  # 6 sites, 6 bonds, 3 baths, quantum


def sweep_text(solver_name: str, network: str, grid: str, fixed: str = "") -> str:
    text = f'solver = "{solver_name}"\nnetwork = "{network}"\n'
    if fixed:
        text += f"[fixed]\n{fixed}\n"
    return text + f"[grid]\n{grid}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for source in (JUNCTION, THREE_BATHS):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


@pytest.fixture
def stand_in_engines(monkeypatch):
    """Records the network each network solver is handed (to test the wiring, not physics)."""
    received: list[tuple[str, Network, dict]] = []

    class Result:
        def __init__(self, network):
            self.network = network

        def to_dict(self):
            return {"bath_temperatures": list(self.network.bath_temperatures)}

    def engine(label):
        def run(network, **options):
            received.append((label, network, options))
            return Result(network)

        return run

    monkeypatch.setattr(exactspin.classical, "solve_network", engine("classical"), raising=False)
    return received


@pytest.mark.parametrize(
    ("grid", "axis", "words"),
    [
        ("bath3_t = [1.0]", "bath3_t", "an index in 1..2 (three-branch junction has 2 baths"),
        ("bath0_t = [1.0]", "bath0_t", "an index in 1..2"),
        ("bond8_j = [1.0]", "bond8_j", "an index in 1..7 (three-branch junction has 7 bonds"),
        ("bond1_delta = [0.5]", "bond1_delta", "classical: bonds have no Delta"),
        ("field1_h = [0.5]", "field1_h", "it has no fields"),
        ("bath1_j = [1.0]", "bath1_j", "bath entries have bath<k>_t"),
        ("site1_t = [1.0]", "site1_t", "one of the classical-network parameters: bath1_t"),
        ("tl = [1.0]", "tl", "one of the classical-network parameters"),
        ("bath1_t = [2.0, -1.0]", "bath1_t", "a temperature T the network accepts"),
        ("bond2_j = [0.0]", "bond2_j", "a coupling J the network accepts: a nonzero J"),
        ('bath2_t = ["hot"]', "bath2_t", "a finite real number"),
    ],
)
def test_bad_axes_are_refused_in_one_line_naming_them(folder, grid, axis, words):
    with pytest.raises(ParameterError) as error:
        parse_sweep(sweep_text("classical-network", "junction.toml", grid), directory=folder)
    assert error.value.parameter == axis
    assert words in str(error.value)
    assert "\n" not in str(error.value)


def test_quantum_axes_and_options_are_checked(folder):
    text = sweep_text("quantum-network", "three_baths_quantum.json", "bath4_t = [1.0]")
    with pytest.raises(ParameterError, match="'bath4_t'.*1..3"):
        parse_sweep(text, directory=folder)
    text = sweep_text("quantum-network", "three_baths_quantum.json", "gamma = [0.0]")
    with pytest.raises(ParameterError, match="'gamma'"):
        parse_sweep(text, directory=folder)


def test_network_solvers_need_a_network_and_ring_solvers_refuse_one(folder):
    with pytest.raises(ParameterError, match="'network'.*a network file"):
        parse_sweep('solver = "classical-network"\n[grid]\nbath1_t = [1.0]\n')
    text = sweep_text("classical", "junction.toml", "tl = [1.0]")
    with pytest.raises(ParameterError, match="'network'.*omitted for the classical solver"):
        parse_sweep(text, directory=folder)
    text = sweep_text("quantum-network", "junction.toml", "bath1_t = [1.0]")
    with pytest.raises(NetworkError, match="quantum bonds"):
        parse_sweep(text, directory=folder)
    with pytest.raises(ParameterError, match="'network'"):
        parse_sweep('solver = "classical-network"\nnetwork = 3\n')


def test_the_network_path_is_relative_to_the_sweep_file(folder, monkeypatch, stand_in_engines):
    (folder / "sweep.toml").write_text(
        sweep_text("classical-network", "junction.toml", "bath1_t = [1.0, 3.0]")
    )
    monkeypatch.chdir("/")
    sweep = load_sweep(folder / "sweep.toml")
    assert sweep.network == read_network(JUNCTION)
    missing = folder / "other.toml"
    missing.write_text(sweep_text("classical-network", "absent.toml", "bath1_t = [1.0]"))
    with pytest.raises(NetworkError, match="absent.toml"):
        load_sweep(missing)


def test_with_values_replaces_exactly_the_named_numbers():
    network = read_network(JUNCTION)
    assert with_values(network, {}) == network
    hotter = with_values(network, {"bath1_t": 5.0, "bath2_t": 0.25})
    assert hotter == network.with_temperatures([5.0, 0.25])
    changed = with_values(network, {"bond3_j": -0.5})
    # bonds[2] of the file is [3, 6, 1.0]: sites 3 and 6 (0-based 2 and 5).
    assert changed.bonds[2] == Bond(2, 5, -0.5)
    assert changed.bonds[:2] == network.bonds[:2] and changed.bonds[3:] == network.bonds[3:]
    assert changed.baths == network.baths
    quantum = read_network(THREE_BATHS)
    # bonds[4] of the file is [5, 6, 0.8, 0.5].
    turned = with_values(quantum, {"bond5_delta": 2.0, "bond5_j": 0.1, "bath3_t": 4.0})
    assert turned.bonds[4] == Bond(4, 5, 0.1, 2.0)
    assert turned.bath_temperatures == (2.0, 1.0, 4.0)
    assert turned.up_spins == quantum.up_spins


def test_axis_names_list_every_number_of_the_network():
    assert axis_names(read_network(JUNCTION)) == (
        "bath1_t",
        "bath2_t",
        *(f"bond{k}_j" for k in range(1, 8)),
    )
    names = axis_names(read_network(THREE_BATHS))
    assert names[:3] == ("bath1_t", "bath2_t", "bath3_t")
    assert "bond6_delta" in names and "bond7_j" not in names
    assert network_axis("bond6_delta", read_network(THREE_BATHS)).index == 5


def test_points_run_on_the_network_with_their_axis_values(folder, stand_in_engines):
    text = sweep_text(
        "classical-network", "junction.toml", "bath1_t = [1.0, 3.0]\nbond3_j = [0.5, 2.0]"
    )
    sweep = parse_sweep(text, directory=folder)
    assert len(sweep) == 4
    result = run_sweep(sweep)
    network = read_network(JUNCTION)
    expected = [(t, j) for t in (1.0, 3.0) for j in (0.5, 2.0)]
    assert [(n.bath_temperatures[0], n.bonds[2].coupling) for _, n, _ in stand_in_engines] == (
        expected
    )
    for (_, received, _), (t, j) in zip(stand_in_engines, expected, strict=True):
        assert received == with_values(network, {"bath1_t": t, "bond3_j": j})
    assert [row["bath_temperatures"][0] for row in result.results] == [1.0, 1.0, 3.0, 3.0]


def test_quantum_network_points_build_the_model_with_the_bath_options(folder, monkeypatch):
    from exactspin.quantum.model import QuantumModel

    built = []
    original = QuantumModel.from_network.__func__

    def recording(cls, network, **options):
        built.append((network, options))
        return original(cls, network, **options)

    monkeypatch.setattr(QuantumModel, "from_network", classmethod(recording))
    text = sweep_text(
        "quantum-network", "three_baths_quantum.json", "bath2_t = [0.5]", "gamma = 0.02"
    )
    sweep = parse_sweep(text, directory=folder)
    built.clear()  # validation built the model once per axis value
    (row,) = run_sweep(sweep).results
    ((network, options),) = built
    assert network.bath_temperatures == (2.0, 0.5, 0.5)
    assert options == {"gamma": 0.02, "omega_c": 10.0, "zero_frequency": "limit"}
    assert len(row["bath_currents"]) == 3
    header = run_sweep(sweep).csv_text().splitlines()[0].split(",")
    assert header[:4] == ["bath2_t", "gamma", "omega_c", "zero_frequency"]
    assert not any(name.startswith("network") for name in header)  # the file is the echo
    # Energy conservation: what the baths give sums to zero in the steady state (Eq. 35).
    assert abs(sum(row["bath_currents"])) <= 1e-9 * max(map(abs, row["bath_currents"]))


def test_the_quantum_ring_as_a_network_sweeps_like_the_ring():
    """The paper's ring built as a network gives the ring solver's bath currents (Eq. 35)."""
    ring = quantum_ring(nu=2, nd=1, up=3, j=1.0, delta=0.5, tl=2.0, tr=1.0)
    networked = run_sweep(Sweep("quantum-network", grid={"bath1_t": [2.0, 3.0]}, network=ring))
    ringed = run_sweep(Sweep("quantum", fixed={"delta": 0.5}, grid={"tl": [2.0, 3.0]}))
    for net_row, ring_row in zip(networked.results, ringed.results, strict=True):
        left, right = net_row["bath_currents"]
        assert left == pytest.approx(ring_row["left_bath_current"], rel=1e-9)
        assert right == pytest.approx(ring_row["right_bath_current"], rel=1e-9)


def test_monte_carlo_on_the_ring_network_agrees_with_the_exact_ring():
    """mc-network on the paper's ring (as a network) within 5 standard errors of the exact ring."""
    ring = classical_ring(nu=1, nd=1, j1=2.0, j2=1.9, tl=2.0, tr=0.5)
    sweep = Sweep(
        "mc-network", fixed={"steps": 200_000, "replicas": 4}, grid={"bath1_t": [2.0]}, network=ring
    )
    (row,) = run_sweep(sweep).results
    (exact,) = run_sweep(
        Sweep("classical", fixed={"nu": 1, "nd": 1, "tr": 0.5}, grid={"tl": [2.0]})
    ).results
    left, right = row["bath_currents"]
    left_error, right_error = row["bath_current_errors"]
    assert row["error_kind"] == "standard_error"
    assert abs(left - exact["left_bath_current"]) < 5 * left_error
    assert abs(right - exact["right_bath_current"]) < 5 * right_error


def test_two_networks_with_the_same_axes_are_different_cache_points(folder, stand_in_engines):
    first = parse_sweep(
        sweep_text("classical-network", "junction.toml", "bath1_t = [1.0]"), directory=folder
    )
    other = read_network(JUNCTION).replace(name="another junction")
    second = Sweep("classical-network", grid={"bath1_t": [1.0]}, network=other)
    point = next(first.points())
    assert _key(first, point) != _key(second, point)


def test_without_the_engine_a_network_sweep_is_refused_after_validation(folder, monkeypatch):
    monkeypatch.delattr(exactspin.classical, "solve_network", raising=False)
    assert not solver("classical-network").available()
    text = sweep_text("classical-network", "junction.toml", "bath1_t = [1.0]")
    with pytest.raises(ParameterError, match="'solver'.*solve_network is not"):
        parse_sweep(text, directory=folder)
    with pytest.raises(ParameterError, match="'bath5_t'"):  # the file's own fault comes first
        parse_sweep(
            sweep_text("classical-network", "junction.toml", "bath5_t = [1.0]"), directory=folder
        )


def test_a_junction_sweep_conserves_energy_at_every_point(folder):
    """Exact classical engine on the three-branch junction: the baths' currents cancel (Eq. 6)."""
    text = sweep_text("classical-network", "junction.toml", "bath1_t = [1.0, 4.0]\nbond4_j = [0.5]")
    result = run_sweep(parse_sweep(text, directory=folder))
    for row in result.results:
        assert row["determined"] is True and row["error_kind"] == "bound"
        (left, right), (left_error, right_error) = row["bath_currents"], row["bath_current_errors"]
        # Each bound covers its current's error; the sum adds one rounding.
        assert abs(left + right) <= left_error + right_error + 2.3e-16 * abs(left)
        assert len(row["bond_currents"]) == 7
    assert result.results[0]["bath_currents"] != result.results[1]["bath_currents"]


def test_the_paper_ring_as_a_network_sweeps_like_the_ring():
    """The paper's ring built as a network gives the ring solver's bath currents."""
    ring = classical_ring(nu=1, nd=1, j1=2.0, j2=1.9, tl=2.0, tr=0.1)
    networked = run_sweep(Sweep("classical-network", grid={"bath1_t": [2.0, 4.0]}, network=ring))
    ringed = run_sweep(Sweep("classical", fixed={"nu": 1, "nd": 1}, grid={"tl": [2.0, 4.0]}))
    for net_row, ring_row in zip(networked.results, ringed.results, strict=True):
        left, right = net_row["bath_currents"]
        assert left == pytest.approx(ring_row["left_bath_current"], rel=1e-12)
        assert right == pytest.approx(ring_row["right_bath_current"], rel=1e-12)


def test_network_sweeps_are_estimated_from_the_networks_size(folder):
    from exactspin.classical.model import ClassicalModel
    from exactspin.quantum.model import QuantumModel
    from exactspin.sweep.estimate import (
        CLASSICAL_OVERHEAD,
        SECONDS_PER_STATE,
        estimate_sweep,
        quantum_dimension_seconds,
    )

    junction = read_network(JUNCTION)
    exact = Sweep("classical-network", grid={"bath1_t": [1.0, 2.0, 3.0]}, network=junction)
    states = ClassicalModel.from_network(junction).state_count
    assert states == 2**6  # Q2R on 6 sites: 2^N_S configurations
    assert estimate_sweep(exact).seconds == pytest.approx(
        3 * (CLASSICAL_OVERHEAD + SECONDS_PER_STATE * states)
    )
    quantum = read_network(THREE_BATHS)
    redfield = Sweep("quantum-network", grid={"bath1_t": [1.0, 2.0]}, network=quantum)
    dimension = QuantumModel.from_network(quantum).dimension
    assert dimension == 20  # C(6, 3)
    assert estimate_sweep(redfield).seconds == pytest.approx(
        2 * quantum_dimension_seconds(dimension)
    )
    runs = Sweep("mc-network", fixed={"steps": 1000}, grid={"bath1_t": [1.0]}, network=junction)
    assert estimate_sweep(runs).seconds is not None
