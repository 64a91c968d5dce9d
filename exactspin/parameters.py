"""Every model parameter, declared once: name, flag, type, default, range, paper symbol, help.

A :class:`Specification` lists one model's parameters (:data:`CLASSICAL`, :data:`QUANTUM`, and the
Monte Carlo run lengths :data:`MONTE_CARLO_RUN`). Everything that names a parameter takes it from
here: the command-line options (:meth:`Specification.add_arguments`; ``--help`` shows the default
and the range), ``from_parameters`` / ``parameters()`` of the models (:meth:`complete`,
:meth:`export`), the sweep registry's names, types and coupled groups, the reference schema's
columns, and the defaults of ``verify``.

Names are the CLI flags without dashes (``omega_c`` is ``--omega-c``). The defaults are the
paper's working points: Fig. 5 (classical, Sec. II) and Fig. 10a (quantum, Sec. III). The range
here is checked before a model is built (:meth:`Parameter.check`); the models check their own
fields again, and ``tests/test_parameter_spec.py`` holds the two to the same boundaries.
This module knows no physics beyond ranges and imports nothing of the engines.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exactspin.ring import MAX_BRANCH_SPINS
from exactspin.validation import (
    FLOAT_RANGE,
    ParameterError,
    require_choice,
    require_finite,
    require_integer,
    require_positive,
)

#: Kinds of range a parameter can have.
FINITE = "finite"  # any finite real
NONZERO = "nonzero"  # finite and != 0
POSITIVE = "positive"  # finite and > 0
COUNT = "count"  # an integer >= minimum (and <= maximum when given)
CHOICE = "choice"  # one of ``choices``


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes
    ----------
    name : str
        Dict key and CLI name without dashes (``omega_c``).
    kind : type
        ``int``, ``float`` or ``str``.
    default : object
        The value an omitted parameter takes (None: absent unless given, e.g. CCA's mu).
    range : str
        :data:`FINITE`, :data:`NONZERO`, :data:`POSITIVE`, :data:`COUNT` or :data:`CHOICE`.
    symbol : str
        The paper's symbol (``J_1``, ``T_L``).
    equation : str
        Where the paper defines it (``Eq. 17``).
    help : str
        What it is, in a few words.
    attribute : str
        Dotted path of the value on the model object (``ring.upper_spins``), for :meth:`export`.
    minimum, maximum : int or None
        Bounds of a :data:`COUNT`.
    choices : tuple of str
        The allowed words of a :data:`CHOICE`.
    note : str
        A condition coupling it to other parameters, in words (shown in ``--help``).
    """

    name: str
    kind: type
    default: Any
    range: str
    symbol: str
    equation: str
    help: str
    attribute: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    note: str = ""

    @property
    def flag(self) -> str:
        """The command-line flag (``--omega-c``)."""
        return "--" + self.name.replace("_", "-")

    @property
    def allowed(self) -> str:
        """The allowed range in words (as :class:`ParameterError` says it)."""
        if self.range == FINITE:
            return f"a finite real number {FLOAT_RANGE}"
        if self.range == NONZERO:
            return "a finite nonzero real number"
        if self.range == POSITIVE:
            return "a positive finite number"
        if self.range == COUNT:
            if self.maximum is None:
                return f"an integer >= {self.minimum}"
            return f"an integer in [{self.minimum}, {self.maximum}]"
        return "one of " + ", ".join(repr(choice) for choice in self.choices)

    @property
    def short_range(self) -> str:
        """The range in a few characters, for ``--help``."""
        return {
            FINITE: "finite",
            NONZERO: "finite, nonzero",
            POSITIVE: "> 0",
            COUNT: f">= {self.minimum}"
            if self.maximum is None
            else f"{self.minimum}..{self.maximum}",
            CHOICE: "/".join(self.choices),
        }[self.range]

    def check(self, value: object) -> Any:
        """``value`` in this parameter's type if it is in range, else :class:`ParameterError`.

        None passes for a parameter whose default is None (it is then absent).
        """
        if value is None and self.default is None:
            return None
        if self.range == COUNT:
            return require_integer(self.name, value, self.minimum or 0, self.maximum)
        if self.range == CHOICE:
            return require_choice(self.name, value, self.choices)
        if self.range == POSITIVE:
            return require_positive(self.name, value)
        result = require_finite(self.name, value)
        if self.range == NONZERO and result == 0:
            raise ParameterError(self.name, value, self.allowed)
        return result

    def describe(self) -> str:
        """The ``--help`` text: what it is, the symbol and equation, the range and the default
        (``%(default)s``, which argparse fills in)."""
        note = f"; {self.note}" if self.note else ""
        default = "none" if self.default is None else "%(default)s"
        return (
            f"{self.symbol}, {self.help} ({self.equation}; {self.short_range}{note}) "
            f"(default: {default})"
        )


