"""Two-way fixed effects, as a diagnostic only, and its Goodman-Bacon (2021) decomposition.

With staggered adoption the TWFE coefficient is a weighted average of every 2x2 DiD between
timing groups, including "forbidden" ones that use already-treated districts as controls; with
effects that grow over time those comparisons subtract part of the effect and can even flip its
sign. The decomposition shows each 2x2 estimate and its weight; the weighted sum equals the
TWFE coefficient exactly on a balanced panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import statsmodels.api as sm
from numpy.typing import NDArray
from scipy import stats


@dataclass(frozen=True, kw_only=True)
class TwfeResult:
    """TWFE coefficient on the treatment dummy with cluster-robust (district) standard error.

    On a panel the model fits exactly (no noise) ``se`` is 0 and ``p_value`` is nan.
    """

    coefficient: float
    se: float
    p_value: float
    clusters: int


def _treatment(cohort: NDArray[np.float64], periods: int) -> NDArray[np.float64]:
    return (np.arange(periods)[None, :] >= cohort[:, None]).astype(float)


def twfe(y: NDArray[np.float64], cohort: NDArray[np.float64]) -> TwfeResult:
    """OLS of y on the treatment dummy with unit and period fixed effects (statsmodels).

    Args:
        y: Outcomes, shape (units, periods).
        cohort: First treated period per unit (``inf`` = never).
    """
    n, t = y.shape
    d = _treatment(cohort, t).ravel()
    unit = np.repeat(np.arange(n), t)
    per = np.tile(np.arange(t), n)
    x = np.column_stack([d, np.eye(n)[unit], np.eye(t)[per][:, 1:]])
    fit = sm.OLS(y.ravel(), x).fit(cov_type="cluster", cov_kwds={"groups": unit})
    coefficient = float(fit.params[0])
    # On a noise-free panel the residuals are zero and the clustered variance comes out as
    # rounding noise, sometimes a tiny negative number: that is a variance of zero, and the
    # p-value is undefined (nan) rather than the sqrt of a negative number.
    variance = float(fit.cov_params()[0, 0])
    scale = max(1.0, coefficient * coefficient)
    if variance <= 1e-12 * scale:
        return TwfeResult(coefficient=coefficient, se=0.0, p_value=float("nan"), clusters=n)
    se = float(np.sqrt(variance))
    p_value = float(2 * stats.norm.sf(abs(coefficient / se)))  # statsmodels' cluster default
    return TwfeResult(coefficient=coefficient, se=se, p_value=p_value, clusters=n)


def bacon_decomposition(y: NDArray[np.float64], cohort: NDArray[np.float64]) -> pl.DataFrame:
    """Goodman-Bacon decomposition of the TWFE coefficient (balanced panel, absorbing treatment).

    Timing groups are the distinct adoption periods; units never treated in the window form
    group U; units treated from period 0 are an "always treated" group (D = 1 throughout).

    Returns:
        One row per 2x2 comparison: ``kind`` ("treated_vs_never", "earlier_vs_later" or
        "later_vs_earlier" — the last uses already-treated units as controls), ``treated``,
        ``control`` (cohort periods, -1 = never), ``estimate``, ``weight``; weights sum to 1 and
        ``sum(weight * estimate)`` equals :func:`twfe`'s coefficient.
    """
    n, t = y.shape
    never = ~np.isfinite(cohort) | (cohort >= t)
    groups = np.unique(np.clip(cohort[~never], 0, None)).astype(int)
    share = {g: float((np.clip(cohort, 0, None) == g)[~never].sum() + 0) / n for g in groups}
    members = {g: (~never) & (np.clip(cohort, 0, None) == g) for g in groups}
    n_u = float(never.sum()) / n
    dbar = {g: (t - g) / t for g in groups}
    periods = np.arange(t)
    rows = []

    def mean(mask_u: NDArray[np.bool_], mask_t: NDArray[np.bool_]) -> float:
        return float(y[np.ix_(mask_u, mask_t)].mean())

    for k in groups:
        if n_u > 0 and 0 < dbar[k] < 1:
            post, pre = periods >= k, periods < k
            est = (mean(members[k], post) - mean(members[k], pre)) - (mean(never, post) - mean(never, pre))
            nku = share[k] / (share[k] + n_u)
            w = (share[k] + n_u) ** 2 * nku * (1 - nku) * dbar[k] * (1 - dbar[k])
            rows.append(("treated_vs_never", k, -1, est, w))
    for k in groups:
        for l in groups:  # noqa: E741 (k and l: the paper's names for the two timing groups)
            if l <= k:
                continue
            nkl = share[k] / (share[k] + share[l])
            pre, mid, post = periods < k, (periods >= k) & (periods < l), periods >= l
            if k > 0:  # k treated while l not yet: window [0, l)
                est = (mean(members[k], mid) - mean(members[k], pre)) - (mean(members[l], mid) - mean(members[l], pre))
                w = (((share[k] + share[l]) * (1 - dbar[l])) ** 2 * nkl * (1 - nkl)
                     * (dbar[k] - dbar[l]) / (1 - dbar[l]) * (1 - dbar[k]) / (1 - dbar[l]))
                rows.append(("earlier_vs_later", k, l, est, w))
            if l < t:  # l treated, k already treated: window [k, T)
                est = (mean(members[l], post) - mean(members[l], mid)) - (
                    mean(members[k], post) - mean(members[k], mid)
                )
                w = (
                    ((share[k] + share[l]) * dbar[k]) ** 2
                    * nkl
                    * (1 - nkl)
                    * dbar[l]
                    / dbar[k]
                    * (dbar[k] - dbar[l])
                    / dbar[k]
                )
                rows.append(("later_vs_earlier", l, k, est, w))
    frame = pl.DataFrame(
        rows,
        schema={
            "kind": pl.String,
            "treated": pl.Int64,
            "control": pl.Int64,
            "estimate": pl.Float64,
            "weight": pl.Float64,
        },
        orient="row",
    )
    return frame.with_columns(weight=pl.col("weight") / pl.col("weight").sum())
