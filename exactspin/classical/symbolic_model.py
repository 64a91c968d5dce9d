"""What a symbolic derivation assumes: the ring, the dynamics, and how much is known about J1, J2.

The Metropolis rate min(1, exp(-beta dE)) of Eq. 5 is a closed form only once the sign of
dE = c1 J1 + c2 J2 is known, so every symbolic derivation states an assumption on the couplings:

- ``"symmetric"``: J1 = J2 = J > 0 (Eq. 2, Secs. II D);
- ``"upper_stronger"``: J1 >= J2 > 0 (Figs. 5-7 use J1 = 2 > J2 = 1.9);
- ``"lower_stronger"``: J2 >= J1 > 0;
- ``"positive"``: J1, J2 > 0 in either order; the derivation runs both ordered cases and joins
  them in a ``Piecewise`` on J1 >= J2;
- ``"exact"``: J1, J2 (and mu for CCA) are given rational numbers of any sign.

The rates are written as monomials in a few exponential variables (one or two per bath), so the
master equation has entries in a polynomial ring and its steady state is a rational function of
those variables. This module only states rates; it does not build or solve the master equation.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from exactspin.classical.model import CCA, DEMON_LEVELS, DYNAMICS, Q2R, ClassicalModel
from exactspin.ring import Ring
from exactspin.validation import ParameterError, require_choice

SYMMETRIC = "symmetric"
UPPER_STRONGER = "upper_stronger"
LOWER_STRONGER = "lower_stronger"
POSITIVE = "positive"
EXACT = "exact"
COUPLING_ASSUMPTIONS = (SYMMETRIC, UPPER_STRONGER, LOWER_STRONGER, POSITIVE, EXACT)

#: beta_L = 1/T_L and beta_R = 1/T_R (k_B = 1).
BETA_L, BETA_R = sp.symbols("beta_L beta_R", positive=True)
#: J of Eq. 2 (symmetric case) and J1, J2 of Eq. 17.
COUPLING, UPPER_COUPLING, LOWER_COUPLING = sp.symbols("J J1 J2", positive=True)

#: Relative tolerance when checking that a numeric model satisfies a symbolic assumption.
ASSUMPTION_TOLERANCE = 1e-12


def exact_number(name: str, value: object) -> sp.Rational:
    """``value`` as an exact sympy Rational (floats by their shortest decimal repr).

    ``2.0`` becomes 2 and ``1.9`` becomes 19/10, the number the user typed, not the nearest
    binary fraction.
    """
    if isinstance(value, bool) or not isinstance(value, (numbers.Rational, numbers.Real, str)):
        raise ParameterError(name, value, "a finite rational number")
    try:
        fraction = Fraction(repr(value) if isinstance(value, float) else str(value))
    except (ValueError, ZeroDivisionError):
        raise ParameterError(name, value, "a finite rational number") from None
    return sp.Rational(fraction.numerator, fraction.denominator)


@dataclass(frozen=True)
class SymbolicModel:
    """A ring and its dynamics with a stated assumption on the couplings.

    Parameters
    ----------
    ring : Ring
        Geometry (N_U, N_D).
    dynamics : {"q2r", "cca"}
        Bulk dynamics (Eq. 10 or Eqs. 20-21). CCA needs ``couplings="exact"`` and ``demon_unit``.
    couplings : str
        One of :data:`COUPLING_ASSUMPTIONS` (see the module docstring).
    upper_coupling, lower_coupling : sympy.Rational or None
        J1, J2 for ``couplings="exact"`` (nonzero); None otherwise.
    demon_unit : sympy.Rational or None
        mu for CCA (positive); None for Q2R.
    """

    ring: Ring
    dynamics: str = Q2R
    couplings: str = SYMMETRIC
    upper_coupling: sp.Rational | None = None
    lower_coupling: sp.Rational | None = None
    demon_unit: sp.Rational | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.ring, Ring):
            raise ParameterError("ring", self.ring, "an exactspin.ring.Ring")
        require_choice("dynamics", self.dynamics, DYNAMICS)
        require_choice("couplings", self.couplings, COUPLING_ASSUMPTIONS)
        set_ = object.__setattr__
        if self.couplings == EXACT:
            for name, field_name in (("j1", "upper_coupling"), ("j2", "lower_coupling")):
                value = getattr(self, field_name)
                if value is None:
                    raise ParameterError(name, None, "a nonzero rational for exact couplings")
                value = exact_number(name, value)
                if value == 0:
                    raise ParameterError(name, value, "a nonzero rational number")
                set_(self, field_name, value)
        else:
            for name, field_name in (("j1", "upper_coupling"), ("j2", "lower_coupling")):
                if getattr(self, field_name) is not None:
                    raise ParameterError(
                        name, getattr(self, field_name), "omitted unless couplings='exact'"
                    )
        if self.dynamics == CCA:
            if self.couplings != EXACT:
                raise ParameterError(
                    "couplings", self.couplings, "'exact' (rational j1, j2, mu) for CCA dynamics"
                )
            if self.demon_unit is None:
                raise ParameterError("mu", None, "a positive rational for CCA dynamics")
            mu = exact_number("mu", self.demon_unit)
            if mu <= 0:
                raise ParameterError("mu", mu, "a positive rational number")
            set_(self, "demon_unit", mu)
        elif self.demon_unit is not None:
            raise ParameterError("mu", self.demon_unit, "omitted (None) for Q2R dynamics")

    @classmethod
    def from_classical(cls, model: ClassicalModel) -> SymbolicModel:
        """The exact-coupling symbolic twin of a numeric model (temperatures stay symbolic)."""
        return cls(
            ring=model.ring,
            dynamics=model.dynamics,
            couplings=EXACT,
            upper_coupling=model.upper_coupling,
            lower_coupling=model.lower_coupling,
            demon_unit=model.demon_unit,
        )

    def parameters(self) -> dict[str, object]:
        """The model with the CLI's parameter names; exact numbers as strings."""
        return {
            "nu": self.ring.upper_spins,
            "nd": self.ring.lower_spins,
            "dynamics": self.dynamics,
            "couplings": self.couplings,
            "j1": None if self.upper_coupling is None else str(self.upper_coupling),
            "j2": None if self.lower_coupling is None else str(self.lower_coupling),
            "mu": None if self.demon_unit is None else str(self.demon_unit),
        }

    @property
    def coupling_symbols(self) -> tuple[sp.Symbol, ...]:
        """The coupling symbols the results depend on (none for exact couplings)."""
        if self.couplings == SYMMETRIC:
            return (COUPLING,)
        if self.couplings == EXACT:
            return ()
        return (UPPER_COUPLING, LOWER_COUPLING)

    def energy(self, c1: int, c2: int) -> sp.Expr:
        """c1 J1 + c2 J2 in this model's symbols (J1 = J2 = J when symmetric)."""
        if self.couplings == SYMMETRIC:
            return (c1 + c2) * COUPLING
        if self.couplings == EXACT:
            return c1 * self.upper_coupling + c2 * self.lower_coupling
        return c1 * UPPER_COUPLING + c2 * LOWER_COUPLING

    def check_numeric(self, model: ClassicalModel) -> dict[sp.Symbol, float]:
        """Values of the coupling and temperature symbols for ``model``, or ParameterError.

        Raises when ``model`` violates the assumption (e.g. J1 < J2 under ``upper_stronger``) or
        is not the same ring and dynamics.
        """
        if model.ring != self.ring:
            raise ParameterError("ring", model.ring, f"the derived ring {self.ring}")
        if model.dynamics != self.dynamics:
            raise ParameterError("dynamics", model.dynamics, f"{self.dynamics!r} as derived")
        j1, j2 = model.upper_coupling, model.lower_coupling
        values: dict[sp.Symbol, float] = {BETA_L: 1 / model.left_temperature}
        values[BETA_R] = 1 / model.right_temperature
        holds = {
            SYMMETRIC: j1 > 0 and math.isclose(j1, j2, rel_tol=ASSUMPTION_TOLERANCE),
            UPPER_STRONGER: j1 >= j2 > 0,
            LOWER_STRONGER: j2 >= j1 > 0,
            POSITIVE: j1 > 0 and j2 > 0,
            EXACT: self.couplings == EXACT and _matches(self, model),
        }[self.couplings]
        if not holds:
            raise ParameterError(
                "j1", (j1, j2), f"couplings satisfying the derivation's assumption {self.couplings}"
            )
        if self.couplings == SYMMETRIC:
            values[COUPLING] = j1
        elif self.couplings != EXACT:
            values[UPPER_COUPLING], values[LOWER_COUPLING] = j1, j2
        return values


