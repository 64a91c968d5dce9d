"""Networks built from parameters: the paper's rings and the report's other geometries.

The paper's ring (Eqs. 2, 17, 22; ``docs/conventions.md``, "Ring geometry") is built with the
same numbering the ring engines use: site 0 touches the left bath, sites 1..N_U are the upper
branch, site N_U+1 touches the right bath, sites N_U+2..N_S-1 the lower branch; bond b joins site b
to site (b+1) mod N_S, oriented clockwise, so its bond current is today's clockwise branch current
(I_U on bonds 0..N_U, I_D on the others). Bath order is (left, right).
"""

from __future__ import annotations

from exactspin.network.graph import CCA, Q2R, Bath, Bond, Field, Network
from exactspin.ring import Ring
from exactspin.validation import ParameterError


def classical_ring(
    nu: int = 2,
    nd: int = 3,
    j1: float = 2.0,
    j2: float = 1.9,
    tl: float = 2.0,
    tr: float = 0.1,
    dynamics: str = Q2R,
    mu: float | None = None,
) -> Network:
    """The classical two-branch ring of Eq. 17 (J1 on the upper path, J2 on the lower path)."""
    ring = Ring(nu, nd)
    for name, value in (("j1", j1), ("j2", j2)):
        if value == 0:
            raise ParameterError(name, value, "a finite nonzero real number")
    bonds = tuple(
        Bond(*ring.bond_sites(bond), j1 if ring.is_upper_bond(bond) else j2)
        for bond in range(ring.sites)
    )
    return _ring_network(
        ring, bonds, tl, tr, dynamics=dynamics, demon_unit=mu if dynamics == CCA else None
    )


def quantum_ring(
    nu: int = 2,
    nd: int = 1,
    up: int = 3,
    j: float = 1.0,
    delta: float = 0.0,
    tl: float = 2.0,
    tr: float = 1.0,
    fields: tuple[float, ...] | None = None,
) -> Network:
    """The modified XXZ ring of Eq. 22 in the sector of ``up`` up spins, optional fields h_i."""
    ring = Ring(nu, nd)
    if j == 0 and delta == 0:
        raise ParameterError("j", j, "nonzero when delta = 0 (with J = Delta = 0 no bond couples)")
    bonds = tuple(Bond(*ring.bond_sites(bond), j, delta) for bond in range(ring.sites))
    site_fields = ()
    if fields is not None:
        site_fields = tuple(Field(site, h) for site, h in enumerate(fields) if h != 0)
    return _ring_network(ring, bonds, tl, tr, fields=site_fields, up_spins=up)


def _ring_network(ring: Ring, bonds: tuple[Bond, ...], tl: float, tr: float, **model) -> Network:
    """The ring's network: its bonds, the left and right baths, and the model's other choices."""
    return Network(
        sites=ring.sites,
        bonds=bonds,
        baths=(Bath(ring.left_node, tl), Bath(ring.right_node, tr)),
        name=f"{ring.sites}({ring.upper_spins} up, {ring.lower_spins} down) ring",
        parallel_bonds=ring.sites == 2,
        **model,
    )


def three_branch_junction(
    coupling: float = 1.0,
    hot: float = 2.0,
    cold: float = 0.5,
    quantum: bool = False,
    anisotropy: float = 0.0,
    up: int | None = None,
    dynamics: str = Q2R,
    mu: float | None = None,
) -> Network:
    """Two nodes joined by three branches (the paper's ring with a third path through the middle).

    Sites (0-based): 0 = hot node, 5 = cold node; branch A through 1-2, branch B through 3,
    branch C through 4. Branch couplings J, 1.5 J and 0.75 J make the branches unequal.
    """
    couplings = {"a": coupling, "b": 1.5 * coupling, "c": 0.75 * coupling}
    pairs = (
        (0, 1, "a"), (1, 2, "a"), (2, 5, "a"),
        (0, 3, "b"), (3, 5, "b"),
        (0, 4, "c"), (4, 5, "c"),
    )  # fmt: skip
    delta = anisotropy if quantum else None
    bonds = tuple(Bond(a, b, couplings[key], delta) for a, b, key in pairs)
    return Network(
        sites=6,
        bonds=bonds,
        baths=(Bath(0, hot), Bath(5, cold)),
        dynamics=None if quantum else dynamics,
        demon_unit=mu if not quantum and dynamics == CCA else None,
        up_spins=(3 if up is None else up) if quantum else None,
        name="three-branch junction",
    )


def three_bath_ring(
    sites: int = 6,
    coupling: float = 1.0,
    temperatures: tuple[float, float, float] = (2.0, 1.0, 0.5),
    quantum: bool = False,
    anisotropy: float = 0.0,
    up: int | None = None,
    dynamics: str = Q2R,
    mu: float | None = None,
) -> Network:
    """A ring of ``sites`` sites with baths on sites 0, sites//3 and 2 sites//3 (0-based).

    The three segments between baths have couplings J, 1.25 J and 0.8 J.
    """
    if sites < 6:
        raise ParameterError(
            "sites", sites, "an integer >= 6 (a bulk site between every two baths)"
        )
    delta = anisotropy if quantum else None
    bath_sites = (0, sites // 3, (2 * sites) // 3)
    # one coupling per segment between baths, so that every bulk site has equal bonds on both
    # sides and Q2R moves it (a bulk site between unequal bonds never flips under Q2R)
    scales = (1.0, 1.25, 0.8)

    def segment(site: int) -> int:
        return sum(site >= bath_site for bath_site in bath_sites) - 1

    bonds = tuple(
        Bond(site, (site + 1) % sites, coupling * scales[segment(site)], delta)
        for site in range(sites)
    )
    return Network(
        sites=sites,
        bonds=bonds,
        baths=tuple(Bath(s, t) for s, t in zip(bath_sites, temperatures, strict=True)),
        dynamics=None if quantum else dynamics,
        demon_unit=mu if not quantum and dynamics == CCA else None,
        up_spins=(sites // 2 if up is None else up) if quantum else None,
        name="ring with three baths",
    )


def inhomogeneous_field_ring(
    nu: int = 2,
    nd: int = 1,
    up: int = 2,
    j: float = 1.0,
    delta: float = 0.5,
    tl: float = 2.0,
    tr: float = 1.0,
    field_strength: float = 0.5,
) -> Network:
    """A quantum ring with a field only on the upper branch (Xu, Choo, Balachandran & Poletti).

    The field h sz on the upper bulk sites breaks the symmetry between the branches.
    """
    ring = Ring(nu, nd)
    fields = [0.0] * ring.sites
    for site in ring.upper_bulk_sites:
        fields[site] = field_strength
    network = quantum_ring(nu, nd, up, j, delta, tl, tr, tuple(fields))
    return network.replace(name="ring with an inhomogeneous field")
