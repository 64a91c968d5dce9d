"""Extended-precision steady state of Eq. 26 for small sectors, with a proof of uniqueness.

Double precision resolves singular values of the generator only down to its rounding level
(about ||L|| d^2 eps). At low temperatures a unique steady state can have a gap below that level
(Boltzmann factors exp(-dE/T) make some relaxation paths very slow), and the double-precision
solve cannot tell it from a degenerate null space. This module rebuilds the same generator -- the
same model, the same eigenbasis rule and the same degeneracy decisions as
:func:`exactspin.quantum.redfield.build_generator` -- at 30-60 digits:

1. the sector Hamiltonian (its double entries taken as exact) is diagonalised with mpmath's
   Jacobi method, which keeps eigenvectors orthonormal inside degenerate levels;
2. the couplings S^b, rates W^b (Eq. 28) and the generator are formed in python-flint's ball
   arithmetic (``arb``), every eigenvector entry carrying a radius that covers the error of the
   diagonalisation (backward error d 10^-digits ||H||, divided by the smallest level spacing);
3. the generator, written on Hermitian matrices as a real d^2 x d^2 matrix, has one row replaced
   by the trace condition Tr rho = 1 and is inverted in ball arithmetic.

Trace preservation makes that bordered matrix nonsingular exactly when the steady state is unique,
and a ball inversion succeeds only when every matrix inside the balls is nonsingular. So a success
proves uniqueness (for the exact generator, as long as the diagonalisation error stays inside its
stated radius) and encloses rho; a failure proves nothing and is reported as such.

This module solves one small problem exactly; it computes no observables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from exactspin.quantum.bath import ZERO_FREQUENCY_LIMIT
from exactspin.quantum.redfield import RedfieldGenerator

#: Working precisions tried in turn (decimal digits).
PRECISION_LADDER = (30, 60)
#: Largest sector dimension handled here (the ball inversion is O(d^6)).
EXTENDED_DIMENSION_LIMIT = 20


@dataclass(frozen=True)
class ExtendedSteadyState:
    """An enclosure of the unique steady state.

    Attributes
    ----------
    sector_density_matrix : numpy.ndarray
        Midpoint of rho_S in the sector's configuration basis, rounded to double (read-only).
    error : float
        Frobenius-norm bound on (exact rho) - ``sector_density_matrix``, rounding to double
        included.
    digits : int
        Decimal working precision that produced the proof.
    relative_gap_lower_bound : float
        1 / (||M||_F ||M^-1||_F) for the bordered matrix M: a lower bound on its smallest
        singular value over its largest.
    rounding : float
        The part of ``error`` that is rounding of the midpoint to double.
    """

    sector_density_matrix: np.ndarray
    error: float
    digits: int
    relative_gap_lower_bound: float
    rounding: float


def extended_steady_state(generator: RedfieldGenerator) -> ExtendedSteadyState | None:
    """Prove the steady state unique and enclose it, at the precisions of :data:`PRECISION_LADDER`.

    Precisions are tried in turn until the enclosure is as tight as rounding to double allows;
    the tightest proof is returned. ``None`` when no precision of the ladder proves the bordered
    generator nonsingular (the null space is then, to that precision, more than one-dimensional).
    """
    import flint

    saved = flint.ctx.prec
    best = None
    try:
        for digits in PRECISION_LADDER:
            flint.ctx.prec = int(math.ceil(digits * math.log2(10))) + 32
            result = _solve_at(generator, digits)
            if result is None:
                continue
            if best is None or result.error < best.error:
                best = result
            if result.error <= 2 * result.rounding:
                break
        return best
    finally:
        flint.ctx.prec = saved


def _solve_at(generator: RedfieldGenerator, digits: int) -> ExtendedSteadyState | None:
    energies, vectors = _eigensystem(generator, digits)
    return _enclose(generator, energies, vectors, digits)


def _eigensystem(generator: RedfieldGenerator, digits: int):
    """Eigenvalues and eigenvectors (columns) of H_S as arb balls, ascending."""
    import flint

    d = generator.dimension
    hamiltonian = generator.hamiltonian
    with mpmath.workdps(digits + 10):
        energies_mp, vectors_mp = mpmath.eigsy(mpmath.matrix(hamiltonian.tolist()))
        order = sorted(range(d), key=lambda k: energies_mp[k])
        energies = [_arb(energies_mp[k]) for k in order]
        vector_entries = [[vectors_mp[row, k] for k in order] for row in range(d)]
    norm = float(np.max(np.abs(hamiltonian))) * d
    backward = d * norm * 10.0 ** (-digits)
    separations = np.diff(generator.energies)
    separations = separations[separations > generator.degeneracy_tolerance]
    spacing = float(np.min(separations)) if separations.size else norm
    vectors = flint.arb_mat(
        [[_arb(entry, backward / spacing) for entry in row] for row in vector_entries]
    )
    return [energy + flint.arb(0, backward) for energy in energies], vectors


def _enclose(generator: RedfieldGenerator, energies, vectors, digits: int):
    """Build the bordered generator from an enclosed eigensystem and invert it."""
    import flint

    d = generator.dimension
    model = generator.model
    differences = generator.energies[:, None] - generator.energies[None, :]
    degenerate = np.abs(differences) <= generator.degeneracy_tolerance
    couplings, dampings, products = [], [], []
    for site, temperature in zip(model.bath_sites, model.bath_temperatures, strict=True):
        sz = flint.arb_mat(d, d)
        for index, value in enumerate(generator.basis.site_sz(site)):
            sz[index, index] = flint.arb(float(value))
        coupling = vectors.transpose() * sz * vectors
        damping = flint.arb_mat(d, d)
        for a in range(d):
            for b in range(d):
                rate = _rate(energies[a] - energies[b], degenerate[a, b], temperature, model)
                damping[a, b] = coupling[a, b] * rate
        couplings.append(coupling)
        dampings.append(damping)
        products.append(coupling * damping)
    bordered, scale = _bordered_matrix(generator, energies, couplings, dampings, products)
    try:
        inverse = bordered.inv()
    except ZeroDivisionError:
        return None
    count = d * (d + 1) // 2
    solution = [inverse[row, 0] * scale for row in range(d * d)]
    real = flint.arb_mat(d, d)
    imaginary = flint.arb_mat(d, d)
    for position, (n, m) in enumerate(zip(*np.triu_indices(d), strict=True)):
        real[n, m] = real[m, n] = solution[position]
    for position, (n, m) in enumerate(zip(*np.triu_indices(d, 1), strict=True)):
        imaginary[n, m] = solution[count + position]
        imaginary[m, n] = -solution[count + position]
    sector_real = vectors * real * vectors.transpose()
    sector_imaginary = vectors * imaginary * vectors.transpose()
    midpoint = np.empty((d, d), dtype=complex)
    radius_squared = 0.0
    for n in range(d):
        for m in range(d):
            re, im = sector_real[n, m], sector_imaginary[n, m]
            midpoint[n, m] = complex(float(re.mid()), float(im.mid()))
            radius_squared += float(re.rad()) ** 2 + float(im.rad()) ** 2
    rounding = np.finfo(float).eps * float(np.linalg.norm(midpoint))
    midpoint.setflags(write=False)
    inverse_norm = math.sqrt(sum(float(abs(x).abs_upper()) ** 2 for x in inverse.entries()))
    matrix_norm = math.sqrt(sum(float(abs(x).abs_upper()) ** 2 for x in bordered.entries()))
    return ExtendedSteadyState(
        sector_density_matrix=midpoint,
        error=math.sqrt(radius_squared) + rounding,
        digits=digits,
        relative_gap_lower_bound=1.0 / (inverse_norm * matrix_norm),
        rounding=rounding,
    )


def _rate(difference, degenerate: bool, temperature: float, model):
    """W(D) of Eq. 28 in ball arithmetic; the degeneracy decision is the double generator's."""
    import flint

    if degenerate:
        return flint.arb(temperature if model.zero_frequency == ZERO_FREQUENCY_LIMIT else 0.0)
    magnitude = abs(difference)
    scaled = magnitude / flint.arb(temperature)
    rate = magnitude * (-magnitude / flint.arb(model.cutoff)).exp() / -((-scaled).expm1())
    if float(difference.mid()) > 0:
        rate *= (-scaled).exp()
    return rate


