"""Ring geometry shared by the classical and the quantum models.

The paper numbers sites clockwise from 1; code numbers them from 0. With N_S = N_U + N_D + 2:

- site 0 (paper: 1) touches the left bath (T_L);
- sites 1..N_U (paper: 2..N_U+1) are the upper branch;
- site N_U+1 (paper: N_U+2) touches the right bath (T_R);
- sites N_U+2..N_S-1 (paper: N_U+3..N_S) are the lower branch.

Bond ``b`` joins site ``b`` to site ``(b+1) % N_S``. Bonds 0..N_U form the upper path (coupling
J1), bonds N_U+1..N_S-1 the lower path (coupling J2), as in Eq. 17. A two-site ring has two
distinct bonds between the same pair of sites. This module holds no couplings or dynamics.
"""

from __future__ import annotations

from dataclasses import dataclass

from exactspin.validation import ParameterError, require_integer

#: Largest branch length the library accepts at all; the solvers impose tighter size limits.
MAX_BRANCH_SPINS = 10**6

#: Largest state index (exclusive) the state-enumerating solvers can hold: they index states
#: with numpy int64, so a ring with more than 2**62 states cannot even be numbered (and the
#: memory estimate of such a solve no longer fits a float).
MAX_ENUMERATED_STATES = 2**62


@dataclass(frozen=True)
class Ring:
    """A two-branch ring of N_S = N_U + N_D + 2 sites between a left and a right bath.

    Parameters
    ----------
    upper_spins : int
        N_U, the number of bulk spins in the upper branch (>= 0).
    lower_spins : int
        N_D, the number of bulk spins in the lower branch (>= 0).
    """

    upper_spins: int
    lower_spins: int

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "upper_spins", require_integer("nu", self.upper_spins, 0, MAX_BRANCH_SPINS)
        )
        object.__setattr__(
            self, "lower_spins", require_integer("nd", self.lower_spins, 0, MAX_BRANCH_SPINS)
        )

    @property
    def sites(self) -> int:
        """N_S, the number of sites (and of bonds)."""
        return self.upper_spins + self.lower_spins + 2

    @property
    def left_node(self) -> int:
        """The site touching the left bath (paper: site 1)."""
        return 0

    @property
    def right_node(self) -> int:
        """The site touching the right bath (paper: site N_U + 2)."""
        return self.upper_spins + 1

    @property
    def upper_bulk_sites(self) -> tuple[int, ...]:
        """Bulk sites of the upper branch, left to right."""
        return tuple(range(1, self.upper_spins + 1))

    @property
    def lower_bulk_sites(self) -> tuple[int, ...]:
        """Bulk sites of the lower branch, right to left (clockwise order)."""
        return tuple(range(self.upper_spins + 2, self.sites))

    @property
    def bulk_sites(self) -> tuple[int, ...]:
        """All bulk sites in increasing order (upper branch first)."""
        return self.upper_bulk_sites + self.lower_bulk_sites

    @property
    def upper_bonds(self) -> tuple[int, ...]:
        """Bonds of the upper path: bond b joins site b and b+1, b = 0..N_U."""
        return tuple(range(0, self.upper_spins + 1))

    @property
    def lower_bonds(self) -> tuple[int, ...]:
        """Bonds of the lower path, b = N_U+1..N_S-1 (the last one closes the ring)."""
        return tuple(range(self.upper_spins + 1, self.sites))

    def is_upper_bond(self, bond: int) -> bool:
        """True when ``bond`` belongs to the upper path (coupling J1)."""
        return 0 <= bond <= self.upper_spins

    def bond_sites(self, bond: int) -> tuple[int, int]:
        """The two sites ``(b, (b+1) % N_S)`` joined by ``bond``, in clockwise order."""
        return bond, (bond + 1) % self.sites

    def right_neighbour(self, site: int) -> int:
        """The clockwise neighbour of ``site`` (joined by bond ``site``)."""
        return (site + 1) % self.sites

    def left_neighbour(self, site: int) -> int:
        """The anticlockwise neighbour of ``site`` (joined by bond ``site - 1``)."""
        return (site - 1) % self.sites

    def is_bulk(self, site: int) -> bool:
        """True for a site that touches no bath."""
        return site not in (self.left_node, self.right_node)


def require_enumerable(ring: Ring, demon_levels: int = 1) -> int:
    """Refuse, before any work, a ring whose states an exact solver cannot number.

    Parameters
    ----------
    ring : Ring
        The geometry; N_S = N_U + N_D + 2 spins give 2**N_S spin configurations.
    demon_levels : int
        Values of the demon on each bulk site (4 for CCA, Eq. 20; 1 when there are no demons).

    Returns
    -------
    int
        The number of states, 2**N_S * demon_levels**(N_U + N_D).

    Raises
    ------
    ParameterError
        Naming nu and nd with the largest allowed N_S when the count exceeds
        :data:`MAX_ENUMERATED_STATES`.
    """
    bulk = len(ring.bulk_sites)
    states = 2**ring.sites * demon_levels**bulk
    if states <= MAX_ENUMERATED_STATES:
        return states
    largest = 2
    while 2 ** (largest + 1) * demon_levels ** (largest - 1) <= MAX_ENUMERATED_STATES:
        largest += 1
    raise ParameterError(
        "nu, nd",
        (ring.upper_spins, ring.lower_spins),
        f"such that N_S = nu + nd + 2 <= {largest} for an exact solve "
        f"(this ring has about 2^{states.bit_length() - 1} states; state indices are 64-bit; "
        "'classical mc' takes larger rings)",
    )
