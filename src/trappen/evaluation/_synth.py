"""Synthetic control (Abadie, Diamond & Hainmueller 2010) against other municipalities.

When every district has adopted there is nobody left inside the municipality to compare with;
the municipality is compared with a weighted average of other municipalities (non-negative
weights summing to one) that tracks it before the change. Placebo tests re-run the method with
each donor as if it had changed: the treated municipality's ratio of post- to pre-period RMSPE
is ranked among all of them (Abadie et al. 2010, section 4), p = rank / (donors + 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import optimize

from trappen.errors import InvalidInput, Problem


def synth_weights(treated_pre: NDArray[np.float64], donors_pre: NDArray[np.float64]) -> NDArray[np.float64]:
    """Donor weights minimising the pre-period squared gap, w >= 0 and sum(w) = 1 (scipy NNLS).

    Args:
        treated_pre: Treated outcomes in the pre-period, shape (pre periods,).
        donors_pre: Donor outcomes, shape (pre periods, donors).
    """
    scale = max(float(np.abs(treated_pre).max()), 1e-12)
    a, b = donors_pre / scale, treated_pre / scale
    # sum(w) = 1 as a heavily weighted extra row of a non-negative least-squares problem
    # (Lawson-Hanson): exact to ~1e-8 and far faster than a general constrained optimiser
    big = 1e4 * max(1.0, float(np.abs(a).max()))
    w, _ = optimize.nnls(np.vstack([a, np.full((1, a.shape[1]), big)]), np.append(b, big), maxiter=50 * a.shape[1])
    return w / w.sum()


@dataclass(frozen=True, kw_only=True)
class SyntheticControlResult:
    """Synthetic control fit, gaps and placebo inference.

    ``weights``: donor, weight. ``series``: year, treated, synthetic, gap. ``placebos``: unit,
    pre_rmspe, post_rmspe, ratio, treated (bool). ``p_value`` is the rank p-value of the
    treated unit's RMSPE ratio.
    """

    treated: str
    first_treated_year: int
    weights: pl.DataFrame
    series: pl.DataFrame
    average_post_gap: float
    pre_rmspe: float
    post_rmspe: float
    placebos: pl.DataFrame
    p_value: float


def _wide(frame: pl.DataFrame) -> tuple[list[str], NDArray[np.int64], NDArray[np.float64]]:
    wide = frame.pivot(on="year", index="municipality", values="value", sort_columns=True).sort("municipality")
    years = np.array([int(c) for c in wide.columns[1:]])
    return wide["municipality"].to_list(), years, wide.drop("municipality").to_numpy().astype(float)


def _fit(y: NDArray[np.float64], i: int, donors: NDArray[np.int64], pre: NDArray[np.bool_]) -> tuple[NDArray, NDArray]:
    w = synth_weights(y[i, pre], y[donors][:, pre].T)
    return w, w @ y[donors]


def synthetic_control(frame: pl.DataFrame, *, treated: str, first_treated_year: int,
                      donors: list[str] | None = None, placebos: bool = True) -> SyntheticControlResult:
    """Compare one municipality with a synthetic control built from the others.

    Args:
        frame: ``municipality``, ``year``, ``value`` (e.g. from
            :func:`trappen.exchange.statbank.read_statbank_csv`); municipalities with a missing
            value in any year are dropped from the donors.
        treated: The municipality that changed.
        first_treated_year: First year with the change.
        donors: Municipalities allowed as donors (default: all others).
        placebos: Run the placebo test over donors.
    """
    names, years, y = _wide(frame)
    if treated not in names:
        raise InvalidInput(Problem(field="treated", value=treated, message="municipality not in the table"))
    pre = years < first_treated_year
    if pre.sum() < 2 or (~pre).sum() < 1:
        raise InvalidInput(
            Problem(
                field="first_treated_year",
                value=first_treated_year,
                message=f"need at least 2 years before and 1 from it; table has {years.min()}-{years.max()}",
            )
        )
    i = names.index(treated)
    if not np.isfinite(y[i]).all():
        raise InvalidInput(Problem(field="value", value=None, message=f"{treated} has missing years"))
    complete = np.isfinite(y).all(1)
    allowed = np.array([(donors is None or n in donors) and n != treated for n in names]) & complete
    pool = np.flatnonzero(allowed)
    if pool.size < 2:
        raise InvalidInput(Problem(field="donors", value=pool.size, message="need at least 2 complete donors"))
    w, synth = _fit(y, i, pool, pre)
    gap = y[i] - synth

    def rmspe(g: NDArray, mask: NDArray) -> float:
        return float(np.sqrt(np.mean(g[mask] ** 2)))

    rows = [(treated, rmspe(gap, pre), rmspe(gap, ~pre), True)]
    if placebos:
        for k in pool:  # one small optimisation per donor municipality (~100)
            others = pool[pool != k]
            _, s_k = _fit(y, int(k), others, pre)
            g_k = y[k] - s_k
            rows.append((names[k], rmspe(g_k, pre), rmspe(g_k, ~pre), False))
    plac = pl.DataFrame(
        rows,
        schema={"unit": pl.String, "pre_rmspe": pl.Float64, "post_rmspe": pl.Float64, "treated": pl.Boolean},
        orient="row",
    ).with_columns(ratio=pl.col("post_rmspe") / pl.col("pre_rmspe").clip(lower_bound=1e-12))
    ratio = plac["ratio"][0]
    p = float((plac["ratio"] >= ratio - 1e-12).sum() / plac.height) if placebos else float("nan")
    return SyntheticControlResult(
        treated=treated,
        first_treated_year=first_treated_year,
        weights=pl.DataFrame({"donor": [names[k] for k in pool], "weight": w}).sort("weight", descending=True),
        series=pl.DataFrame({"year": years, "treated": y[i], "synthetic": synth, "gap": gap}),
        average_post_gap=float(gap[~pre].mean()),
        pre_rmspe=rows[0][1],
        post_rmspe=rows[0][2],
        placebos=plac,
        p_value=p,
    )