def _bordered_matrix(generator, energies, couplings, dampings, products):
    """Eq. 26 on Hermitian matrices (real d^2 x d^2, see :func:`_packing`), trace row first.

    With rho = X + iY and R the real dissipator, Re L(rho)_nm = (R X)_nm + Delta_nm Y_nm and
    Im L(rho)_nm = (R Y)_nm - Delta_nm X_nm, Delta_nm = E_n - E_m. Row 0 (Re L_00, a combination
    of the other population rows by trace preservation) is replaced by ``scale`` Tr X.
    """
    import flint

    d = generator.dimension
    gamma = flint.arb(generator.model.coupling)
    upper = list(zip(*np.triu_indices(d), strict=True))
    strict = list(zip(*np.triu_indices(d, 1), strict=True))
    count = len(upper)
    upper_position = {pair: k for k, pair in enumerate(upper)}
    s = [coupling.tolist() for coupling in couplings]
    lam = [damping.tolist() for damping in dampings]
    total = products[0]
    for product in products[1:]:  # any number of baths (the ring's two: products[0] + products[1])
        total = total + product
    p = total.tolist()
    zero = flint.arb(0)

    def dissipator(n, m, i, j):
        value = zero
        for coupling, damping in zip(s, lam, strict=True):
            value += damping[n][i] * coupling[m][j] + coupling[n][i] * damping[m][j]
        if m == j:
            value -= p[n][i]
        if n == i:
            value -= p[m][j]
        return gamma * value

    size = d * d
    matrix = flint.arb_mat(size, size)
    for row, (n, m) in enumerate(upper):
        for column, (i, j) in enumerate(upper):
            value = dissipator(n, m, i, j)
            if i != j:
                value += dissipator(n, m, j, i)
            matrix[row, column] = value
    for row, (n, m) in enumerate(strict):
        for column, (i, j) in enumerate(strict):
            matrix[count + row, count + column] = dissipator(n, m, i, j) - dissipator(n, m, j, i)
        difference = energies[n] - energies[m]
        matrix[upper_position[n, m], count + row] = difference
        matrix[count + row, upper_position[n, m]] = -difference
    scale = max(float(abs(x).abs_upper()) for x in matrix.entries())
    for column in range(size):
        matrix[0, column] = zero
    for column, (i, j) in enumerate(upper):
        if i == j:
            matrix[0, column] = flint.arb(scale)
    return matrix, scale


def _arb(value, radius: float = 0.0):
    """An mpmath number as an exact arb midpoint (plus ``radius``)."""
    import flint

    if not isinstance(value, mpmath.mpf):
        # Converting an existing mpf would round it to the ambient precision.
        value = mpmath.mpf(value)
    if value == 0:
        return flint.arb(0, radius) if radius else flint.arb(0)
    sign, mantissa, exponent, _ = value._mpf_
    result = flint.arb((-int(mantissa) if sign else int(mantissa), int(exponent)))
    return result + flint.arb(0, radius) if radius else result