@dataclass(frozen=True)
class Specification:
    """The parameters of one model, in their canonical order.

    Attributes
    ----------
    name : str
        ``"classical"``, ``"quantum"``, ...
    parameters : tuple of Parameter
    coupled : tuple of frozenset of str
        Groups of parameters whose validity depends on each other (every other parameter is valid
        or not on its own value); a sweep checks the product of each group's axes only.
    point : str
        The paper's point the defaults are (``"Fig. 5"``).
    """

    name: str
    parameters: tuple[Parameter, ...]
    coupled: tuple[frozenset[str], ...] = ()
    point: str = ""

    def __post_init__(self) -> None:
        names = [parameter.name for parameter in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a parameter declared twice in {names}")

    @property
    def names(self) -> tuple[str, ...]:
        """The parameter names in canonical order."""
        return tuple(parameter.name for parameter in self.parameters)

    @property
    def types(self) -> dict[str, type]:
        """Name -> ``int``, ``float`` or ``str``."""
        return {parameter.name: parameter.kind for parameter in self.parameters}

    def __getitem__(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def defaults(self) -> dict[str, Any]:
        """Every parameter at its default (the paper's working point), None ones included."""
        return {parameter.name: parameter.default for parameter in self.parameters}

    def complete(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """``given`` with every omitted parameter at its default, each value range-checked.

        Raises
        ------
        ParameterError
            A name that is not one of this model's parameters, or a value out of its range
            (named as the user spells it).
        """
        for name in given:
            if name not in self.names:
                raise ParameterError(
                    str(name), given[name], f"one of the {self.name} parameters: " + self.listing()
                )
        return {
            parameter.name: parameter.check(given.get(parameter.name, parameter.default))
            for parameter in self.parameters
        }

    def export(self, model: object, names: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The model's parameters (only ``names`` when given) as a flat dict in canonical order
        (JSON-ready)."""
        values = {}
        for parameter in self.parameters:
            if names is not None and parameter.name not in names:
                continue
            value: Any = model
            for part in parameter.attribute.split("."):
                value = getattr(value, part)
            values[parameter.name] = value
        return values

    def listing(self) -> str:
        """The names, comma-separated."""
        return ", ".join(self.names)

    def add_arguments(
        self,
        parser: argparse.ArgumentParser,
        exclude: tuple[str, ...] = (),
        action: type[argparse.Action] | None = None,
    ) -> None:
        """Add one option per parameter (not in ``exclude``), default and range in its help.

        ``action``: an :class:`argparse.Action` storing the values (e.g. one that remembers
        which flags were typed); argparse's own ``store`` by default.

        Values are parsed by type only; the range is the model's to check, so a bad value is
        reported as a :class:`ParameterError` naming the parameter (exit 2), not as argparse
        usage.
        """
        for parameter in self.parameters:
            if parameter.name in exclude:
                continue
            options: dict[str, Any] = {
                "dest": parameter.name,
                "default": parameter.default,
                "help": parameter.describe(),
            }
            if action is not None:
                options["action"] = action
            if parameter.range == CHOICE:
                options["choices"] = parameter.choices
            else:
                options["type"] = parameter.kind
            parser.add_argument(parameter.flag, **options)

    def from_arguments(self, arguments: argparse.Namespace) -> dict[str, Any]:
        """The parameters the options parsed into (those the parser has), by name."""
        return {name: getattr(arguments, name) for name in self.names if hasattr(arguments, name)}


CLASSICAL = Specification(
    name="classical",
    point="Fig. 5",
    parameters=(
        Parameter(
            "nu",
            int,
            2,
            COUNT,
            "N_U",
            "Sec. II A",
            "upper-branch bulk spins",
            "ring.upper_spins",
            minimum=0,
            maximum=MAX_BRANCH_SPINS,
        ),
        Parameter(
            "nd",
            int,
            3,
            COUNT,
            "N_D",
            "Sec. II A",
            "lower-branch bulk spins",
            "ring.lower_spins",
            minimum=0,
            maximum=MAX_BRANCH_SPINS,
        ),
        Parameter(
            "j1", float, 2.0, NONZERO, "J_1", "Eq. 17", "upper-path coupling", "upper_coupling"
        ),
        Parameter(
            "j2", float, 1.9, NONZERO, "J_2", "Eq. 17", "lower-path coupling", "lower_coupling"
        ),
        Parameter(
            "tl",
            float,
            2.0,
            POSITIVE,
            "T_L",
            "Eq. 5",
            "left-bath temperature, k_B = 1",
            "left_temperature",
        ),
        Parameter(
            "tr",
            float,
            0.1,
            POSITIVE,
            "T_R",
            "Eq. 5",
            "right-bath temperature, k_B = 1",
            "right_temperature",
        ),
        Parameter(
            "dynamics",
            str,
            "q2r",
            CHOICE,
            "bulk dynamics",
            "Eqs. 10, 20-21",
            "Q2R or the Creutz cellular automaton (CCA)",
            "dynamics",
            choices=("q2r", "cca"),
        ),
        Parameter(
            "mu",
            float,
            None,
            POSITIVE,
            "mu",
            "Eq. 20",
            "CCA demon energy unit",
            "demon_unit",
            note="CCA only, required there",
        ),
    ),
    coupled=(frozenset({"nu", "nd"}), frozenset({"dynamics", "mu"})),
)

#: Quantum rings are diagonalised in one sector; N_S = N_U + N_D + 2 sites at most this many.
QUANTUM_MAX_SITES_NOTE = "nu + nd + 2 <= the basis limit"

QUANTUM = Specification(
    name="quantum",
    point="Fig. 10a",
    parameters=(
        Parameter(
            "nu",
            int,
            2,
            COUNT,
            "N_U",
            "Sec. III A",
            "upper-branch bulk spins",
            "ring.upper_spins",
            minimum=1,
            note=QUANTUM_MAX_SITES_NOTE,
        ),
        Parameter(
            "nd",
            int,
            1,
            COUNT,
            "N_D",
            "Sec. III A",
            "lower-branch bulk spins",
            "ring.lower_spins",
            minimum=1,
            note=QUANTUM_MAX_SITES_NOTE,
        ),
        Parameter(
            "up",
            int,
            3,
            COUNT,
            "N_E",
            "Sec. III B",
            "up spins: the magnetization sector",
            "up_spins",
            minimum=0,
            note="<= N_S = nu + nd + 2",
        ),
        Parameter(
            "j",
            float,
            1.0,
            FINITE,
            "J",
            "Eq. 22",
            "exchange",
            "exchange",
            note="J, Delta not both 0",
        ),
        Parameter("delta", float, 0.0, FINITE, "Delta", "Eq. 22", "anisotropy", "anisotropy"),
        Parameter(
            "tl",
            float,
            2.0,
            POSITIVE,
            "T_L",
            "Eq. 28",
            "left-bath temperature, k_B = 1",
            "left_temperature",
        ),
        Parameter(
            "tr",
            float,
            1.0,
            POSITIVE,
            "T_R",
            "Eq. 28",
            "right-bath temperature, k_B = 1",
            "right_temperature",
        ),
        Parameter(
            "gamma", float, 0.01, POSITIVE, "gamma", "Eq. 24", "system-bath coupling", "coupling"
        ),
        Parameter(
            "omega_c",
            float,
            10.0,
            POSITIVE,
            "Omega_c",
            "Eq. 30",
            "bath cutoff frequency",
            "cutoff",
        ),
        Parameter(
            "zero_frequency",
            str,
            "limit",
            CHOICE,
            "W(0)",
            "Eq. 28",
            "bath rate at zero energy difference: 'limit' W(0) = T, 'zero' W(0) = 0",
            "zero_frequency",
            choices=("limit", "zero"),
        ),
    ),
    # The sector is bounded by N_S; a ring bond with J = Delta = 0 is no bond (the network
    # refuses it), so J and Delta are valid only together.
    coupled=(frozenset({"nu", "nd", "up"}), frozenset({"j", "delta"})),
)

#: The quantum parameters of the baths' model that a quantum network file does not hold
#: (Eqs. 24-30): they apply to every bath of a network.
QUANTUM_BATH = ("gamma", "omega_c", "zero_frequency")

#: Run lengths of the Monte Carlo solver (the seed comes from the caller, never a parameter).
MONTE_CARLO_RUN = Specification(
    name="mc",
    parameters=(
        Parameter(
            "steps",
            int,
            10_000_000,
            COUNT,
            "steps",
            "Sec. II D",
            "measured update attempts per replica",
            "steps",
            minimum=1,
        ),
        Parameter(
            "replicas",
            int,
            None,
            COUNT,
            "replicas",
            "Sec. II D",
            "independent chains (default 4, CCA 17; a multiple of 64 runs the multispin kernel)",
            "replicas",
            minimum=1,
        ),
        Parameter(
            "burn_in",
            int,
            None,
            COUNT,
            "burn-in",
            "Sec. II D",
            "discarded update attempts per replica (default steps/5)",
            "burn_in",
            minimum=0,
        ),
    ),
)

SPECIFICATIONS: dict[str, Specification] = {spec.name: spec for spec in (CLASSICAL, QUANTUM)}


def specification(model: str) -> Specification:
    """The specification of ``"classical"`` or ``"quantum"``."""
    if model not in SPECIFICATIONS:
        raise ParameterError("model", model, "one of " + ", ".join(SPECIFICATIONS))
    return SPECIFICATIONS[model]


__all__ = [
    "CLASSICAL",
    "QUANTUM_BATH",
    "MONTE_CARLO_RUN",
    "QUANTUM",
    "Parameter",
    "Specification",
    "specification",
]
