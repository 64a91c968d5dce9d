"""The quantum ring's command-line options (the paper's Fig. 10a defaults); parsing only."""

from __future__ import annotations

import argparse

from exactspin.quantum.model import QuantumModel

ZERO_FREQUENCY_CHOICES = ("limit", "zero")


def add_model_arguments(parser: argparse.ArgumentParser, zero_frequency: bool = True) -> None:
    """Add --nu --nd --up --j --delta --tl --tr --zero-frequency --gamma --omega-c.

    ``zero_frequency=False`` leaves out --zero-frequency, for methods with no W(0) to choose
    (HEOM treats the bath exactly).
    """
    parser.add_argument("--nu", type=int, default=2, help="upper-branch bulk spins N_U (>= 1)")
    parser.add_argument("--nd", type=int, default=1, help="lower-branch bulk spins N_D (>= 1)")
    parser.add_argument("--up", type=int, default=3, help="number of up spins N_E (the sector)")
    parser.add_argument("--j", type=float, default=1.0, help="exchange J")
    parser.add_argument("--delta", type=float, default=0.0, help="anisotropy Delta")
    parser.add_argument("--tl", type=float, default=2.0, help="left bath temperature T_L")
    parser.add_argument("--tr", type=float, default=1.0, help="right bath temperature T_R")
    if zero_frequency:
        parser.add_argument(
            "--zero-frequency",
            dest="zero_frequency",
            choices=ZERO_FREQUENCY_CHOICES,
            default="limit",
            help="bath rate at zero energy difference (Eq. 28): 'limit' W(0) = T, 'zero' W(0) = 0",
        )
    parser.add_argument("--gamma", type=float, default=0.01, help="system-bath coupling gamma")
    parser.add_argument("--omega-c", dest="omega_c", type=float, default=10.0, help="cutoff")


def model_from_arguments(args: argparse.Namespace) -> QuantumModel:
    """The validated :class:`QuantumModel` the options describe."""
    return QuantumModel.from_parameters(
        nu=args.nu,
        nd=args.nd,
        up=args.up,
        j=args.j,
        delta=args.delta,
        tl=args.tl,
        tr=args.tr,
        gamma=args.gamma,
        omega_c=args.omega_c,
        zero_frequency=getattr(args, "zero_frequency", "limit"),
    )
