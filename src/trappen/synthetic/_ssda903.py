"""A synthetic SSDA903 return (England's children-looked-after header and episodes files).

For tests and benchmarks of the English input: made-up children only. The shape follows the
return, not any published figures: each child enters care once at an age between 0 and 17,
has a run of episodes (a change of placement or legal status ends one and starts the next,
REC = X1), leaves care (REC E13, E11, E41, ...) or turns 18 (E8), and may come back. Episodes
still open on the collection's last day have no DEC.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

# placement codes with made-up weights (foster care most common, as in the return)
_PLACES = ("U1", "U2", "U3", "U4", "U5", "U6", "P1", "R3", "A3", "K2", "R1", "H5", "P2", "Z1")
_WEIGHTS = np.array([22, 10, 12, 8, 6, 4, 8, 3, 2, 10, 3, 6, 2, 4], dtype=np.float64)
_LEAVE_REASONS = ("E13", "E11", "E41", "E45", "E4A", "E3", "E2")
_EPOCH = np.datetime64("1970-01-01", "D")


def synthetic_ssda903(*, children: int, seed: int, first: date = date(2012, 4, 1),
                      last: date = date(2025, 3, 31), episodes_per_child: float = 3.7
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Header and episodes frames (all columns strings, dates dd/mm/yyyy) as the return has them.

    Args:
        children: children in the header file (each has at least one episode).
        seed: the same seed gives the same files.
        first, last: the collection's period (episodes start within it).
        episodes_per_child: mean episodes per child.

    Returns:
        (header, episodes) with columns CHILD, SEX, DOB and CHILD, DECOM, RNE, LS, CIN, PLACE,
        PLACE_PROVIDER, DEC, REC.
    """
    rng = np.random.default_rng(seed)
    day0, day1 = (np.datetime64(first, "D") - _EPOCH).astype(int), (np.datetime64(last, "D") - _EPOCH).astype(int)
    entry = rng.integers(day0, day1, children)
    age_at_entry = np.minimum(rng.gamma(1.4, 5.0, children), 17.9) * 365.25
    dob = (entry - age_at_entry).astype(np.int64)
    adult = dob + np.int64(18 * 365.25)
    n_eps = rng.geometric(1.0 / episodes_per_child, children)  # at least one
    child = np.repeat(np.arange(children), n_eps)
    first_of_child = np.r_[0, np.cumsum(n_eps)[:-1]]
    within = np.arange(child.size) - np.repeat(first_of_child, n_eps)
    length = np.ceil(rng.exponential(240.0, child.size)).astype(np.int64)
    # a gap before an episode: none for a change of placement, months for a return to care
    returns = (within > 0) & (rng.random(child.size) < 0.12)
    gap = np.where(returns, np.ceil(rng.exponential(300.0, child.size)).astype(np.int64), 0)
    span = length + gap
    ends_before = np.cumsum(span) - np.repeat(np.cumsum(span)[first_of_child] - span[first_of_child], n_eps)
    start = entry[child] + ends_before - length
    end = start + length
    keep = (start < day1) & (start < adult[child])
    end = np.minimum(end, adult[child])
    last_of_child = np.r_[first_of_child[1:], child.size] - 1
    is_last = np.zeros(child.size, dtype=bool)
    is_last[last_of_child] = True
    next_gap = np.r_[gap[1:], 0]
    leaves = is_last | (next_gap > 0)
    turned_18 = end >= adult[child]
    rec = np.where(turned_18, "E8", np.where(leaves, rng.choice(_LEAVE_REASONS, child.size), "X1"))
    open_ = end > day1
    place = rng.choice(_PLACES, child.size, p=_WEIGHTS / _WEIGHTS.sum())
    child, start, end, rec, open_, place = (a[keep] for a in (child, start, end, rec, open_, place))
    ids = np.char.add("C", np.arange(children).astype(str))

    def ddmmyyyy(days: np.ndarray) -> pl.Series:
        return pl.Series(days.astype("datetime64[D]")).dt.strftime("%d/%m/%Y")

    header = pl.DataFrame({"CHILD": ids, "SEX": rng.choice(["1", "2"], children),
                           "DOB": ddmmyyyy(dob)})
    episodes = pl.DataFrame({
        "CHILD": ids[child], "DECOM": ddmmyyyy(start),
        "RNE": np.where(np.r_[True, child[1:] != child[:-1]], "S", "P"),
        "LS": "C2", "CIN": "N1", "PLACE": place, "PLACE_PROVIDER": "PR1",
        "DEC": ddmmyyyy(end).set(pl.Series(open_), None), "REC": pl.Series(rec).set(pl.Series(open_), None),
    })
    return header, episodes
