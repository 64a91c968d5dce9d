"""The quantum ring's command-line options (the paper's Fig. 10a defaults); parsing only.

Flags, defaults, ranges and help come from :data:`exactspin.parameters.QUANTUM`.
"""

from __future__ import annotations

import argparse

from exactspin.parameters import QUANTUM
from exactspin.quantum.model import QuantumModel

ZERO_FREQUENCY_CHOICES = QUANTUM["zero_frequency"].choices


def add_model_arguments(parser: argparse.ArgumentParser, zero_frequency: bool = True) -> None:
    """Add --nu --nd --up --j --delta --tl --tr --gamma --omega-c --zero-frequency.

    ``zero_frequency=False`` leaves out --zero-frequency, for methods with no W(0) to choose
    (HEOM treats the bath exactly).
    """
    QUANTUM.add_arguments(parser, exclude=() if zero_frequency else ("zero_frequency",))


def model_from_arguments(args: argparse.Namespace) -> QuantumModel:
    """The validated :class:`QuantumModel` the options describe (omitted options: defaults)."""
    return QuantumModel.from_parameters(**QUANTUM.from_arguments(args))
