"""Test-suite root. Its presence puts ``tests/`` on ``sys.path`` (pytest's default import mode),
so every test package can ``import strategies`` (the shared hypothesis strategies)."""

import os

# Same default as the command line: one BLAS thread, since tests parallelise nothing through BLAS
# and oversubscribed BLAS threads slowed the sparse solvers many times over on 2 cores.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
