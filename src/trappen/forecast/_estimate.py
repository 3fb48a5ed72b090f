"""Estimation: monthly states per child, transition counts, Dirichlet posterior (vectorised)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
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

DEFAULT_WINDOW_MONTHS = 72
"""The reference period: months of transitions and arrivals counted up to the cut-off. Chosen
by back-test (``benchmarks/forecast_backtest.py --window W``, docs/forecast.md "Back-test"):
over eight rolling origins, 12 months ahead, 72 months gave a lower MAPE of the total than no
change on the demo municipality and on a synthetic SSDA903 council, where 36 and 48 lost on
the demo."""


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day clipped to the month's length."""
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    m += 1
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    last = (nxt - date(y, m, 1)).days
    return date(y, m, min(day.day, last))


@dataclass(frozen=True)
class _Panel:
    """Each child's state on each month day from its first, for a chunk of children; rows are
    sorted by child and day index ``k`` (consecutive within a child)."""

    child: NDArray[np.int64]  # child_id
    k: NDArray[np.int32]  # index into the days
    age_m: NDArray[np.int32]  # age in whole months on the day
    state: NDArray[np.int16]
    dur: NDArray[np.int32]  # months in the state (runs already going at k = 0 start at 24)
    first: NDArray[np.bool_]  # the child's first row


