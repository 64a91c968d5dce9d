"""The random-sequential Monte Carlo kernel of any classical network (numba).

One step picks a site uniformly and attempts to flip it (docs/conventions.md, P_step = 1 + W / N):

- a site with a bath flips by Metropolis, min(1, exp(-dE/T)) (Eq. 5);
- a site without a bath flips by Q2R iff dE = 0 exactly (on the paper's rings Eq. 10), or by CCA
  iff mu d - dE is in {0, mu, 2mu, 3mu}, after which d -> d - dE/mu (Eqs. 20-21);

with dE = 2 s_i (sum_j J_ij s_j + h_i) over the site's bonds and field (energy -J s_i s_j - h s_i).
Q2R decides dE = 0 in exact rational arithmetic on the couplings as given (``fractions``), so
J = 1, 1, 2 cancel at a site of degree 3 and rounding never invents or hides a move.

Each site has *slots*: its bonds in bond order, then its field (a bond to a ghost spin that is
always down, with coupling -h). A site's state byte (or word) is ``offset(class) + local`` with
``local = s + 2 sum_j t_j 2^j + 2^(1+K) d`` (s, t_j the occupation bits, 1 = up, of the site and of
slot j's neighbour; d the demon; K the largest degree). Sites with equal slot couplings, bath and
dynamics share a class and its table block; an accepted flip XORs the table word's change into the
site's own entry and toggles the site's bit in each neighbour's entry, so a step reads one entry and
one table word, with no data-dependent branch, whatever the degree. Slot lists are padded to the
largest degree with a ghost site whose entry nobody reads. On the ring this is the single-chain
kernel of :mod:`~exactspin.montecarlo.kernel` with a different entry layout: the same random words
and the same thresholds, so the same chain.

The kernel counts flips per (site, low 1 + K bits of the entry: local configuration without
demon); :func:`slot_alignments`
turns them into the net aligned flips sum s_i s_j of every slot, from which the bath currents
(Eq. 6) and bond currents (Eqs. 8-9) are formed elsewhere.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

import numba
import numpy as np

from exactspin.classical.model import CCA, DEMON_LEVELS
from exactspin.montecarlo.kernel import ALWAYS, CCA_INTEGER_TOLERANCE, CHANGE_BITS, accepts
from exactspin.montecarlo.lattice import Lattice
from exactspin.montecarlo.rng import next_word, scale_word

#: Bits of a class block beyond the neighbour bits: the spin and the two demon bits.
LOCAL_SHIFT = 3
#: Largest degree of a CCA network: the demon bits, above the K neighbour bits, must sit in the
#: table word's 8-bit change.
MAX_CCA_DEGREE = 5
#: Largest number of slots (bonds plus a field) of one site: a class's table block has
#: 2^(3 + degree) words.
MAX_DEGREE = 12
#: Bits of a link (:func:`kernel_arrays`) holding the slot rank.
RANK_BITS = 8
#: Largest table (words) over all classes.
MAX_TABLE_WORDS = 2**24


@dataclass(frozen=True)
class Slots:
    """Every site's slots (bonds in bond order, then its field), padded to the largest degree.

    Attributes
    ----------
    degree : (N,) int64
    neighbours : (N, K) int64
        Neighbour of each slot; the ghost site N for a field slot and for padding.
    couplings : (N, K) float
        J of the slot's bond, -h for a field slot, 0 for padding.
    ranks : (N, K) int64
        The rank of the same bond among the neighbour's slots (0 for fields and padding, whose
        ghost entry nobody reads).
    bond_slots : (B, 2) int64
        Flat slot index (site K + rank) of each bond's first and second end.
    field_slots : (F,) int64
        Flat slot index of each field.
    cyclic : bool
        Every site has two bonds and no field, its slots ordered (predecessor, successor) round
        the cycle (instead of bond order), so :func:`run_cycle_chain` applies.
    """

    degree: np.ndarray
    neighbours: np.ndarray
    couplings: np.ndarray
    ranks: np.ndarray
    bond_slots: np.ndarray
    field_slots: np.ndarray
    cyclic: bool = False

    @property
    def width(self) -> int:
        return self.neighbours.shape[1]


def slots(lattice: Lattice) -> Slots:
    """The :class:`Slots` of ``lattice`` (vectorized: rings of millions of sites are cheap)."""
    sites, bonds, fields = lattice.sites, lattice.bonds, len(lattice.field_sites)
    first, second = lattice.bond_sites[:, 0], lattice.bond_sites[:, 1]
    owner = np.concatenate([first, second, lattice.field_sites])
    partner = np.concatenate([second, first, np.full(fields, sites, dtype=np.int64)])
    order_key = np.concatenate([np.arange(bonds), np.arange(bonds), bonds + np.arange(fields)])
    coupling = np.concatenate([lattice.couplings, lattice.couplings, -lattice.field_strengths])
    order = np.lexsort((order_key, owner))
    degree = np.bincount(owner, minlength=sites).astype(np.int64)
    width = max(1, int(degree.max()))
    if width > MAX_DEGREE:
        site = int(np.argmax(degree))
        from exactspin.validation import ParameterError

        raise ParameterError(
            "bonds",
            f"site {site + 1} with {width} bonds and fields",
            f"at most {MAX_DEGREE} bonds plus field per site for the Monte Carlo kernel",
        )
    cycle_ranks = _cycle_ranks(lattice, degree)
    if cycle_ranks is not None:
        rank = cycle_ranks
    else:
        start = np.concatenate([[0], np.cumsum(degree)[:-1]])
        rank = np.empty(len(owner), dtype=np.int64)
        rank[order] = np.arange(len(owner)) - start[owner[order]]
    flat = owner * width + rank
    neighbours = np.full((sites, width), sites, dtype=np.int64)
    couplings = np.zeros((sites, width))
    ranks = np.zeros((sites, width), dtype=np.int64)
    neighbours.flat[flat] = partner
    couplings.flat[flat] = coupling
    # The end-0 slot of bond b is entry b, its end-1 slot entry B + b: each other's partner.
    partner_rank = np.concatenate([rank[bonds : 2 * bonds], rank[:bonds]])
    ranks.flat[flat[: 2 * bonds]] = partner_rank
    return Slots(
        degree=degree,
        neighbours=neighbours,
        couplings=couplings,
        ranks=ranks,
        bond_slots=np.stack([flat[:bonds], flat[bonds : 2 * bonds]], axis=1),
        field_slots=flat[2 * bonds :],
        cyclic=cycle_ranks is not None,
    )


def _cycle_ranks(lattice: Lattice, degree: np.ndarray) -> np.ndarray | None:
    """Slot ranks (end-0 slots of every bond, then end-1 slots) ordering every site's two slots
    as (predecessor, successor) round the cycle, or None unless every site has exactly two bonds
    and no field.

    Then a flip of site i toggles bit 2 of its predecessor's entry (i is its successor) and bit
    1 of its successor's, constant bits as in the ring-only kernel (:func:`run_cycle_chain`).
    """
    bonds = lattice.bonds
    if len(lattice.field_sites) or not np.all(degree == 2):
        return None
    first, second = lattice.bond_sites[:, 0], lattice.bond_sites[:, 1]
    sites = lattice.sites
    ranks = np.empty(2 * bonds, dtype=np.int64)
    if np.all(np.bincount(first, minlength=sites) == 1):
        # Every bond already points along the cycle (the paper's ring: b -> b+1).
        ranks[:bonds], ranks[bonds:] = 1, 0
        return ranks
    incident: list[list[int]] = [[] for _ in range(sites)]
    for bond in range(bonds):
        incident[first[bond]].append(bond)
        incident[second[bond]].append(bond)
    visited = np.zeros(bonds, dtype=bool)
    for start in range(sites):  # one cycle per piece
        site, bond = start, incident[start][0]
        while not visited[bond]:
            visited[bond] = True
            forward = first[bond] == site  # walking the bond from its first end
            ranks[bond if forward else bonds + bond] = 1  # successor slot at this site
            ranks[bonds + bond if forward else bond] = 0  # predecessor slot at the next
            site = second[bond] if forward else first[bond]
            a, b = incident[site]
            bond = b if a == bond else a
    return ranks


@dataclass(frozen=True)
class ChainTables:
    """Everything :func:`run_network_chain` reads besides the state.

    Attributes
    ----------
    slots : Slots
    site_offset : (N,) int64
        ``offset(class)`` of every site: its entry is site_offset + local.
    table : (T,) uint64
        ``round(p 2^55) << 8 | change`` per (class, local), change the XOR of the entry on an
        accepted flip (the spin bit and the demon bits).
    counter_base : (N,) int64
        First counter of every site, i 2^(1 + K): every class block has 2^(3 + K) words for
        the largest degree K, so the kernel finds a counter by shifts.
    entry_type : numpy dtype
        uint8, uint16 or uint32, the narrowest that indexes the table.
    """

    slots: Slots
    site_offset: np.ndarray
    table: np.ndarray
    counter_base: np.ndarray
    entry_type: type


def _site_classes(lattice: Lattice, site_slots: Slots) -> tuple[np.ndarray, np.ndarray]:
    """(class of every site, one representative site per class)."""
    sites = lattice.sites
    temperature = np.full(sites, -1.0)
    temperature[lattice.bath_sites] = lattice.bath_temperatures
    demon = np.zeros(sites)
    demon[lattice.demon_sites] = 1.0
    keys = np.column_stack(
        [temperature, demon, site_slots.degree.astype(float), site_slots.couplings]
    )
    _, representative, classes = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return classes.reshape(-1), representative


def flip_outcome(
    couplings: list[float],
    temperature: float | None,
    demon_unit: float | None,
    spin: int,
    neighbour_spins: list[int],
    demon: int,
) -> tuple[float, int]:
    """(acceptance probability, demon after) of flipping a site with spin ``spin`` (+-1).

    ``neighbour_spins`` are the spins (+-1) of the slots' neighbours (-1 for a field slot's
    ghost); dE = 2 s sum_j J_j t_j. ``demon_unit`` None means Q2R at a site without a bath.
    """
    energy_change = 2.0 * spin * sum(c * t for c, t in zip(couplings, neighbour_spins, strict=True))
    if temperature is not None:
        if energy_change <= 0:
            return 1.0, demon
        return math.exp(-energy_change / temperature), demon
    if demon_unit is not None:
        quanta = energy_change / demon_unit
        nearest = round(quanta)
        if abs(quanta - nearest) > CCA_INTEGER_TOLERANCE * max(1.0, abs(quanta)):
            return 0.0, demon
        after = demon - nearest
        return (1.0, after) if 0 <= after < DEMON_LEVELS else (0.0, demon)
    exact = sum(Fraction(c) * t for c, t in zip(couplings, neighbour_spins, strict=True))
    return (1.0, demon) if exact == 0 else (0.0, demon)


def chain_tables(lattice: Lattice) -> ChainTables:
    """The :class:`ChainTables` of ``lattice``."""
    site_slots = slots(lattice)
    classes, representatives = _site_classes(lattice, site_slots)
    temperatures = dict(
        zip(lattice.bath_sites.tolist(), lattice.bath_temperatures.tolist(), strict=True)
    )
    demon_sites = set(lattice.demon_sites.tolist())
    width = site_slots.width
    if lattice.dynamics == CCA and width > MAX_CCA_DEGREE:
        from exactspin.validation import ParameterError

        raise ParameterError(
            "bonds",
            f"a site with {width} bonds and fields",
            f"at most {MAX_CCA_DEGREE} per site for CCA Monte Carlo",
        )
    demon_shift = 1 + width
    block = 2 ** (LOCAL_SHIFT + width)
    sizes = [block] * len(representatives)
    offsets = block * np.arange(len(representatives), dtype=np.int64)
    total = int(sum(sizes))
    if total > MAX_TABLE_WORDS:
        from exactspin.validation import ParameterError

        raise ParameterError(
            "bonds", f"{len(sizes)} site classes", "fewer distinct sites (the table is too big)"
        )
    table = np.zeros(total, dtype=np.uint64)
    for offset, site in zip(offsets.tolist(), representatives.tolist(), strict=True):
        degree = int(site_slots.degree[site])
        couplings = site_slots.couplings[site, :degree].tolist()
        temperature = temperatures.get(site)
        has_demon = site in demon_sites
        mu = lattice.demon_unit if has_demon else None
        for spin_bit, pattern, demon in itertools.product(
            range(2), range(2**degree), range(DEMON_LEVELS if has_demon else 1)
        ):
            neighbour_spins = [2 * ((pattern >> j) & 1) - 1 for j in range(degree)]
            probability, after = flip_outcome(
                couplings, temperature, mu, 2 * spin_bit - 1, neighbour_spins, demon
            )
            threshold = min(ALWAYS, round(probability * ALWAYS))
            change = 1 | ((demon ^ after) << demon_shift)
            local = spin_bit | (pattern << 1) | (demon << demon_shift)
            table[offset + local] = (threshold << CHANGE_BITS) | change
    if total <= 2**8:
        entry_type = np.uint8
    elif total <= 2**16:
        entry_type = np.uint16
    else:
        entry_type = np.uint32
    counters = 2 ** (1 + site_slots.width)
    return ChainTables(
        slots=site_slots,
        site_offset=offsets[classes],
        table=table,
        counter_base=counters * np.arange(lattice.sites, dtype=np.int64),
        entry_type=entry_type,
    )


def kernel_arrays(tables: ChainTables) -> tuple[np.ndarray, np.ndarray]:
    """(table, links) for :func:`run_network_chain`; (table, neighbours) on a cycle.

    A link packs a slot's neighbour and the bit of this site in the neighbour's entry (1 plus
    the rank of the slot in the neighbour's list) into one uint32, so a neighbour update is one
    load; padding and fields link to the ghost site, whose entry nobody reads. Unsigned indices
    keep numba from emitting negative-index wrap-around code.
    """
    site_slots = tables.slots
    if site_slots.cyclic:
        return tables.table, site_slots.neighbours.ravel().astype(np.uint32)
    links = (site_slots.neighbours << RANK_BITS) | (1 + site_slots.ranks)
    link_type = np.uint32 if site_slots.neighbours.shape[0] < 2 ** (32 - RANK_BITS) else np.uint64
    return tables.table, links.ravel().astype(link_type)


def counter_count(tables: ChainTables) -> int:
    """Length of the kernel's ``counts`` array."""
    return tables.slots.degree.shape[0] * 2 ** (1 + tables.slots.width)


def entries_of(tables: ChainTables, occupations: np.ndarray, demons: np.ndarray) -> np.ndarray:
    """The entry of every site, plus a zero ghost entry (length N + 1), for the given state."""
    site_slots = tables.slots
    occupations = np.asarray(occupations, dtype=np.int64)
    padded = np.concatenate([occupations, [0]])
    neighbour_bits = padded[site_slots.neighbours]  # ghost and padding read 0 (down)
    weights = np.left_shift(1, 1 + np.arange(site_slots.width))
    demon_shift = 1 + site_slots.width
    local = (
        occupations
        + neighbour_bits @ weights
        + np.left_shift(np.asarray(demons, dtype=np.int64), demon_shift)
    )
    entries = np.zeros(len(occupations) + 1, dtype=tables.entry_type)
    entries[:-1] = tables.site_offset + local
    return entries


def occupations_of(entries: np.ndarray) -> np.ndarray:
    """Spin bits (1 = up) of every real site."""
    return (entries[:-1] & 1).astype(np.int64)


def demons_of(tables: ChainTables, entries: np.ndarray) -> np.ndarray:
    """Demon values of every real site."""
    shift = 1 + tables.slots.width
    return ((entries[:-1].astype(np.int64) >> shift) & 3).astype(np.int64)


def slot_alignments(tables: ChainTables, counts: np.ndarray) -> np.ndarray:
    """Net aligned flips sum s_i t_j (before each accepted flip) of every slot, flat (N K,).

    ``counts[base_i + L]`` counts the accepted flips of site i from local configuration L =
    s + 2 sum_j t_j 2^j; a flip is aligned with slot j when s equals bit j of the pattern.
    """
    site_slots = tables.slots
    width = site_slots.width
    aligned = np.zeros(site_slots.degree.shape[0] * width, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    for degree in np.unique(site_slots.degree).tolist():
        group = np.flatnonzero(site_slots.degree == degree)
        size = 2 ** (1 + degree)
        block = counts[tables.counter_base[group][:, None] + np.arange(size)]
        local = np.arange(size)
        signs = np.array(
            [np.where((local & 1) == ((local >> (1 + j)) & 1), 1, -1) for j in range(degree)],
            dtype=np.int64,
        ).reshape(degree, size)
        values = block @ signs.T  # (sites of the group, degree)
        aligned[(group[:, None] * width + np.arange(degree)).ravel()] = values.ravel()
    return aligned


@numba.njit(inline="always", cache=True)
def _attempt(site, fraction, entries, table, counts, shift, pattern_mask):
    """Attempt to flip ``site``: update its entry and counter; returns 1 (uint8) if accepted."""
    entry = entries[site]
    packed = table[entry]
    accepted = accepts(fraction, packed)
    entries[site] = entry ^ (np.uint8(packed) & (np.uint8(0) - accepted))
    counts[(site << shift) | (entry & pattern_mask)] += accepted
    return accepted


@numba.njit(inline="always", cache=True)
def _sample_pairs(entries, pairs, pair_sums):
    """Add s_a s_b of every pair to ``pair_sums``; returns 1 (one sample)."""
    for pair in range(pairs.shape[0]):
        a = entries[pairs[pair, 0]]
        b = entries[pairs[pair, 1]]
        pair_sums[pair] += 1 - 2 * np.int64((a ^ b) & 1)
    return 1


@numba.njit(inline="always", cache=True)
def _toggle(entries, link, accepted):
    """Toggle this site's bit (``link & 255``) in the entry of the neighbour ``link >> 8``."""
    entries[link >> np.uint32(RANK_BITS)] ^= accepted << np.uint8(link)


@numba.njit(cache=True, nogil=True)
def run_network_chain(
    steps,
    sample_interval,
    generator,
    entries,
    table,
    links,
    counts,
    pairs,
    pair_sums,
):
    """Advance one chain by ``steps`` random-sequential steps, in place.

    Parameters
    ----------
    steps : int
        Update attempts (below 2^31, so no int32 counter overflows).
    sample_interval : int
        Add s_a s_b of every pair to ``pair_sums`` after each block of this many steps.
    generator : uint64[4]
        xoshiro256++ state: one word per step, its 128-bit product with N split into the site
        and the acceptance fraction (as the ring kernel).
    entries : uint8/16/32[N + 1]
        Entry of every site and a ghost entry (never picked), see the module docstring.
    table : uint64[T]
        See :class:`ChainTables`.
    links : uint32[N K] (uint64 from 2^24 sites)
        Slot j of site i at ``i K + j``: ``neighbour << 8 | (1 + rank)``, rank the slot of i in
        the neighbour's list (a flip of i toggles bit 1 + rank of the neighbour's entry);
        padding and fields link to the ghost (see :func:`kernel_arrays`).
    counts : int32[N 2^(1 + K)]
        ``counts[i 2^(1+K) + s + 2 pattern] += 1`` per accepted flip of site i.
    pairs : int64[P, 2]; pair_sums : int64[P]

    Returns
    -------
    int
        Pair samples taken.

    Notes
    -----
    A cycle (every ring) has its own kernel, :func:`run_cycle_chain`.
    """
    count = np.uint64(entries.shape[0] - 1)
    width = np.uint64(links.shape[0] // (entries.shape[0] - 1))
    one = np.uint64(1)
    shift = one + width
    pattern_mask = (one << shift) - one
    s0, s1, s2, s3 = generator[0], generator[1], generator[2], generator[3]
    samples = 0
    done = 0
    while done < steps:
        block = min(sample_interval, steps - done)
        for _ in range(block):
            word, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
            site, fraction = scale_word(word, count)
            accepted = _attempt(site, fraction, entries, table, counts, shift, pattern_mask)
            first = site * width
            for slot in range(width):
                _toggle(entries, links[first + slot], accepted)
        samples += _sample_pairs(entries, pairs, pair_sums)
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    return samples


@numba.njit(cache=True, nogil=True)
def run_cycle_chain(
    steps,
    sample_interval,
    generator,
    entries,
    table,
    neighbours,
    counts,
    pairs,
    pair_sums,
):
    """:func:`run_network_chain` for a cycle (every ring): slots (predecessor, successor).

    ``neighbours`` (uint32[2 N]) holds the predecessor and successor of every site; a flip of
    site i toggles bit 2 of its predecessor's entry and bit 1 of its successor's, constant
    shifts as in the ring-only kernel (:func:`~exactspin.montecarlo.kernel.run_chain`), and the
    counter index is ``8 i + (entry & 7)``.
    """
    count = np.uint64(entries.shape[0] - 1)
    one = np.uint64(1)
    s0, s1, s2, s3 = generator[0], generator[1], generator[2], generator[3]
    samples = 0
    done = 0
    while done < steps:
        block = min(sample_interval, steps - done)
        for _ in range(block):
            word, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
            site, fraction = scale_word(word, count)
            entry = entries[site]
            packed = table[entry]
            accepted = accepts(fraction, packed)
            entries[site] = entry ^ (np.uint8(packed) & (np.uint8(0) - accepted))
            entries[neighbours[site << one]] ^= accepted << np.uint8(2)
            entries[neighbours[(site << one) + one]] ^= accepted << np.uint8(1)
            counts[(site << np.uint64(3)) + (entry & np.uint8(7))] += accepted
        samples += _sample_pairs(entries, pairs, pair_sums)
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    return samples


def chain_kernel(tables: ChainTables):
    """The kernel for ``tables``: :func:`run_cycle_chain` on a cycle, else
    :func:`run_network_chain` (both take :func:`kernel_arrays`)."""
    return run_cycle_chain if tables.slots.cyclic else run_network_chain
