"""What a new user's trial of ``classical mc`` found printed wrong with exit status 0 (issue 14).

Each test is a reproducing command of that trial, turned into a claim the run must keep:

- A CCA chain stays in the closed class it started in, so the spread between classes can only be
  estimated from the spread between independent units (chains or words). With 4 chains that is
  3 degrees of freedom: ``--nu 2 --nd 1 --j1 0.75 --j2 0.5 --dynamics cca --mu 1 --tl 2
  --tr 0.5 --steps 5e7 --seed 9`` printed the lower branch current 5.9 standard errors from the
  exact value as "resolved", exit 0. Too few units make the errors undetermined; enough units
  (the default for CCA) give errors that cover the exact currents.
- ``--batches 4 --replicas 128`` left 2 x 3 = 6 degrees of freedom in the batch variance: a
  3.6-sigma miss printed as resolved. An error needs MIN_DEGREES_OF_FREEDOM, whatever the level.
- ``--pair 2 3`` at low temperature printed ``<s_2 s_3> = 1 +- 0``: no fluctuation seen is no
  error bar.
- ``--max-seconds`` without a target was ignored (``--steps 1e11 --max-seconds 2`` ran on), and
  with a target a 5 s budget ran 8.9 s.
- ``updates_per_second`` of an interrupted or stopped run counted the planned updates.
"""

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from ring_models import ring_model

from exactspin.classical import solve
from exactspin.montecarlo import simulate
from exactspin.montecarlo.simulation import DEFAULT_REPLICAS, default_replicas
from exactspin.montecarlo.statistics import MIN_DEGREES_OF_FREEDOM, merged_standard_error
from exactspin.validation import ParameterError

CURRENTS = (
    "left_bath_current",
    "right_bath_current",
    "upper_branch_current",
    "lower_branch_current",
)


def _cca_ring():
    return ring_model(2, 1, 0.75, 0.5, 2.0, 0.5, "cca", 1.0)


def test_four_cca_chains_cannot_estimate_the_spread_between_closed_classes():
    result = simulate(_cca_ring(), 2_000_000, replicas=4, seed=9)
    assert all(result.status(name) == "undetermined" for name in CURRENTS)
    assert result.circulation == "undetermined"
    assert result.magnification_ratio_stderr is None
    assert "closed classes" in result.undetermined_reason
    assert result.to_dict()["undetermined_reason"] == result.undetermined_reason


@pytest.mark.parametrize("replicas", [1, 128])
def test_one_chain_or_two_cca_words_are_too_few_units(replicas):
    result = simulate(_cca_ring(), 200_000, replicas=replicas, seed=3)
    assert all(result.status(name) == "undetermined" for name in CURRENTS)


def test_the_cca_default_has_enough_independent_words():
    assert DEFAULT_REPLICAS == 4
    assert default_replicas("q2r") == DEFAULT_REPLICAS
    assert default_replicas("cca") % 64 == 0
    assert default_replicas("cca") // 64 - 1 >= MIN_DEGREES_OF_FREEDOM


#: The second trial's counterexample: a five-site CCA ring with fields on sites 2 and 3 has 144
#: closed classes, and the current of its upper bonds lives in few of them.
FIELD_CCA_NETWORK = (
    "sites = 5\nbonds = [[1, 2, 1.0], [2, 3, 1.0], [3, 4, 1.0], [4, 5, 1.0], [5, 1, 1.0]]\n"
    'fields = [[2, 0.5], [3, 0.5]]\nbaths = [[1, 2.0], [4, 1.0]]\ndynamics = "cca"\nmu = 0.5\n'
)


