"""Numeric energy levels, with multiplicities, of one sector of any quantum network.

The closed forms of :mod:`exactspin.quantum.spectrum` need the uniform ring's translation
symmetry; any other network (other geometry, unequal bonds, fields) gets its levels numerically:
the sector Hamiltonian (:func:`~exactspin.quantum.hamiltonian.network_hamiltonian`) is
diagonalised in double precision (LAPACK's symmetric solver: each eigenvalue within about
d eps ||H|| of an exact one) and eigenvalues are grouped into levels by single linkage: sorted
eigenvalues closer than the **degeneracy tolerance** to their neighbour form one level, whose
multiplicity is the group's size and whose energy is the group's mean. The tolerance is
:data:`~exactspin.quantum.redfield.DEGENERACY_TOLERANCE` (1e-9) times max(|E|, |J|, |Delta|,
|h|), the rule the Redfield generator uses for W at zero frequency, orders of magnitude above
the eigenvalues' rounding error (>= 10^3 times it for d <= 5000). So rounding never splits a true
degeneracy, while two distinct levels closer than the tolerance are reported as one (the
tolerance is stated with the result). Pure; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exactspin.network import Network
from exactspin.network.graph import QUANTUM
from exactspin.quantum.basis import MAX_SITES, sector_basis
from exactspin.quantum.hamiltonian import network_hamiltonian
from exactspin.quantum.redfield import DEGENERACY_TOLERANCE
from exactspin.validation import ParameterError, ResourceError

#: Largest sector diagonalised densely (a 5000 x 5000 real matrix is 200 MB).
MAX_DIMENSION = 5000


@dataclass(frozen=True)
class NumericSpectrum:
    """The distinct levels of one sector of a network.

    Attributes
    ----------
    network : Network
    up_spins : int
        The sector N_E.
    energies : tuple of float
        Distinct levels, ascending.
    multiplicities : tuple of int
        Their degeneracies (summing to the sector dimension).
    tolerance : float
        Eigenvalues closer than this (absolute energy) count as one level.
    """

    network: Network
    up_spins: int
    energies: tuple[float, ...]
    multiplicities: tuple[int, ...]
    tolerance: float

    @property
    def dimension(self) -> int:
        """The sector's dimension."""
        return int(sum(self.multiplicities))


def numeric_spectrum(network: Network, up: int | None = None) -> NumericSpectrum:
    """Distinct levels and multiplicities of the sector ``up`` (default: the network's own)."""
    if not isinstance(network, Network) or network.kind != QUANTUM:
        raise ParameterError("network", network, "a quantum network (bonds [a, b, J, Delta])")
    if network.sites > MAX_SITES:
        raise ParameterError("sites", network.sites, f"an integer in [2, {MAX_SITES}]")
    up = network.up_spins if up is None else up
    basis = sector_basis(network.sites, up)
    if basis.dimension > MAX_DIMENSION:
        raise ResourceError(
            f"the sector of dimension {basis.dimension} is above {MAX_DIMENSION} for a dense "
            "diagonalisation"
        )
    eigenvalues = np.linalg.eigvalsh(network_hamiltonian(basis, network))
    scale = max(float(np.max(np.abs(eigenvalues))), network.energy_scale)
    tolerance = DEGENERACY_TOLERANCE * scale
    starts = np.concatenate([[0], np.flatnonzero(np.diff(eigenvalues) > tolerance) + 1])
    ends = np.concatenate([starts[1:], [eigenvalues.size]])
    energies = tuple(float(np.mean(eigenvalues[a:b])) for a, b in zip(starts, ends, strict=True))
    multiplicities = tuple(int(b - a) for a, b in zip(starts, ends, strict=True))
    return NumericSpectrum(network, up, energies, multiplicities, tolerance)
