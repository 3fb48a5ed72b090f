"""The month-by-month simulation of every child at once (NumPy arrays, no per-child loops).

Days are ``int32`` days since 1970-01-01. ``NEVER`` stands for "no date" (beyond any horizon).
Each child holds at most one intervention episode at a time, so no two episodes of the same
type overlap; a move on the staircase ends one episode and starts the next on the same day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trappen.staircase import END_REASONS, Catalogue
from trappen.synthetic import _params as P

NEVER = np.int32(2**31 - 1)

END_REASON_CODES = END_REASONS
R_GOAL, R_PLANNED, R_UP, R_DOWN, R_BREAK, R_AWAY, R_18, R_23 = (
    END_REASONS.index(r) for r in ("goal_reached", "planned_end", "moved_up", "moved_down",
                                   "breakdown", "moved_away", "turned_18", "turned_23"))
R_ONGOING = -1

OUTCOMES = ("no_action", "preliminary_inquiry", "investigation", "immediate_measure")
O_NONE, O_INQUIRY, O_INVESTIGATION, O_IMMEDIATE = range(4)

SOURCES = ("notification", "application", "moved_in", "other")
S_NOTIFICATION, S_APPLICATION, S_MOVED_IN, S_OTHER = range(4)


@dataclass
class Codes:
    """Intervention codes as integers, and the codes usable on each step."""

    names: list[str]
    by_step: dict[int, NDArray[np.int16]]
    cum_weights: dict[int, NDArray[np.float64]]
    aftercare: int  # code index of the aftercare intervention, -1 if the catalogue has none
    aftercare_step: int

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> Codes:
        names = list(catalogue.codes)
        by_step, cum = {}, {}
        for step in range(1, 7):
            idx = [i for i, t in enumerate(catalogue.types) if step in t.steps and not t.aftercare]
            w = np.array([P.CODE_WEIGHTS.get(names[i], 1.0) for i in idx], dtype=np.float64)
            by_step[step] = np.array(idx, dtype=np.int16)
            cum[step] = np.cumsum(w) / w.sum()
        after = [i for i, t in enumerate(catalogue.types) if t.aftercare]
        aftercare = after[0] if after else -1
        step = max(catalogue.types[aftercare].steps) if after else 0
        return cls(names, by_step, cum, aftercare, step)

    def draw(self, rng: np.random.Generator, steps: NDArray[np.int8]) -> NDArray[np.int16]:
        """A code for each step in ``steps`` (weighted by :data:`CODE_WEIGHTS`)."""
        out = np.empty(steps.shape, dtype=np.int16)
        u = rng.random(steps.shape)
        for step in range(1, 7):
            m = steps == step
            if m.any():
                k = np.searchsorted(self.cum_weights[step], u[m], side="right")
                out[m] = self.by_step[step][np.minimum(k, len(self.by_step[step]) - 1)]
        return out


@dataclass
class Population:
    """Every child that ever lives in the municipality during the simulation (arrays of n)."""

    birth: NDArray[np.int32]
    entry: NDArray[np.int32]
    exit: NDArray[np.int32]  # NEVER = does not move out before 18
    district: NDArray[np.int16]
    male: NDArray[np.bool_]
    risk: NDArray[np.float32]

    @property
    def n(self) -> int:
        return len(self.birth)


def month_starts(first: np.datetime64, last: np.datetime64) -> NDArray[np.int32]:
    """Day numbers of the first day of each month from ``first`` to ``last`` (months) + 1."""
    months = np.arange(first, last + np.timedelta64(2, "M"), dtype="datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64).astype(np.int32)


def _year_of(days: NDArray[np.int64] | NDArray[np.int32]) -> NDArray[np.int64]:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def make_population(rng: np.random.Generator, *, children: int, starts: NDArray[np.int32],
                    end_excl: int, district_weights: NDArray[np.float64]) -> Population:
    """The initial children, the births and the in-movers of every month.

    A cohort model: births follow Danish births by year (:data:`_params.BIRTHS_BY_YEAR`), scaled so
    that about ``children`` children 0-17 live here at the end; the initial children's ages follow
    the same birth cohorts; moving out is :data:`_params.OUT_MIGRATION_PER_MONTH` at every age and
    in-movers balance it, so the population changes with the size of the cohorts.
    """
    year = P.DAYS_PER_YEAR
    s0 = int(starts[0])
    lengths = np.diff(starts).astype(np.int64)
    lengths[-1] = min(lengths[-1], end_excl - int(starts[-2]))
    months = len(lengths)
    end_year = int(_year_of(np.array([end_excl - 1]))[0])

    def cohorts(y: int) -> float:  # national children 0-17 on 31 Dec of year y, by births
        return float(sum(P.births(y - a) for a in range(18)))

    scale = children / cohorts(end_year)
    # initial children 0-17: each day of birth weighted by its year's births
    back = np.arange(1, int(18 * year) + 1, dtype=np.int64)
    w = np.array([P.births(int(y)) for y in _year_of(s0 - back)], dtype=np.float64)
    n0 = int(round(scale * cohorts(int(_year_of(np.array([s0 - 1]))[0]))))
    birth0 = s0 - back[rng.choice(len(back), size=n0, p=w / w.sum())]
    # births and in-movers, Poisson per month
    m_year = _year_of(starts[:-1])
    births_per_day = np.array([scale * P.births(int(y)) / year for y in m_year])
    size = np.array([scale * cohorts(int(y)) for y in m_year])
    births = rng.poisson(births_per_day * lengths)
    movers = rng.poisson(size * P.OUT_MIGRATION_PER_MONTH * lengths / 30.44)
    b_month = np.repeat(np.arange(months), births)
    birth1 = starts[b_month] + np.floor(
        rng.random(len(b_month)) * lengths[b_month]).astype(np.int64)
    m_month = np.repeat(np.arange(months), movers)
    entry2 = starts[m_month] + np.floor(
        rng.random(len(m_month)) * lengths[m_month]).astype(np.int64)
    birth2 = entry2 - 1 - np.floor(rng.random(len(m_month)) * 18 * year).astype(np.int64)
    birth = np.concatenate([birth0, birth1, birth2])
    entry = np.concatenate([birth0, birth1, entry2])
    n = len(birth)
    stay = rng.exponential(1 / P.OUT_MIGRATION_PER_MONTH * 30.44, n).astype(np.int64) + 1
    # leaving is memoryless: the children already living here leave from the first month on
    exit_ = np.maximum(entry, s0) + stay
    exit_ = np.where((exit_ < birth + np.int64(18 * year)) & (exit_ < end_excl), exit_, NEVER)
    cum = np.cumsum(district_weights) / district_weights.sum()
    district = np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)
    return Population(
        birth=birth.astype(np.int32), entry=entry.astype(np.int32), exit=exit_.astype(np.int32),
        district=district.astype(np.int16), male=rng.random(n) < P.SEX_RATIO_MALE,
        risk=rng.gamma(P.RISK_GAMMA_SHAPE, 1 / P.RISK_GAMMA_SHAPE, n).astype(np.float32))


class Recorder:
    """Collects event arrays month by month; concatenated once at the end."""

    def __init__(self, fields: tuple[str, ...]):
        self.fields = fields
        self.parts: dict[str, list[np.ndarray]] = {f: [] for f in fields}

    def add(self, **arrays: np.ndarray) -> None:
        for f in self.fields:
            self.parts[f].append(np.asarray(arrays[f]))

    def result(self) -> dict[str, np.ndarray]:
        return {f: np.concatenate(v) if v else np.empty(0) for f, v in self.parts.items()}


@dataclass
class SimResult:
    population: Population
    episodes: dict[str, np.ndarray]
    cases: dict[str, np.ndarray]
    notifications: dict[str, np.ndarray]
    investigations: dict[str, np.ndarray]


_NOTIFICATION_STEP_FACTOR = np.asarray(P.NOTIFICATION_STEP_FACTOR)
_MAX_NOTIFICATION_FACTOR = (max(P.NOTIFICATION_STEP_FACTOR)
                            * max(P.PILOT_YOUNG_NOTIFICATION_FACTOR, 1.0))


def _age_days(years: float) -> np.int32:
    return np.int32(round(years * P.DAYS_PER_YEAR))


def birthdays(birth: NDArray[np.int32], years: int) -> NDArray[np.int32]:
    """The day each child turns ``years`` (29 February birthdays fall on 28 February)."""
    month = birth.astype("datetime64[D]").astype("datetime64[M]")
    day_of_month = birth - month.astype("datetime64[D]").astype(np.int64)
    target = month + np.timedelta64(12 * years, "M")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64) - 1
    return np.minimum(target.astype("datetime64[D]").astype(np.int64) + day_of_month,
                      last).astype(np.int32)


def simulate(rng: np.random.Generator, *, pop: Population, codes: Codes,
             starts: NDArray[np.int32], end_excl: int, pilot_start: NDArray[np.int32],
             progress: Callable[[int, int], None] | None = None) -> SimResult:
    """Run the staircase month by month for all children.

    Args:
        rng: the random generator (the only source of randomness).
        pop: the children.
        codes: intervention codes per step.
        starts: first day of each month, plus the first day after the last month.
        end_excl: first day after the simulation.
        pilot_start: per district, the first day of the pilot (``NEVER`` = no pilot).
        progress: called with (months done, months) after each month.
    """
    n = pop.n
    step = np.zeros(n, np.int8)
    code = np.full(n, -1, np.int16)
    ep_start = np.full(n, NEVER, np.int32)
    last_end = np.full(n, -NEVER, np.int32)
    pend_day = np.full(n, NEVER, np.int32)
    pend_target = np.zeros(n, np.int8)
    case_open = np.full(n, NEVER, np.int32)
    case_src = np.zeros(n, np.int8)
    age18 = birthdays(pop.birth, 18)
    age23 = birthdays(pop.birth, 23)

    eps = Recorder(("child", "code", "step", "start", "end", "reason"))
    cases = Recorder(("child", "opened", "closed", "source"))
    notes = Recorder(("child", "day", "outcome"))
    invs = Recorder(("child", "aware", "started", "concluded", "note"))
    note_count = 0

    def close_cases(idx: np.ndarray, day: np.ndarray | int) -> None:
        day = np.broadcast_to(np.asarray(day, np.int32), idx.shape)
        keep = case_open[idx] != NEVER
        idx, day = idx[keep], day[keep]
        if len(idx):
            cases.add(child=idx, opened=case_open[idx].copy(), closed=day.copy(),
                      source=case_src[idx].copy())
            case_open[idx] = NEVER

    def end_episodes(idx: np.ndarray, day: np.ndarray, reason: int | np.ndarray) -> None:
        if len(idx):
            eps.add(child=idx, code=code[idx].copy(), step=step[idx].copy(),
                    start=ep_start[idx].copy(), end=np.asarray(day, np.int32),
                    reason=np.broadcast_to(np.asarray(reason, np.int8), idx.shape).copy())
            last_end[idx] = day
            step[idx] = 0
            code[idx] = -1
            ep_start[idx] = NEVER

    def start_episodes(idx: np.ndarray, day: np.ndarray, new_step: np.ndarray,
                       source: int | np.ndarray = S_NOTIFICATION) -> None:
        if len(idx):
            new_step = np.broadcast_to(np.asarray(new_step, np.int8), idx.shape)
            fresh = case_open[idx] == NEVER
            case_open[idx[fresh]] = np.broadcast_to(day, idx.shape)[fresh]
            case_src[idx[fresh]] = np.broadcast_to(np.asarray(source, np.int8), idx.shape)[fresh]
            step[idx] = new_step
            code[idx] = codes.draw(rng, new_step)
            ep_start[idx] = day

    def placement_step(idx: np.ndarray, u: np.ndarray, day: np.ndarray) -> np.ndarray:
        teen = (day - pop.birth[idx]) >= _age_days(12)
        young_p = np.cumsum(P.IMMEDIATE_PLACEMENT_STEP_PROBS["young"])
        teen_p = np.cumsum(P.IMMEDIATE_PLACEMENT_STEP_PROBS["teen"])
        k = np.where(teen, np.searchsorted(teen_p, u, side="right"),
                     np.searchsorted(young_p, u, side="right"))
        return (4 + np.minimum(k, 2)).astype(np.int8)

    # ---------------------------------------------------------------- initial stocks
    s0 = int(starts[0])
    present0 = np.flatnonzero(pop.entry < s0)
    score = np.log(pop.risk[present0].astype(np.float64) + 1e-12) + rng.gumbel(size=len(present0))
    order = present0[np.argsort(-score, kind="stable")]
    pos = 0
    for s in (6, 5, 4, 3, 2, 1):
        k = int(round(P.INITIAL_STEP_SHARES[s] * len(present0)))
        idx = np.sort(order[pos:pos + k])
        pos += k
        day = np.maximum(pop.birth[idx] + 1,
                         s0 - 1 - np.floor(rng.random(len(idx)) * 730).astype(np.int32))
        start_episodes(idx, day.astype(np.int32), np.int8(s))

    months = len(starts) - 1
    by_entry = np.argsort(pop.entry, kind="stable")
    entry_sorted = pop.entry[by_entry]
    for t in range(months):
        ms = int(starts[t])
        me = min(int(starts[t + 1]), end_excl)
        length = me - ms
        if length <= 0:
            break

        # calendar time: this month's multipliers (trends and dated policy changes, as data)
        month_day = str(np.datetime64(ms, "D"))
        m_note, m_prev, m_place = P.calendar(int(month_day[:4]), month_day[5:])

        def rand_day(k: int, ms: int = ms, length: int = length) -> np.ndarray:
            return (ms + np.floor(rng.random(k) * length)).astype(np.int32)

        # children living here who entered before this month and are under 23
        alive = np.flatnonzero((pop.entry < ms) & (pop.exit >= ms) & (age23 >= ms))
        # 1. moving away: measures end
        leaving = alive[(pop.exit[alive] < me)]
        # placed children stay the municipality's children (the placing municipality keeps
        # responsibility, Barnets Lov), so a family moving does not end a placement here
        stays = leaving[step[leaving] >= 4]
        pop.exit[stays] = NEVER
        leaving = leaving[step[leaving] < 4]
        on = leaving[step[leaving] > 0]
        end_episodes(on, pop.exit[on], R_AWAY)
        pend_day[leaving] = NEVER
        close_cases(leaving, pop.exit[leaving])
        alive = alive[pop.exit[alive] >= me]
        # 2. turning 23: aftercare ends
        t23 = alive[(age23[alive] < me) & (step[alive] > 0)]
        end_episodes(t23, age23[t23], R_23)
        close_cases(t23, age23[t23])
        alive = alive[age23[alive] >= me]
        # 3. turning 18: measures end, some continue as aftercare
        t18 = alive[(age18[alive] >= ms) & (age18[alive] < me)]
        pend_day[t18] = NEVER
        on = t18[(step[t18] > 0) & (code[t18] != codes.aftercare)]
        # a continued stay: the placement goes on past 18 (counted as placed 0-22)
        stay_on = on[(step[on] >= 4) & (rng.random(len(on)) < P.P_CONTINUED_STAY)]
        on = np.setdiff1d(on, stay_on, assume_unique=True)
        placed = step[on] >= 4
        day18 = age18[on]
        end_episodes(on, day18, R_18)
        p_after = np.where(placed, P.P_AFTERCARE_AFTER_PLACEMENT, P.P_AFTERCARE_AFTER_MEASURE)
        after = rng.random(len(on)) < p_after
        if codes.aftercare >= 0 and after.any():  # aftercare from the 18th birthday
            a = on[after]
            step[a] = codes.aftercare_step
            code[a] = codes.aftercare
            ep_start[a] = age18[a]
        if codes.aftercare < 0:
            after[:] = False
        rest = np.setdiff1d(t18, np.concatenate([on[after], stay_on]), assume_unique=True)
        close_cases(rest, age18[rest])
        adult = age18[alive] < me
        minors = alive[~adult]
        # 4. aftercare ends
        ac = alive[adult & (code[alive] == codes.aftercare) & (ep_start[alive] < ms)]
        ac = ac[rng.random(len(ac)) < P.AFTERCARE_END_PER_MONTH]
        # continued stays (placed adults) end as planned
        cs = alive[adult & (step[alive] >= 4) & (age18[alive] < ms)]
        cs = cs[rng.random(len(cs)) < P.CONTINUED_STAY_END_PER_MONTH]
        ac = np.concatenate([ac, cs])
        d = rand_day(len(ac))
        end_episodes(ac, d, R_PLANNED)
        close_cases(ac, d)
        # 5. investigations concluding this month
        due = pend_day[minors] < me
        idx = minors[due]
        day = pend_day[idx]
        target = pend_target[idx]
        pend_day[idx] = NEVER
        up = (target > step[idx]) & (step[idx] > 0)
        end_episodes(idx[up], day[up], R_UP)
        sel = target > step[idx]
        start_episodes(idx[sel], day[sel], target[sel])
        none = (target == 0) & (step[idx] == 0)
        close_cases(idx[none], day[none])
        # 6. moves on the staircase (episodes started before this month)
        cand = minors[(step[minors] > 0) & (ep_start[minors] < ms)]
        cpilot = pilot_start[pop.district[cand]] <= ms
        s = step[cand].astype(np.intp)
        age_y = (ms - pop.birth[cand]) / P.DAYS_PER_YEAR
        h_end = np.asarray(P.END_PER_MONTH)[s]
        h_up = (np.asarray(P.UP_PER_MONTH)[s] * np.where(cpilot, P.PILOT_UP_FACTOR, 1.0)
                * np.where(s >= 3, m_place, 1.0))
        h_down = np.asarray(P.DOWN_PER_MONTH)[s] * np.where(cpilot, P.PILOT_DOWN_FACTOR, 1.0)
        h_break = np.asarray(P.BREAKDOWN_PER_MONTH)[s]
        h_break = np.where((s == 5) & (age_y >= P.TEEN_AGE), P.BREAKDOWN_TEEN_FOSTER_PER_MONTH,
                           h_break)
        u = rng.random(len(cand))
        c1 = h_end
        c2 = c1 + h_up
        c3 = c2 + h_down
        c4 = c3 + h_break
        ev_end = u < c1
        ev_up = (u >= c1) & (u < c2)
        ev_down = (u >= c2) & (u < c3)
        ev_break = (u >= c3) & (u < c4)
        day = rand_day(len(cand))
        # ending: goal reached or planned end, back to step 0
        i = cand[ev_end]
        dd = day[ev_end]
        reason = np.where(rng.random(len(i)) < 0.6, R_GOAL, R_PLANNED).astype(np.int8)
        end_episodes(i, dd, reason)
        close_cases(i, dd)
        # moving up: one step, or from step 3 into a placement
        i = cand[ev_up]
        dd = day[ev_up]
        old = step[i].copy()
        new = np.where(old >= 3, np.maximum(old + 1, placement_step(i, rng.random(len(i)), dd)),
                       old + 1).astype(np.int8)
        new = np.minimum(new, 6).astype(np.int8)
        end_episodes(i, dd, R_UP)
        start_episodes(i, dd, new)
        # moving down: one step (placements mostly home to step 3)
        i = cand[ev_down]
        dd = day[ev_down]
        old = step[i].copy()
        home = rng.random(len(i)) < 0.7  # estimate: most placements step down to home-based help
        new = np.where(old >= 4, np.where(home, 3, old - 1), old - 1).astype(np.int8)
        end_episodes(i, dd, R_DOWN)
        start_episodes(i, dd, new)
        # breakdown: a new placement on the same step or residential care
        i = cand[ev_break]
        dd = day[ev_break]
        old = step[i].copy()
        new = np.where(rng.random(len(i)) < 0.5, old, 6).astype(np.int8)
        end_episodes(i, dd, R_BREAK)
        start_episodes(i, dd, new)
        # 7. notifications
        # thinning: the exact rate is computed only for children under the largest possible
        # rate (same uniform draw, so the result is that of the exact rate for everyone)
        base = P.NOTIFICATION_BASE_PER_MONTH * m_note * length / 30.44
        u = rng.random(len(minors))
        maybe = u < np.minimum(base * _MAX_NOTIFICATION_FACTOR * pop.risk[minors],
                               P.NOTIFICATION_MAX_PER_MONTH)
        idx = minors[maybe]
        s = step[idx].astype(np.intp)
        age_y = (ms - pop.birth[idx]) / P.DAYS_PER_YEAR
        npilot = pilot_start[pop.district[idx]] <= ms
        lam = (base * pop.risk[idx] * _NOTIFICATION_STEP_FACTOR[s]
               * np.where(npilot & (age_y < P.PILOT_YOUNG_AGE),
                          P.PILOT_YOUNG_NOTIFICATION_FACTOR, 1.0))
        hit = u[maybe] < np.minimum(lam, P.NOTIFICATION_MAX_PER_MONTH)
        idx = idx[hit]
        npilot = npilot[hit]
        day = rand_day(len(idx))
        on_stairs = step[idx] > 0
        u = rng.random(len(idx))
        cum_off = np.cumsum(P.OUTCOME_PROBS_OFF_STAIRCASE)
        cum_on = np.cumsum(P.OUTCOME_PROBS_ON_STAIRCASE)
        outcome = np.where(on_stairs, np.searchsorted(cum_on, u, side="right"),
                           np.searchsorted(cum_off, u, side="right"))
        outcome = np.minimum(outcome, 3).astype(np.int8)
        note_ids = np.arange(note_count, note_count + len(idx), dtype=np.int64)
        note_count += len(idx)
        notes.add(child=idx, day=day, outcome=outcome)
        # a child whose step already changed this month is not acted on again
        free = ((pend_day[idx] == NEVER) & (last_end[idx] < ms)
                & ((step[idx] == 0) | (ep_start[idx] < ms)))
        # preliminary inquiry: early help at step 1-2 for a child with no measure
        p_help = (P.P_EARLY_HELP_AFTER_INQUIRY * m_prev
                  * np.where(npilot, P.PILOT_EARLY_HELP_FACTOR, 1.0))
        help_ = free & ~on_stairs & (outcome == O_INQUIRY) & (rng.random(len(idx)) < p_help)
        start_episodes(idx[help_], day[help_], np.where(rng.random(help_.sum()) < 0.5, 1, 2))
        # investigation: concludes 1-7 months later with a measure (or none)
        inv = free & (outcome == O_INVESTIGATION)
        i = idx[inv]
        dd = day[inv]
        started = dd + rng.integers(0, 15, len(i)).astype(np.int32)
        in_time = rng.random(len(i)) < P.P_INVESTIGATION_WITHIN_4_MONTHS
        dur = np.where(in_time, rng.integers(25, 105, len(i)), rng.integers(125, 220, len(i)))
        concluded = (started + dur).astype(np.int32)
        teen = (dd - pop.birth[i]) >= _age_days(12)
        u = rng.random(len(i))
        ipilot = npilot[inv]
        tgt = np.empty(len(i), np.int8)
        for grp, mask in (("young", ~teen), ("teen", teen)):
            probs = np.asarray(P.INVESTIGATION_TARGET_STEP_PROBS[grp], dtype=np.float64)
            for is_pilot in (False, True):
                m = mask & (ipilot == is_pilot)
                pr = probs.copy()
                pr[3] *= m_prev
                shift = pr[4:].sum() * (1 - m_place)
                pr[4:] *= m_place
                pr[3] += shift
                if is_pilot:
                    shift = pr[4:].sum() * (1 - P.PILOT_PLACEMENT_FACTOR)
                    pr[4:] *= P.PILOT_PLACEMENT_FACTOR
                    pr[3] += shift
                cum = np.cumsum(pr) / pr.sum()
                tgt[m] = np.minimum(np.searchsorted(cum, u[m], side="right"), 6)
        pend_day[i] = concluded
        pend_target[i] = tgt
        fresh = case_open[i] == NEVER
        case_open[i[fresh]] = dd[fresh]
        case_src[i[fresh]] = S_NOTIFICATION
        invs.add(child=i, aware=dd, started=started, concluded=concluded, note=note_ids[inv])
        # immediate measure: an acute placement (and an investigation alongside)
        imm = free & (outcome == O_IMMEDIATE) & (step[idx] < 4)
        imm &= rng.random(len(idx)) < m_place * np.where(npilot, P.PILOT_PLACEMENT_FACTOR, 1.0)
        i = idx[imm]
        dd = day[imm]
        new = placement_step(i, rng.random(len(i)), dd)
        was_on = step[i] > 0
        end_episodes(i[was_on], dd[was_on], R_UP)
        start_episodes(i, dd, new)
        dur = rng.integers(25, 120, len(i))
        invs.add(child=i, aware=dd, started=dd, concluded=(dd + dur).astype(np.int32),
                 note=note_ids[imm])
        # 8. parents applying for help (step 2 or 3)
        app = minors[rng.random(len(minors)) < P.APPLICATION_PER_MONTH * pop.risk[minors]]
        app = app[(step[app] == 0) & (pend_day[app] == NEVER) & (last_end[app] < ms)]
        start_episodes(app, rand_day(len(app)), np.where(rng.random(len(app)) < 0.5, 2, 3),
                       S_APPLICATION)
        # 9. children moving in with an ongoing measure
        new_in = by_entry[np.searchsorted(entry_sorted, ms):np.searchsorted(entry_sorted, me)]
        new_in = new_in[pop.entry[new_in] > pop.birth[new_in]]
        new_in = new_in[rng.random(len(new_in)) < P.P_IN_MOVER_WITH_CASE]
        new_in = new_in[age18[new_in] > me]
        start_episodes(new_in, pop.entry[new_in], np.int8(3), S_MOVED_IN)
        if progress is not None:
            progress(t + 1, months)

    # ongoing at the end
    on = np.flatnonzero(step > 0)
    eps.add(child=on, code=code[on], step=step[on], start=ep_start[on],
            end=np.full(len(on), NEVER, np.int32), reason=np.full(len(on), R_ONGOING, np.int8))
    still = np.flatnonzero(case_open != NEVER)
    cases.add(child=still, opened=case_open[still], closed=np.full(len(still), NEVER, np.int32),
              source=case_src[still])
    return SimResult(population=pop, episodes=eps.result(), cases=cases.result(),
                     notifications=notes.result(), investigations=invs.result())
