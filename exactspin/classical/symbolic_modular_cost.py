"""How long a modular reconstruction (``classical derive --method modular``) will take.

:func:`exactspin.classical.symbolic_modular.probe` finds, at one prime and in well under the
time of the reconstruction itself, the degrees of every current and hence the grid of lines
and Taylor terms each prime needs. The cost of one prime is dominated by the block Krylov
recurrence (lines x terms x class size x (class size + projections) multiply-adds, float64
BLAS) and the Pade step (lines x terms^2); the number of primes by the size of the integer
coefficients, which grows about linearly with the denominator's degree
(:data:`BITS_PER_DEGREE`). :data:`SECONDS_PER_UNIT` is fitted to the CPU time of the 7- and
8-spin rings on a shared 2-core machine (``benchmarks/bench_symbolic.py --frontier`` prints
measured against expected). An order of magnitude, not a promise. Nothing here reconstructs
anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from exactspin.classical.symbolic_modular import ReconstructionShape

#: Seconds per unit of lines x terms x size x (size + 16) + lines x terms^2 x 8, one prime:
#: CPU seconds of ``bench_symbolic.py --frontier`` (N_S = 7: 26.6 s one ordering, 48.0 s
#: both; one prime of N_S = 8: 168 s, 0.9 GiB peak).
SECONDS_PER_UNIT = 1.2e-9

#: Coefficient bits per unit of denominator degree, by the number of rate variables: fitted to
#: Q2R N_S = 5, 6, 7 (60, 90, 150 bits at deg D = 12, 23, 47; four variables) and CCA N_S = 4, 5
#: (60, 120, 270 bits at deg D = 48, 91, 192; two variables).
BITS_PER_DEGREE = {2: 1.5, 4: 3.0}

#: Bits of margin the lift requires beyond the coefficients themselves.
MARGIN_BITS = 20

#: Bits per prime (primes just below 2^30).
PRIME_BITS = 30

#: Fixed seconds: the chain, the probe, building and printing the sympy forms.
BASE_SECONDS = 1.0

#: Seconds per term of the printed forms (building the sympy sums and their text).
SECONDS_PER_TERM = 3e-5


@dataclass(frozen=True)
class ModularEstimate:
    """The size of one modular reconstruction and its expected run time.

    Attributes
    ----------
    shapes : tuple of ReconstructionShape
        One per ordering of J1, J2 derived (two for couplings="positive").
    primes : int
        Expected primes per ordering.
    terms : int
        Upper bound on the monomials of one denominator (product of degree + 1).
    expected_seconds : float
        Expected run time on one core.
    """

    shapes: tuple[ReconstructionShape, ...]
    primes: int
    terms: int
    expected_seconds: float

    def describe(self) -> str:
        """One line: the numbers a user needs to decide whether to wait."""
        shape = self.shapes[0]
        degree = max((b for _, b in shape.totals), default=0)
        return (
            f"{len(self.shapes)} ordering(s), closed classes of {list(shape.class_sizes)} lumped "
            f"states, {shape.distinct} distinct of {shape.quantities} currents, deg D = {degree}, "
            f"degree per variable {list(shape.degrees)}; {shape.lines} lines x {shape.order} "
            f"Taylor terms per prime, ~{self.primes} primes, up to {self.terms} terms per "
            f"polynomial; expected {_duration(self.expected_seconds)} on one core"
        )


def estimate(shapes: tuple[ReconstructionShape, ...]) -> ModularEstimate:
    """Expected primes and seconds for the shapes :func:`symbolic_modular.probe` found."""
    seconds, primes, terms = BASE_SECONDS, 1, 1
    for shape in shapes:
        degree = max((b for _, b in shape.totals), default=0)
        slope = BITS_PER_DEGREE.get(len(shape.degrees), max(BITS_PER_DEGREE.values()))
        count = max(1, math.ceil((slope * degree + MARGIN_BITS) / PRIME_BITS))
        primes = max(primes, count)
        work = 0.0
        for size in shape.solved_class_sizes:
            work += shape.lines * shape.order * size * (size + 16)
        work += shape.lines * shape.order**2 * 8 * shape.distinct
        size_terms = math.prod(d + 1 for d in shape.degrees) if shape.degrees else 1
        terms = max(terms, size_terms)
        seconds += count * work * SECONDS_PER_UNIT
        seconds += SECONDS_PER_TERM * size_terms * (shape.distinct + 1)
    return ModularEstimate(shapes, primes, terms, seconds)


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"~{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"~{seconds / 60:.0f} min"
    return f"~{seconds / 3600:.0f} h"


__all__ = ["ModularEstimate", "estimate"]
