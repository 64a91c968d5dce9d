"""An independent 60-digit Redfield steady state, for reference values.

Shares nothing with the library's solvers: the sector Hamiltonian's entries (exact binary
fractions of J and Delta) are diagonalised with mpmath, the rates are Eq. 28 written out with
mpmath, the generator is Eq. 26 in its textbook component form (as in
test_redfield_textbook.py), and the steady state is an mpmath LU solve of the generator with
the trace condition in place of one equation. Only the geometry (basis, H_S, sz, current
operators) is taken from the library, as exact numbers.
"""

from __future__ import annotations

import mpmath

from exactspin.quantum.observables import site_current_operator
from exactspin.quantum.redfield import build_generator


def eq28(difference, temperature, cutoff, zero_frequency, degenerate):
    if degenerate:
        return mpmath.mpf(temperature) if zero_frequency == "limit" else mpmath.mpf(0)
    magnitude = abs(difference)
    spectral = magnitude * mpmath.exp(-magnitude / cutoff)
    occupation = 1 / mpmath.expm1(magnitude / temperature)
    return spectral * (occupation if difference > 0 else 1 + occupation)


def reference_currents(model, digits: int = 60) -> dict[str, float]:
    """I_L, I_R, I_U, I_D and min eigenvalue of rho, from a ``digits``-digit solve."""
    generator = build_generator(model)
    basis = generator.basis
    d = generator.dimension
    tolerance = generator.degeneracy_tolerance
    with mpmath.workdps(digits):
        hamiltonian = mpmath.matrix(generator.hamiltonian.tolist())
        energies, vectors = mpmath.eigsy(hamiltonian)
        couplings, rates = [], []
        for site, temperature in zip(model.bath_sites, model.bath_temperatures, strict=True):
            sz = basis.site_sz(site)
            couplings.append(
                [
                    [sum(vectors[k, a] * sz[k] * vectors[k, b] for k in range(d)) for b in range(d)]
                    for a in range(d)
                ]
            )
            rates.append(
                [
                    [
                        eq28(
                            energies[a] - energies[b],
                            temperature,
                            model.cutoff,
                            model.zero_frequency,
                            abs(energies[a] - energies[b]) <= tolerance,
                        )
                        for b in range(d)
                    ]
                    for a in range(d)
                ]
            )
        gamma = mpmath.mpf(model.coupling)
        size = d * d
        matrix = mpmath.matrix(size, size)
        for n in range(d):
            for m in range(d):
                matrix[n * d + m, n * d + m] += -1j * (energies[n] - energies[m])
        for s, w in zip(couplings, rates, strict=True):
            # sum_k S_ak S_kb W_kb, the second-order terms of Eq. 26
            folded = [
                [sum(s[a][k] * s[k][b] * w[k][b] for k in range(d)) for b in range(d)]
                for a in range(d)
            ]
            for n in range(d):
                for m in range(d):
                    row = n * d + m
                    for i in range(d):
                        for j in range(d):
                            value = s[n][i] * s[j][m] * (w[m][j] + w[n][i])
                            if m == j:
                                value -= folded[n][i]
                            if n == i:
                                value -= folded[m][j]
                            if value:
                                matrix[row, i * d + j] += gamma * value
        right = mpmath.matrix(size, 1)
        for column in range(size):
            matrix[0, column] = 0
        for k in range(d):
            matrix[0, k * d + k] = 1
        right[0] = 1
        solution = mpmath.lu_solve(matrix, right)
        rho = mpmath.matrix(d, d)
        for n in range(d):
            for m in range(d):
                rho[n, m] = solution[n * d + m]
        sector = vectors * rho * vectors.T
        results = {}
        ring = model.ring
        for name, site in (
            ("upper_branch_current", ring.upper_bulk_sites[0]),
            ("lower_branch_current", ring.lower_bulk_sites[0]),
        ):
            operator = site_current_operator(basis, site, ring, model.exchange, model.anisotropy)
            results[name] = float(
                mpmath.re(
                    sum(
                        mpmath.mpc(complex(operator[a, b])) * sector[b, a]
                        for a in range(d)
                        for b in range(d)
                        if operator[a, b] != 0
                    )
                )
            )
        for name, (s, w) in zip(
            ("left_bath_current", "right_bath_current"),
            zip(couplings, rates, strict=True),
            strict=True,
        ):
            folded = [
                [sum(s[a][k] * s[k][b] * w[k][b] for k in range(d)) for b in range(d)]
                for a in range(d)
            ]
            # Tr[L_b(rho) H] = sum_n E_n L_b(rho)_nn
            total = 0
            for n in range(d):
                flow = 0
                for i in range(d):
                    for j in range(d):
                        value = s[n][i] * s[j][n] * (w[n][j] + w[n][i])
                        if n == j:
                            value -= folded[n][i]
                        if n == i:
                            value -= folded[n][j]
                        flow += gamma * value * rho[i, j]
                total += energies[n] * flow
            results[name] = float(mpmath.re(total))
        hermitian = (rho + rho.H) / 2
        results["min_eigenvalue"] = float(min(mpmath.re(e) for e in mpmath.eighe(hermitian)[0]))
    return results
