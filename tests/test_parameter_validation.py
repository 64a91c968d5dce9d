"""Model construction refuses what the issue found accepted or crashing, with a ParameterError.

Each case either was accepted silently (a boolean as a spin count, a site index truncated) or
raised a bare OverflowError; now the message names the parameter and its range.
"""

import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.ring import Ring
from exactspin.validation import ParameterError


@pytest.mark.parametrize("parameter", ["nu", "nd"])
def test_a_boolean_is_not_a_spin_count(parameter):
    with pytest.raises(ParameterError, match=f"'{parameter}' = True"):
        ClassicalModel.from_parameters(**{parameter: True})
    with pytest.raises(ParameterError):
        Ring(True, 0) if parameter == "nu" else Ring(0, True)


def test_whole_floats_still_count_as_integers():
    assert Ring(2.0, 3.0).sites == 7


def test_site_pairs_are_never_truncated():
    from exactspin.validation import require_site_pairs

    with pytest.raises(ParameterError, match="'pairs'"):
        require_site_pairs("pairs", [(0.5, 1)], 5)
    with pytest.raises(ParameterError, match="'pairs'"):
        require_site_pairs("pairs", [(True, 1)], 5)
    assert require_site_pairs("pairs", [(0, 1.0)], 5) == ((0, 1),)


def test_monte_carlo_pairs_refuse_half_sites_before_running():
    from exactspin.montecarlo import simulate

    with pytest.raises(ParameterError, match="'pairs'"):
        simulate(ClassicalModel.from_parameters(), steps=100, replicas=1, pairs=[(0.5, 1)])


@pytest.mark.parametrize("parameter", ["tl", "tr", "j1", "j2"])
def test_a_real_beyond_double_precision_names_the_parameter(parameter):
    """tl=10**400 raised OverflowError from float()."""
    with pytest.raises(ParameterError, match=f"'{parameter}' = <an integer of about 401 digits>"):
        ClassicalModel.from_parameters(**{parameter: 10**400})


def test_a_ring_whose_states_cannot_be_numbered_is_refused_by_the_exact_solver():
    from exactspin.classical import solve
    from exactspin.ring import require_enumerable

    with pytest.raises(ParameterError, match="N_S = nu \\+ nd \\+ 2 <= 62"):
        solve(ClassicalModel.from_parameters(nu=1100, nd=0))
    with pytest.raises(ParameterError, match="<= 22"):
        require_enumerable(Ring(11, 11), demon_levels=4)
    assert require_enumerable(Ring(10, 10), demon_levels=4) == 2**22 * 4**20


@pytest.mark.parametrize(
    "command",
    [
        ["classical", "solve", "--nu", "2", "--nd", "1"],
        ["classical", "mc", "--nu", "2", "--nd", "1", "--steps", "1e4"],
        ["quantum", "solve"],
        ["classical", "solve", "--network", "examples/networks/junction.toml"],
    ],
)
@pytest.mark.parametrize("pair", [("1", "1"), ("1", "99")])
def test_every_command_refuses_a_pair_of_one_site_or_outside_the_model_alike(command, pair, capsys):
    """``--pair 1 1`` was printed as <s_1 s_1> = 1 by the exact solve and refused by the Monte
    Carlo: one rule and one message in every command, before any work."""
    from pathlib import Path

    from exactspin.cli.main import main

    root = Path(__file__).resolve().parents[1]
    command = [str(root / part) if part.endswith(".toml") else part for part in command]
    assert main([*command, "--pair", *pair]) == 2
    assert "two distinct 1-based sites in 1.." in capsys.readouterr().err
