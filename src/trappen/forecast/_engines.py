"""The two engines on one model: the expected (cohort Markov) projection and the
microsimulation, with scenarios applied the same way to both."""

from __future__ import annotations

from collections.abc import Callable, Iterable
import functools
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from trappen.errors import InvalidInput, Problem
from trappen.forecast._estimate import DAYS_PER_MONTH, HERNING_CASELOAD_BEFORE, add_months
from trappen.forecast._model import (
    ADULT_MONTHS,
    AFTERCARE_END_MONTHS,
    MAX_START_DURATION,
    Projection,
    Scenario,
    StateSpace,
    TransitionModel,
    age_band_of_month,
    duration_band_of_month,
)

AGE_N = AFTERCARE_END_MONTHS + 1  # ages 0..276 months; 276 = 23 or older (all ended)
DUR_N = MAX_START_DURATION + 1  # 0..24 months in the state; 24 = 24 or more
TWO32 = 2**32

DEFAULT_CHUNK_CHILDREN = 65_536
"""Children per simulation chunk. Results depend on it (each chunk has its own random stream),
never on how many processes run the chunks."""


def _check(model: TransitionModel, scenario: Scenario, months: int) -> None:
    bad = [s for s in scenario.closed_steps if s not in model.states.steps]
    problems = [Problem(field="closed_steps", value=s, message=f"not a step of the staircase 1..{model.states.top}")
                for s in bad]
    problems += [Problem(field="step_caps", value=f"{step} = {places}", message="needs a step of the staircase "
                         f"and a non-negative number of places")
                 for step, places in scenario.step_caps if step not in model.states.steps or places < 0]
    if months < 1:
        problems.append(Problem(field="months", value=months, message="must be at least 1"))
    if scenario.caseload_per_caseworker is not None and scenario.caseload_per_caseworker <= 0:
        problems.append(Problem(field="caseload_per_caseworker", value=scenario.caseload_per_caseworker,
                                message="must be positive"))
    if problems:
        raise InvalidInput(problems)


def redirect_table(states: StateSpace, closed: Iterable[int]) -> NDArray[np.intp]:
    """Where a move into each state ends up: closed steps go to the nearest open step (the
    lower one on a tie, closer to everyday life); with every step closed, to state 0."""
    closed = set(closed)
    lut = np.arange(states.size)
    open_steps = [s for s in states.steps if s not in closed]
    for c in closed:
        lut[c] = min(open_steps, key=lambda s: (abs(s - c), s)) if open_steps else 0
    return lut


def _cap_targets(states: StateSpace, scenario: Scenario) -> dict[int, int]:
    """Where children go when a capped step is full: the nearest other open step."""
    out = {}
    for step, _ in scenario.step_caps:
        lut = redirect_table(states, (*scenario.closed_steps, step))
        out[step] = int(lut[step])
    return out


def _chunk_caps(scenario: Scenario, sizes: list[int]) -> list[dict[int, int]]:
    """Each capped step's places shared among chunks in proportion to their children."""
    total = max(sum(sizes), 1)
    caps: list[dict[int, int]] = [{} for _ in sizes]
    for step, places in scenario.step_caps:
        share = np.floor(places * np.array(sizes) / total).astype(np.int64)
        share[: places - int(share.sum())] += 1
        for c, v in enumerate(share):
            caps[c][step] = int(v)
    return caps


def adjust(transition: NDArray[np.float64], *, model: TransitionModel, scenario: Scenario) -> NDArray[np.float64]:
    """Apply the rate levers of ``scenario`` to transition matrices of shape (..., S, S).

    Caseload: moves up into a placement step are multiplied by
    ``(caseload_new / caseload_old) ** e`` and moves down out of one by its inverse; entrant
    change multiplies moves from 0 onto the staircase. The probability of staying absorbs the
    change (other moves are scaled down if staying would go negative). Rows still sum to 1.
    """
    p = transition.copy()
    st = model.states
    s_n = st.size
    factor = np.ones((s_n, s_n))
    if scenario.caseload_per_caseworker is not None:
        old = model.caseload_baseline or HERNING_CASELOAD_BEFORE
        up = (scenario.caseload_per_caseworker / old) ** model.caseload_elasticity
        for k in model.placement_steps:
            factor[:k, k] *= up  # from a lower state (0..k-1) up into placement step k
            factor[k, :k] /= up  # from placement step k down
    factor[0, 1:st.top + 1] *= max(1.0 + scenario.entrant_rate_change_pct / 100.0, 0.0)
    if np.all(factor == 1.0):
        return p
    diag = np.eye(s_n, dtype=bool)
    off = np.where(diag, 0.0, p * factor)
    out_sum = off.sum(-1, keepdims=True)
    scale = np.where(out_sum > 1.0, 1.0 / np.maximum(out_sum, 1e-300), 1.0)
    off = off * scale
    stay = 1.0 - off.sum(-1)
    return off + stay[..., None] * diag


