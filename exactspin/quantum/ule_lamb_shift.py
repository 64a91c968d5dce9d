"""The Lamb shift of the universal Lindblad equation (Nathan & Rudner, PRB 102, 115109 (2020)).

The ULE replaces the bath correlation function C(t) by its "square root", the jump correlator
g(t) with C(t) = int ds g(t - s) g(s), i.e. g^(D) = sqrt(2 gamma W(D)) in frequency (the positive
root; 2 gamma W(D) = int C(t) e^{-i D t} dt is the two-sided spectrum for an absorbed energy D,
Eq. 28's W). Its jump operator is L = S o g^ (elementwise, L_kn = S_kn g^(E_k - E_n)), and its
Lamb shift, the Hamiltonian correction of the same (second) order, comes from the sign function
of the time ordering, whose transform is a principal value. In the energy eigenbasis, in this
code's conventions (W of an absorbed energy, rows of L the final state)::

    Lambda_ni = sum_k S_nk S_ki F(E_k - E_i, E_k - E_n),
    F(x, y)   = (1/2 pi) P int g^(w + x) g^(w + y) / w dw,

or, as one matrix integral, Lambda = (1/2 pi) P int L_w^dagger L_w / w dw with L_w the jump
operator built from g^ shifted by w (L_w,kn = S_kn g^(E_k - E_n + w)). F is real and symmetric,
so Lambda is real symmetric (Hermitian). Where the two frequencies are equal (the secular terms)
F(x, x) = (gamma/pi) P int W(u)/(u - x) du = gamma Delta(x), the Lamb shift of
:mod:`exactspin.quantum.lamb_shift`: the ULE's Lamb shift is Davies' there, and away from it the
arithmetic mean (W(x) + W(y))/2 of Redfield is replaced by the geometric one inside the principal
value, as the ULE does for its rates.

The integrand uses the continuous two-sided W (W(0) = T), as the Redfield Lamb shift does: the
zero-frequency convention of Eq. 28 changes W at isolated points only, which a principal-value
integral does not see. The principal value is taken as int_0^inf [P(u) - P(-u)] / u du,
P(w) = L_w^dagger L_w, with scipy's adaptive vector quadrature (``quad_vec``), broken at every
|Bohr frequency| (where g^ has its kink), to :data:`ULE_LAMB_SHIFT_ACCURACY` per matrix element
(absolute, in units of gamma max(T, Omega_c)); a quadrature whose own error estimate exceeds that
raises instead of returning. Pure functions; no I/O.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.integrate

from exactspin.quantum.lamb_shift import LambShiftUnresolvedError

#: Stated absolute accuracy of every element of Lambda, in units of gamma max(T, Omega_c).
ULE_LAMB_SHIFT_ACCURACY = 1e-10


def jump_amplitude(frequency: np.ndarray, temperature: float, cutoff: float) -> np.ndarray:
    """sqrt(W(x)) elementwise for the continuous two-sided W(x) = x e^{-|x|/Omega_c} /
    (e^{x/T} - 1), W(0) = T (g^ = sqrt(2 gamma) times this).

    Evaluated in the log domain (as :func:`exactspin.quantum.bath.bath_rate`), so large |x| / T
    underflows to 0 instead of overflowing.
    """
    x = np.asarray(frequency, dtype=float)
    magnitude = np.abs(x)
    zero = magnitude == 0.0
    safe = np.where(zero, 1.0, magnitude)
    scaled = safe / temperature
    log_rate = np.log(safe) - safe / cutoff - np.log(-np.expm1(-scaled))
    log_rate = np.where(x > 0, log_rate - scaled, log_rate)
    return np.where(zero, np.sqrt(temperature), np.exp(0.5 * log_rate))


def ule_lamb_shift(
    energies: np.ndarray,
    coupling: np.ndarray,
    temperature: float,
    cutoff: float,
    gamma: float,
) -> np.ndarray:
    """Lambda of one bath (module docstring) in the energy eigenbasis.

    Parameters
    ----------
    energies : numpy.ndarray
        E_n, the eigenvalues of H_S.
    coupling : numpy.ndarray
        S (the bath's sz) in the eigenbasis, real symmetric.
    temperature, cutoff, gamma : float
        T, Omega_c and gamma of the bath.

    Returns
    -------
    numpy.ndarray
        Real symmetric d x d matrix, each element to :data:`ULE_LAMB_SHIFT_ACCURACY` gamma
        max(T, Omega_c).

    Raises
    ------
    LambShiftUnresolvedError
        When the quadrature's error estimate exceeds the stated accuracy (an UnresolvedError:
        exit status 2 on the command line; scipy's own warnings are silenced).
    """
    energies = np.asarray(energies, dtype=float)
    coupling = np.asarray(coupling, dtype=float)
    differences = energies[:, None] - energies[None, :]  # [k, n] = E_k - E_n
    scale = max(temperature, cutoff)
    accuracy = ULE_LAMB_SHIFT_ACCURACY * gamma * scale

    def shifted(w: float) -> np.ndarray:
        jump = coupling * jump_amplitude(differences + w, temperature, cutoff)
        return jump.T @ jump

    def odd_part(u: float) -> np.ndarray:
        if u == 0.0:
            return np.zeros_like(coupling)
        return (shifted(u) - shifted(-u)) / u

    kinks = np.unique(np.abs(differences))
    largest = float(kinks[-1]) if kinks.size else 0.0
    inner = [float(k) for k in kinks if 0.0 < k < largest]
    pieces = [
        (0.0, largest, inner),
        (largest, largest + 80.0 * scale, []),
        (largest + 80.0 * scale, np.inf, []),
    ]
    total = np.zeros_like(coupling)
    error = 0.0
    for start, stop, points in pieces:
        if stop <= start:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy.integrate.IntegrationWarning)
            value, estimate = scipy.integrate.quad_vec(
                odd_part,
                start,
                stop,
                epsabs=accuracy / 30,
                epsrel=0.0,
                norm="max",
                points=points or None,
                limit=20000,
            )
        total += value
        error += float(estimate)
    # 1/(2 pi) of the module docstring times g^ g^ = 2 gamma sqrt(W W): gamma / pi.
    factor = gamma / np.pi
    if factor * error > accuracy:
        raise LambShiftUnresolvedError(
            f"ULE Lamb shift undetermined (T = {temperature:g}, omega_c = {cutoff:g}): quadrature "
            f"error estimate {factor * error:.2e} exceeds the stated accuracy {accuracy:.2e} "
            "(try a smaller --omega-c)"
        )
    result = factor * total
    return (result + result.T) / 2
