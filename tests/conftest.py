"""Test-suite root. Its presence puts ``tests/`` on ``sys.path`` (pytest's default import mode),
so every test package can ``import strategies`` (the shared hypothesis strategies)."""
