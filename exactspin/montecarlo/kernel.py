"""The ring-only random-sequential Monte Carlo kernel (numba), as it was before networks.

:func:`exactspin.montecarlo.simulate` now runs the network kernel
(:mod:`~exactspin.montecarlo.network_kernel`), which on the ring runs this same chain (same
random words, same thresholds). This module stays as the benchmark's "before" and as the tests'
reference, and for its acceptance-probability helpers.

One step picks a site uniformly and attempts to flip it (docs/conventions.md; P_step = 1 + W / N_S):

- nodal spins (sites 0 and N_U+1, 0-based) flip by Metropolis with their bath,
  min(1, exp(-dE/T)) (Eq. 5);
- bulk spins flip by Q2R, iff their two neighbours are opposite (Eq. 10), or by CCA, iff
  mu d - dE is in {0, mu, 2mu, 3mu}, after which d -> d - dE/mu (Eqs. 20-21).

The acceptance of every (site class, local configuration, demon) is precomputed into one table
whose words hold a 55-bit threshold and the entry change, so a step reads one byte of state and one
table word and has no data-dependent branch. This is an implementation of its own:
it does not call the exact solver or :mod:`exactspin.classical.rules`, and the tests hold it
against them. The kernel counts flips as integers; currents are formed elsewhere.

Local configuration index of site i: ``l + 2 s + 4 r + 8 d`` with l, s, r the occupation bits
(1 = up) of sites i-1, i, i+1 and d the demon of site i (0 for nodes and for Q2R).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from exactspin.classical.model import CCA, DEMON_LEVELS, ClassicalModel
from exactspin.montecarlo.rng import next_word, scale_word

#: Site classes; each owns a block of :data:`CONFIGURATIONS` table entries.
LEFT_NODE, RIGHT_NODE, UPPER_BULK, LOWER_BULK = range(4)
SITE_CLASSES = 4
CONFIGURATIONS = 8 * DEMON_LEVELS

#: Bits of the acceptance threshold: p is stored as round(p * 2^55) and compared with 55 uniform
#: bits, so p = 1 always accepts, p = 0 never does, and p is resolved to 2^-55 (about 3e-17).
THRESHOLD_BITS = 55
ALWAYS = 2**THRESHOLD_BITS

#: The low byte of a table word is the entry change; the threshold sits above it.
CHANGE_BITS = 8
_CHANGE_MASK = np.uint64(2**CHANGE_BITS - 1)
#: A uniform 64-bit fraction shifted right by this keeps THRESHOLD_BITS + CHANGE_BITS bits.
_FRACTION_SHIFT = np.uint64(64 - THRESHOLD_BITS - CHANGE_BITS)

#: Tolerance for dE / mu being an integer (CCA, Eq. 21), relative to max(1, |dE / mu|).
CCA_INTEGER_TOLERANCE = 1e-9

#: Local neighbourhoods (l, s, r) without the demon; ``flips`` has this many counters per site.
NEIGHBOURHOODS = 8


def site_couplings(model: ClassicalModel, site: int) -> tuple[float, float]:
    """(J of the bond to the left neighbour, J of the bond to the right neighbour) of ``site``."""
    return model.bond_coupling((site - 1) % model.sites), model.bond_coupling(site)


def site_classes(model: ClassicalModel) -> np.ndarray:
    """The class of every site (0-based): left node, right node, upper or lower bulk."""
    ring = model.ring
    classes = np.full(ring.sites, LOWER_BULK, dtype=np.int64)
    classes[list(ring.upper_bulk_sites)] = UPPER_BULK
    classes[ring.left_node] = LEFT_NODE
    classes[ring.right_node] = RIGHT_NODE
    return classes


def representative_site(model: ClassicalModel, site_class: int) -> int | None:
    """One site of ``site_class`` (all sites of a class flip alike), or None if it has none."""
    ring = model.ring
    candidates = {
        LEFT_NODE: (ring.left_node,),
        RIGHT_NODE: (ring.right_node,),
        UPPER_BULK: ring.upper_bulk_sites,
        LOWER_BULK: ring.lower_bulk_sites,
    }[site_class]
    return candidates[0] if candidates else None


def flip_outcome(
    model: ClassicalModel, site: int, left: int, spin: int, right: int, demon: int
) -> tuple[float, int]:
    """(acceptance probability, demon change) of flipping ``site`` (spins are +-1)."""
    left_coupling, right_coupling = site_couplings(model, site)
    energy_change = 2.0 * spin * (left_coupling * left + right_coupling * right)
    temperature = model.bath_temperature(site)
    if temperature is not None:
        if energy_change <= 0:
            return 1.0, 0
        return math.exp(-energy_change / temperature), 0
    if model.dynamics == CCA:
        quanta = energy_change / model.demon_unit
        nearest = round(quanta)
        if abs(quanta - nearest) > CCA_INTEGER_TOLERANCE * max(1.0, abs(quanta)):
            return 0.0, 0
        after = demon - nearest
        return (1.0, -nearest) if 0 <= after < DEMON_LEVELS else (0.0, 0)
    return (1.0, 0) if left == -right else (0.0, 0)


def acceptance_table(model: ClassicalModel) -> np.ndarray:
    """One uint64 word per table entry: ``round(p * 2^55) << 8 | entry change``.

    Entry ``site_class * CONFIGURATIONS + l + 2 s + 4 r + 8 d``; p is the acceptance probability
    of flipping the site from that configuration. An accepted flip adds the entry change (mod 256)
    to the site's own entry: it toggles s and moves the demon by -dE/mu. Entries that cannot occur
    (classes absent from the ring, demons on Q2R or nodal sites) never accept.

    The kernel accepts iff ``(u << 8 | 0xFF) < word`` for 55 uniform bits u, which is exactly
    ``u < round(p * 2^55)`` whatever the change byte (see :func:`decode_table`).
    """
    table = np.zeros(SITE_CLASSES * CONFIGURATIONS, dtype=np.uint64)
    for site_class in range(SITE_CLASSES):
        site = representative_site(model, site_class)
        if site is None:
            continue
        has_demon = site in model.demon_sites
        for configuration in range(CONFIGURATIONS):
            demon = configuration >> 3
            if demon and not has_demon:
                continue
            left, spin, right = (2 * ((configuration >> k) & 1) - 1 for k in range(3))
            probability, demon_change = flip_outcome(model, site, left, spin, right, demon)
            threshold = min(ALWAYS, round(probability * ALWAYS))
            change = (-2 * spin + 8 * demon_change) % 256
            table[site_class * CONFIGURATIONS + configuration] = (threshold << CHANGE_BITS) | change
    return table


def decode_table(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(acceptance probabilities, entry changes as uint8) of an :func:`acceptance_table`."""
    thresholds = (table >> np.uint64(CHANGE_BITS)).astype(np.float64) / ALWAYS
    return thresholds, (table & _CHANGE_MASK).astype(np.uint8)


