"""Estimation: monthly states per child, transition counts, Dirichlet posterior (vectorised)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.errors import InvalidInput, Problem
from trappen.forecast._model import (
    ADULT_MONTHS,
    AFTERCARE_END_MONTHS,
    AGE_BAND_EDGES_YEARS,
    DURATION_BAND_EDGES_MONTHS,
    MAX_START_DURATION,
    StateSpace,
    TransitionModel,
    age_band_of_month,
    duration_band_of_month,
)
from trappen.register import Register
from trappen.staircase import Catalogue, Staircase, default_catalogue, default_staircase

HERNING_CASELOAD_BEFORE = 50.0
HERNING_CASELOAD_AFTER = 25.0
HERNING_PLACEMENT_CHANGE = -0.15
# Source: KORA's evaluation of Herning's pilot (2015, 2017) as summarised in the glossary:
# caseload about 50 -> 25 children per caseworker, placements about 15 % lower. As an
# elasticity on moves up: (25/50) ** e = 0.85  =>  e = ln(0.85) / ln(0.5) ~ 0.234.
DEFAULT_CASELOAD_ELASTICITY = math.log(1 + HERNING_PLACEMENT_CHANGE) / math.log(
    HERNING_CASELOAD_AFTER / HERNING_CASELOAD_BEFORE)

DAYS_PER_MONTH = 365.25 / 12


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day clipped to the month's length."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    m += 1
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    last = (nxt - date(y, m, 1)).days
    return date(y, m, min(day.day, last))


def _age_months(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    return ((on.dt.year() - birth.dt.year()) * 12 + on.dt.month().cast(pl.Int32)
            - birth.dt.month().cast(pl.Int32)
            - (on.dt.day() < birth.dt.day()).cast(pl.Int32))


def monthly_states(register: Register, *, days: list[date], states: StateSpace) -> pl.DataFrame:
    """Each child's state on each of ``days`` (sorted), with months already in that state.

    Returns:
        Columns ``child_id``, ``k`` (index into days), ``age_m`` (age in months), ``state``
        (Int16), ``dur`` (months in the state; left-censored runs at k=0 start at 24).
    """
    day_s = pl.Series("day", days, dtype=pl.Date)
    index = pl.DataFrame({"k": np.arange(len(days), dtype=np.int32), "day": day_s})
    ep = register.episodes.select("child_id", "step", "start_date", "end_date")
    first = day_s.search_sorted(ep["start_date"], side="left")
    last = day_s.search_sorted(ep["end_date"].fill_null(date.max), side="left")
    steps = (ep.with_columns(first.cast(pl.Int32).alias("_i0"), last.cast(pl.Int32).alias("_i1"))
             .filter(pl.col("_i1") > pl.col("_i0"))
             .select("child_id", "step", pl.int_ranges("_i0", "_i1", dtype=pl.Int32).alias("k"))
             .explode("k").group_by("child_id", "k").agg(pl.col("step").max()))
    kids = register.children.select("child_id", "birth_date", "entry_date", "exit_date")
    first_k = day_s.search_sorted(kids.select(pl.max_horizontal("birth_date", "entry_date"))
                                  .to_series(), side="left")
    kids = kids.with_columns(first_k.cast(pl.Int32).alias("_k0")).filter(pl.col("_k0") < len(days))
    panel = (kids.select("child_id", "birth_date", "exit_date",
                         pl.int_ranges("_k0", len(days), dtype=pl.Int32).alias("k"))
             .explode("k").join(index, on="k", how="left")
             .join(steps, on=["child_id", "k"], how="left"))
    age = _age_months(pl.col("birth_date"), pl.col("day"))
    exit_age = _age_months(pl.col("birth_date"), pl.col("exit_date"))
    step = pl.col("step").fill_null(0).cast(pl.Int16)
    state = (pl.when(pl.col("exit_date").is_not_null() & (pl.col("exit_date") <= pl.col("day")))
             .then(pl.when(exit_age < ADULT_MONTHS).then(states.left).otherwise(states.ended))
             .when(age >= AFTERCARE_END_MONTHS).then(states.ended)
             .when(age >= ADULT_MONTHS)
             .then(pl.when(step > 0).then(states.aftercare).otherwise(states.ended))
             .otherwise(step)).cast(pl.Int16)
    panel = (panel.with_columns(age.alias("age_m"), state.alias("state"))
             .select("child_id", "k", "age_m", "state").sort("child_id", "k"))
    run = (pl.col("state") != pl.col("state").shift(1).over("child_id")).fill_null(True)
    panel = panel.with_columns(run.cum_sum().over("child_id").alias("_run"))
    start_k = pl.col("k").min().over("child_id", "_run")
    censored = (start_k == 0).cast(pl.Int32) * MAX_START_DURATION
    return panel.with_columns((pl.col("k") - start_k + censored).alias("dur")).drop("_run")


def _costs(register: Register, *, states: StateSpace, catalogue: Catalogue, cutoff: date) -> NDArray[np.float64]:
    cost = np.zeros(states.size)
    active = register.episodes.filter((pl.col("start_date") <= cutoff)
                                      & (pl.col("end_date").is_null() | (pl.col("end_date") > cutoff)))
    price = pl.DataFrame({"intervention_code": list(catalogue.codes),
                          "_cost": [t.cost_dkk_per_day for t in catalogue.types],
                          "_aftercare": [t.aftercare for t in catalogue.types]})
    mix = (active.join(price, on="intervention_code", how="inner")
           .filter(~pl.col("_aftercare")).sort("step", "_cost")  # a fixed order: same sum every run
           .group_by("step", maintain_order=True).agg(pl.col("_cost").mean()))
    by_step = dict(zip(mix["step"].to_list(), mix["_cost"].to_list(), strict=True))
    for s in states.steps:
        types = [t for t in catalogue.for_step(s) if not t.aftercare] if s <= catalogue.staircase.top else []
        # the register's mix of interventions on the step at the cut-off, else the catalogue mean
        cost[s] = by_step.get(s, float(np.mean([t.cost_dkk_per_day for t in types])) if types else 0.0)
    after = [t.cost_dkk_per_day for t in catalogue.types if t.aftercare]
    cost[states.aftercare] = float(np.mean(after)) if after else 0.0
    return cost


def _caseload(register: Register, *, cutoff: date) -> float | None:
    workers = register.caseworkers.filter((pl.col("start_date") <= cutoff) & (
        pl.col("end_date").is_null() | (pl.col("end_date") > cutoff)))
    cases = register.assignments.filter((pl.col("start_date") <= cutoff) & (
        pl.col("end_date").is_null() | (pl.col("end_date") > cutoff)))
    fte = float(workers["fte"].sum()) if workers.height else 0.0
    if fte <= 0 or cases.height == 0:
        return None
    return cases.height / fte


def _caseload_effect(register: Register, *, pairs: pl.DataFrame, days: list[date], states: StateSpace,
                     cutoff: date, placement_steps: tuple[int, ...],
                     min_moves: int = 20) -> tuple[float, str] | None:
    """Elasticity of moves up into placement to caseload, from pilot vs other districts.

    Pilot districts (``pilot_from`` on or before the cut-off) are compared with the others over
    the months since the last pilot started: e = ln(r_pilot / r_other) / ln(c_pilot / c_other),
    r = moves up into a placement step per child-month on 0..N, c = active assignments per caseworker FTE at the
    cut-off. None when either group is missing, has fewer than ``min_moves`` moves up, or the
    caseloads differ by less than 10 %. Not randomised: districts chose to pilot.
    """
    d = register.districts
    pilot = d.filter(pl.col("pilot_from").is_not_null() & (pl.col("pilot_from") <= cutoff))
    if pilot.height == 0 or pilot.height == d.height:
        return None
    since = pilot["pilot_from"].max()
    first_k = int(np.searchsorted(np.array(days, dtype="datetime64[D]"), np.datetime64(since)))
    kids = register.children.select("child_id", pl.col("district_code").is_in(pilot["district_code"].implode()).alias("_pilot"))
    sub = (pairs.filter((pl.col("k") >= first_k) & (pl.col("state") <= states.top)
                        & (pl.col("age_m") + 1 < ADULT_MONTHS))
           .join(kids, on="child_id", how="inner"))
    up = (pl.col("to") > pl.col("state")) & pl.col("to").is_in(list(placement_steps))
    g = sub.group_by("_pilot").agg(pl.len().alias("months"), up.sum().alias("up"))
    stats = {row["_pilot"]: row for row in g.iter_rows(named=True)}
    active = (pl.col("start_date") <= cutoff) & (pl.col("end_date").is_null() | (pl.col("end_date") > cutoff))
    cases = register.assignments.filter(active).join(kids, on="child_id", how="inner").group_by("_pilot").len()
    fte = (register.caseworkers.filter(active)
           .with_columns(pl.col("district_code").is_in(pilot["district_code"].implode()).alias("_pilot"))
           .group_by("_pilot").agg(pl.col("fte").sum()))
    n_cases = dict(zip(cases["_pilot"].to_list(), cases["len"].to_list(), strict=True))
    n_fte = dict(zip(fte["_pilot"].to_list(), fte["fte"].to_list(), strict=True))
    if any(stats.get(k, {"up": 0})["up"] < min_moves or not n_fte.get(k) or not n_cases.get(k) for k in (True, False)):
        return None
    c_p, c_o = n_cases[True] / n_fte[True], n_cases[False] / n_fte[False]
    if abs(math.log(c_p / c_o)) < math.log(1.1):
        return None
    r_p = stats[True]["up"] / stats[True]["months"]
    r_o = stats[False]["up"] / stats[False]["months"]
    e = math.log(r_p / r_o) / math.log(c_p / c_o)
    clipped = min(max(e, 0.0), 1.0)
    return clipped, (f"estimated from the register: pilot districts {c_p:.1f} vs others {c_o:.1f} children per "
                     f"caseworker, moves up into placement {r_p * 1000:.2f} vs {r_o * 1000:.2f} per 1,000 child-months since "
                     f"{since}; e = {e:.3f}" + (" (clipped to [0, 1])" if clipped != e else ""))


def estimate(register: Register, *, cutoff: date, staircase: Staircase | None = None,
             catalogue: Catalogue | None = None, prior: float = 1.0,
             window_months: int = 36) -> TransitionModel:
    """Fit the monthly transition model on the register's data up to ``cutoff``.

    Transitions are counted between consecutive month days ``cutoff - k months`` over the last
    ``window_months`` (with 24 more months before to know how long each child has been in its
    state). The posterior of each row (age band, duration band, from-state) is
    Dirichlet(prior * pooled row + counts), where the pooled row is the row's frequencies over
    all bands of the same age group (plus one half per allowed move), so small municipalities
    get wide bands that shrink towards their own average rather than to uniform jumps.

    Args:
        register: the analytic register.
        cutoff: last day of data used; month 0 of projections.
        staircase: the staircase (number of steps N); default Socialstyrelsen's.
        catalogue: prices for costs; default the shipped catalogue.
        prior: total pseudo-count of the prior per row.
        window_months: months of transitions counted.

    Returns:
        The fitted :class:`TransitionModel`.

    Raises:
        InvalidInput: the register has an episode above the staircase's top step, or no child
            lives in the municipality at the cut-off.
    """
    staircase = staircase or default_staircase()
    if catalogue is None:
        catalogue = default_catalogue() if staircase == default_staircase() else None
    states = StateSpace(top=staircase.top)
    too_high = register.episodes.filter(pl.col("step") > states.top)
    if too_high.height:
        raise InvalidInput([Problem(field="step", value=int(v), table="episodes", row=i + 1,
                                    message=f"step above the staircase's top step {states.top}")
                            for i, v in enumerate(too_high["step"].head(20).to_list())])
    if prior <= 0:
        raise InvalidInput(Problem(field="prior", value=prior, message="must be positive"))
    k_n = window_months + MAX_START_DURATION + 1
    days = [add_months(cutoff, k - (k_n - 1)) for k in range(k_n)]
    panel = monthly_states(register, days=days, states=states)
    a_n, d_n, s_n = len(AGE_BAND_EDGES_YEARS), len(DURATION_BAND_EDGES_MONTHS), states.size
    max_age = int(panel["age_m"].max() or 0) + 2 if panel.height else 2
    band_a = age_band_of_month(max(max_age, AFTERCARE_END_MONTHS))
    band_d = duration_band_of_month(int(panel["dur"].max() or 0) + 2 if panel.height else 2)

    nxt = panel.select("child_id", (pl.col("k") - 1).alias("k"), pl.col("state").alias("to"))
    pairs = (panel.filter(pl.col("k") >= k_n - 1 - window_months)
             .join(nxt, on=["child_id", "k"], how="inner"))
    s = pairs["state"].to_numpy().astype(np.intp)
    t = pairs["to"].to_numpy().astype(np.intp)
    a = band_a[pairs["age_m"].to_numpy()]
    d = band_d[pairs["dur"].to_numpy()]
    flat = ((a * d_n + d) * s_n + s) * s_n + t
    counts = np.bincount(flat, minlength=a_n * d_n * s_n * s_n).astype(np.float64).reshape(a_n, d_n, s_n, s_n)
    allowed = states.allowed()[:, None, :, :] & np.ones((1, d_n, 1, 1), dtype=bool)
    counts = np.where(allowed, counts, 0.0)

    # entrants per 1,000 by age in years (from state 0, children under 18)
    child = (pairs["age_m"].to_numpy() + 1) < ADULT_MONTHS
    age_y = np.minimum((pairs["age_m"].to_numpy() + 1) // 12, 17)
    from0 = child & (s == 0)
    exposure = np.bincount(age_y[from0], minlength=18).astype(np.float64)
    entered = np.bincount(age_y[from0 & (t >= 1) & (t <= states.top)], minlength=18).astype(np.float64)

    # population-table top-up: children who live here but have no row in the register
    at_cut = panel.filter(pl.col("k") == k_n - 1)
    reg_under18 = at_cut.filter((pl.col("age_m") < ADULT_MONTHS) & (pl.col("state") != states.left))
    reg_by_age = np.bincount(np.minimum(reg_under18["age_m"].to_numpy() // 12, 17), minlength=18)
    pop_year = cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1
    pop = register.population.filter(pl.col("year") <= pop_year)
    extra = np.zeros(18, dtype=np.int64)
    if pop.height:
        latest = pop.filter(pl.col("year") == pop["year"].max()).group_by("age").agg(pl.col("children").sum())
        pop_by_age = np.zeros(18, dtype=np.int64)
        ages = latest["age"].to_numpy().astype(np.intp)
        keep = (ages >= 0) & (ages < 18)
        np.add.at(pop_by_age, ages[keep], latest["children"].to_numpy()[keep])
        extra = np.maximum(pop_by_age - reg_by_age, 0)
        ages_y = np.arange(18)
        np.add.at(counts, (band_a[ages_y * 12 + 6], np.full(18, d_n - 1), 0, 0), extra * window_months)
        exposure += extra * window_months

    # Dirichlet posterior: prior spread like the row pooled over duration bands
    pooled = counts.sum(axis=1, keepdims=True) + 0.5 * allowed
    pooled = np.where(allowed, pooled, 0.0)
    pooled = pooled / pooled.sum(-1, keepdims=True)
    alpha = counts + prior * pooled
    transition = alpha / alpha.sum(-1, keepdims=True)

    # start population at the cut-off (aggregate counts by age month, duration, state)
    start = np.zeros((AFTERCARE_END_MONTHS, MAX_START_DURATION + 1, s_n))
    live = at_cut.filter((pl.col("state") <= states.top) | (pl.col("state") == states.aftercare))
    live = live.filter(pl.col("age_m") < AFTERCARE_END_MONTHS)
    np.add.at(start, (live["age_m"].to_numpy(), np.minimum(live["dur"].to_numpy(), MAX_START_DURATION),
                      live["state"].to_numpy()), 1.0)
    np.add.at(start, (np.arange(18) * 12 + 6, MAX_START_DURATION, 0), extra.astype(np.float64))
    if start.sum() == 0:
        raise InvalidInput(Problem(field="cutoff", value=str(cutoff),
                                   message="no child lives in the municipality on the cut-off day"))

    # arrivals: children first seen (born, moved in, or - in an English return - first looked
    # after) in the last 12 months, by age and state in their first month; state 0 scaled up by
    # the children the population table has and the register does not
    first_seen = (panel.group_by("child_id").agg(pl.all().sort_by("k").first())
                  .filter((pl.col("k") > k_n - 1 - 12) & (pl.col("k") > 0)
                          & (pl.col("age_m") < ADULT_MONTHS) & (pl.col("state") <= states.top)))
    registered = max(int(reg_by_age.sum()), 1)
    scale = (registered + int(extra.sum())) / registered
    arrivals = np.zeros((ADULT_MONTHS, s_n))
    np.add.at(arrivals, (first_seen["age_m"].to_numpy(), first_seen["state"].to_numpy()), 1.0 / 12.0)
    arrivals[:, 0] *= scale

    caseload = _caseload(register, cutoff=cutoff)
    effect = _caseload_effect(register, pairs=pairs, days=days, states=states, cutoff=cutoff,
                              placement_steps=staircase.placement_steps)
    elasticity, source = effect if effect is not None else (
        DEFAULT_CASELOAD_ELASTICITY, "default from Herning (KORA 2015/2017): caseload 50 -> 25, placements -15 %")
    cost = (_costs(register, states=states, catalogue=catalogue, cutoff=cutoff)
            if catalogue is not None else np.zeros(s_n))
    with np.errstate(invalid="ignore", divide="ignore"):
        entrants = np.where(exposure > 0, entered / exposure * 12_000.0, 0.0)
    return TransitionModel(
        states=states, cutoff=cutoff, counts=counts, alpha=alpha, transition=transition,
        start=start, arrivals_per_month=arrivals, entrants_per_1000_per_year=entrants,
        cost_dkk_per_day=cost, caseload_baseline=caseload,
        caseload_elasticity=elasticity, caseload_source=source, placement_steps=staircase.placement_steps,
        unregistered_children=int(extra.sum()),
    )
