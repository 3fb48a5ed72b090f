"""Durations on the steps with competing exits: Aalen–Johansen, naive Kaplan–Meier, Cox, RMST.

An episode ends in one of several competing ways (breakdown, planned end, move down, move up,
turning 18). The Aalen–Johansen estimator gives the cumulative incidence of each; "1 - Kaplan–
Meier" with the other exits treated as censoring answers a different, hypothetical question
(the risk if no other exit could happen) and overstates the risk of a breakdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.errors import InvalidInput, Problem
from trappen.register import Register
from trappen.staircase import Staircase, default_staircase

EXIT_CAUSES = ("breakdown", "planned_end", "moved_down", "moved_up", "turned_18")
"""Competing exits, coded 1..5 in this order; 0 = censored."""

CAUSE_OF_END_REASON = {
    "breakdown": "breakdown",
    "planned_end": "planned_end",
    "goal_reached": "planned_end",
    "moved_down": "moved_down",
    "moved_up": "moved_up",
    "turned_18": "turned_18",
    "turned_23": "turned_18",
}
"""End reasons (trappen.staircase.END_REASONS) as competing exits; 'moved_away' and 'other' end
observation in the municipality and are treated as censoring."""

DAYS_PER_YEAR = 365.25


def competing_exits(register: Register, *, as_of: date, staircase: Staircase | None = None) -> pl.DataFrame:
    """One row per episode started before ``as_of``, with its duration and exit cause.

    Returns:
        Frame ``episode_id``, ``child_id``, ``step``, ``start_date``, ``placement`` (bool), ``duration_days``
        (float, > 0), ``residential`` (placement type: residential care rather than family
        care), ``cause`` (one of :data:`EXIT_CAUSES`, null = censored), ``cause_code``
        (0 = censored, 1.. in :data:`EXIT_CAUSES` order), ``age_years`` at the start,
        ``pilot`` (the child's district had adopted by the start).
    """
    staircase = staircase or default_staircase()
    ep = register.episodes.filter(pl.col("start_date") < as_of)
    ended = pl.col("end_date").is_not_null() & (pl.col("end_date") <= as_of)
    mapping = pl.DataFrame({"end_reason": list(CAUSE_OF_END_REASON), "cause": list(CAUSE_OF_END_REASON.values())})
    frame = ep.join(mapping, on="end_reason", how="left").with_columns(
        cause=pl.when(ended).then("cause"),
        stop=pl.when(ended).then("end_date").otherwise(pl.lit(as_of)),
    ).join(register.children.select("child_id", "birth_date", "district_code"), on="child_id", how="left") \
        .join(register.districts.select("district_code", "pilot_from"), on="district_code", how="left")
    codes = {c: i + 1 for i, c in enumerate(EXIT_CAUSES)}
    return frame.select(
        "episode_id", "child_id", pl.col("step").cast(pl.Int16), "start_date",
        placement=pl.col("step").is_in(list(staircase.placement_steps)),
        residential=pl.col("step").is_in(list(staircase.numbers_in(("residential_care",)))),
        duration_days=((pl.col("stop") - pl.col("start_date")).dt.total_days()).cast(pl.Float64),
        cause="cause",
        cause_code=pl.col("cause").replace_strict(codes, default=0, return_dtype=pl.Int8),
        age_years=((pl.col("start_date") - pl.col("birth_date")).dt.total_days() / DAYS_PER_YEAR),
        pilot=(pl.col("pilot_from").is_not_null() & (pl.col("pilot_from") <= pl.col("start_date"))),
    ).filter(pl.col("duration_days") > 0)


def _check(durations: NDArray, causes: NDArray) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    d = np.asarray(durations, dtype=float)
    c = np.asarray(causes, dtype=np.int64)
    if d.shape != c.shape or d.ndim != 1:
        raise InvalidInput(Problem(field="causes", value=c.shape, message=f"must match durations {d.shape}"))
    bad = np.flatnonzero(~np.isfinite(d) | (d < 0) | (c < 0))
    if bad.size:
        i = int(bad[0])
        raise InvalidInput(Problem(field="duration", value=float(d[i]), row=i + 1,
                                   message="durations must be finite and >= 0, causes >= 0"))
    return d, c


def aalen_johansen(durations: NDArray, causes: NDArray, *, n_causes: int | None = None) -> pl.DataFrame:
    """Aalen–Johansen cumulative incidence of each competing cause (vectorised).

    Args:
        durations: Time to exit or censoring, shape (n,).
        causes: 0 = censored, 1..K = cause of exit, shape (n,).
        n_causes: K (default: the largest code seen).

    Returns:
        One row per distinct time: ``time``, ``at_risk``, ``survival`` (all-cause Kaplan–Meier
        just after ``time``), ``cif_1`` .. ``cif_K``; survival + sum of CIFs = 1.
    """
    d, c = _check(durations, causes)
    k = int(n_causes if n_causes is not None else (c.max() if c.size else 0))
    times, inverse, counts = np.unique(d, return_inverse=True, return_counts=True)
    at_risk = d.size - np.concatenate([[0], np.cumsum(counts)[:-1]])
    events = np.zeros((times.size, k + 1))
    np.add.at(events, (inverse, c), 1.0)
    hazard_all = events[:, 1:].sum(1) / at_risk
    surv = np.cumprod(1 - hazard_all)
    surv_before = np.concatenate([[1.0], surv[:-1]])
    cif = np.cumsum(surv_before[:, None] * events[:, 1:] / at_risk[:, None], axis=0)
    return pl.DataFrame({"time": times, "at_risk": at_risk, "survival": surv,
                         **{f"cif_{j + 1}": cif[:, j] for j in range(k)}})


def naive_km_risk(durations: NDArray, causes: NDArray, *, cause: int) -> pl.DataFrame:
    """"1 - Kaplan–Meier" for one cause, other exits treated as censoring (the biased answer).

    Returns:
        ``time``, ``risk``.
    """
    d, c = _check(durations, causes)
    times, inverse, counts = np.unique(d, return_inverse=True, return_counts=True)
    at_risk = d.size - np.concatenate([[0], np.cumsum(counts)[:-1]])
    events = np.bincount(inverse, weights=(c == cause).astype(float), minlength=times.size)
    return pl.DataFrame({"time": times, "risk": 1 - np.cumprod(1 - events / at_risk)})


def restricted_mean_time(durations: NDArray, causes: NDArray, *, horizon: float) -> float:
    """Restricted mean time to any exit, ``∫_0^horizon S(t) dt`` with S the all-cause KM."""
    aj = aalen_johansen(durations, causes)
    t = np.concatenate([[0.0], aj["time"].to_numpy()])
    s = np.concatenate([[1.0], aj["survival"].to_numpy()])
    t_c = np.minimum(t, horizon)
    return float(np.sum(np.diff(np.append(t_c, horizon)) * s))


def expected_years_on_steps(
    exits: pl.DataFrame,
    *,
    horizon_years: float,
    entries_per_year: dict[int, float] | None = None,
    span_years: float | None = None,
) -> pl.DataFrame:
    """Expected child-years on each step over a horizon from new entries (multi-state summary).

    Entries to a step arrive at a constant rate r per year; each stays with all-cause survival
    S(t) on the step. Over a horizon H the child-years spent on the step by those entries are
    ``r * ∫_0^H (H - t) S(t) dt``; the restricted mean time ``∫_0^H S(t) dt`` is the expected
    years per entry. Children already on the step at the start are not included.

    Args:
        exits: Output of :func:`competing_exits`.
        horizon_years: H.
        entries_per_year: Entry rate per step; default: episodes per step / ``span_years``.
        span_years: Years of entries observed (needed without ``entries_per_year``).

    Returns:
        ``step``, ``episodes``, ``entries_per_year``, ``rmst_years``, ``child_years``.
    """
    if entries_per_year is None and not span_years:
        raise InvalidInput(Problem(field="span_years", value=span_years, message="give span_years or entries_per_year"))
    rows = []
    for step, part in exits.partition_by("step", as_dict=True, maintain_order=True).items():  # a few steps
        step = int(step[0])
        years = part["duration_days"].to_numpy() / DAYS_PER_YEAR
        aj = aalen_johansen(years, part["cause_code"].to_numpy())
        t = np.concatenate([[0.0], aj["time"].to_numpy()])
        s = np.concatenate([[1.0], aj["survival"].to_numpy()])
        t_c = np.minimum(t, horizon_years)
        nxt = np.append(t_c[1:], horizon_years)
        rmst = float(np.sum((nxt - t_c) * s))
        # ∫ (H - t) S(t) dt on each constant piece [a, b): S * (H(b-a) - (b²-a²)/2)
        weighted = float(np.sum(s * (horizon_years * (nxt - t_c) - (nxt**2 - t_c**2) / 2)))
        rate = (entries_per_year or {}).get(step, part.height / span_years if span_years else 0.0)
        rows.append((step, part.height, rate, rmst, rate * weighted))
    return pl.DataFrame(
        rows,
        schema={
            "step": pl.Int16,
            "episodes": pl.Int64,
            "entries_per_year": pl.Float64,
            "rmst_years": pl.Float64,
            "child_years": pl.Float64,
        },
        orient="row",
    ).sort("step")


def cause_specific_cox(
    exits: pl.DataFrame,
    *,
    cause: str = "breakdown",
    covariates: Sequence[str] = ("age_years", "residential", "pilot"),
    time_unit_days: float = DAYS_PER_YEAR,
) -> pl.DataFrame:
    """Cause-specific Cox model (lifelines ``CoxPHFitter``): other exits are censored.

    Breakdowns happen in placements: fit them on ``exits.filter(pl.col("placement"))`` so that
    ``residential`` compares residential with family care. Constant covariates are dropped.

    Returns:
        ``covariate``, ``hazard_ratio``, ``ci_low``, ``ci_high``, ``p_value``, ``events``.
    """
    from lifelines import CoxPHFitter

    if cause not in EXIT_CAUSES:
        raise InvalidInput(Problem(field="cause", value=cause, message=f"must be one of {EXIT_CAUSES}"))
    data = exits.select(
        (pl.col("duration_days") / time_unit_days).alias("duration"),
        (pl.col("cause") == cause).fill_null(False).cast(pl.Int8).alias("event"),
        *[pl.col(c).cast(pl.Float64) for c in covariates],
    )
    keep = [c for c in covariates if data[c].n_unique() > 1]
    events = int(data["event"].sum())
    if events == 0:
        raise InvalidInput(Problem(field="cause", value=cause, message="no exits of this kind to model"))
    fit = CoxPHFitter().fit(
        data.select("duration", "event", *keep).to_pandas(), duration_col="duration", event_col="event"
    )
    s = fit.summary
    return pl.DataFrame(
        {
            "covariate": list(s.index),
            "hazard_ratio": s["exp(coef)"].to_numpy(),
            "ci_low": s["exp(coef) lower 95%"].to_numpy(),
            "ci_high": s["exp(coef) upper 95%"].to_numpy(),
            "p_value": s["p"].to_numpy(),
            "events": [events] * len(s),
        }
    )
