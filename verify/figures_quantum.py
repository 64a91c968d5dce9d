"""Placeholder."""

FIGURES = ()
