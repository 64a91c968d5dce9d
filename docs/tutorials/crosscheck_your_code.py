"""Tutorial: hold your own implementation against exactspin with ``exactspin crosscheck``.

We write a small, independent master-equation solver for Q2R rings (about forty lines of numpy,
sharing no code with exactspin), export its currents as rows of a CSV file, and let
``exactspin crosscheck`` compare every row with exactspin's exact solver. Then we make the two
classic mistakes (currents per unit time instead of per update attempt, and the lower branch
counted left -> right) and watch the cross-check catch them.

Run it with ``python docs/tutorials/crosscheck_your_code.py [--out DIR]``; it exits with status 1
if a cross-check does not come out as stated.
"""

from __future__ import annotations

import argparse
import csv
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


# --- 1. An independent toy implementation -------------------------------------------------------
# The paper's conventions, written from scratch: sites 0..N_S-1 clockwise, site 0 at the left bath
# (T_L), site N_U+1 at the right bath (T_R); bond b joins sites b and b+1 and has coupling J1 for
# b <= N_U (upper path), J2 otherwise. Nodes flip by Metropolis, bulk spins by Q2R (iff their two
# neighbours are opposite), every spin at rate 1 (Eq. 4).
def toy_currents(nu: int, nd: int, j1: float, j2: float, tl: float, tr: float) -> dict:
    """I_L, I_U, I_D per single-spin update attempt (Eqs. 6, 9) of a Q2R ring, by brute force."""
    sites = nu + nd + 2
    right_node = nu + 1
    coupling = [j1 if bond <= nu else j2 for bond in range(sites)]

    def spin(state: int, site: int) -> int:
        return 1 if (state >> (site % sites)) & 1 else -1

    size = 2**sites
    generator = np.zeros((size, size))
    flips = []  # (state, site, rate, energy change, energy moved into the bond on the right)
    for state in range(size):
        for site in range(sites):
            own, after, before = spin(state, site), spin(state, site + 1), spin(state, site - 1)
            energy_change = 2 * own * (coupling[site] * after + coupling[site - 1] * before)
            if site == 0:
                rate = min(1.0, math.exp(-energy_change / tl))
            elif site == right_node:
                rate = min(1.0, math.exp(-energy_change / tr))
            else:
                rate = 1.0 if after != before else 0.0
            target = state ^ (1 << site)
            generator[target, state] += rate
            generator[state, state] -= rate
            flips.append((state, site, rate, energy_change, 2 * coupling[site] * own * after))
    # Stationary law: W P = 0 with sum(P) = 1 (one equation replaced by the normalisation).
    system = generator.copy()
    system[0, :] = 1.0
    probability = np.linalg.solve(system, np.eye(size)[0])

    def current(site: int, which: int) -> float:
        total = sum(probability[f[0]] * f[2] * f[which] for f in flips if f[1] == site)
        return total / sites  # per update attempt: continuous-time rate divided by N_S

    return {
        "left_bath_current": current(0, 3),  # energy drawn from the left bath (Eq. 6)
        "upper_branch_current": current(0, 4),  # into bond 0 by flips of site 0 (Eq. 9)
        "lower_branch_current": current(right_node, 4),  # into bond N_U+1, right -> left
    }


# --- 2. Export rows and run the cross-check ------------------------------------------------------
#: Parameter points: the three-spin ring of Eqs. 12-15, the Fig. 5 point, a smaller ring with the
#: Fig. 5 couplings, and the Fig. 5 ring at T_L = 0.5.
POINTS = [
    dict(nu=1, nd=0, j1=1.0, j2=1.0, tl=2.0, tr=1.0),
    dict(nu=2, nd=3, j1=2.0, j2=1.9, tl=2.0, tr=0.1),
    dict(nu=1, nd=2, j1=2.0, j2=1.9, tl=2.0, tr=0.1),
    dict(nu=2, nd=3, j1=2.0, j2=1.9, tl=0.5, tr=0.1),
]
OBSERVABLES = ("left_bath_current", "upper_branch_current", "lower_branch_current")


def write_rows(path: Path, rows: list[dict]) -> None:
    """One CSV row per point: ``model``, parameters named as the CLI flags, then observables."""
    header = ["model", "dynamics", "nu", "nd", "j1", "j2", "tl", "tr", *OBSERVABLES]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({"model": "classical", "dynamics": "q2r", **row})


def exactspin_command() -> str:
    """The ``exactspin`` command of the running environment."""
    return shutil.which("exactspin") or str(Path(sys.executable).with_name("exactspin"))


def crosscheck(path: Path) -> int:
    """Run ``exactspin crosscheck FILE``, show its report, return its exit status."""
    print(f"$ exactspin crosscheck {path.name}")
    completed = subprocess.run(
        [exactspin_command(), "crosscheck", str(path)], capture_output=True, text=True
    )
    print(completed.stdout + completed.stderr, end="")
    print(f"exit status {completed.returncode}\n")
    return completed.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="directory for the CSV files (default: temporary)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="exactspin-crosscheck-"))
    out.mkdir(parents=True, exist_ok=True)

    ours = [{**point, **toy_currents(**point)} for point in POINTS]
    print("toy implementation, currents per update attempt:")
    for row in ours:
        print("  " + ", ".join(f"{key}={row[key]:.6g}" for key in ("nu", "nd", "tl", *OBSERVABLES)))
    print()
    write_rows(out / "toy.csv", ours)
    good = crosscheck(out / "toy.csv")

    # Two classic mistakes: currents per unit time (not divided by N_S), and the lower branch
    # counted left -> right (the opposite of the clockwise convention).
    mistaken = []
    for row in ours:
        sites = row["nu"] + row["nd"] + 2
        wrong = {**row, "lower_branch_current": -row["lower_branch_current"]}
        wrong["upper_branch_current"] = sites * row["upper_branch_current"]
        mistaken.append(wrong)
    write_rows(out / "mistaken.csv", mistaken)
    bad = crosscheck(out / "mistaken.csv")

    if good != 0 or bad != 1:
        print("unexpected: the toy rows must pass (exit 0) and the mistaken ones fail (exit 1)")
        return 1
    print("the toy implementation agrees with exactspin; both mistakes are caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
