"""Hypothesis strategies for the models, shared by every test package.

Rings are kept small so an exact solve takes milliseconds: Q2R up to N_S = 7, CCA up to
N_S = 5 (2^5 x 4^3 = 2048 states). Couplings avoid tiny magnitudes and temperatures stay in a
range where exp(-dE/T) neither underflows nor makes the chain numerically reducible.
"""

from __future__ import annotations

from hypothesis import strategies as st

from exactspin.classical.model import CCA, Q2R, ClassicalModel
from exactspin.ring import Ring

#: Demon units for CCA: the paper's values (which enable extra flips at J = 1, 2) and others.
DEMON_UNITS = (1.0, 2.0, 4.0, 8.0, 3.0, 2.5)


def couplings(minimum: float = 0.3, maximum: float = 2.5) -> st.SearchStrategy[float]:
    """A coupling J of either sign with minimum <= |J| <= maximum (ferro- or antiferromagnet)."""
    magnitude = st.floats(minimum, maximum, allow_nan=False, allow_infinity=False)
    return st.builds(lambda m, s: s * m, magnitude, st.sampled_from((1.0, 1.0, -1.0)))


def temperatures(minimum: float = 0.3, maximum: float = 6.0) -> st.SearchStrategy[float]:
    """A bath temperature T in [minimum, maximum]."""
    return st.floats(minimum, maximum, allow_nan=False, allow_infinity=False)


@st.composite
def rings(draw, max_sites: int = 7, min_sites: int = 3) -> Ring:
    """A ring with min_sites <= N_S <= max_sites."""
    sites = draw(st.integers(min_sites, max_sites))
    upper = draw(st.integers(0, sites - 2))
    return Ring(upper, sites - 2 - upper)


@st.composite
def classical_models(
    draw,
    dynamics: tuple[str, ...] = (Q2R, CCA),
    max_sites: int = 7,
    max_cca_sites: int = 5,
    equal_temperatures: bool = False,
) -> ClassicalModel:
    """A classical ring with random couplings, temperatures and dynamics."""
    kind = draw(st.sampled_from(dynamics))
    ring = draw(rings(max_sites=max_cca_sites if kind == CCA else max_sites))
    left = draw(temperatures())
    right = left if equal_temperatures else draw(temperatures())
    if kind == CCA:
        # Couplings on a grid of 0.5 so that dE / mu is often an integer (extra CCA flips).
        grid = st.sampled_from((0.5, 1.0, 1.5, 2.0, -1.0))
        j1, j2, mu = draw(grid), draw(grid), draw(st.sampled_from(DEMON_UNITS))
    else:
        j1, j2, mu = draw(couplings()), draw(couplings()), None
    return ClassicalModel(ring, j1, j2, left, right, kind, mu)
