"""A spin network as data: sites, bonds, on-site fields, baths and the bulk dynamics.

The paper's two-branch ring (Eqs. 2, 17, 22) is one network; :mod:`exactspin.network.builders`
builds it. Conventions (``docs/conventions.md``, "Networks"):

- Sites are 1-based in files and on the command line, **0-based here** (``Bond.first`` etc.).
- A bond ``[a, b, J]`` (classical: energy -J s_a s_b) or ``[a, b, J, Delta]`` (quantum: the bond
  operator of Eq. 33, J (sx sx + sy sy) + Delta sz' sz'). A bond is oriented from ``a`` to ``b``:
  its current is the energy moved along it from a to b.
- A field ``[site, h]``: classical term -h s_site, quantum term h sz_site (Pauli matrix).
- A bath ``[site, T]``: any number >= 1, at most one per site. Classical sites without a bath flip
  by Q2R (iff dE = 0 exactly) or CCA (a demon of unit mu pays dE); quantum baths couple through sz
  at their site (Eq. 24).

Every check happens when a :class:`Network` is made, before any engine sees it, and a failed
check names the key (``bonds[3]``) and, for a network read from a file, ``file:line``.
Nothing here solves anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from exactspin.validation import MISSING, ParameterError

Q2R = "q2r"
CCA = "cca"
DYNAMICS = (Q2R, CCA)

CLASSICAL = "classical"
QUANTUM = "quantum"

#: Keys a network file or dict may hold.
KEYS = ("name", "sites", "bonds", "fields", "baths", "dynamics", "mu", "up")

#: Largest number of sites a network may have at all (engines impose tighter limits).
MAX_NETWORK_SITES = 10**6


class NetworkError(ParameterError):
    """A network description is invalid; the message names the key and, for files, file:line.

    Attributes
    ----------
    location : str or None
        ``file:line`` of the offending entry, when the network was read from a file.
    """

    def __init__(self, parameter: str, value: object, allowed: str, location: str | None = None):
        super().__init__(parameter, value, allowed, location)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Origin:
    """Where a network came from: the file name and the line of each key or list entry.

    ``lines`` maps ``"bonds"`` (the key) or ``"bonds[3]"`` (an entry, 0-based index) to a
    1-based line number.
    """

    source: str
    lines: Mapping[str, int] = field(default_factory=dict)

    #: Whether ``source`` is a text with lines (a file or string read by the parser): a key
    #: absent from it is then located at line 1, where the file (or its top-level table) starts.
    parsed: bool = False

    def locate(self, key: str) -> str:
        """``file:line`` of ``key`` (an entry such as ``bonds[3]`` falls back to its list; a
        key the parsed text does not have, e.g. in an empty file, to line 1)."""
        line = self.lines.get(key)
        if line is None and "[" in key:
            line = self.lines.get(key.split("[", 1)[0])
        if line is None and self.parsed:
            line = 1
        return f"{self.source}:{line}" if line is not None else self.source


@dataclass(frozen=True)
class Bond:
    """A bond from site ``first`` to site ``second`` (0-based), coupling J and, quantum, Delta."""

    first: int
    second: int
    coupling: float
    anisotropy: float | None = None

    @property
    def sites(self) -> tuple[int, int]:
        """(a, b), the bond's orientation."""
        return self.first, self.second

    def other(self, site: int) -> int:
        """The end of the bond that is not ``site``."""
        return self.second if site == self.first else self.first


@dataclass(frozen=True)
class Bath:
    """A bath at temperature T (k_B = 1) touching ``site`` (0-based)."""

    site: int
    temperature: float


@dataclass(frozen=True)
class Field:
    """An on-site field h at ``site`` (0-based): -h s classically, h sz quantum."""

    site: int
    strength: float


