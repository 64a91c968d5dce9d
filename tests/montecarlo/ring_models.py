"""``ring_model(nu, nd, j1, j2, tl, tr, dynamics, mu)``: the ring tests' positional shorthand.

``ClassicalModel.from_parameters`` takes keywords only (the parameter specification); the Monte
Carlo tests were written with positional rings, which this maps onto the specification's names.
"""

from exactspin.classical.model import ClassicalModel

NAMES = ("nu", "nd", "j1", "j2", "tl", "tr", "dynamics", "mu")


def ring_model(*values, **named) -> ClassicalModel:
    """The ring of the positional ``values`` (in :data:`NAMES` order) and keyword ``named``."""
    if len(values) > len(NAMES):
        raise TypeError(f"at most {len(NAMES)} positional parameters")
    return ClassicalModel.from_parameters(**dict(zip(NAMES, values, strict=False)), **named)
