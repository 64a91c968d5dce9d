"""Test-suite root. Its presence puts ``tests/`` on ``sys.path`` (pytest's default import mode),
so every test package can ``import strategies`` (the shared hypothesis strategies)."""

import os

# Same default as the command line: one BLAS thread, since tests parallelise nothing through BLAS
# and oversubscribed BLAS threads slowed the sparse solvers many times over on 2 cores.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


def pytest_terminal_summary(terminalreporter):
    """Print the hostile command-line suite's tally (tests/test_cli_hostile.py) when it ran."""
    import sys

    for module in list(sys.modules.values()):
        tally = getattr(module, "HOSTILE_TALLY", None)
        if tally:
            order = ("inputs tried", "exit 0", "exit 2", "tracebacks", "hangs", "silent-wrong")
            counts = [f"{name} {tally.get(name, 0)}" for name in order]
            counts += [f"{name} {n}" for name, n in sorted(tally.items()) if name not in order]
            terminalreporter.write_line("hostile command lines: " + ", ".join(counts))
            return
