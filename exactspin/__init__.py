"""exactspin: exact, fast and checkable heat-current magnification in spin rings."""

__version__ = "0.1.0"