def neighbour_table(sites: int) -> np.ndarray:
    """``[left of 0, right of 0, left of 1, ...]`` (uint32) on a ring of ``sites`` sites.

    Unsigned indices keep numba from emitting negative-index wrap-around code in the kernel.
    """
    site = np.arange(sites)
    return np.stack([(site - 1) % sites, (site + 1) % sites], axis=1).ravel().astype(np.uint32)


def configuration_entries(
    model: ClassicalModel, occupations: np.ndarray, demons: np.ndarray
) -> np.ndarray:
    """The table entry of every site (uint8) for spin bits ``occupations`` and ``demons``."""
    occupations = np.asarray(occupations, dtype=np.int64)
    entries = (
        site_classes(model) * CONFIGURATIONS
        + np.roll(occupations, 1)
        + 2 * occupations
        + 4 * np.roll(occupations, -1)
        + 8 * np.asarray(demons, dtype=np.int64)
    )
    return entries.astype(np.uint8)


def initial_entries(model: ClassicalModel, sequence) -> np.ndarray:
    """A uniformly random configuration (spins, and demons on CCA bulk sites) as table entries
    (drawn as :func:`exactspin.montecarlo.chains.initial_state` draws it)."""
    generator = np.random.default_rng(sequence)
    occupations = generator.integers(0, 2, model.sites)
    demons = np.zeros(model.sites, dtype=np.int64)
    demon_sites = list(model.demon_sites)
    if demon_sites:
        demons[demon_sites] = generator.integers(0, 4, len(demon_sites))
    return configuration_entries(model, occupations, demons)


