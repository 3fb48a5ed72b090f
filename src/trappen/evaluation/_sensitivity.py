"""Parallel trends: a slope test with power against smooth pre-trends, and how far a violation
would have to go to change the conclusion (a breakdown value in the spirit of Rambachan & Roth 2023,
"A More Credible Approach to Parallel Trends", REStud).

Slope test. The joint pre-trend test adds up one squared t-statistic per pre-period: against a
smooth differential trend, which moves every pre-period a little in the same direction, most of
its degrees of freedom are spent on directions the trend does not take. The least-squares slope
of a line (with an intercept) through the pre-period event-time effects and the base period
(``e = -1``, zero by construction) puts all of the evidence in one direction:
``slope = sum((e - mean_e) * theta_e) / sum((e - mean_e)^2)`` over ``e <= -1``. It is a linear
combination of the ATT(g, t) cells, so the wild
bootstrap-t of :func:`trappen.evaluation._did._bootstrap_t` gives its p-value directly.

Breakdown values. Both ask how large a violation of parallel trends after adoption would have to
be for the 95% interval of the overall ATT to include zero:

* relative magnitudes: after adoption the departure from parallel trends in any period is at most
  ``M`` times the largest departure seen before adoption, ``D = max |theta_e|`` over ``e <= -2``;
  the bias of the overall ATT (a weighted mean of post cells) is then at most ``M * D``. The
  breakdown value is the ``M`` at which the interval widened by that bias reaches zero; ``M < 1``
  means the conclusion does not survive a violation as large as one already seen. R&R's
  Delta^RM bounds the period-to-period *changes* instead; on quarterly district data those are
  dominated by noise and add up over every post quarter, which made every result "fragile", so
  the bound here is on levels, as the issue asks ("relative to the largest pre-period deviation").
* a linear trend: the extrapolated pre-period slope is removed from every post cell (the
  trend-adjusted ATT, with its own bootstrap-t interval), and the breakdown slope is the
  differential trend per period, ``distance / K``, that would move the interval to zero, with
  ``K`` the overall ATT's weighted mean of periods since the base period (``e + 1``).

Simplification (stated where it is shown): R&R build intervals that account for the pre-period
estimates being noisy (conditional/hybrid tests, FLCIs); here the worst-case bias is added to the
bootstrap-t interval with the estimated pre-period changes taken at face value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, kw_only=True)
class SlopeTest:
    """Test of a linear trend in the pre-period event-time effects (``slope`` per period)."""

    slope: float
    se: float
    p_value: float
    periods: int
    """Pre-period event times in the fit (e <= -2)."""


@dataclass(frozen=True, kw_only=True)
class Sensitivity:
    """How far parallel trends may fail before the overall ATT's interval includes zero.

    ``breakdown_relative`` and ``breakdown_slope`` are 0 when the interval already includes zero
    (no conclusion to overturn) and ``inf`` when the pre-period shows no change to scale by.
    """

    significant: bool
    max_pre_deviation: float
    """D: the largest |event-time effect| before adoption (e <= -2; e = -1 is zero by construction)."""
    lever: float
    """K: the overall ATT's weighted mean of (periods since the base period) = sum a_k (e_k + 1)."""
    breakdown_relative: float
    """M: post-adoption violations of M times the largest pre-period deviation overturn the result."""
    breakdown_slope: float
    """A differential linear trend of this much per period overturns the result."""
    trend_adjusted_att: float
    trend_adjusted_ci_low: float
    trend_adjusted_ci_high: float

    @property
    def fragile(self) -> bool:
        """A significant result that a violation as large as the pre-period's would overturn."""
        return self.significant and self.breakdown_relative < 1.0


def slope_weights(events: NDArray[np.int64], a_event: NDArray[np.float64],
                  informative: NDArray[np.bool_]) -> NDArray[np.float64] | None:
    """Cell weights of the pre-period slope (shape (1, cells)); None without a pre-period to fit."""
    pre = (events <= -2) & informative
    if not pre.any():
        return None
    # least-squares line with an intercept through the pre-period points and the base period
    # (e = -1, zero by construction): the intercept absorbs the base period's noise, which every
    # pre-period effect shares; a line forced through the base point inherits it
    x_all = np.r_[events[pre].astype(float), -1.0]
    x = events[pre].astype(float) - x_all.mean()
    w = x / ((x_all - x_all.mean()) ** 2).sum()
    return (w @ a_event[pre])[None, :]


def lever(event_time: NDArray[np.int64], a_overall: NDArray[np.float64]) -> float:
    """K = sum over cells of the overall weight times (e + 1), post cells only carry weight."""
    return float((a_overall[0] * (event_time + 1.0)).sum())


def max_pre_deviation(events: NDArray[np.int64], att: NDArray[np.float64]) -> float:
    """Largest |theta_e| over the pre-period event times e <= -2; NaN without one."""
    pre = events <= -2
    return float(np.abs(att[pre]).max()) if pre.any() else np.nan


def sensitivity(*, ci_low: float, ci_high: float, max_deviation: float, k: float, adjusted: float,
                adjusted_low: float, adjusted_high: float) -> Sensitivity:
    """The breakdown values of an interval [ci_low, ci_high]."""
    significant = bool(ci_low > 0 or ci_high < 0)
    distance = ci_low if ci_low > 0 else -ci_high if ci_high < 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = distance / max_deviation if significant and max_deviation > 0 else (
            np.inf if significant else 0.0)
        slope = distance / k if significant and k > 0 else (np.inf if significant else 0.0)
    return Sensitivity(significant=significant, max_pre_deviation=max_deviation, lever=k,
                       breakdown_relative=float(relative), breakdown_slope=float(slope),
                       trend_adjusted_att=adjusted, trend_adjusted_ci_low=adjusted_low,
                       trend_adjusted_ci_high=adjusted_high)
