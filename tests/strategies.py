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


@st.composite
def networks(
    draw,
    kind: str = "classical",
    min_sites: int = 3,
    max_sites: int = 8,
    max_baths: int = 3,
    fields: bool = False,
    dynamics: str = "q2r",
):
    """A random connected network (a random spanning tree plus extra bonds), 1..max_baths baths.

    Classical bonds take couplings from a few values so that Q2R has moves (a bulk site flips
    only when its bond energies cancel); quantum bonds take any J and Delta. ``up`` is drawn for
    quantum networks, ``mu`` for CCA.
    """
    from exactspin.network import Bath, Bond, Field, Network

    sites = draw(st.integers(min_sites, max_sites))
    order = draw(st.permutations(range(sites)))
    pairs = []
    for position in range(1, sites):
        parent = order[draw(st.integers(0, position - 1))]
        pairs.append((parent, order[position]))
    possible = [
        (a, b)
        for a in range(sites)
        for b in range(a + 1, sites)
        if (a, b) not in pairs and (b, a) not in pairs
    ]
    extra = draw(st.lists(st.sampled_from(possible), max_size=3, unique=True)) if possible else []
    pairs += extra
    quantum = kind == "quantum"
    bonds = []
    for a, b in pairs:
        if draw(st.booleans()):
            a, b = b, a
        if quantum:
            j = draw(st.floats(0.3, 1.5).map(lambda x: round(x, 3)))
            delta = draw(st.floats(-1.5, 2.0).map(lambda x: round(x, 3)))
            bonds.append(Bond(a, b, j, delta))
        else:
            bonds.append(Bond(a, b, draw(st.sampled_from((1.0, 1.0, 2.0, -1.0, 0.5)))))
    bath_count = draw(st.integers(1, min(max_baths, sites)))
    bath_sites = draw(st.permutations(range(sites)))[:bath_count]
    baths = tuple(Bath(site, draw(temperatures(0.5, 4.0))) for site in bath_sites)
    site_fields = ()
    if fields:
        chosen = draw(st.lists(st.integers(0, sites - 1), max_size=sites, unique=True))
        site_fields = tuple(Field(site, draw(st.floats(-1.0, 1.0))) for site in chosen)
    return Network(
        sites=sites,
        bonds=tuple(bonds),
        baths=baths,
        fields=site_fields,
        dynamics=None if quantum else dynamics,
        demon_unit=(
            draw(st.sampled_from(DEMON_UNITS)) if (not quantum and dynamics == CCA) else None
        ),
        up_spins=draw(st.integers(0, sites)) if quantum else None,
    )