def test_single_cca_chains_see_one_class_each_so_their_errors_are_undetermined():
    """17 single chains (the previous default) at seed 6 printed bond 1 as -1.2e-07 +- 9.1e-07
    while the exact current is 1.89e-03 (none of the 17 started in a class that carries it) and
    bath 1 4.1 standard errors off as resolved. A chain's error cannot see a class no chain
    visited: every error of single chains with closed classes is undetermined, and the default
    (17 words of 64 replicas, each replica starting in its own random state) covers the exact
    currents."""
    from exactspin.classical import solve_network
    from exactspin.montecarlo.network_simulation import simulate_network
    from exactspin.network.files import parse_network

    network = parse_network(FIELD_CCA_NETWORK)
    exact = solve_network(network)
    chains = simulate_network(network, 1_000_000, replicas=17, seed=6, pairs=[(0, 1)])
    assert (
        abs(chains.bond_currents[0] - exact.bond_currents[0]) > 100 * chains.bond_current_errors[0]
    )
    assert set(chains.undetermined_bonds) == set(range(5))
    assert set(chains.undetermined_baths) == {0, 1}
    assert "17 chains see only 17 classes" in chains.undetermined_reason
    assert chains.pair_correlations_status == ("undetermined",)  # a class mixture too
    words = simulate_network(network, 1_000_000, seed=6)
    assert words.replicas == default_replicas("cca")
    for bath in range(2):
        assert words.bath_status(bath) == "resolved"
        error = words.bath_current_errors[bath]
        assert abs(words.bath_currents[bath] - exact.bath_currents[bath]) < 5 * error
    for bond in range(5):
        error = words.bond_current_errors[bond]
        assert abs(words.bond_currents[bond] - exact.bond_currents[bond]) < 5 * error


def test_cca_ring_chains_have_undetermined_errors_and_refuse_a_target():
    result = simulate(_cca_ring(), 500_000, replicas=17, seed=9)
    assert all(result.status(name) == "undetermined" for name in CURRENTS)
    assert set(result.bond_currents_status) == {"undetermined"}
    with pytest.raises(ParameterError, match="single chains stay in their closed classes"):
        simulate(_cca_ring(), 500_000, replicas=17, seed=9, target_stderr=0.1)


@pytest.mark.parametrize("seed", [9, 10, 11])
def test_cca_errors_from_enough_chains_cover_the_exact_currents(seed):
    """The exact mixture weighs the 18 closed classes by their size (uniform start), as the
    chains' uniform random starts do; 5 standard errors (with 16+ degrees of freedom a 5-sigma
    miss has probability < 1e-4 per current)."""
    model = _cca_ring()
    exact = solve(model)
    result = simulate(model, 2_000_000, seed=seed)
    assert result.replicas == default_replicas("cca")
    for name in CURRENTS:
        assert result.status(name) == "resolved", name
        error = getattr(result, name + "_stderr")
        assert abs(getattr(result, name) - float(getattr(exact, name))) < 5 * error, name


def test_an_error_needs_enough_degrees_of_freedom_at_any_merging_level():
    """Two units x 4 independent batches: the batch variance has 6 degrees of freedom, so a
    z-score follows Student's t with 6 (its spread 1.22, tails far heavier than the normal's)."""
    rng = np.random.default_rng(5)
    values = rng.normal(size=(2, 4, 1))
    lengths = np.ones((2, 4))
    errors, determined = merged_standard_error(values, lengths, False)
    assert errors[0] > 0 and not determined[0]
    # 2 units x 20 batches: 38 degrees of freedom, determined
    values = rng.normal(size=(2, 20, 1))
    errors, determined = merged_standard_error(values, np.ones((2, 20)), False)
    assert determined[0]


def test_four_batches_of_two_words_are_undetermined():
    result = simulate(ring_model(2, 1, tl=2.0, tr=0.5), 200_000, replicas=128, batches=4, seed=11)
    assert all(result.status(name) == "undetermined" for name in CURRENTS)
    assert "degrees of freedom" in result.undetermined_reason


def test_a_correlation_that_never_fluctuated_has_no_error_bar():
    # T_L = 0.6, T_R = 0.3 on the paper's ring: s_2 s_3 = 1 in every sample of every replica
    model = ring_model(tl=0.6, tr=0.3)
    result = simulate(model, 1_000_000, replicas=4, seed=0, pairs=[(1, 2)])
    assert result.pair_correlations[0] == 1.0
    assert result.pair_correlations_stderr[0] is None
    assert result.pair_correlation_status(0) == "no fluctuation"
    entry = result.to_dict()["correlations"][0]
    assert entry["stderr"] is None and entry["status"] == "no fluctuation"
    # no bath event either: stationarity cannot be tested, and the run says why
    assert result.equilibrated is None and "bath" in result.equilibration_reason