def arrival_schedule(model: TransitionModel, *, months: int, scenario: Scenario) -> NDArray[np.int64]:
    """Whole children arriving per month by age in months and state, shape (months + 1, 216, S).

    The expected arrivals, grown by the scenario's population growth, rounded so the running
    total per cell is exact up to one child (both engines use this same schedule); arrivals
    onto a closed step are sent to the nearest open one. Row 0 is empty.
    """
    growth = (1.0 + scenario.population_growth_pct_per_year / 100.0) ** (np.arange(months + 1) / 12.0)
    rate = model.arrivals_per_month[None, :, :] * growth[:, None, None]
    rate[0] = 0.0
    # a different fixed phase per cell so the roundings do not all fall in the same month
    phase = (np.arange(rate[0].size).reshape(rate.shape[1:]) * 0.6180339887498949) % 1.0
    cum = np.floor(np.cumsum(rate, axis=0) + phase[None])
    cum -= cum[0]
    sched = np.diff(cum, axis=0, prepend=0.0).astype(np.int64)
    lut = redirect_table(model.states, scenario.closed_steps)
    out = np.zeros_like(sched)
    for s_from, s_to in enumerate(lut):
        out[:, :, s_to] += sched[:, :, s_from]
    return out


def _arrivals_redirected(model: TransitionModel, *, months: int, scenario: Scenario) -> NDArray[np.float64]:
    """Arrivals per month that were meant for a closed step, by the state they went to."""
    sched = arrival_schedule(model, months=months, scenario=replace(scenario, closed_steps=()))
    lut = redirect_table(model.states, scenario.closed_steps)
    red = np.zeros((months + 1, model.states.size))
    for s_from, s_to in enumerate(lut):
        if s_from != s_to:
            red[:, s_to] += sched[:, :, s_from].sum(axis=1)
    return red


@dataclass(frozen=True)
class _Keys:
    """Lookup tables over keys = (age_month * dur_x + duration) * S + state.

    Durations are not capped inside a run (``dur_x`` = 25 + months), and ages run 12 months
    past 23 (children who ended are dropped every :data:`COMPACT_EVERY_MONTHS`), so a child
    who stays put simply moves to ``key + stay_step``: no lookup needed.
    """

    s_n: int
    dur_x: int
    row_of_key: NDArray[np.intp]  # (K,) row index (a_band, d_band, s) flattened

    @property
    def stay_step(self) -> int:
        return (self.dur_x + 1) * self.s_n

    @property
    def age_step(self) -> int:
        return self.dur_x * self.s_n

    @classmethod
    def build(cls, s_n: int, a_bands: int, d_bands: int, months: int) -> _Keys:
        dur_x = DUR_N + months
        age_x = AGE_N + COMPACT_EVERY_MONTHS + 1
        ba = age_band_of_month(age_x)
        bd = duration_band_of_month(dur_x)
        age_k, dur_k, st_k = np.meshgrid(np.arange(age_x), np.arange(dur_x), np.arange(s_n), indexing="ij")
        row = (ba[age_k.ravel()] * d_bands + bd[dur_k.ravel()]) * s_n + st_k.ravel()
        if row.size >= 2**31:
            raise InvalidInput(Problem(field="months", value=months, message="horizon too long"))
        return cls(s_n=s_n, dur_x=dur_x, row_of_key=row)

    def encode(self, age: NDArray[np.integer], dur: NDArray[np.integer], state: NDArray[np.integer]) -> NDArray[np.int32]:
        return ((age * self.dur_x + dur) * self.s_n + state).astype(np.int32)


