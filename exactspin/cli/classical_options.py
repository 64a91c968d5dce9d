"""The classical model's command-line options, shared by ``classical solve`` and ``classical mc``.

The flags, defaults (the paper's Fig. 5 point), ranges and help come from
:data:`exactspin.parameters.CLASSICAL`; this module only parses, the model validates.
"""

from __future__ import annotations

import argparse

from exactspin.classical.model import ClassicalModel
from exactspin.parameters import CLASSICAL


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --nu --nd --j1 --j2 --tl --tr --dynamics --mu with the Fig. 5 defaults."""
    CLASSICAL.add_arguments(parser)


def model_from_arguments(args: argparse.Namespace) -> ClassicalModel:
    """The validated :class:`ClassicalModel` the options describe."""
    return ClassicalModel.from_parameters(**CLASSICAL.from_arguments(args))
