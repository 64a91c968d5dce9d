"""The closed-form frontier beyond N_S = 6 (slow: symbolic factoring takes seconds to minutes).

Found with benchmarks/bench_spectrum.py: on 7 and 8 sites the sectors with at most two up (or
two down) spins factor into degrees <= 4 and have closed forms; 7 sites with 3 or 4 up has
irreducible quintic factors (momentum k != 0), 8 sites with 3..5 up has degree 7.
"""

from __future__ import annotations

import numpy as np
import pytest

from exactspin.quantum.basis import sector_basis
from exactspin.quantum.hamiltonian import ring_hamiltonian
from exactspin.quantum.spectrum import NoClosedFormError, exact_levels, largest_factor_degree
from exactspin.ring import Ring

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("sites", "up"), [(7, 0), (7, 1), (7, 2), (7, 5), (7, 6), (8, 1), (8, 2), (8, 6), (8, 7)]
)
def test_closed_forms_beyond_six_sites_match_eigvalsh(sites, up):
    spectrum = exact_levels(sites, up)
    generator = np.random.default_rng(10 * sites + up)
    for exchange, delta in generator.uniform(-3.0, 3.0, size=(3, 2)):
        exact = np.sort([float(v) for v, m in spectrum.evaluate(exchange, delta) for _ in range(m)])
        reference = np.linalg.eigvalsh(
            ring_hamiltonian(sector_basis(sites, up), Ring(sites - 2, 0), exchange, delta)
        )
        scale = max(1.0, np.max(np.abs(reference)))
        np.testing.assert_allclose(exact, reference, rtol=0, atol=1e-10 * scale)


def test_eight_sites_two_up_needs_the_quartic_formula():
    assert largest_factor_degree(8, 2) == 4


def test_seven_sites_three_up_has_a_quintic_and_no_closed_form():
    assert largest_factor_degree(7, 3) == 5
    with pytest.raises(NoClosedFormError) as error:
        exact_levels(7, 3)
    assert error.value.parameter == "n"