def test_max_seconds_stops_a_planned_run_and_keeps_its_finished_batches():
    # 1 chain, no burn-in, 1000 batches of 10^7 steps (each tens of milliseconds): the run of
    # 10^10 steps would take about a minute; the budget stops it after some batches
    steps, batches = 10**10, 1000
    result = simulate(
        ring_model(), steps, replicas=1, seed=1, burn_in=0, batches=batches, max_seconds=2.0,
        workers=1,
    )  # fmt: skip
    assert result.stop_reason == "time budget"
    assert 2 <= result.batches < batches
    # the deadline is checked between kernel chunks, so the run ends within one chunk of it
    # (a chunk is tens of milliseconds; 1 s leaves room for a loaded machine)
    assert result.wall_time < 2.0 + 1.0
    # updates done: the finished batches, plus at most the batch in progress
    done = result.replicas * result.steps
    counted = result.updates_per_second * result.wall_time
    assert done <= counted <= done + steps // batches
    assert result.steps == result.batches * (steps // batches)


def test_max_seconds_that_finishes_no_batch_says_so_instead_of_ignoring_it():
    """``--steps 1e11 --max-seconds 2`` ran on: a batch of this plan is 5e9 steps."""
    from exactspin.validation import ResourceError

    started = time.perf_counter()
    with pytest.raises(ResourceError, match="max_seconds = 2 ran out after 0 finished batches"):
        simulate(ring_model(), 10**11, replicas=4, seed=1, max_seconds=2.0, workers=1)
    assert time.perf_counter() - started < 2.0 + 1.0


def test_max_seconds_bounds_a_targeted_run_within_a_round():
    """A round doubles the run, so a check between rounds overshot (a 5 s budget ran 8.9 s);
    the deadline is checked between kernel chunks."""
    result = simulate(
        ring_model(), 10**11, replicas=4, seed=1, target_stderr=1e-9, max_seconds=2.0, workers=1
    )
    assert result.stop_reason == "time budget"
    assert result.wall_time < 2.0 + 1.0


def test_the_cli_applies_max_seconds_without_a_target():
    command = [sys.executable, "-m", "exactspin.cli.main", "classical", "mc", "--json"]
    command += ["--workers", "1", "--replicas", "1", "--burn-in", "0", "--batches", "1000"]
    completed = subprocess.run(
        [*command, "--steps", "1e10", "--max-seconds", "2"], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert json.loads(completed.stdout)["stop_reason"] == "time budget"
    assert "time budget (--max-seconds) spent" in completed.stderr
    refused = subprocess.run(
        [*command, "--steps", "1e12", "--batches", "20", "--max-seconds", "1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode != 0 and "ran out after 0 finished batches" in refused.stderr


@pytest.mark.parametrize(
    ("dynamics", "replicas", "batches", "name"),
    [("cca", 4, 20, "replicas"), ("cca", 128, 20, "replicas"), ("q2r", 1, 4, "batches")],
)
def test_a_target_no_run_of_these_units_could_meet_is_refused_before_running(
    dynamics, replicas, batches, name
):
    """Undetermined errors never meet a target: such a run would spend its whole budget."""
    from exactspin.validation import ParameterError

    model = ring_model(2, 1, 0.75, 0.5, 2.0, 0.5, dynamics, 1.0 if dynamics == "cca" else None)
    with pytest.raises(ParameterError, match=name):
        simulate(model, 10**12, replicas=replicas, batches=batches, target_stderr=0.1)


def test_closed_classes_limit_the_degrees_of_freedom_to_the_units():
    """A class offset per unit, constant in time: the batches of 4 units show no spread of
    it, so only the 4 unit means (3 degrees of freedom) estimate it, however many batches."""
    rng = np.random.default_rng(8)
    values = rng.normal(size=(4, 400, 1)) + 10 * rng.normal(size=(4, 1, 1))
    lengths = np.ones((4, 400))
    ergodic_errors, ergodic = merged_standard_error(values, lengths, True, closed_classes=False)
    errors, determined = merged_standard_error(values, lengths, True, closed_classes=True)
    assert ergodic[0] and not determined[0]
    assert errors[0] == ergodic_errors[0]
    values = rng.normal(size=(17, 20, 1)) + 10 * rng.normal(size=(17, 1, 1))
    assert merged_standard_error(values, np.ones((17, 20)), True, closed_classes=True)[1][0]


def test_ring_bond_currents_carry_the_same_status_as_the_four_currents():
    result = simulate(_cca_ring(), 200_000, replicas=4, seed=3)
    assert result.bond_currents_status == ("undetermined",) * result.model.sites
    assert result.to_dict()["bond_currents_status"] == list(result.bond_currents_status)
    resolved = simulate(_cca_ring(), 2_000_000, seed=9)
    assert set(resolved.bond_currents_status) <= {"resolved", "unresolved"}


def test_a_cca_network_defaults_to_enough_chains():
    from exactspin.montecarlo.network_simulation import simulate_network
    from exactspin.network.files import parse_network

    network = parse_network(
        'sites = 4\ndynamics = "cca"\nmu = 1.0\n'
        "bonds = [[1, 2, 0.75], [2, 3, 0.75], [3, 4, 0.5], [4, 1, 0.5]]\n"
        "baths = [[1, 2.0], [3, 0.5]]\n"
    )
    result = simulate_network(network, 200_000, seed=1)
    assert result.replicas == default_replicas("cca")
    few = simulate_network(network, 200_000, replicas=4, seed=1)
    assert few.undetermined_baths and "closed classes" in few.undetermined_reason


FROZEN_SITE_NETWORK = (
    "sites = 5\n"
    "bonds = [[1, 2, 1.0], [2, 3, 1.0], [1, 4, 1.0], [4, 3, 1.0], [4, 5, 1.0]]\n"
    "fields = [[4, 1.0]]\nbaths = [[1, 2.0], [3, 0.5]]\n"
)
#: A review's counterexample: no site is frozen alone, but sites 1 and 2 lock each other (each
#: can flip only when the other is down), so the both-up states never leave: 2 classes.
LOCKED_PAIR_NETWORK = (
    "sites = 4\nbonds = [[1, 2, 1.0], [2, 3, 2.0], [1, 4, 2.0], [3, 4, 2.0]]\n"
    "fields = [[1, 1.0], [2, -1.0]]\nbaths = [[3, 2.0], [4, 0.5]]\n"
)


@pytest.mark.parametrize(("text", "seed"), [(FROZEN_SITE_NETWORK, 3), (LOCKED_PAIR_NETWORK, 0)])
def test_a_q2r_network_with_closed_classes_needs_enough_units(text, seed):
    """FROZEN_SITE_NETWORK: site 5 has one bond (J = 1), so its dE is never 0: it keeps its
    initial spin and acts on site 4 as a field +-1 added to site 4's own field 1, two classes
    with different currents. With 4 chains the errors said "resolved" while seed 3 missed by
    33 standard errors (the locked pair: 13.7 at seed 0). The classes are counted exactly
    (as the exact solver counts them); with fewer than 17 units the errors are undetermined,
    and the default (17 chains) covers the exact currents."""
    from exactspin.classical import solve_network
    from exactspin.montecarlo.network_simulation import simulate_network
    from exactspin.network.files import parse_network

    network = parse_network(text)
    exact = solve_network(network)
    assert exact.closed_classes == 2
    few = simulate_network(network, 500_000, replicas=4, seed=seed)
    assert set(few.undetermined_baths) == {0, 1}
    assert "2 closed classes (counted exactly)" in few.undetermined_reason
    result = simulate_network(network, 500_000, seed=seed)
    assert result.replicas == default_replicas("cca")
    for bath in range(2):
        assert result.bath_status(bath) == "resolved"
        error = result.bath_current_errors[bath]
        assert abs(result.bath_currents[bath] - exact.bath_currents[bath]) < 5 * error


def test_ergodic_networks_and_long_rings_keep_the_default_of_four_chains():
    from exactspin.montecarlo.lattice import Lattice
    from exactspin.montecarlo.network_simulation import MAX_COUNTED_SITES, closed_classes_cause
    from exactspin.network import classical_ring, three_branch_junction
    from exactspin.network.files import parse_network

    for network in (three_branch_junction(), classical_ring(2, 3, 2.0, 1.9, 2.0, 0.1)):
        assert closed_classes_cause(network, Lattice.from_network(network)) == ""
    ring = classical_ring(20, 20, 2.0, 1.9, 2.0, 0.1)
    assert ring.sites > MAX_COUNTED_SITES
    assert closed_classes_cause(ring, Lattice.from_network(ring)) == ""
    # a long chain with a branch is not counted and not ring-like: not known to be ergodic
    sites = MAX_COUNTED_SITES + 2
    bonds = ", ".join(f"[{k}, {k + 1}, 1.0]" for k in range(1, sites)) + f", [2, {sites}, 1.0]"
    chain = parse_network(f"sites = {sites}\nbonds = [{bonds}]\nbaths = [[1, 2.0], [3, 0.5]]\n")
    assert "cannot be excluded" in closed_classes_cause(chain, Lattice.from_network(chain))


def test_the_python_api_says_what_the_command_line_warns_about():
    """The trial's Python user got no signal but undetermined_errors: ``problems`` is the
    command line's warning, clause by clause, and empty for a resolved stationary run."""
    few = simulate(_cca_ring(), 2_000_000, replicas=4, seed=9)
    assert any("4 chains see only 4 classes" in clause for clause in few.problems)
    enough = simulate(_cca_ring(), 2_000_000, seed=9)
    assert enough.problems == ()


def test_a_run_that_is_not_stationary_labels_no_circulation():
    """``burn_in=0`` on a 42-site ring measures the start-up transient: both branch currents
    are resolved (the ring is still relaxing from its random start), but they are not the
    steady state's, so no circulation is claimed from them (the first trial found
    "clockwise" printed on such a run)."""
    model = ring_model(20, 20, 2.0, 1.9, 2.0, 0.1)
    result = simulate(model, 200_000, replicas=64, seed=1, burn_in=0)
    assert result.equilibrated is False
    assert result.status("upper_branch_current") == "resolved"
    assert result.status("lower_branch_current") == "resolved"
    assert result.circulation == "undetermined"
    assert result.to_dict()["circulation"] == "undetermined"
    assert any("not shown to be stationary" in problem for problem in result.problems)


def test_a_network_run_that_is_not_stationary_labels_no_cycle():
    """The network's form of the claim above: a 12-site cycle measured from its random start
    (``burn_in=0``) has every bond current resolved and, judged on those alone, a direction
    round its cycle; the run is not stationary, so the cycle is "undetermined"."""
    from exactspin.montecarlo.network_simulation import simulate_network
    from exactspin.network import circulation
    from exactspin.network.files import parse_network

    bonds = [[i + 1, (i + 1) % 12 + 1, 2.0 if i < 6 else 1.9] for i in range(12)]
    network = parse_network(f"sites = 12\nbonds = {bonds}\nbaths = [[1, 2.0], [7, 0.1]]\n")
    result = simulate_network(network, 50_000, replicas=128, seed=1, burn_in=0)
    assert result.equilibrated is False
    assert all(result.bond_status(bond) == "resolved" for bond in range(12))
    margins = [result.significance * error for error in result.bond_current_errors]
    (transient,) = circulation(network, result.bond_currents, margins)
    assert transient.label in ("along", "against")
    (cycle,) = result.cycles
    assert cycle.label == "undetermined"
    assert cycle.limiting_bond is None
    assert result.to_dict()["cycles"][0]["circulation"] == "undetermined"
    assert any("not shown to be stationary" in problem for problem in result.problems)


def test_a_run_that_is_not_stationary_gives_no_magnification_ratio_error():
    """The second trial: ``classical mc --burn-in 0 --steps 20000 --seed 3`` printed
    ``magnification_ratio 1.46 +- 0.16`` beside an undetermined circulation: a transient's ratio
    is not the steady state's, so its status is undetermined too."""
    from exactspin.classical.model import ClassicalModel

    result = simulate(ClassicalModel.from_parameters(), 20_000, seed=3, burn_in=0)
    assert result.equilibrated is False
    assert result.magnification_ratio is not None
    assert result.magnification_ratio_status == "undetermined"
    assert result.to_dict()["magnification_ratio_status"] == "undetermined"
