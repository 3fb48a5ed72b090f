"""Turn the simulation's event arrays into the register's tables (all vectorised)."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from trappen.register.schema import (
    APPEALS_OUTCOMES,
    NOTIFIER_KINDS,
    PROFESSIONAL_NOTIFIERS,
    empty,
)
from trappen.synthetic import _params as P
from trappen.synthetic._simulate import END_REASON_CODES, NEVER, OUTCOMES, SOURCES, SimResult

_PREFIXES = ("Nord", "Syd", "Øst", "Vest", "Midt", "Lund", "Bakke", "Skov", "Eng", "Mølle",
             "Kirke", "Sø")
_SUFFIXES = ("by", "vang", "holm", "gård", "høj", "dal", "toft")

# notifier kinds by age group (<1, 1-5, 6-12, 13-17), in NOTIFIER_KINDS order. Estimate after
# Danmarks Statistik's notifications by notifier: schools and police dominate for older
# children, health visitors and daycare for the youngest.
_NOTIFIER_WEIGHTS = np.array([
    [0.00, 0.05, 0.30, 0.20, 0.10, 0.10, 0.05, 0.00, 0.05, 0.05, 0.05, 0.05],
    [0.00, 0.35, 0.05, 0.10, 0.12, 0.10, 0.05, 0.00, 0.05, 0.06, 0.06, 0.06],
    [0.40, 0.02, 0.00, 0.08, 0.15, 0.10, 0.05, 0.02, 0.04, 0.05, 0.04, 0.05],
    [0.30, 0.00, 0.00, 0.10, 0.30, 0.10, 0.05, 0.05, 0.03, 0.03, 0.02, 0.02],
])
_SECONDS_PER_DAY = 86_400
_US = 1_000_000


def district_names(count: int) -> list[str]:
    """Synthetic school-district names ("Nordby", "Sydvang", ...), unique for any count."""
    names = [p + s for s in _SUFFIXES for p in _PREFIXES]
    return [names[i % len(names)] + ("" if i < len(names) else f" {i // len(names) + 1}")
            for i in range(count)]


def _date(days: NDArray, *, horizon: int | None = None) -> pl.Series:
    """Days since 1970 as a Date series; ``NEVER`` (or days >= ``horizon``) become null."""
    days = np.asarray(days, dtype=np.int64)
    null = days >= (NEVER if horizon is None else min(int(NEVER), horizon))
    s = pl.Series(np.where(null, 0, days).astype(np.int32)).cast(pl.Date)
    return s.scatter(np.flatnonzero(null), None) if null.any() else s


def _labels(values: NDArray, labels: tuple[str, ...]) -> pl.Series:
    """Integer codes as strings; negative codes become null."""
    values = np.asarray(values, dtype=np.int64)
    s = pl.Series(np.asarray(labels, dtype=object)[np.maximum(values, 0)], dtype=pl.String)
    neg = np.flatnonzero(values < 0)
    return s.scatter(neg, None) if len(neg) else s


def _instant(us: NDArray, *, horizon_us: int) -> pl.Series:
    us = np.asarray(us, dtype=np.int64)
    null = us >= horizon_us
    s = pl.Series(np.where(null, 0, us)).cast(pl.Datetime("us", "UTC"))
    return s.scatter(np.flatnonzero(null), None) if null.any() else s


def _counter(counts: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For groups with ``counts`` rows: (group index, 1-based number within the group)."""
    group = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return group, np.arange(len(group)) - first[group] + 1