def _thresholds(p: NDArray[np.float64]) -> tuple[NDArray[np.uint32], NDArray[np.uint64], NDArray[np.intp]]:
    """Integer thresholds per row of p (rows, S): stay threshold (uint32), cumulative uint64
    thresholds over destinations ordered own-state first, and that order."""
    rows, s_n = p.shape
    own = np.arange(rows) % s_n
    order = np.empty((rows, s_n), dtype=np.intp)
    order[:, 0] = own
    others = np.tile(np.arange(s_n), (rows, 1))
    mask = others != own[:, None]
    order[:, 1:] = others[mask].reshape(rows, s_n - 1)
    po = np.take_along_axis(p, order, axis=1)
    cdf = np.floor(np.cumsum(po, axis=1) * TWO32)
    cdf = np.minimum(cdf, TWO32).astype(np.uint64)
    cdf[:, -1] = TWO32
    stay = np.minimum(cdf[:, 0], TWO32 - 1).astype(np.uint32)
    return stay, cdf, order


def _start_moved(model: TransitionModel, lut: NDArray[np.intp]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Start population with children on closed steps moved (durations reset); and how many."""
    start = model.start.copy()
    moved = np.zeros(model.states.size)
    for c in np.flatnonzero(lut != np.arange(lut.size)):
        n = start[:, :, c].sum(axis=1)
        start[:, 0, lut[c]] += n
        start[:, :, c] = 0.0
        moved[lut[c]] += n.sum()
    return start, moved


def _pad_start(start: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.zeros((AGE_N, DUR_N, start.shape[2]))
    out[:start.shape[0]] = start
    return out


def _projection(model: TransitionModel, scenario: Scenario, mean: NDArray[np.float64], p10: NDArray[np.float64],
                p50: NDArray[np.float64], p90: NDArray[np.float64], redirected: NDArray[np.float64],
                total_cost: NDArray[np.float64] | None, replicates: int, seed: int | None) -> Projection:
    per_month = model.cost_dkk_per_day * DAYS_PER_MONTH
    cost = mean * per_month[None, :]
    if total_cost is None:
        tc10 = tc50 = tc90 = cost.sum(axis=1)
    else:
        tc10, tc50, tc90 = np.percentile(total_cost, [10, 50, 90], axis=0)
    months = mean.shape[0] - 1
    return Projection(
        scenario=scenario, labels=model.states.labels,
        month_dates=tuple(add_months(model.cutoff, m) for m in range(months + 1)),
        mean=mean, p10=p10, p50=p50, p90=p90, redirected=redirected, cost_dkk_per_month=cost,
        total_cost_dkk_p10=tc10, total_cost_dkk_p50=tc50, total_cost_dkk_p90=tc90,
        replicates=replicates, seed=seed)


def project_expected(model: TransitionModel, *, months: int, scenario: Scenario | None = None,
                     start: NDArray[np.float64] | None = None) -> Projection:
    """Deterministic Markov cohort projection with the posterior-mean transition model.

    Args:
        model: the fitted model.
        months: horizon in months.
        scenario: levers; default the baseline.
        start: optional start population, shape (276, 25, S) as ``model.start``.

    Returns:
        A :class:`Projection` whose quantiles equal its mean.
    """
    scenario = scenario or Scenario()
    _check(model, scenario, months)
    if start is not None:
        model = _replace_start(model, start)
    st = model.states
    s_n = st.size
    lut = redirect_table(st, scenario.closed_steps)
    p = adjust(model.transition, model=model, scenario=scenario)
    full = p[age_band_of_month(AGE_N)][:, duration_band_of_month(DUR_N)]  # (AGE, DUR, S, S)
    remap = np.zeros((s_n, s_n))
    remap[np.arange(s_n), lut] = 1.0
    closed_in = lut != np.arange(s_n)
    x0, moved0 = _start_moved(model, lut)
    x = _pad_start(x0)
    arrivals = arrival_schedule(model, months=months, scenario=scenario)
    out = np.zeros((months + 1, s_n))
    red = np.zeros((months + 1, s_n))
    out[0] = x.sum(axis=(0, 1))
    red[0] = moved0
    red_arrivals = _arrivals_redirected(model, months=months, scenario=scenario)
    cap_target = _cap_targets(st, scenario)
    any_closed = bool(closed_in.any())
    full_m = full @ remap if any_closed else full  # moves after redirection
    stay_p = np.diagonal(full_m, axis1=2, axis2=3)  # (AGE, DUR, S)
    by_age = full_m.reshape(AGE_N, DUR_N * s_n, s_n)
    for m in range(1, months + 1):
        if any_closed:
            into = np.einsum("ads,adsc->c", x, full[..., closed_in])
            red[m] = np.bincount(lut[closed_in], weights=into, minlength=s_n)
        red[m] += red_arrivals[m]
        stay = x * stay_p  # (AGE, DUR, S)
        moves = np.matmul(x.reshape(AGE_N, 1, DUR_N * s_n), by_age)[:, 0, :] - stay.sum(axis=1)  # (AGE, S)
        new = np.zeros_like(x)
        new[1:, 1:] += stay[:-1, :-1]
        new[1:, -1] += stay[:-1, -1]
        new[-1, 1:] += stay[-1, :-1]
        new[-1, -1] += stay[-1, -1]
        new[1:, 0] += moves[:-1]
        new[-1, 0] += moves[-1]
        new[:ADULT_MONTHS, 0, :] += arrivals[m]
        for step, places in scenario.step_caps:
            entrants = new[:, 0, step].sum()
            room = max(places - (new[:, :, step].sum() - entrants), 0.0)
            if entrants > room:
                over = new[:, 0, step] * (1.0 - room / entrants)
                new[:, 0, step] -= over
                new[:, 0, cap_target[step]] += over
                red[m, cap_target[step]] += over.sum()
        x = new
        out[m] = x.sum(axis=(0, 1))
    return _projection(model, scenario, out, out, out, out, red, None, 0, None)


def _replace_start(model: TransitionModel, start: NDArray[np.float64]) -> TransitionModel:
    from dataclasses import replace

    if start.shape != model.start.shape:
        raise InvalidInput(Problem(field="start", value=start.shape, message=f"shape must be {model.start.shape}"))
    return replace(model, start=start)


@dataclass(frozen=True)
class _Plan:
    """The children of a run split into chunks: start keys and arrival keys per chunk."""

    start_keys: list[NDArray[np.int32]]
    arrival_keys: list[list[NDArray[np.int32]]]  # [chunk][month] keys arriving that month
    caps: list[dict[int, int]]  # [chunk] places per capped step


def _plan(model: TransitionModel, *, months: int, scenario: Scenario, chunk_children: int) -> tuple[_Plan, NDArray[np.float64]]:
    st = model.states
    s_n = st.size
    lut = redirect_table(st, scenario.closed_steps)
    x0, moved0 = _start_moved(model, lut)
    x0 = _pad_start(x0)
    kt = _keys(s_n, model.alpha.shape[0], model.alpha.shape[1], months)
    age, dur, state = np.nonzero(x0 > 0)
    keys = np.repeat(kt.encode(age, dur, state), np.rint(x0[age, dur, state]).astype(np.int64))
    n_chunks = max(1, -(-keys.size // chunk_children))
    arrivals = arrival_schedule(model, months=months, scenario=scenario)
    start_keys = np.array_split(keys, n_chunks)
    arr_keys: list[list[NDArray[np.int32]]] = [[] for _ in range(n_chunks)]
    for m in range(months + 1):
        ages, states = np.nonzero(arrivals[m])
        reps = arrivals[m][ages, states]
        ages, states = np.repeat(ages, reps), np.repeat(states, reps)
        k = kt.encode(ages, np.zeros_like(ages), states)
        for c, part in enumerate(np.array_split(k, n_chunks)):
            arr_keys[c].append(part)
    caps = _chunk_caps(scenario, [k.size for k in start_keys])
    return _Plan(start_keys, arr_keys, caps), moved0


@functools.cache
def _keys(s_n: int, a_bands: int, d_bands: int, months: int) -> _Keys:
    return _Keys.build(s_n, a_bands, d_bands, months)


@dataclass(frozen=True)
class _Tables:
    """One replicate's integer thresholds (see :func:`_thresholds`) laid out by key."""

    stay_key: NDArray[np.uint32]  # (K,) stay threshold per key
    cdf: NDArray[np.uint64]  # (rows, S)
    order: NDArray[np.intp]  # (rows, S)


def replicate_tables(model: TransitionModel, *, months: int, scenario: Scenario, seed: int, replicate: int,
                     draw_parameters: bool = True) -> _Tables:
    """The transition model of replicate ``replicate``: drawn from the Dirichlet posterior with
    ``SeedSequence(seed, spawn_key=(replicate, 0))`` (or the posterior mean), levers applied."""
    keys = _keys(model.states.size, model.alpha.shape[0], model.alpha.shape[1], months)
    if draw_parameters:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replicate, 0))))
        g = rng.standard_gamma(model.alpha)
        p = g / g.sum(axis=-1, keepdims=True)
    else:
        p = model.transition
    p = adjust(p, model=model, scenario=scenario)
    stay, cdf, order = _thresholds(p.reshape(-1, model.states.size))
    return _Tables(stay[keys.row_of_key], cdf, order)


