"""The classical model's command-line options, shared by ``classical solve`` and ``classical mc``.

One definition keeps the two commands' flags, defaults (the paper's Fig. 5 point) and help in
step; this module only parses, the model validates.
"""

from __future__ import annotations

import argparse

from exactspin.classical.model import DYNAMICS, ClassicalModel


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --nu --nd --j1 --j2 --tl --tr --dynamics --mu with the Fig. 5 defaults."""
    parser.add_argument("--nu", type=int, default=2, help="N_U, upper-branch bulk spins (>= 0)")
    parser.add_argument("--nd", type=int, default=3, help="N_D, lower-branch bulk spins (>= 0)")
    parser.add_argument(
        "--j1", type=float, default=2.0, help="J1, upper-path coupling (finite, nonzero)"
    )
    parser.add_argument(
        "--j2", type=float, default=1.9, help="J2, lower-path coupling (finite, nonzero)"
    )
    parser.add_argument(
        "--tl", type=float, default=2.0, help="T_L, left-bath temperature (> 0, k_B = 1)"
    )
    parser.add_argument("--tr", type=float, default=0.1, help="T_R, right-bath temperature (> 0)")
    parser.add_argument("--dynamics", choices=DYNAMICS, default="q2r", help="bulk dynamics")
    parser.add_argument("--mu", type=float, default=None, help="CCA demon unit mu (> 0; CCA only)")


def model_from_arguments(args: argparse.Namespace) -> ClassicalModel:
    """The validated :class:`ClassicalModel` the options describe."""
    return ClassicalModel.from_parameters(
        nu=args.nu,
        nd=args.nd,
        j1=args.j1,
        j2=args.j2,
        tl=args.tl,
        tr=args.tr,
        dynamics=args.dynamics,
        mu=args.mu,
    )