def _month_and_day(days: NDArray[np.int64]) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Months since year 0 and day of the month of day numbers (days since 1970-01-01)."""
    d = days.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    return (m.astype(np.int64) + 1970 * 12).astype(np.int32), ((d - m).astype(np.int64) + 1).astype(np.int32)


def _day_numbers(series: pl.Series, missing: int) -> NDArray[np.int64]:
    return series.cast(pl.Int64).fill_null(missing).to_numpy()


def panel_chunks(register: Register, *, days: list[date], states: StateSpace,
                 chunk_children: int = 20_000) -> Iterator[_Panel]:
    """Each child's state on each of ``days`` (sorted), chunk by chunk of children (vectorised;
    memory stays at one chunk's child-months).

    A child's rows run from its first day (birth or entry) to the last day. The state is the
    highest step of the episodes active on the day (0 if none); ``left`` once it has moved
    out before 18, ``ended`` once moved out as an adult or past 23; from 18 the steps become
    ``aftercare`` and state 0 ``ended`` (Barnets Lov § 2 and §§ 114-116).
    """
    k_n = len(days)
    day_n = np.array([(d - date(1970, 1, 1)).days for d in days], dtype=np.int64)
    day_month, day_day = _month_and_day(day_n)
    never = np.iinfo(np.int32).max
    kids = register.children.sort("child_id")
    ids = kids["child_id"].to_numpy()
    birth = _day_numbers(kids["birth_date"], 0)
    entry = np.maximum(birth, _day_numbers(kids["entry_date"], 0))
    exit_ = _day_numbers(kids["exit_date"], never)
    ep = register.episodes.select("child_id", "step", "start_date", "end_date").sort("child_id")
    ep_child = ep["child_id"].to_numpy()
    ep_i0 = np.searchsorted(day_n, _day_numbers(ep["start_date"], 0), side="left")
    ep_i1 = np.searchsorted(day_n, _day_numbers(ep["end_date"], never), side="left")
    ep_step = ep["step"].to_numpy().astype(np.int16)
    for lo in range(0, ids.size, chunk_children):
        hi = min(lo + chunk_children, ids.size)
        k0 = np.searchsorted(day_n, entry[lo:hi], side="left")
        rows = np.maximum(k_n - k0, 0)
        n = int(rows.sum())
        c = np.repeat(np.arange(hi - lo, dtype=np.int32), rows)  # child index within the chunk
        offset = np.cumsum(rows) - rows
        k = (np.arange(n, dtype=np.int32) - (offset - k0).astype(np.int32)[c])
        b_month, b_day = _month_and_day(birth[lo:hi])
        age = day_month[k] - b_month[c] - (day_day[k] < b_day[c])  # whole months of age
        # the highest step active on each row's day
        e_lo = int(np.searchsorted(ep_child, ids[lo], side="left"))
        e_hi = int(np.searchsorted(ep_child, ids[hi - 1], side="right"))
        e_c = np.searchsorted(ids[lo:hi], ep_child[e_lo:e_hi])
        i0 = np.maximum(ep_i0[e_lo:e_hi], k0[e_c])
        i1 = ep_i1[e_lo:e_hi]
        span = np.maximum(i1 - i0, 0)
        e_rep = np.repeat(np.arange(e_c.size), span)
        e_k = np.arange(e_rep.size) - np.repeat(np.cumsum(span) - span, span) + i0[e_rep]
        step = np.zeros(n, dtype=np.int16)
        np.maximum.at(step, offset[e_c[e_rep]] + e_k - k0[e_c[e_rep]], ep_step[e_lo:e_hi][e_rep])
        state = np.where(age >= ADULT_MONTHS, np.where((step > 0) & (age < AFTERCARE_END_MONTHS),
                                                        states.aftercare, states.ended), step).astype(np.int16)
        exits = np.flatnonzero(exit_[lo:hi] <= day_n[-1])  # children who moved out by the last day
        if exits.size:
            x_month, x_day = _month_and_day(exit_[lo:hi][exits])
            moved_as = np.where(x_month - b_month[exits] - (x_day < b_day[exits]) < ADULT_MONTHS,
                                states.left, states.ended)
            gone = np.zeros(hi - lo, dtype=np.int16)
            gone[exits] = moved_as
            gone_row = (exit_[lo:hi][c] <= day_n[k])
            state = np.where(gone_row, gone[c], state).astype(np.int16)
        first = np.zeros(n, dtype=bool)
        first[offset[rows > 0]] = True
        change = first.copy()
        change[1:] |= state[1:] != state[:-1]
        run_start = k[change][np.cumsum(change) - 1]
        dur = k - run_start + (run_start == 0) * MAX_START_DURATION
        yield _Panel(child=ids[lo:hi][c], k=k, age_m=age, state=state, dur=dur.astype(np.int32), first=first)


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


def _pilot_days(register: Register, *, cutoff: date) -> tuple[NDArray[np.int64], date] | None:
    """Children of pilot districts (``pilot_from`` on or before the cut-off) and the day the
    last pilot started; None unless some districts pilot and some do not."""
    d = register.districts
    pilot = d.filter(pl.col("pilot_from").is_not_null() & (pl.col("pilot_from") <= cutoff))
    if pilot.height == 0 or pilot.height == d.height:
        return None
    kids = register.children.filter(pl.col("district_code").is_in(pilot["district_code"].implode()))
    return np.sort(kids["child_id"].to_numpy()), pilot["pilot_from"].max()


def _caseload_effect(register: Register, *, pilot: tuple[NDArray[np.int64], date] | None,
                     moves_up: NDArray[np.float64], cutoff: date, min_moves: int = 20) -> tuple[float, str] | None:
    """Elasticity of moves up into placement to caseload, from pilot vs other districts.

    Pilot districts (``pilot_from`` on or before the cut-off) are compared with the others over
    the months since the last pilot started: e = ln(r_pilot / r_other) / ln(c_pilot / c_other),
    r = moves up into a placement step per child-month on 0..N (``moves_up[pilot?]`` = child-months,
    moves), c = active assignments per caseworker FTE at the cut-off. None when either group is
    missing, has fewer than ``min_moves`` moves up, or the caseloads differ by less than 10 %.
    Not randomised: districts chose to pilot.
    """
    if pilot is None:
        return None
    children, since = pilot
    active = (pl.col("start_date") <= cutoff) & (pl.col("end_date").is_null() | (pl.col("end_date") > cutoff))
    pilot_districts = register.districts.filter(pl.col("pilot_from").is_not_null() & (pl.col("pilot_from") <= cutoff))
    cases = (register.assignments.filter(active)
             .with_columns(pl.col("child_id").is_in(pl.Series(children).implode()).alias("_pilot"))
             .group_by("_pilot").len())
    fte = (register.caseworkers.filter(active)
           .with_columns(pl.col("district_code").is_in(pilot_districts["district_code"].implode()).alias("_pilot"))
           .group_by("_pilot").agg(pl.col("fte").sum()))
    n_cases = dict(zip(cases["_pilot"].to_list(), cases["len"].to_list(), strict=True))
    n_fte = dict(zip(fte["_pilot"].to_list(), fte["fte"].to_list(), strict=True))
    stats = {True: moves_up[1], False: moves_up[0]}
    if any(stats[k][1] < min_moves or not n_fte.get(k) or not n_cases.get(k) for k in (True, False)):
        return None
    c_p, c_o = n_cases[True] / n_fte[True], n_cases[False] / n_fte[False]
    if abs(math.log(c_p / c_o)) < math.log(1.1):
        return None
    r_p = stats[True][1] / stats[True][0]
    r_o = stats[False][1] / stats[False][0]
    e = math.log(r_p / r_o) / math.log(c_p / c_o)
    clipped = min(max(e, 0.0), 1.0)
    return clipped, (
        f"estimated from the register: pilot districts {c_p:.1f} vs others {c_o:.1f} children per "
        f"caseworker, moves up into placement {r_p * 1000:.2f} vs {r_o * 1000:.2f} per 1,000 child-months since "
        f"{since}; e = {e:.3f}" + (" (clipped to [0, 1])" if clipped != e else "")
    )


def estimate(
    register: Register,
    *,
    cutoff: date,
    staircase: Staircase | None = None,
    catalogue: Catalogue | None = None,
    prior: float = 1.0,
    window_months: int = DEFAULT_WINDOW_MONTHS,
    arrival_months: int | None = None,
    half_life_months: float | None = None,
) -> TransitionModel:
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
        window_months: months of transitions counted (the reference period, ending on the
            cut-off); at least 1.
        arrival_months: months of arrivals counted (None = the whole reference period). Over 8
            rolling origins of a synthetic council, 12 months of arrivals gave a MAPE of the total
            above no change's, the whole 48-month period below it (docs/forecast.md).
        half_life_months: weight recent months more: a transition ``b`` months before the last
            one counts ``0.5 ** (b / half_life_months)``, scaled so the weights average 1 over
            the window (None = every month alike, the default: on the back-tests above a
            half-life of 24 or 36 months did not beat equal weights consistently).

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
        raise InvalidInput(
            [
                Problem(
                    field="step",
                    value=int(v),
                    table="episodes",
                    row=i + 1,
                    message=f"step above the staircase's top step {states.top}",
                )
                for i, v in enumerate(too_high["step"].head(20).to_list())
            ]
        )
    if prior <= 0:
        raise InvalidInput(Problem(field="prior", value=prior, message="must be positive"))
    if window_months < 1:
        raise InvalidInput(Problem(field="window_months", value=window_months, message="must be at least 1"))
    arrival_n = window_months if arrival_months is None else arrival_months
    weights = None
    if half_life_months is not None:
        if not half_life_months > 0:
            raise InvalidInput(Problem(field="half_life_months", value=half_life_months, message="must be positive"))
        k_all = window_months + MAX_START_DURATION + 1
        back = np.maximum(k_all - 2 - np.arange(k_all), 0)  # months before the last pair
        weights = 0.5 ** (back / half_life_months)
        weights /= weights[k_all - 1 - window_months:k_all - 1].mean()  # mean 1 over the window
    if not 1 <= arrival_n <= window_months:
        raise InvalidInput(Problem(field="arrival_months", value=arrival_n,
                                   message=f"must be between 1 and the window ({window_months} months)"))
    k_n = window_months + MAX_START_DURATION + 1
    days = [add_months(cutoff, k - (k_n - 1)) for k in range(k_n)]
    a_n, d_n, s_n = len(AGE_BAND_EDGES_YEARS), len(DURATION_BAND_EDGES_MONTHS), states.size
    band_a = age_band_of_month(150 * 12)
    band_d = duration_band_of_month(k_n + MAX_START_DURATION + 1)
    placement = np.zeros(s_n, dtype=bool)
    placement[list(staircase.placement_steps)] = True
    pilot_days = _pilot_days(register, cutoff=cutoff)
    pilot_k = (
        int(np.searchsorted(np.array(days, dtype="datetime64[D]"), np.datetime64(pilot_days[1]))) if pilot_days else 0
    )
    counts = np.zeros(a_n * d_n * s_n * s_n)
    exposure, entered, reg_by_age = np.zeros(18), np.zeros(18), np.zeros(18, dtype=np.int64)
    start = np.zeros((AFTERCARE_END_MONTHS, MAX_START_DURATION + 1, s_n))
    arrivals = np.zeros((ADULT_MONTHS, s_n))
    moves_up = np.zeros((2, 2))  # [pilot?][child-months, moves up into placement]
    arrived_by_k = np.zeros(k_n)  # children first seen on day k (all ages under 18, states 0..N)
    for panel in panel_chunks(register, days=days, states=states):
        # transitions: each row with the next row of the same child, over the window
        pair = np.flatnonzero(~panel.first[1:] & (panel.k[:-1] >= k_n - 1 - window_months))
        s, t = panel.state[pair].astype(np.intp), panel.state[pair + 1].astype(np.intp)
        age, dur = panel.age_m[pair], panel.dur[pair]
        flat = ((band_a[age] * d_n + band_d[dur]) * s_n + s) * s_n + t
        if weights is None:
            counts += np.bincount(flat, minlength=counts.size)
        else:
            counts += np.bincount(flat, weights=weights[panel.k[pair]], minlength=counts.size)
        # entrants per 1,000 by age in years (from state 0, children under 18)
        child = age + 1 < ADULT_MONTHS
        age_y = np.minimum((age + 1) // 12, 17)
        from0 = child & (s == 0)
        exposure += np.bincount(age_y[from0], minlength=18)
        entered += np.bincount(age_y[from0 & (t >= 1) & (t <= states.top)], minlength=18)
        if pilot_days:
            sub = (panel.k[pair] >= pilot_k) & (s <= states.top) & child
            up = sub & (t > s) & placement[t]
            flag = np.isin(panel.child[pair], pilot_days[0]).astype(np.intp)
            moves_up += np.stack([np.bincount(flag[sub], minlength=2), np.bincount(flag[up], minlength=2)], axis=1)
        # the cut-off day: start population and registered children under 18
        cut = panel.k == k_n - 1
        st_c, age_c, dur_c = panel.state[cut], panel.age_m[cut], panel.dur[cut]
        under18 = (age_c < ADULT_MONTHS) & (st_c != states.left)
        reg_by_age += np.bincount(np.minimum(age_c[under18] // 12, 17), minlength=18)
        live = ((st_c <= states.top) | (st_c == states.aftercare)) & (age_c < AFTERCARE_END_MONTHS)
        np.add.at(start, (age_c[live], np.minimum(dur_c[live], MAX_START_DURATION), st_c[live]), 1.0)
        # arrivals: children first seen (born, moved in, or - in an English return - first
        # looked after) in the last ``arrival_months``, by age and state in their first month
        new = (
            panel.first
            & (panel.k > k_n - 1 - arrival_n)
            & (panel.k > 0)
            & (panel.age_m < ADULT_MONTHS)
            & (panel.state <= states.top)
        )
        np.add.at(arrivals, (panel.age_m[new], panel.state[new]), 1.0 / arrival_n)
        seen = panel.first & (panel.k > 0) & (panel.age_m < ADULT_MONTHS) & (panel.state <= states.top)
        arrived_by_k += np.bincount(panel.k[seen], minlength=k_n)
    counts = counts.reshape(a_n, d_n, s_n, s_n)
    allowed = states.allowed()[:, None, :, :] & np.ones((1, d_n, 1, 1), dtype=bool)
    counts = np.where(allowed, counts, 0.0)

    # population-table top-up: children who live here but have no row in the register
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

    np.add.at(start, (np.arange(18) * 12 + 6, MAX_START_DURATION, 0), extra.astype(np.float64))
    if start.sum() == 0:
        raise InvalidInput(
            Problem(field="cutoff", value=str(cutoff), message="no child lives in the municipality on the cut-off day")
        )
    # arrivals into state 0 scaled up by the children the population table has and the
    # register does not
    registered = max(int(reg_by_age.sum()), 1)
    arrivals[:, 0] *= (registered + int(extra.sum())) / registered

    caseload = _caseload(register, cutoff=cutoff)
    effect = _caseload_effect(register, pilot=pilot_days, moves_up=moves_up, cutoff=cutoff)
    elasticity, source = (
        effect
        if effect is not None
        else (DEFAULT_CASELOAD_ELASTICITY, "default from Herning (KORA 2015/2017): caseload 50 -> 25, placements -15 %")
    )
    cost = (
        _costs(register, states=states, catalogue=catalogue, cutoff=cutoff) if catalogue is not None else np.zeros(s_n)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        entrants = np.where(exposure > 0, entered / exposure * 12_000.0, 0.0)
    history = arrived_by_k[k_n - window_months:]
    lengths = np.diff(np.array([d.toordinal() for d in days], dtype=np.float64))[k_n - 1 - window_months:]
    return TransitionModel(
        states=states,
        cutoff=cutoff,
        counts=counts,
        alpha=alpha,
        transition=transition,
        start=start,
        arrivals_per_month=arrivals,
        entrants_per_1000_per_year=entrants,
        cost_dkk_per_day=cost,
        caseload_baseline=caseload,
        caseload_elasticity=elasticity,
        caseload_source=source,
        placement_steps=staircase.placement_steps,
        unregistered_children=int(extra.sum()),
        arrivals_observed=float(history[-arrival_n:].sum()),
        arrivals_dispersion=arrival_dispersion(history, days=lengths),
    )


def arrival_dispersion(monthly: NDArray[np.float64], *, days: NDArray[np.float64] | None = None) -> float:
    """The negative-binomial dispersion phi (variance = mean + phi * mean**2) of monthly arrival
    counts, by the method of moments on month-to-month differences (a slow trend does not count
    as noise); 0 when the months vary no more than Poisson counts do, or are too few.

    ``days``: each month's length in days. A 31-day month has about 10 % more arrivals than
    a 28-day one; that calendar effect is not noise, so the counts are compared per day (the
    difference of two months' rates, scaled back to a mean month, has the Poisson variance
    ``mean`` plus the extra). Months before the register's first arrival (no data yet) are
    left out."""
    if (monthly > 0).any():
        first = int(np.argmax(monthly > 0))
    else:
        return 0.0
    seen = monthly[first:].astype(np.float64)
    if seen.size < 6:
        return 0.0
    if days is not None:
        length = days[first:]
        seen = seen * (float(length.mean()) / length)
    mean = float(seen.mean())
    var = float(np.var(np.diff(seen), ddof=1) / 2.0)
    return max(var - mean, 0.0) / mean**2 if mean > 0 else 0.0