def build_tables(rng: np.random.Generator, sim: SimResult, *, window_start: int, end_excl: int,
                 district_codes: list[str], code_names: list[str],
                 pilot_from_day: NDArray[np.int32]) -> dict[str, pl.DataFrame]:
    """All register tables for the window [window_start, end_excl)."""
    pop = sim.population
    W, E = window_start, end_excl
    n_dist = len(district_codes)
    dcodes = np.array(district_codes, dtype=object)

    # ---------------------------------------------------------------- episodes and cases
    ep = sim.episodes
    keep = ep["end"].astype(np.int64) > W
    order = np.lexsort((ep["start"][keep], ep["child"][keep]))
    ep = {k: v[keep][order] for k, v in ep.items()}
    n_ep = len(ep["child"])
    episode_id = np.arange(1, n_ep + 1, dtype=np.int64)
    ep_stop = np.minimum(ep["end"].astype(np.int64), E)  # last day + 1 observed

    cs = sim.cases
    keep = cs["closed"].astype(np.int64) > W
    order = np.lexsort((cs["opened"][keep], cs["child"][keep]))
    cs = {k: v[keep][order] for k, v in cs.items()}

    # ---------------------------------------------------------------- children
    birth = pop.birth.astype(np.int64)
    year18 = int(round(18 * P.DAYS_PER_YEAR))
    present = (pop.entry < E) & (pop.exit > W) & (birth + year18 > W)
    present[ep["child"].astype(np.int64)] = True
    present[cs["child"].astype(np.int64)] = True
    kids = np.flatnonzero(present)
    child_id = kids.astype(np.int64) + 1
    children = pl.DataFrame({
        "child_id": child_id,
        "birth_date": _date(pop.birth[kids]),
        "sex": np.where(pop.male[kids], "M", "F"),
        "district_code": dcodes[pop.district[kids]],
        "entry_date": _date(pop.entry[kids]),
        "exit_date": _date(pop.exit[kids]),
    })
    residences = children.select("child_id", "district_code",
                                 pl.col("entry_date").alias("start_date"),
                                 pl.col("exit_date").alias("end_date"))

    districts = pl.DataFrame({
        "district_code": district_codes,
        "name": district_names(n_dist),
        "pilot_from": _date(pilot_from_day),
    })

    episodes = pl.DataFrame({
        "episode_id": episode_id,
        "child_id": ep["child"].astype(np.int64) + 1,
        "intervention_code": np.asarray(code_names, dtype=object)[ep["code"].astype(np.int64)],
        "step": ep["step"].astype(np.int8),
        "start_date": _date(ep["start"]),
        "end_date": _date(ep["end"]),
        "end_reason": _labels(ep["reason"], END_REASON_CODES),
    })

    cases = pl.DataFrame({
        "case_id": np.arange(1, len(cs["child"]) + 1, dtype=np.int64),
        "child_id": cs["child"].astype(np.int64) + 1,
        "opened_on": _date(cs["opened"]),
        "closed_on": _date(cs["closed"]),
        "source": _labels(cs["source"], SOURCES),
    })

    # ---------------------------------------------------------------- notifications
    nt = sim.notifications
    raw_id = np.arange(len(nt["child"]), dtype=np.int64)
    keep = nt["day"].astype(np.int64) >= W
    nt = {k: v[keep] for k, v in nt.items()}
    raw_id = raw_id[keep]
    k = len(raw_id)
    age = (nt["day"].astype(np.int64) - birth[nt["child"].astype(np.int64)]) / P.DAYS_PER_YEAR
    group = np.searchsorted([1.0, 6.0, 13.0], age, side="right")
    cum = np.cumsum(_NOTIFIER_WEIGHTS, axis=1)
    cum /= cum[:, -1:]
    kind = np.minimum((rng.random(k)[:, None] >= cum[group]).sum(axis=1), len(NOTIFIER_KINDS) - 1)
    kinds = np.asarray(NOTIFIER_KINDS, dtype=object)[kind]
    office = rng.random(k) < 0.75  # most notifications arrive in office hours (07-15 UTC)
    secs = np.where(office, 7 * 3600 + rng.random(k) * 8 * 3600, rng.random(k) * _SECONDS_PER_DAY)
    received_us = (nt["day"].astype(np.int64) * _SECONDS_PER_DAY + secs.astype(np.int64)) * _US
    in_time = rng.random(k) < P.P_ASSESSED_WITHIN_24H
    delay_h = np.where(in_time, rng.uniform(0.5, 23.5, k), rng.uniform(24.5, 120, k))
    assessed_us = received_us + (delay_h * 3600 * _US).astype(np.int64)
    professional = np.isin(kinds, list(PROFESSIONAL_NOTIFIERS))
    ack_us = np.where(professional,
                      received_us + (rng.uniform(0.5, 8.5, k)
                                     * _SECONDS_PER_DAY * _US).astype(np.int64),
                      np.iinfo(np.int64).max)
    horizon_us = E * _SECONDS_PER_DAY * _US
    notifications = pl.DataFrame({
        "notification_id": raw_id + 1,
        "child_id": nt["child"].astype(np.int64) + 1,
        "received_at": _instant(received_us, horizon_us=horizon_us),
        "notifier_kind": kinds,
        "assessed_at": _instant(assessed_us, horizon_us=horizon_us),
        "outcome": _labels(np.where(assessed_us >= horizon_us, -1, nt["outcome"]), OUTCOMES),
        "acknowledged_at": _instant(ack_us, horizon_us=horizon_us),
    })

    # ---------------------------------------------------------------- investigations
    iv = sim.investigations
    keep = (iv["aware"].astype(np.int64) >= W) & (iv["started"].astype(np.int64) < E)
    iv = {k: v[keep] for k, v in iv.items()}
    investigations = pl.DataFrame({
        "investigation_id": np.arange(1, len(iv["child"]) + 1, dtype=np.int64),
        "child_id": iv["child"].astype(np.int64) + 1,
        "notification_id": iv["note"].astype(np.int64) + 1,
        "aware_on": _date(iv["aware"]),
        "started_on": _date(iv["started"]),
        "concluded_on": _date(iv["concluded"], horizon=E),
    })

    # ---------------------------------------------------------------- plans, follow-ups, visits
    measure = np.flatnonzero(ep["step"] >= 3)
    late_plan = rng.random(len(measure)) < P.P_PLAN_LATE
    made = ep["start"][measure].astype(np.int64) + np.where(
        late_plan, rng.integers(92, 160, len(measure)), rng.integers(0, 90, len(measure)))
    ok = made < ep_stop[measure]
    plans = pl.DataFrame({
        "plan_id": np.arange(1, ok.sum() + 1, dtype=np.int64),
        "child_id": ep["child"][measure][ok].astype(np.int64) + 1,
        "episode_id": episode_id[measure][ok],
        "made_on": _date(made[ok]),
    })

    follow_ups = _periodic(rng, ep, measure, ep_stop, episode_id, every_days=P.FOLLOW_UP_EVERY_DAYS,
                           jitter=(-10, 15), id_name="follow_up_id", day_name="held_on",
                           window_start=W)
    placed = np.flatnonzero(ep["step"] >= 4)
    visits = _periodic(rng, ep, placed, ep_stop, episode_id, every_days=P.SUPERVISION_EVERY_DAYS,
                       jitter=(-30, 20), id_name="visit_id", day_name="visited_on", window_start=W)

    # ---------------------------------------------------------------- complaints
    c = measure[rng.random(len(measure)) < P.P_COMPLAINT_PER_MEASURE]
    received = ep["start"][c].astype(np.int64) + rng.integers(1, 29, len(c))
    ok = (received < E) & (received >= W)
    c, received = c[ok], received[ok]
    reassessed = received + rng.integers(3, 36, len(c))
    done = reassessed < E
    upheld = rng.random(len(c)) < P.P_MUNICIPALITY_UPHOLDS
    appeal = np.minimum(np.searchsorted(np.cumsum(P.APPEALS_OUTCOME_PROBS), rng.random(len(c)),
                                        side="right"), 3)
    decided = done & upheld & (reassessed + 90 < E)
    complaints = pl.DataFrame({
        "complaint_id": np.arange(1, len(c) + 1, dtype=np.int64),
        "child_id": ep["child"][c].astype(np.int64) + 1,
        "received_on": _date(received),
        "reassessed_on": _date(reassessed, horizon=E),
        "municipality_upheld": pl.Series(upheld, dtype=pl.Boolean).scatter(
            np.flatnonzero(~done), None) if (~done).any() else upheld,
        "appeals_outcome": _labels(np.where(decided, appeal, -1), APPEALS_OUTCOMES),
    })

    # ---------------------------------------------------------------- caseworkers, assignments
    caseworkers, assignments = _casework(rng, cs, pop.district, W=W, E=E, dcodes=dcodes,
                                         pilot_from_day=pilot_from_day)

    # ---------------------------------------------------------------- population on 31 Dec
    population = _population(pop, W=W, E=E, dcodes=dcodes)

    return {
        "districts": districts, "children": children, "residences": residences, "cases": cases,
        "episodes": episodes, "notifications": notifications, "investigations": investigations,
        "plans": plans, "follow_ups": follow_ups, "supervision_visits": visits,
        "complaints": complaints, "caseworkers": caseworkers, "assignments": assignments,
        "population": population,
    }


