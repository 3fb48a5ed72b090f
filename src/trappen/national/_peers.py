"""Peer groups: each municipality's comparable municipalities, from published socio-economic
figures (as the state's benchmarking compares a municipality with those of a similar social
profile: Social- og Boligstyrelsen's / Indenrigsministeriets socio-economic index and
KL's "sammenligningskommuner").

The rule, as data: every indicator column of the store's indicator table is standardised
(mean 0, standard deviation 1 over the municipalities), and a municipality's peers are the
``k`` others nearest in Euclidean distance (ties: the lower code first).
"""

from __future__ import annotations

import numpy as np
import polars as pl

PEERS = 5
"""Peers per municipality: about the size of the state's comparison groups (5 municipalities)."""


def indicator_columns(indicators: pl.DataFrame) -> list[str]:
    """The numeric indicator columns of an indicator table."""
    return [c for c, t in indicators.schema.items() if t.is_numeric()]


def peer_groups(indicators: pl.DataFrame, *, k: int = PEERS) -> dict[str, list[str]]:
    """Each municipality's ``k`` nearest municipalities on the standardised indicators."""
    columns = indicator_columns(indicators)
    if indicators.height < 2 or not columns:
        return {str(c): [] for c in indicators.get_column("municipality_code").to_list()} if indicators.height else {}
    table = indicators.sort("municipality_code")
    codes = [str(c) for c in table["municipality_code"].to_list()]
    x = table.select(columns).to_numpy().astype(float)
    sd = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    distance = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(distance, np.inf)
    out = {}
    for i, code in enumerate(codes):
        order = np.lexsort((np.arange(len(codes)), distance[i]))
        out[code] = [codes[j] for j in order[:min(k, len(codes) - 1)]]
    return out