COMPACT_EVERY_MONTHS = 12
"""Children who left or ended are dropped from the arrays this often (their counts stay)."""


def _simulate_chunk(model: TransitionModel, *, months: int, scenario: Scenario, seed: int, replicate: int,
                    chunk: int, start_keys: NDArray[np.int32], arrival_keys: list[NDArray[np.int32]],
                    draw_parameters: bool = True, tables: _Tables | None = None,
                    caps: dict[int, int] | None = None,
                    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One replicate of one chunk of children: counts (months + 1, S) and redirected moves.

    Per child and month: one 32-bit random integer, one threshold lookup by key, one
    comparison and one addition (the key of a child who stays is ``key + stay_step``). Only the
    few movers go through the cumulative table. Children who left or ended are dropped every
    :data:`COMPACT_EVERY_MONTHS` (their counts are kept).
    """
    st = model.states
    s_n = st.size
    keys = _keys(s_n, model.alpha.shape[0], model.alpha.shape[1], months)
    if tables is None:
        tables = replicate_tables(model, months=months, scenario=scenario, seed=seed, replicate=replicate,
                                  draw_parameters=draw_parameters)
    stay_key, cdf, order = tables.stay_key, tables.cdf, tables.order
    bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replicate, chunk + 1)))
    lut = redirect_table(st, scenario.closed_steps)
    row_of_key = keys.row_of_key
    caps = caps or {}
    cap_target = _cap_targets(st, scenario)
    pick_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replicate, chunk + 1, 1))))
    stay_step, age_step = np.int32(keys.stay_step), keys.age_step
    absorbing = np.zeros(s_n, dtype=bool)
    absorbing[[st.left, st.ended]] = True
    cap = start_keys.size + sum(a.size for a in arrival_keys)
    key = np.empty(cap, dtype=np.int32)
    thr = np.empty(cap, dtype=np.uint32)
    flag = np.empty(cap, dtype=bool)
    n = start_keys.size
    key[:n] = start_keys
    counts = np.zeros((months + 1, s_n), dtype=np.int64)
    red = np.zeros((months + 1, s_n), dtype=np.int64)
    cur = np.bincount(start_keys % s_n, minlength=s_n).astype(np.int64)
    counts[0] = cur
    for m in range(1, months + 1):
        view = key[:n]
        u = bits.random_raw((n + 1) // 2).view(np.uint32)[:n]
        t = thr[:n]
        np.take(stay_key, view, out=t)
        f = flag[:n]
        np.greater_equal(u, t, out=f)
        movers = np.flatnonzero(f)
        view += stay_step  # one month older and one more month in the state
        if movers.size:
            old = view[movers] - stay_step
            rows = row_of_key[old]
            j = (u[movers, None].astype(np.uint64) >= cdf[rows]).sum(axis=1)
            drawn = order[rows, j]
            dest = lut[drawn]
            s_old = old % s_n
            really = dest != s_old
            red[m] = np.bincount(dest[drawn != dest], minlength=s_n)
            o, d = old[really], dest[really]
            mv = movers[really]
            view[mv] = (o // age_step + 1) * age_step + d
            cur -= np.bincount(s_old[really], minlength=s_n)
            cur += np.bincount(d, minlength=s_n)
        new = arrival_keys[m]
        if new.size:
            key[n:n + new.size] = new
            n += new.size
            cur += np.bincount(new % s_n, minlength=s_n)
        for step, places in caps.items():
            if cur[step] <= places:
                continue
            onto = [np.flatnonzero(key[n - new.size:n] % s_n == step) + (n - new.size)]
            if movers.size:
                onto.append(mv[d == step])
            entrants = np.concatenate(onto)
            excess = min(int(cur[step] - places), entrants.size)
            if excess > 0:
                pick = pick_rng.choice(np.sort(entrants), size=excess, replace=False)
                key[pick] += cap_target[step] - step
                cur[step] -= excess
                cur[cap_target[step]] += excess
                red[m, cap_target[step]] += excess
        if m % COMPACT_EVERY_MONTHS == 0:
            keep = np.flatnonzero(~absorbing[key[:n] % s_n])
            key[:keep.size] = key[keep]
            n = keep.size
        counts[m] = cur
    return counts, red


def run_replicate(model: TransitionModel, *, months: int, scenario: Scenario, seed: int, replicate: int,
                  plan: _Plan, draw_parameters: bool = True) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """All chunks of one replicate in this process, summed."""
    tables = replicate_tables(model, months=months, scenario=scenario, seed=seed, replicate=replicate,
                              draw_parameters=draw_parameters)
    tot = np.zeros((months + 1, model.states.size), dtype=np.int64)
    red = np.zeros_like(tot)
    for c, sk in enumerate(plan.start_keys):
        a, b = _simulate_chunk(model, months=months, scenario=scenario, seed=seed, replicate=replicate,
                               chunk=c, start_keys=sk, arrival_keys=plan.arrival_keys[c], tables=tables,
                               caps=plan.caps[c])
        tot += a
        red += b
    return tot, red


def summarise(model: TransitionModel, *, scenario: Scenario, runs: NDArray[np.int64], red: NDArray[np.int64],
              moved0: NDArray[np.float64], seed: int) -> Projection:
    """Turn replicate counts, shape (R, months + 1, S), into a :class:`Projection`."""
    runs_f = runs.astype(np.float64)
    p10, p50, p90 = np.percentile(runs_f, [10, 50, 90], axis=0)
    redirected = red.mean(axis=0) + _arrivals_redirected(model, months=runs.shape[1] - 1, scenario=scenario)
    redirected[0] = moved0
    total_cost = (runs_f * (model.cost_dkk_per_day * DAYS_PER_MONTH)[None, None, :]).sum(axis=2)
    return _projection(model, scenario, runs_f.mean(axis=0), p10, p50, p90, redirected, total_cost,
                       runs.shape[0], seed)


def simulate(model: TransitionModel, *, months: int, replicates: int, seed: int,
             scenario: Scenario | None = None, chunk_children: int = DEFAULT_CHUNK_CHILDREN,
             progress: Callable[[int], None] | None = None, client: object | None = None,
             parameter_uncertainty: bool = True, threads: int = 1) -> Projection:
    """Monte Carlo microsimulation of every child, vectorised over children.

    Each replicate draws a transition model from the Dirichlet posterior (parameter
    uncertainty), then moves every child month by month: one 32-bit random integer per child
    and month compared with the integer threshold of staying; the few movers find their
    destination in a cumulative integer table. Children are split into chunks of
    ``chunk_children``; chunk ``c`` of replicate ``r`` draws from
    ``SeedSequence(seed, spawn_key=(r, c + 1))`` and the parameters from ``spawn_key=(r, 0)``,
    so the result depends only on the seed and the chunking, also on a Dask cluster. A capped
    step's places are shared among chunks in proportion to their children, so with several
    chunks the cap holds per chunk (the total can briefly exceed it while one chunk is over
    its share and another fills its own).

    Args:
        model: the fitted model.
        months: horizon in months.
        replicates: number of replicates.
        seed: the seed (echo it).
        scenario: levers; default the baseline.
        chunk_children: children per chunk.
        progress: called with the number of replicates finished.
        client: a ``dask.distributed.Client`` to run the chunks on; None = this process.
        parameter_uncertainty: draw each replicate's transition model from the posterior
            (default); False uses the posterior mean (pure Monte Carlo noise, for testing).
        threads: replicates run on this many threads in this process (same result).

    Returns:
        A :class:`Projection` with P10/P50/P90 over replicates (aggregate counts only).
    """
    scenario = scenario or Scenario()
    _check(model, scenario, months)
    if replicates < 1:
        raise InvalidInput(Problem(field="replicates", value=replicates, message="must be at least 1"))
    plan, moved0 = _plan(model, months=months, scenario=scenario, chunk_children=chunk_children)
    if client is not None:
        from trappen.forecast._dask import run_on_dask

        runs, red = run_on_dask(client, model, months=months, scenario=scenario, seed=seed,
                                replicates=replicates, plan=plan, progress=progress,
                                draw_parameters=parameter_uncertainty)
    else:
        runs = np.zeros((replicates, months + 1, model.states.size), dtype=np.int64)
        red = np.zeros_like(runs)

        def one(r: int) -> int:
            runs[r], red[r] = run_replicate(model, months=months, scenario=scenario, seed=seed,
                                            replicate=r, plan=plan, draw_parameters=parameter_uncertainty)
            return r

        if threads > 1:
            # NumPy releases the GIL in the bulk work; replicates write disjoint rows
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=threads) as pool:
                for done, _ in enumerate(pool.map(one, range(replicates)), start=1):
                    if progress is not None:
                        progress(done)
        else:
            for r in range(replicates):
                one(r)
                if progress is not None:
                    progress(r + 1)
    return summarise(model, scenario=scenario, runs=runs, red=red, moved0=moved0, seed=seed)