def _matches(symbolic: SymbolicModel, model: ClassicalModel) -> bool:
    pairs = [(symbolic.upper_coupling, model.upper_coupling)]
    pairs.append((symbolic.lower_coupling, model.lower_coupling))
    if symbolic.dynamics == CCA:
        pairs.append((symbolic.demon_unit, model.demon_unit))
    return all(math.isclose(float(a), b, rel_tol=ASSUMPTION_TOLERANCE) for a, b in pairs)


@dataclass(frozen=True)
class RateVariables:
    """The exponential variables of one ordered derivation and the rule giving each rate.

    ``symbols`` are the polynomial-ring generators, two per bath for ordered couplings
    (u = exp(-2 beta (J1 + J2)), v = exp(-2 beta |J1 - J2|)) and one per bath otherwise
    (x = exp(-2 J beta) when symmetric, t = exp(-g beta) for exact couplings with g the largest
    rational dividing 2 J1 and 2 J2). ``definitions`` gives each as an expression in beta_L,
    beta_R and the coupling symbols.
    """

    model: SymbolicModel
    order: str
    symbols: tuple[sp.Symbol, ...]
    definitions: tuple[sp.Expr, ...]

    @classmethod
    def for_model(cls, model: SymbolicModel, order: str | None = None) -> RateVariables:
        """Variables for ``model``; ``order`` picks the ordered case when couplings are positive."""
        order = order or model.couplings
        names: list[str]
        definitions: list[sp.Expr] = []
        if order == SYMMETRIC:
            names = ["x_L", "x_R"]
            definitions = [sp.exp(-2 * COUPLING * beta) for beta in (BETA_L, BETA_R)]
        elif order == EXACT:
            names = ["t_L", "t_R"]
            quantum = _energy_quantum(model)
            definitions = [sp.exp(-quantum * beta) for beta in (BETA_L, BETA_R)]
        else:
            names = ["u_L", "v_L", "u_R", "v_R"]
            difference = sp.Abs(UPPER_COUPLING - LOWER_COUPLING)
            if order == UPPER_STRONGER:
                difference = UPPER_COUPLING - LOWER_COUPLING
            elif order == LOWER_STRONGER:
                difference = LOWER_COUPLING - UPPER_COUPLING
            for beta in (BETA_L, BETA_R):
                definitions.append(sp.exp(-2 * beta * (UPPER_COUPLING + LOWER_COUPLING)))
                definitions.append(sp.exp(-2 * beta * difference))
        return cls(model, order, tuple(sp.symbols(names, positive=True)), tuple(definitions))

    def metropolis_exponents(self, bath: int, c1: int, c2: int) -> tuple[int, ...] | None:
        """Exponents of :attr:`symbols` in min(1, exp(-beta dE)), dE = c1 J1 + c2 J2 (Eq. 5).

        ``bath`` is 0 (left) or 1 (right). Returns None for rate 1 (dE <= 0) and raises
        ParameterError when the sign of dE is not decided by the assumption.
        """
        exponents = [0] * len(self.symbols)
        if self.order == SYMMETRIC:
            total = c1 + c2
            if total <= 0:
                return None
            exponents[bath] = total // 2
            return tuple(exponents)
        if self.order == EXACT:
            energy = self.model.energy(c1, c2)
            if energy <= 0:
                return None
            exponents[bath] = int(energy / _energy_quantum(self.model))
            return tuple(exponents)
        # dE = p (J1 + J2) + r |J1 - J2| with the sign of J1 - J2 fixed by the order.
        p = (c1 + c2) // 2
        r = (c1 - c2) // 2 if self.order == UPPER_STRONGER else (c2 - c1) // 2
        if p <= 0 and r <= 0:
            return None
        if p < 0 or r < 0:
            raise ParameterError(
                "couplings",
                self.order,
                f"an assumption deciding the sign of dE = {c1} J1 + {c2} J2",
            )
        if p % 2 or r % 2:
            raise ParameterError(
                "couplings", self.order, f"dE = {c1} J1 + {c2} J2 a multiple of 2 (J1 +- J2)"
            )
        exponents[2 * bath] = p // 2
        exponents[2 * bath + 1] = r // 2
        return tuple(exponents)


def _energy_quantum(model: SymbolicModel) -> sp.Rational:
    """The largest rational g with 2 J1 / g and 2 J2 / g integers: every nodal dE is n g."""
    return sp.gcd(2 * abs(model.upper_coupling), 2 * abs(model.lower_coupling))


def cca_demon_after(model: SymbolicModel, demon: int, c1: int, c2: int) -> int | None:
    """The CCA demon after a bulk flip with dE = c1 J1 + c2 J2, or None if forbidden (Eq. 21).

    Exact rational arithmetic: the flip needs dE / mu to be an integer k with 0 <= d - k <= 3.
    """
    quanta = model.energy(c1, c2) / model.demon_unit
    if not quanta.is_integer:
        return None
    after = demon - int(quanta)
    return after if 0 <= after < DEMON_LEVELS else None