@dataclass(frozen=True)
class Network:
    """A spin network: N sites, bonds, fields, baths, and the model's remaining choices.

    Parameters
    ----------
    sites : int
        N, the number of sites (0-based here; 1..N in files).
    bonds : tuple of Bond
        All classical (``anisotropy`` None) or all quantum (``anisotropy`` a float).
    baths : tuple of Bath
        At least one, at most one per site; file order is the order of ``bath_currents``.
    fields : tuple of Field
        On-site fields, at most one per site.
    dynamics : {"q2r", "cca"} or None
        Classical dynamics of the sites without a bath (None for a quantum network; a classical
        network without it gets "q2r").
    demon_unit : float or None
        mu of CCA (positive); None otherwise.
    up_spins : int or None
        N_E, the quantum magnetization sector (0..N); None for a classical network.
    name : str or None
        A label for reports.
    parallel_bonds : bool
        Allow two bonds between the same pair of sites (the two-site ring, N_U = N_D = 0, built
        by :func:`exactspin.network.builders.classical_ring`). Files never set it: a repeated bond
        there is an error.
    origin : Origin or None
        Where the network was read from (for ``file:line`` in errors); not part of equality.
    """

    sites: int
    bonds: tuple[Bond, ...]
    baths: tuple[Bath, ...]
    fields: tuple[Field, ...] = ()
    dynamics: str | None = None
    demon_unit: float | None = None
    up_spins: int | None = None
    name: str | None = None
    parallel_bonds: bool = False
    origin: Origin | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "bonds", tuple(self.bonds))
        set_(self, "baths", tuple(self.baths))
        set_(self, "fields", tuple(self.fields))
        self._check_sites()
        self._check_bonds()
        self._check_baths()
        self._check_fields()
        self._check_model_choices()
        self._check_connected()

    # ----------------------------------------------------------------- validation
    def _fail(self, key: str, value: object, allowed: str) -> NetworkError:
        return self.error(key, value, allowed)

    def error(self, key: str, value: object, allowed: str) -> NetworkError:
        """A :class:`NetworkError` for ``key`` (``bonds[3]``, ``baths[0]``...), located at its
        ``file:line`` when the network was read from a file; engines use it for the checks
        that need the model (energy ranges), so those name the line too."""
        location = self.origin.locate(key) if self.origin is not None else None
        return NetworkError(key, value, allowed, location)

    def bond_entry(self, index: int) -> list:
        """Bond ``index`` as its file entry, 1-based ``[a, b, J]`` or ``[a, b, J, Delta]``."""
        return _one_based(self.bonds[index])

    def _check_sites(self) -> None:
        sites = self.sites
        if isinstance(sites, bool) or not isinstance(sites, int):
            if isinstance(sites, float) and sites.is_integer():
                object.__setattr__(self, "sites", int(sites))
            else:
                raise self._fail("sites", sites, f"an integer in [2, {MAX_NETWORK_SITES}]")
        if not 2 <= self.sites <= MAX_NETWORK_SITES:
            raise self._fail("sites", self.sites, f"an integer in [2, {MAX_NETWORK_SITES}]")

    def _site(self, key: str, value: object, entry: object) -> int:
        """A 0-based site index from the entry's 0-based ``value``, or a 1-based message."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, _one_based(entry), f"sites given as integers 1..{self.sites}")
        if not 0 <= value < self.sites:
            raise self._fail(
                key,
                _one_based(entry),
                f"sites in 1..{self.sites} (site {value + 1} does not exist)",
            )
        return value

    def _check_bonds(self) -> None:
        if not self.bonds:
            raise self._fail("bonds", [], "a non-empty list of bonds [a, b, J] or [a, b, J, Delta]")
        quantum = self.bonds[0].anisotropy is not None
        seen: dict[frozenset[int], int] = {}
        for index, bond in enumerate(self.bonds):
            key = f"bonds[{index}]"
            if not isinstance(bond, Bond):
                raise self._fail(key, bond, "a Bond")
            self._site(key, bond.first, bond)
            self._site(key, bond.second, bond)
            if bond.first == bond.second:
                raise self._fail(key, _one_based(bond), "two different sites (a self-loop)")
            if (bond.anisotropy is not None) != quantum:
                raise self._fail(
                    key,
                    _one_based(bond),
                    "the same form as bonds[0]: all [a, b, J] (classical) or all "
                    "[a, b, J, Delta] (quantum)",
                )
            coupling = _real(bond.coupling)
            if coupling is None:
                raise self._fail(key, _one_based(bond), "a finite real coupling J")
            if bond.anisotropy is None:
                if coupling == 0:
                    raise self._fail(
                        key, _one_based(bond), "a nonzero J (a bond with J = 0 is no bond)"
                    )
            else:
                anisotropy = _real(bond.anisotropy)
                if anisotropy is None:
                    raise self._fail(key, _one_based(bond), "a finite real Delta")
                if coupling == 0 and anisotropy == 0:
                    raise self._fail(
                        key, _one_based(bond), "J and Delta not both 0 (such a bond is no bond)"
                    )
            pair = frozenset(bond.sites)
            if pair in seen and not self.parallel_bonds:
                raise self._fail(
                    key,
                    _one_based(bond),
                    f"a pair of sites not already joined (bonds[{seen[pair]}] joins them)",
                )
            seen.setdefault(pair, index)
        touched = {site for bond in self.bonds for site in bond.sites}
        lonely = [site + 1 for site in range(self.sites) if site not in touched]
        if lonely:
            raise self._fail(
                "sites",
                self.sites,
                f"sites that each have a bond (site {_listed(lonely)} has none)",
            )

    def _check_baths(self) -> None:
        if not self.baths:
            raise self._fail("baths", [], "a non-empty list of baths [site, T]")
        seen: dict[int, int] = {}
        for index, bath in enumerate(self.baths):
            key = f"baths[{index}]"
            if not isinstance(bath, Bath):
                raise self._fail(key, bath, "a Bath")
            self._site(key, bath.site, bath)
            temperature = _real(bath.temperature)
            if temperature is None or temperature <= 0:
                raise self._fail(key, _one_based(bath), "a positive finite temperature T")
            if bath.site in seen:
                raise self._fail(
                    key,
                    _one_based(bath),
                    f"a site without a bath (baths[{seen[bath.site]}] is on site "
                    f"{bath.site + 1}; at most one bath per site)",
                )
            seen[bath.site] = index

    def _check_fields(self) -> None:
        seen: dict[int, int] = {}
        for index, entry in enumerate(self.fields):
            key = f"fields[{index}]"
            if not isinstance(entry, Field):
                raise self._fail(key, entry, "a Field")
            self._site(key, entry.site, entry)
            if _real(entry.strength) is None:
                raise self._fail(key, _one_based(entry), "a finite real field h")
            if entry.site in seen:
                raise self._fail(
                    key,
                    _one_based(entry),
                    f"a site without a field (fields[{seen[entry.site]}] is on site "
                    f"{entry.site + 1})",
                )
            seen[entry.site] = index

    def _check_model_choices(self) -> None:
        set_ = object.__setattr__
        if self.kind == QUANTUM:
            if self.dynamics is not None:
                raise self._fail(
                    "dynamics", self.dynamics, "omitted for a quantum network ([a, b, J, Delta])"
                )
            if self.demon_unit is not None:
                raise self._fail("mu", self.demon_unit, "omitted for a quantum network")
            if self.up_spins is None:
                raise self._fail(
                    "up", MISSING, f"the sector (number of up spins), an integer in 0..{self.sites}"
                )
            up = self.up_spins
            if isinstance(up, bool) or not isinstance(up, int) or not 0 <= up <= self.sites:
                raise self._fail("up", up, f"an integer in 0..{self.sites}")
            return
        if self.up_spins is not None:
            raise self._fail("up", self.up_spins, "omitted for a classical network ([a, b, J])")
        dynamics = Q2R if self.dynamics is None else self.dynamics
        if dynamics not in DYNAMICS:
            raise self._fail("dynamics", dynamics, "one of 'q2r', 'cca'")
        set_(self, "dynamics", dynamics)
        if dynamics == CCA:
            mu = _real(self.demon_unit) if self.demon_unit is not None else None
            if mu is None or mu <= 0:
                raise self._fail("mu", self.demon_unit, "a positive finite number for CCA dynamics")
            set_(self, "demon_unit", mu)
        elif self.demon_unit is not None:
            raise self._fail("mu", self.demon_unit, "omitted for Q2R dynamics")

    def _check_connected(self) -> None:
        pieces = self.components()
        if len(pieces) == 1:
            return
        bath_sites = set(self.bath_sites)
        described = []
        for piece in pieces:
            sites = _listed([site + 1 for site in piece])
            has_bath = any(site in bath_sites for site in piece)
            described.append(f"sites {sites}" + ("" if has_bath else " (no bath)"))
        raise self._fail(
            "bonds",
            f"{len(pieces)} pieces",
            "bonds that join every site into one network (pieces: " + "; ".join(described) + ")",
        )

    # ----------------------------------------------------------------- structure
    @property
    def kind(self) -> str:
        """``"quantum"`` when the bonds carry Delta, else ``"classical"``."""
        return QUANTUM if self.bonds and self.bonds[0].anisotropy is not None else CLASSICAL

    @property
    def bath_sites(self) -> tuple[int, ...]:
        """The sites touching a bath, in bath (file) order."""
        return tuple(bath.site for bath in self.baths)

    @property
    def bath_temperatures(self) -> tuple[float, ...]:
        """T of each bath, in bath (file) order."""
        return tuple(float(bath.temperature) for bath in self.baths)

    def bath_temperature(self, site: int) -> float | None:
        """T of the bath touching ``site``, or None for a site without a bath."""
        for bath in self.baths:
            if bath.site == site:
                return float(bath.temperature)
        return None

    @property
    def bulk_sites(self) -> tuple[int, ...]:
        """Sites without a bath, in increasing order."""
        baths = set(self.bath_sites)
        return tuple(site for site in range(self.sites) if site not in baths)

    def field(self, site: int) -> float:
        """h at ``site`` (0 where no field is given)."""
        for entry in self.fields:
            if entry.site == site:
                return float(entry.strength)
        return 0.0

    @property
    def site_fields(self) -> tuple[float, ...]:
        """h of every site, 0..N-1."""
        values = [0.0] * self.sites
        for entry in self.fields:
            values[entry.site] = float(entry.strength)
        return tuple(values)

    def incident_bonds(self, site: int) -> tuple[tuple[int, int], ...]:
        """(bond index, sign) for every bond at ``site``; sign +1 when the bond starts there."""
        return tuple(
            (index, 1 if bond.first == site else -1)
            for index, bond in enumerate(self.bonds)
            if site in bond.sites
        )

    def neighbours(self, site: int) -> tuple[tuple[int, int], ...]:
        """(neighbour site, bond index) for every bond at ``site``, in bond order."""
        return tuple(
            (bond.other(site), index) for index, bond in enumerate(self.bonds) if site in bond.sites
        )

    @property
    def degrees(self) -> tuple[int, ...]:
        """Number of bonds at each site."""
        counts = [0] * self.sites
        for bond in self.bonds:
            counts[bond.first] += 1
            counts[bond.second] += 1
        return tuple(counts)

    def components(self) -> list[tuple[int, ...]]:
        """The connected pieces of the network, each a sorted tuple of sites."""
        parent = list(range(self.sites))

        def root(site: int) -> int:
            while parent[site] != site:
                parent[site] = parent[parent[site]]
                site = parent[site]
            return site

        for bond in self.bonds:
            if 0 <= bond.first < self.sites and 0 <= bond.second < self.sites:
                parent[root(bond.first)] = root(bond.second)
        pieces: dict[int, list[int]] = {}
        for site in range(self.sites):
            pieces.setdefault(root(site), []).append(site)
        return sorted((tuple(piece) for piece in pieces.values()), key=lambda piece: piece[0])

    @property
    def energy_scale(self) -> float:
        """max |J|, |Delta|, |h| over bonds and fields: the natural unit of energy and currents."""
        values = [abs(bond.coupling) for bond in self.bonds]
        values += [abs(bond.anisotropy) for bond in self.bonds if bond.anisotropy is not None]
        values += [abs(entry.strength) for entry in self.fields]
        return max(values)

    # ----------------------------------------------------------------- transformations
    def relabelled(self, permutation: tuple[int, ...] | list[int]) -> Network:
        """The same network with site s renamed ``permutation[s]`` (0-based; same order)."""
        permutation = tuple(permutation)
        if sorted(permutation) != list(range(self.sites)):
            raise ParameterError(
                "permutation", permutation, f"a permutation of 0..{self.sites - 1}"
            )
        return Network(
            sites=self.sites,
            bonds=tuple(
                Bond(permutation[b.first], permutation[b.second], b.coupling, b.anisotropy)
                for b in self.bonds
            ),
            baths=tuple(Bath(permutation[b.site], b.temperature) for b in self.baths),
            fields=tuple(Field(permutation[f.site], f.strength) for f in self.fields),
            dynamics=self.dynamics,
            demon_unit=self.demon_unit,
            up_spins=self.up_spins,
            name=self.name,
            parallel_bonds=self.parallel_bonds,
        )

    def replace(self, **changes: Any) -> Network:
        """A copy with some fields changed (validated again), like ``dataclasses.replace``."""
        values = {
            "sites": self.sites,
            "bonds": self.bonds,
            "baths": self.baths,
            "fields": self.fields,
            "dynamics": self.dynamics,
            "demon_unit": self.demon_unit,
            "up_spins": self.up_spins,
            "name": self.name,
            "parallel_bonds": self.parallel_bonds,
        }
        values.update(changes)
        return Network(**values)

    def with_temperatures(self, temperatures: tuple[float, ...] | list[float]) -> Network:
        """A copy with the baths' temperatures replaced, in bath order."""
        if len(temperatures) != len(self.baths):
            raise ParameterError(
                "temperatures", temperatures, f"{len(self.baths)} values, one per bath"
            )
        return self.replace(
            baths=tuple(Bath(b.site, t) for b, t in zip(self.baths, temperatures, strict=True))
        )

    # ----------------------------------------------------------------- export
    def to_dict(self) -> dict[str, Any]:
        """The network in the file format (1-based sites; JSON-ready; defaulted values shown)."""
        result: dict[str, Any] = {}
        if self.name is not None:
            result["name"] = self.name
        result["sites"] = self.sites
        result["bonds"] = [_one_based(bond) for bond in self.bonds]
        if self.fields:
            result["fields"] = [_one_based(entry) for entry in self.fields]
        result["baths"] = [_one_based(bath) for bath in self.baths]
        if self.kind == CLASSICAL:
            result["dynamics"] = self.dynamics
            if self.demon_unit is not None:
                result["mu"] = self.demon_unit
        else:
            result["up"] = self.up_spins
        return result


def _real(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a finite real (bools refused)."""
    if isinstance(value, bool):
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def _one_based(entry: object) -> object:
    """An entry as the file writes it (1-based sites), for messages and export."""
    if isinstance(entry, Bond):
        values: list[object] = [_plus_one(entry.first), _plus_one(entry.second), entry.coupling]
        if entry.anisotropy is not None:
            values.append(entry.anisotropy)
        return values
    if isinstance(entry, Bath):
        return [_plus_one(entry.site), entry.temperature]
    if isinstance(entry, Field):
        return [_plus_one(entry.site), entry.strength]
    return entry


def _plus_one(site: object) -> object:
    return site + 1 if isinstance(site, int) and not isinstance(site, bool) else site


def _listed(sites: list[int]) -> str:
    """``1, 2, 3`` (or ``1, 2, ..., 9`` for a long list)."""
    if len(sites) > 8:
        return ", ".join(str(s) for s in sites[:3]) + ", ..., " + str(sites[-1])
    return ", ".join(str(s) for s in sites)