def _periodic(rng: np.random.Generator, ep: dict[str, np.ndarray], rows: NDArray[np.int64],
              ep_stop: NDArray[np.int64], episode_id: NDArray[np.int64], *, every_days: int,
              jitter: tuple[int, int], id_name: str, day_name: str,
              window_start: int) -> pl.DataFrame:
    """Events about every ``every_days`` days during each episode in ``rows``."""
    start = ep["start"][rows].astype(np.int64)
    counts = np.maximum((ep_stop[rows] - start - 1) // every_days, 0)
    group, k = _counter(counts)
    day = start[group] + k * every_days + rng.integers(jitter[0], jitter[1] + 1, len(group))
    ok = (day < ep_stop[rows][group]) & (day > start[group]) & (day >= window_start)
    group, day = group[ok], day[ok]
    r = rows[group]
    return pl.DataFrame({
        id_name: np.arange(1, len(r) + 1, dtype=np.int64),
        "child_id": ep["child"][r].astype(np.int64) + 1,
        "episode_id": episode_id[r],
        day_name: _date(day),
    })


def _casework(rng: np.random.Generator, cs: dict[str, np.ndarray], district: NDArray[np.int16], *,
              W: int, E: int, dcodes: NDArray, pilot_from_day: NDArray[np.int32]
              ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Caseworkers per district for the caseload (50, or 25 in a pilot), one assignment per case."""
    n_dist = len(dcodes)
    opened = cs["opened"].astype(np.int64)
    closed = cs["closed"].astype(np.int64)
    case_d = district[cs["child"].astype(np.int64)].astype(np.int64)
    first_day = int(min(opened.min(), W)) if len(opened) else W

    def open_on(day: int) -> NDArray[np.int64]:
        m = (opened <= day) & (closed > day)
        return np.bincount(case_d[m], minlength=n_dist)

    def mean_open(start: int, stop: int) -> NDArray[np.float64]:
        """Mean open cases per district on the first day of each quarter in [start, stop)."""
        days = np.arange(start, stop, 91)
        if len(days) == 0:
            days = np.array([start])
        return np.mean([open_on(int(d)) for d in days], axis=0)  # a loop over quarters

    # staff so that open cases per full-time caseworker are 50 (25 in a pilot district from its
    # first day): whole posts, the group's full-time equivalents shared evenly among them
    base_need = np.maximum(mean_open(W, E) / P.NORMAL_CASELOAD, 0.2)
    extra_need = np.zeros(n_dist)
    for d in range(n_dist):  # a loop over districts (a handful), not over rows
        pf = int(pilot_from_day[d])
        if pf < E:
            before = mean_open(W, pf)[d] if pf > W else mean_open(W, E)[d]
            after = mean_open(max(pf, W), E)[d]
            base_need[d] = max(before / P.NORMAL_CASELOAD, 0.2)
            extra_need[d] = max(after / P.HERNING_CASELOAD - base_need[d], 0.0)
    base_n = np.ceil(base_need).astype(np.int64)
    extra_n = np.ceil(extra_need).astype(np.int64)
    total = base_n + extra_n
    cw_d = np.repeat(np.arange(n_dist), total)
    _, k = _counter(total)
    is_extra = k > base_n[cw_d]
    group_need = np.where(is_extra, extra_need[cw_d], base_need[cw_d])
    group_n = np.where(is_extra, extra_n[cw_d], base_n[cw_d])
    fte = np.clip(np.round(group_need / group_n, 2), 0.2, 1.0)
    cw_start = np.where(is_extra, pilot_from_day[cw_d].astype(np.int64), first_day)
    cw_ids = np.arange(1, len(cw_d) + 1, dtype=np.int64)
    caseworkers = pl.DataFrame({
        "caseworker_id": cw_ids,
        "district_code": dcodes[cw_d],
        "team_code": np.char.add("T-", dcodes[cw_d].astype(str)),
        "fte": fte,
        "start_date": _date(cw_start),
        "end_date": _date(np.full(len(cw_d), NEVER)),
    })
    first_cw = np.cumsum(total) - total
    pool = np.where(opened >= pilot_from_day[case_d], total[case_d], base_n[case_d])
    pick = first_cw[case_d] + np.floor(rng.random(len(opened)) * pool).astype(np.int64)
    assignments = pl.DataFrame({
        "child_id": cs["child"].astype(np.int64) + 1,
        "caseworker_id": cw_ids[pick] if len(pick) else np.empty(0, np.int64),
        "start_date": _date(opened),
        "end_date": _date(closed),
    }).unique(subset=["child_id", "start_date"], keep="first", maintain_order=True)
    return caseworkers, assignments


def _population(pop, *, W: int, E: int, dcodes: NDArray) -> pl.DataFrame:
    """Children 0-17 per district and age on 31 December of each year in the window."""
    n_dist = len(dcodes)
    birth_year = pop.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    first = int(np.datetime64(W, "D").astype("datetime64[Y]").astype(np.int64)) + 1970
    last = int(np.datetime64(E - 1, "D").astype("datetime64[Y]").astype(np.int64)) + 1970
    frames = []
    for year in range(first, last + 1):  # one vectorised count per year
        dec31 = int(np.datetime64(f"{year}-12-31", "D").astype(np.int64))
        if dec31 >= E or dec31 < W:
            continue
        age = year - birth_year
        m = (pop.entry <= dec31) & (pop.exit > dec31) & (age >= 0) & (age <= 17)
        counts = np.bincount(pop.district[m].astype(np.int64) * 18 + age[m], minlength=n_dist * 18)
        frames.append(pl.DataFrame({
            "year": np.full(n_dist * 18, year, np.int16),
            "district_code": np.repeat(dcodes, 18),
            "age": np.tile(np.arange(18, dtype=np.int8), n_dist),
            "children": counts.astype(np.int32),
        }))
    return pl.concat(frames) if frames else empty("population")
