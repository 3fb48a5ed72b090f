"""The deadline engine: every due item of the computed duties over a whole analytic register.

Vectorised with Polars over whole tables: no per-row Python loops. See ``docs/deadlines.md``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC as UTC_TZ
from datetime import date, datetime

import numpy as np
import polars as pl

from trappen.deadlines._calendar import (
    COPENHAGEN,
    TIMEZONE,
    add_working_days_to_dates,
    require_aware,
)
from trappen.deadlines._duties import DeadlineConfig, Duties
from trappen.register import Register
from trappen.register.schema import PROFESSIONAL_NOTIFIERS
from trappen.staircase import PLACEMENT_CATEGORIES, Staircase, default_staircase

UTC = pl.Datetime("us", "UTC")

STATUSES = ("open", "on_time", "late", "overdue")
"""open: not done, not yet due · on_time: done by the due instant · late: done after it ·
overdue: not done and past due."""

DEADLINE_ITEM_SCHEMA: dict[str, pl.DataType] = {
    "duty_id": pl.String(),
    "child_id": pl.Int64(),
    "ref_table": pl.String(),
    "ref_id": pl.Int64(),
    "seq": pl.Int32(),
    "due_on": pl.Date(),
    "due_at": UTC,
    "done_at": UTC,
    "status": pl.String(),
    "legal_source": pl.String(),
}
"""Columns of :func:`deadline_items`. ``seq`` numbers the items of one duty for one record
(1 = first follow-up, ...); ``due_on`` is the local (Copenhagen) date of ``due_at``."""

_ITEM_COLUMNS = ("duty_id", "child_id", "ref_table", "ref_id", "seq", "due_on", "due_at", "done_at")


# ---------------------------------------------------------------- expression helpers

def _local_date(expr: pl.Expr) -> pl.Expr:
    return expr.dt.convert_time_zone(TIMEZONE).dt.date()


def _start_of_day(expr: pl.Expr) -> pl.Expr:
    """Local midnight at the start of a date, in UTC (midnight is never skipped nor doubled in
    Copenhagen: the clocks change at 02:00/03:00)."""
    return expr.cast(pl.Datetime("us")).dt.replace_time_zone(TIMEZONE).dt.convert_time_zone("UTC")


def _end_of_day(expr: pl.Expr) -> pl.Expr:
    """The last microsecond of a local date, in UTC."""
    return _start_of_day(expr.dt.offset_by("1d")) - pl.duration(microseconds=1)


def _add_months_batch(frame: pl.Series) -> pl.Series:
    """NumPy month arithmetic over a struct column {day, months} (whole column at once)."""
    day = frame.struct.field("day")
    months = frame.struct.field("months")
    valid = (day.is_not_null() & months.is_not_null()).to_numpy()
    d = day.to_physical().fill_null(0).to_numpy().astype("datetime64[D]")
    k = months.fill_null(0).to_numpy().astype(np.int64)
    month_start = d.astype("datetime64[M]")
    target = month_start + k
    first_day = target.astype("datetime64[D]")
    days_in_month = ((target + 1).astype("datetime64[D]") - first_day).astype(np.int64)
    day_of_month = (d - month_start.astype("datetime64[D]")).astype(np.int64)  # 0-based
    out = first_day + np.minimum(day_of_month, days_in_month - 1)
    result = pl.Series(frame.name, out, dtype=pl.Date)
    return result if valid.all() else result.set(pl.Series(~valid), None)  # type: ignore[arg-type]


def _working_days_batch(days: pl.Series, n: int) -> pl.Series:
    """The ``n``-th Danish working day after each date of a column without nulls (NumPy)."""
    due = add_working_days_to_dates(days.to_numpy().astype("datetime64[D]"), n)
    return pl.Series(days.name, due, dtype=pl.Date)


def _add_months(expr: pl.Expr, months: pl.Expr | int) -> pl.Expr:
    """Calendar months, clamped to the month's last day (31 October + 4 months = 28/29 February).

    A constant uses Polars' ``offset_by`` (same clamping); a per-row number of months uses
    NumPy ``datetime64[M]`` arithmetic on the whole column (``offset_by`` with per-row strings
    is slow).
    """
    if isinstance(months, int):
        return expr.dt.offset_by(f"{months}mo")
    return pl.struct(day=expr, months=months).map_batches(_add_months_batch, return_dtype=pl.Date)


def _dated(frame: pl.LazyFrame, *, done: str) -> pl.LazyFrame:
    """Add due_at (end of the local due_on day) and done_at (start of the local ``done`` day)."""
    return frame.with_columns(due_at=_end_of_day(pl.col("due_on")),
                              done_at=_start_of_day(pl.col(done)))


def _due_from(frame: pl.LazyFrame, since: date | None) -> pl.LazyFrame:
    """Drop rows due (local ``due_on``) before ``since``: the public filter, applied early so
    that whole-register work shrinks (a row is only dropped once its own due date is known)."""
    return frame if since is None else frame.filter(pl.col("due_on") >= since)


def _items(frame: pl.LazyFrame, duty_id: pl.Expr | str, ref_table: str, ref_id: str,
           seq: pl.Expr | int = 1) -> pl.LazyFrame:
    """Select the common item columns; ``frame`` has child_id, due_on, due_at and done_at."""
    return frame.select(
        duty_id=pl.lit(duty_id) if isinstance(duty_id, str) else duty_id,
        child_id=pl.col("child_id"),
        ref_table=pl.lit(ref_table),
        ref_id=pl.col(ref_id).cast(pl.Int64),
        seq=pl.lit(seq).cast(pl.Int32) if isinstance(seq, int) else seq.cast(pl.Int32),
        due_on=pl.col("due_on"),
        due_at=pl.col("due_at").cast(UTC),
        done_at=pl.col("done_at").cast(UTC),
    )


class _Tables:
    """The register's tables as LazyFrames (``reg.episodes``, ...): the engine builds one query
    plan over all duties and runs it once. Run step by step, a caseload's few records cost
    ~150 eager Polars steps, most of the time of a My day page."""

    def __init__(self, register: Register) -> None:
        self._tables = register.tables

    def __getattr__(self, name: str) -> pl.LazyFrame:
        try:
            return self._tables[name].lazy()
        except KeyError:
            raise AttributeError(name) from None


# ---------------------------------------------------------------- one function per duty

def _assessment(reg: _Tables, duties: Duties, *, since: date | None = None) -> pl.LazyFrame:
    # D1: 24 elapsed hours after receipt (Barnets Lov § 136).
    hours = duties["D1"].param("hours")
    frame = reg.notifications.with_columns(
        due_at=pl.col("received_at") + pl.duration(hours=hours),
        done_at=pl.col("assessed_at"),
    ).with_columns(due_on=_local_date(pl.col("due_at")))
    return _items(_due_from(frame, since), "D1", "notifications", "notification_id")


def _acknowledgement(reg: _Tables, duties: Duties, *, since: date | None = None) -> pl.LazyFrame:
    # D2: 6 working days after the local day of receipt, professional notifiers only (§ 136).
    n = duties["D2"].param("working_days")
    frame = reg.notifications.filter(pl.col("notifier_kind").is_in(sorted(PROFESSIONAL_NOTIFIERS)))
    if since is not None:
        # n working days are at most 2n + 20 calendar days (see add_working_days_to_dates);
        # one more day covers the UTC/local date difference. Exact filter below.
        lead = pl.duration(days=2 * n + 21)
        frame = frame.filter(pl.col("received_at") >= pl.lit(since).cast(UTC) - lead)
    # Time-zone conversion and working-day arithmetic once per distinct local day, not per row.
    frame = frame.with_columns(_received_on=_local_date(pl.col("received_at")))
    days = frame.select(pl.col("_received_on").unique().drop_nulls()).with_columns(
        due_on=pl.col("_received_on").map_batches(lambda day: _working_days_batch(day, n),
                                                  return_dtype=pl.Date))
    frame = frame.join(days, on="_received_on", how="left", maintain_order="left")
    frame = _due_from(frame, since).with_columns(
        due_at=_end_of_day(pl.col("due_on")), done_at=pl.col("acknowledged_at"))
    return _items(frame, "D2", "notifications", "notification_id")


def _investigation(reg: _Tables, duties: Duties, *, since: date | None = None) -> pl.LazyFrame:
    # D6: concluded within 4 months of awareness (§ 20 stk. 3).
    months = duties["D6"].param("months")
    frame = _dated(_due_from(reg.investigations.with_columns(
        due_on=_add_months(pl.col("aware_on"), months)), since), done="concluded_on")
    return _items(frame, "D6", "investigations", "investigation_id")


def _measures(reg: _Tables, *, steps: list[int], today: date,
              ended_by: date | None = None) -> pl.LazyFrame:
    """Episodes on ``steps`` started by ``today``; with ``ended_by``, without those that ended
    on or before it (all their recurring items are due before their end)."""
    eps = reg.episodes.filter(pl.col("step").cast(pl.Int64).is_in(steps),
                              pl.col("start_date") <= today)
    if ended_by is not None:
        eps = eps.filter(pl.col("end_date").is_null() | (pl.col("end_date") > ended_by))
    return eps


def _plans(reg: _Tables, duties: Duties, config: DeadlineConfig, *, home: list[int],
           placement: list[int], today: date, since: date | None = None) -> pl.LazyFrame:
    # D8 (§ 32 measure) and D9 (placement): the child's plan within 3 months (§ 91 stk. 1-2).
    m8, m9 = duties["D8"].param("months"), duties["D9"].param("months")
    eps = _measures(reg, steps=home + placement, today=today).with_columns(
        placed=pl.col("step").cast(pl.Int64).is_in(placement))
    eps = eps.with_columns(due_on=pl.when(pl.col("placed"))
                           .then(_add_months(pl.col("start_date"), m9))
                           .otherwise(_add_months(pl.col("start_date"), m8)))
    eps = _due_from(eps, since)
    plans = reg.plans.select("child_id", "made_on", plan_episode_id=pl.col("episode_id"))
    first = (eps.select("episode_id", "child_id", "start_date")
             .join(plans, on="child_id", how="inner")
             .filter((pl.col("plan_episode_id") == pl.col("episode_id"))
                     | (pl.col("plan_episode_id").is_null()
                        & (pl.col("made_on") >= pl.col("start_date")
                           - pl.duration(days=config.plan_lead_days))))
             .group_by("episode_id").agg(made_on=pl.col("made_on").min()))
    frame = _dated(eps.join(first, on="episode_id", how="left")
                   # A measure that ended before its plan fell due, with no plan, needs none.
                   .filter(pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("due_on"))
                           | pl.col("made_on").is_not_null()), done="made_on")
    duty = pl.when(pl.col("placed")).then(pl.lit("D9")).otherwise(pl.lit("D8"))
    return _items(frame, duty, "episodes", "episode_id")


def _follow_ups(reg: _Tables, duties: Duties, config: DeadlineConfig, *, steps: list[int],
                today: date, since: date | None = None) -> pl.LazyFrame:
    # D10: first follow-up at the earlier of the end of a parallel investigation and 3 months
    # after the start (§ 95 stk. 1-2). D11: then `interval` months after the previous follow-up
    # was held (§ 95 stk. 3-5; Herning: every 3 months); while one is missing, the next ones
    # follow the missing one's due date every `interval` months. Held follow-ups are matched to
    # items in date order (the first held is the first follow-up, ...).
    first_months = duties["D10"].param("months")
    interval = config.interval_months
    eps = _measures(reg, steps=steps, today=today, ended_by=since).select(
        "episode_id", "child_id", "start_date", "end_date")
    parallel = (eps.select("episode_id", "child_id", "start_date")
                .join(reg.investigations.select("child_id", "started_on", "concluded_on"),
                      on="child_id", how="inner")
                .filter(pl.col("started_on") <= pl.col("start_date"),
                        pl.col("concluded_on") > pl.col("start_date"))
                .group_by("episode_id").agg(inv_end=pl.col("concluded_on").min()))
    held = (reg.follow_ups.join(eps.select("episode_id", "start_date"), on="episode_id")
            .filter(pl.col("held_on") >= pl.col("start_date"))
            .sort("episode_id", "held_on", "follow_up_id")
            .with_columns(k=pl.int_range(pl.len()).over("episode_id").cast(pl.Int64))
            .select("episode_id", "k", "held_on"))
    counts = held.group_by("episode_id").agg(n_held=pl.len().cast(pl.Int64),
                                             last_held=pl.col("held_on").max())
    three = _add_months(pl.col("start_date"), first_months)
    eps = (eps.join(parallel, on="episode_id", how="left")
           .join(counts, on="episode_id", how="left")
           .with_columns(pl.col("n_held").fill_null(0),
                         use_inv=pl.col("inv_end").is_not_null() & (pl.col("inv_end") < three)))
    # Due dates are whole months from one base date (no chained month-end clamping).
    eps = eps.with_columns(
        base=pl.when(pl.col("use_inv")).then(pl.col("inv_end")).otherwise(pl.col("start_date")),
        base_months=pl.when(pl.col("use_inv")).then(0).otherwise(first_months),
    )
    anchor = pl.coalesce(pl.col("last_held"), pl.col("base"))
    horizon = pl.min_horizontal(pl.col("end_date"), pl.lit(today))
    months_span = ((horizon.dt.year().cast(pl.Int64) * 12 + horizon.dt.month())
                   - (anchor.dt.year().cast(pl.Int64) * 12 + anchor.dt.month()))
    eps = eps.with_columns(k=pl.int_ranges(
        0, pl.col("n_held") + (months_span // interval).clip(lower_bound=0) + 3)).explode("k")
    eps = (eps.with_columns(pl.col("k").cast(pl.Int64))
           .join(held.select("episode_id", k=pl.col("k") + 1, prev_held=pl.col("held_on")),
                 on=["episode_id", "k"], how="left")
           .join(held, on=["episode_id", "k"], how="left"))
    k, n_held = pl.col("k"), pl.col("n_held")
    # item k is due `months` after `anchor`:
    #   k = 0: the first follow-up (base, base_months);
    #   the previous one was held: held date + interval;
    #   none held yet: base + base_months + k x interval;
    #   after the last held one: last held + (k - n_held + 1) x interval.
    prev_held = pl.col("prev_held").is_not_null()
    anchor = (pl.when(k == 0).then(pl.col("base")).when(prev_held).then(pl.col("prev_held"))
              .when(n_held == 0).then(pl.col("base")).otherwise(pl.col("last_held")))
    months = (pl.when(k == 0).then(pl.col("base_months")).when(prev_held).then(pl.lit(interval))
              .when(n_held == 0).then(pl.col("base_months") + k * interval)
              .otherwise((k - n_held + 1) * interval))
    frame = (eps.with_columns(anchor=anchor, months=months)
             .with_columns(due_on=_add_months(pl.col("anchor"), pl.col("months")))
             .sort("episode_id", "k")
             .with_columns(prev_due=pl.col("due_on").shift(1).over("episode_id"))
             .filter(
                 # the held ones, the first missing one, and every later one already due, plus
                 # the next one
                 (k <= n_held) | (pl.col("prev_due") < today),
                 # only while the measure lasts
                 pl.col("end_date").is_null() | (pl.col("due_on") < pl.col("end_date")),
             )
             .pipe(_due_from, since)
             .pipe(_dated, done="held_on"))
    duty = pl.when(pl.col("k") == 0).then(pl.lit("D10")).otherwise(pl.lit("D11"))
    return _items(frame, duty, "episodes", "episode_id", seq=pl.col("k") + 1)


def _supervision(reg: _Tables, duties: Duties, *, placement: list[int],
                 today: date, since: date | None = None) -> pl.LazyFrame:
    # D12: at least 2 supervision visits in each placement-year window [start + k years,
    # start + k+1 years) (§ 156 stk. 5). A window cut short by the placement's end needs
    # ceil(2 x its share of a year) visits (at least 1). Visits are matched in date order
    # within the window; a missed visit stays overdue (a later visit belongs to a later window).
    per_year = duties["D12"].param("visits_per_year")
    eps = _measures(reg, steps=placement, today=today, ended_by=since).select(
        "episode_id", "child_id", "start_date", "end_date")
    years = (pl.lit(today).dt.year().cast(pl.Int64) - pl.col("start_date").dt.year().cast(pl.Int64))
    win = eps.with_columns(w=pl.int_ranges(0, years.clip(lower_bound=0) + 2)).explode("w")
    win = win.with_columns(
        w_start=_add_months(pl.col("start_date"), pl.col("w") * 12),
        w_full_end=_add_months(pl.col("start_date"), (pl.col("w") + 1) * 12),
    ).filter(pl.col("w_start") <= today,
             pl.col("end_date").is_null() | (pl.col("w_start") < pl.col("end_date")))
    win = win.with_columns(w_end=pl.min_horizontal("w_full_end", "end_date")).with_columns(
        required=((pl.col("w_end") - pl.col("w_start")).dt.total_days() * per_year
                  / (pl.col("w_full_end") - pl.col("w_start")).dt.total_days())
        .ceil().clip(1, per_year).cast(pl.Int64))
    if since is not None:  # a window's items are due on its last day; visits match per window
        win = win.filter(pl.col("w_end") > since)
    items = win.with_columns(j=pl.int_ranges(0, pl.col("required"))).explode("j").with_columns(
        pl.col("j").cast(pl.Int64), due_on=pl.col("w_end").dt.offset_by("-1d"))
    visits = (reg.supervision_visits.select("episode_id", "visited_on", "visit_id")
              .join(win.select("episode_id", "w", "w_start", "w_end"), on="episode_id")
              .filter(pl.col("visited_on") >= pl.col("w_start"),
                      pl.col("visited_on") < pl.col("w_end"))
              .sort("episode_id", "w", "visited_on", "visit_id")
              .with_columns(j=pl.int_range(pl.len()).over("episode_id", "w").cast(pl.Int64))
              .select("episode_id", "w", "j", "visited_on"))
    frame = items.join(visits, on=["episode_id", "w", "j"], how="left").with_columns(
        due_at=_end_of_day(pl.col("due_on")), done_at=_start_of_day(pl.col("visited_on")))
    seq = pl.col("w") * per_year + pl.col("j") + 1
    return _items(frame, "D12", "episodes", "episode_id", seq=seq)


def _ungeplan(reg: _Tables, duties: Duties, config: DeadlineConfig, *, steps: list[int],
              today: date, since: date | None = None) -> pl.LazyFrame:
    # D14: for a child with a measure when it turns 17½, the plan for support after 18 is due
    # 6 months before the 18th birthday (§ 108). No ungeplan table: any plan made from the
    # 17th birthday (config) until the 18th counts.
    months = duties["D14"].param("months_before_18")
    kids = reg.children.select("child_id", "birth_date").with_columns(
        due_on=_add_months(_add_months(pl.col("birth_date"), 18 * 12), -months),
        adult=_add_months(pl.col("birth_date"), 18 * 12),
        from_day=_add_months(pl.col("birth_date"), config.ungeplan_from_age_years * 12)
    ).pipe(_due_from, since)
    with_measure = (_measures(reg, steps=steps, today=today)
                    .select("child_id", "start_date", "end_date")
                    .join(kids.select("child_id", "due_on"), on="child_id")
                    .filter(pl.col("start_date") <= pl.col("due_on"),
                            pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("due_on")))
                    .select("child_id").unique())
    kids = kids.join(with_measure, on="child_id", how="semi")
    plans = (reg.plans.select("child_id", "made_on").join(kids, on="child_id")
             .filter(pl.col("made_on") >= pl.col("from_day"), pl.col("made_on") < pl.col("adult"))
             .group_by("child_id").agg(made_on=pl.col("made_on").min()))
    frame = _dated(kids.join(plans, on="child_id", how="left"), done="made_on").with_columns(
        ref=pl.col("child_id"))
    return _items(frame, "D14", "children", "ref")


def _complaint(reg: _Tables, duties: Duties, *, since: date | None = None) -> pl.LazyFrame:
    # D16: re-assessment within 4 weeks of receiving the complaint (§§ 144-150; rsl. § 67).
    weeks = duties["D16"].param("weeks")
    due_on = pl.col("received_on") + pl.duration(weeks=weeks)
    frame = _dated(_due_from(reg.complaints.with_columns(due_on=due_on), since), done="reassessed_on")
    return _items(frame, "D16", "complaints", "complaint_id")


# ---------------------------------------------------------------- public

def item_status(now: datetime) -> pl.Expr:
    """An item's status (:data:`STATUSES`) at ``now`` from its ``due_at`` and ``done_at``: the
    only column of :func:`deadline_items` that changes with the time of day, so a caller that
    keeps the items of a day can bring them up to date with it."""
    require_aware(now, field="now")
    now_lit = pl.lit(now.astimezone(UTC_TZ), dtype=UTC)
    not_done = pl.col("done_at").is_null()
    return (pl.when(not_done & (now_lit <= pl.col("due_at"))).then(pl.lit("open"))
            .when(not_done).then(pl.lit("overdue"))
            .when(pl.col("done_at") <= pl.col("due_at")).then(pl.lit("on_time"))
            .otherwise(pl.lit("late")))


def deadline_items(register: Register, *, now: datetime, config: DeadlineConfig | None = None,
                   staircase: Staircase | None = None, since: date | None = None) -> pl.DataFrame:
    """Every due item of the computed duties (D1, D2, D6, D8-D12, D14, D16) in a register.

    Args:
        register: the analytic register (notifications, investigations, episodes, plans,
            follow_ups, supervision_visits, complaints, children are read).
        now: the evaluation instant, timezone-aware; decides open vs overdue and how far
            recurring duties (follow-ups, supervision) are generated.
        config: the municipality's settings; ``None`` = defaults.
        staircase: tells which steps are home-based (§ 32) and which are placements;
            ``None`` = Socialstyrelsen's six steps.
        since: leave out items due (local date) before this day. Use it when the register
            holds no events before some date (an extract, a synthetic window): measures that
            started earlier would otherwise show their unrecorded follow-ups and visits as
            overdue.

    Returns:
        One row per item with the columns of :data:`DEADLINE_ITEM_SCHEMA`, sorted by due_at,
        duty_id, ref_id, seq. ``status`` is one of :data:`STATUSES`; ``done_at`` is null when
        not done (date-only events count as done at local midnight starting that day).

    Raises:
        InvalidInput: ``now`` is not a timezone-aware datetime.
    """
    require_aware(now, field="now")
    config = config or DeadlineConfig()
    staircase = staircase or default_staircase()
    duties = config.resolved_duties
    today = now.astimezone(COPENHAGEN).date()
    home = list(staircase.numbers_in({"home_based"}))
    placement = list(staircase.numbers_in(PLACEMENT_CATEGORIES))
    reg = _Tables(register)
    parts = [
        _assessment(reg, duties, since=since),
        _acknowledgement(reg, duties, since=since),
        _investigation(reg, duties, since=since),
        _plans(reg, duties, config, home=home, placement=placement, today=today, since=since),
        _follow_ups(reg, duties, config, steps=home + placement, today=today, since=since),
        _supervision(reg, duties, placement=placement, today=today, since=since),
        _ungeplan(reg, duties, config, steps=home + placement, today=today, since=since),
        _complaint(reg, duties, since=since),
    ]
    items = pl.concat(parts, how="vertical")
    if since is not None:
        items = items.filter(pl.col("due_on") >= since)
    sources = pl.LazyFrame({"duty_id": [d.id for d in duties.computed],
                            "legal_source": [d.legal_source for d in duties.computed]})
    return (items.with_columns(status=item_status(now))
            .join(sources, on="duty_id", how="left")
            .select(list(DEADLINE_ITEM_SCHEMA))
            .cast(DEADLINE_ITEM_SCHEMA)  # type: ignore[arg-type]
            .sort("due_at", "duty_id", "ref_id", "seq")
            .collect(engine="in-memory"))  # the streaming engine's set-up costs more on a caseload


_CHILD_TABLES = ("children", "notifications", "investigations", "episodes", "plans", "follow_ups",
                 "supervision_visits", "complaints")


def deadline_items_for_children(register: Register, *, child_ids: Collection[int], now: datetime,
                                config: DeadlineConfig | None = None,
                                staircase: Staircase | None = None,
                                since: date | None = None) -> pl.DataFrame:
    """:func:`deadline_items` for some children, e.g. one caseworker's caseload on "My day".

    The register is cut to those children first, so the cost grows with their records, not
    with the municipality. The result equals filtering :func:`deadline_items` on child_id.
    """
    ids = pl.Series("child_id", list(child_ids), dtype=pl.Int64)
    frames = {name: register.tables[name].filter(pl.col("child_id").is_in(ids))
              for name in _CHILD_TABLES}
    return deadline_items(register.replace(**frames), now=now, config=config, staircase=staircase,
                          since=since)


def deadline_items_for_child(register: Register, *, child_id: int, now: datetime,
                             config: DeadlineConfig | None = None,
                             staircase: Staircase | None = None,
                             since: date | None = None) -> pl.DataFrame:
    """:func:`deadline_items` for one child (the register is cut to that child first)."""
    return deadline_items_for_children(register, child_ids=[child_id], now=now, config=config,
                                       staircase=staircase, since=since)
