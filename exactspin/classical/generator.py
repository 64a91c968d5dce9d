"""The sparse generator W of the master equation (Eq. 4), dP/dt = W P.

W[target, source] is the rate of the move source -> target and every column sums to zero. The
moves come from :mod:`exactspin.classical.flips` (the vectorised rules); this module only
assembles them into a scipy matrix. It does not solve anything.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from exactspin.classical.flips import SiteFlips, all_states, site_flips
from exactspin.classical.model import ClassicalModel


def all_site_flips(model: ClassicalModel) -> tuple[SiteFlips, ...]:
    """The flips of every site 0..N_S-1 from every state."""
    states = all_states(model)
    return tuple(site_flips(model, site, states) for site in range(model.sites))


def generator_matrix(
    model: ClassicalModel, flips: tuple[SiteFlips, ...] | None = None
) -> sp.csr_matrix:
    """W of Eq. 4 as a CSR matrix (continuous time, attempt rate 1 per spin).

    Parameters
    ----------
    model : ClassicalModel
        The ring and its dynamics.
    flips : tuple of SiteFlips, optional
        Precomputed :func:`all_site_flips` (saves recomputing them for the observables).

    Returns
    -------
    scipy.sparse.csr_matrix
        W[target, source] = rate, diagonal = -(total escape rate); columns sum to zero.
    """
    if flips is None:
        flips = all_site_flips(model)
    count = model.state_count
    index_type = np.int32 if count < 2**31 else np.int64
    sources, targets, rates = [], [], []
    escape = np.zeros(count)
    for site in flips:
        allowed = np.flatnonzero(site.allowed)
        sources.append(allowed.astype(index_type))
        targets.append(site.target[allowed].astype(index_type))
        rates.append(site.rate[allowed])
        escape += site.rate
    diagonal = np.arange(count, dtype=index_type)
    rows = np.concatenate(targets + [diagonal])
    columns = np.concatenate(sources + [diagonal])
    values = np.concatenate(rates + [-escape])
    return sp.csr_matrix((values, (rows, columns)), shape=(count, count))
