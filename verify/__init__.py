"""The verification suite of exactspin: cross-checks, the paper's claims and figures.

It uses only the public API of :mod:`exactspin` and writes ``reports/`` (see :mod:`verify.run`).
"""
