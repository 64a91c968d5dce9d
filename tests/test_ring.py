"""The ring geometry follows the paper's numbering (Sec. II, Fig. 2; DESIGN.md)."""

import pytest

from exactspin.classical.model import ClassicalModel
from exactspin.ring import Ring
from exactspin.validation import ParameterError


def test_fig2_numbering_for_nu2_nd3():
    ring = Ring(2, 3)
    assert ring.sites == 7
    assert ring.left_node == 0  # paper site 1
    assert ring.right_node == 3  # paper site N_U + 2 = 4
    assert ring.upper_bulk_sites == (1, 2)
    assert ring.lower_bulk_sites == (4, 5, 6)
    assert ring.upper_bonds == (0, 1, 2)  # paper bonds (1,2), (2,3), (3,4)
    assert ring.lower_bonds == (3, 4, 5, 6)  # ... and (7, 1) closes the ring
    assert ring.bond_sites(6) == (6, 0)


def test_two_site_ring_has_two_bonds_between_the_nodes():
    ring = Ring(0, 0)
    assert ring.sites == 2
    assert ring.bond_sites(0) == (0, 1) and ring.bond_sites(1) == (1, 0)
    assert ring.is_upper_bond(0) and not ring.is_upper_bond(1)


def test_couplings_follow_eq17():
    model = ClassicalModel.from_parameters(nu=1, nd=1, j1=2.0, j2=1.0)
    assert model.bond_couplings == (2.0, 2.0, 1.0, 1.0)


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"nu": -1}, "nu"),
        ({"nd": 1.5}, "nd"),
        ({"tl": 0.0}, "tl"),
        ({"tr": float("nan")}, "tr"),
        ({"j1": float("inf")}, "j1"),
        ({"j2": 0.0}, "j2"),
        ({"dynamics": "glauber"}, "dynamics"),
        ({"dynamics": "cca"}, "mu"),
        ({"dynamics": "cca", "mu": -4.0}, "mu"),
        ({"mu": 4.0}, "mu"),
    ],
)
def test_bad_parameters_are_named(kwargs, parameter):
    with pytest.raises(ParameterError) as caught:
        ClassicalModel.from_parameters(**kwargs)
    assert caught.value.parameter == parameter
    assert parameter in str(caught.value)