def spins_of(entries: np.ndarray) -> np.ndarray:
    """Spin bits (1 = up) of every site from its table entry."""
    return ((entries >> 1) & 1).astype(np.int64)


def demons_of(entries: np.ndarray) -> np.ndarray:
    """Demon values of every site from its table entry."""
    return ((entries >> 3) & (DEMON_LEVELS - 1)).astype(np.int64)


def alignment_weights() -> tuple[np.ndarray, np.ndarray]:
    """(s_i s_{i+1}, s_i s_{i-1}) before the flip, for each neighbourhood l + 2 s + 4 r."""
    neighbourhood = np.arange(NEIGHBOURHOODS)
    left, spin, right = (2 * ((neighbourhood >> k) & 1) - 1 for k in range(3))
    return spin * right, spin * left


@numba.njit(inline="always", cache=True)
def accepts(fraction, packed):
    """1 (uint8) iff the uniform 64-bit ``fraction`` accepts the table word ``packed``.

    With u = fraction >> 9 (55 uniform bits) and the threshold t = packed >> 8, this is
    ``(u << 8 | 0xFF) < packed``, which holds exactly when u < t whatever the change byte.
    """
    return np.uint8(((fraction >> _FRACTION_SHIFT) | _CHANGE_MASK) < packed)


@numba.njit(cache=True, nogil=True)
def run_chain(
    steps,
    sample_interval,
    generator,
    configurations,
    table,
    neighbours,
    flips,
    pairs,
    pair_sums,
):
    """Advance one chain by ``steps`` random-sequential steps, in place.

    Parameters
    ----------
    steps : int
        Number of single-spin update attempts (below 2^31, so no ``flips`` entry overflows).
    sample_interval : int
        Add s_a s_b of every pair to ``pair_sums`` after each block of this many steps.
    generator : uint64[4]
        xoshiro256++ state, advanced in place.
    configurations : uint8[N_S]
        Table entry of every site (0-based): ``site_class * CONFIGURATIONS`` plus the local
        configuration index. Kept current for every site, so a step reads one byte per site.
    table : uint64[SITE_CLASSES * CONFIGURATIONS]
        Thresholds and entry changes, see :func:`acceptance_table`.
    neighbours : uint32[2 N_S]
        Left and right neighbour of every site, see :func:`neighbour_table`.
    flips : int32[8 N_S]
        ``flips[8 i + (l + 2 s + 4 r)]`` counts accepted flips of site i from that neighbourhood.
    pairs : int64[P, 2]; pair_sums : int64[P]
        Sites of the sampled pairs and the running sums of s_a s_b.

    Returns
    -------
    int
        The number of pair samples taken.

    Notes
    -----
    Every update is arithmetic on 0/1 values (no ``if`` on the acceptance, see :func:`accepts`),
    because an unpredictable branch per step costs more than the whole update.
    """
    count = np.uint64(configurations.shape[0])
    one = np.uint64(1)
    s0, s1, s2, s3 = generator[0], generator[1], generator[2], generator[3]
    samples = 0
    done = 0
    while done < steps:
        block = min(sample_interval, steps - done)
        for _ in range(block):
            word, s0, s1, s2, s3 = next_word(s0, s1, s2, s3)
            site, fraction = scale_word(word, count)
            entry = configurations[site]
            packed = table[entry]
            accepted = accepts(fraction, packed)
            configurations[site] = entry + (np.uint8(packed) & (np.uint8(0) - accepted))
            configurations[neighbours[site << one]] ^= accepted << np.uint8(2)
            configurations[neighbours[(site << one) + one]] ^= accepted
            flips[(site << np.uint64(3)) + (entry & np.uint8(7))] += accepted
        for pair in range(pairs.shape[0]):
            a = configurations[pairs[pair, 0]] >> np.uint8(1)
            b = configurations[pairs[pair, 1]] >> np.uint8(1)
            pair_sums[pair] += 1 - 2 * np.int64((a ^ b) & np.uint8(1))
        samples += 1
        done += block
    generator[0], generator[1], generator[2], generator[3] = s0, s1, s2, s3
    return samples
