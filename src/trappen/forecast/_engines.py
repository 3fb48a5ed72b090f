"""The two engines on one model: the expected (cohort Markov) projection and the
microsimulation, with scenarios applied the same way to both."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from trappen.errors import InvalidInput, Problem
from trappen.forecast._estimate import DAYS_PER_MONTH, HERNING_CASELOAD_BEFORE, add_months
from trappen.forecast._model import (
    ADULT_MONTHS,
    AFTERCARE_END_MONTHS,
    AGE_BAND_EDGES_YEARS,
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

MAX_MONTHS = 1_200
"""The longest horizon (100 years; the simulation files months as 16-bit integers)."""

DEFAULT_CHUNK_CHILDREN = 65_536
"""Children per simulation chunk. Results depend on it (each chunk has its own random stream),
never on how many processes run the chunks."""


def _check(model: TransitionModel, scenario: Scenario, months: int) -> None:
    bad = [s for s in scenario.closed_steps if s not in model.states.steps]
    problems = [Problem(field="closed_steps", value=s, message=f"not a step of the staircase 1..{model.states.top}")
                for s in bad]
    problems += [Problem(field="step_caps", value=f"{step} = {places}", message="needs a step of the staircase "
                         "and a non-negative number of places")
                 for step, places in scenario.step_caps if step not in model.states.steps or places < 0]
    if not 1 <= months <= MAX_MONTHS:
        problems.append(Problem(field="months", value=months, message=f"must be between 1 and {MAX_MONTHS}"))
    if scenario.caseload_per_caseworker is not None and scenario.caseload_per_caseworker <= 0:
        problems.append(Problem(field="caseload_per_caseworker", value=scenario.caseload_per_caseworker,
                                message="must be positive"))
    if scenario.exit_rate_change_pct < -100:
        problems.append(Problem(field="exit_rate_change_pct", value=scenario.exit_rate_change_pct,
                                message="must be -100 or more"))
    st = model.states
    for i, a in enumerate(scenario.rate_adjustments):
        where = f"rate_adjustments[{i}]"
        if not 0 <= a.from_state <= st.top:
            problems.append(Problem(field=f"{where}.from_state", value=a.from_state,
                                    message=f"must be a state 0..{st.top} (0 = not on the staircase)"))
        if not 0 <= a.to_state <= st.left or a.to_state == a.from_state:
            problems.append(Problem(field=f"{where}.to_state", value=a.to_state,
                                    message=f"must be another state 0..{st.left} ({st.left} = moved out)"))
        if not (np.isfinite(a.multiply) and a.multiply >= 0):
            problems.append(Problem(field=f"{where}.multiply", value=a.multiply, message="must be 0 or more"))
        if not (np.isfinite(a.add) and -1 <= a.add <= 1):
            problems.append(Problem(field=f"{where}.add", value=a.add, message="must be between -1 and 1"))
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
    Exit change multiplies moves from a step to 0; then each :class:`RateAdjustment` multiplies
    and adds to its move (adding only where the model allows the move). A factor of 1 and an
    addend of 0 return the matrices unchanged.
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
    factor[1:st.top + 1, 0] *= max(1.0 + scenario.exit_rate_change_pct / 100.0, 0.0)
    addend = np.zeros((s_n, s_n))
    for a in scenario.rate_adjustments:
        factor[a.from_state, a.to_state] *= a.multiply
        addend[a.from_state, a.to_state] += a.add
    if np.all(factor == 1.0) and not addend.any():
        return p
    diag = np.eye(s_n, dtype=bool)
    off = np.where(diag, 0.0, p * factor)
    if addend.any():  # only where the model allows the move (its structure is kept)
        allowed = (np.broadcast_to(st.allowed()[:, None], p.shape) if p.shape == model.alpha.shape
                   else p > 0)
        off = np.maximum(off + np.where(allowed & ~diag, addend, 0.0), 0.0)
    out_sum = off.sum(-1, keepdims=True)
    scale = np.where(out_sum > 1.0, 1.0 / np.maximum(out_sum, 1e-300), 1.0)
    off = off * scale
    stay = 1.0 - off.sum(-1)
    stay = np.where(stay < 1e-12, 0.0, stay)  # rounding must not turn a forced move (at 18) into a stay
    return off + stay[..., None] * diag


def arrival_rates(model: TransitionModel, *, months: int, scenario: Scenario) -> NDArray[np.float64]:
    """Expected children arriving per month by age in months and state, shape (months + 1,
    216, S): the model's arrivals grown by the scenario's population growth, arrivals onto a
    closed step sent to the nearest open one. Row 0 is empty."""
    growth = (1.0 + scenario.population_growth_pct_per_year / 100.0) ** (np.arange(months + 1) / 12.0)
    rate = model.arrivals_per_month[None, :, :] * growth[:, None, None]
    rate[0] = 0.0
    return _redirected_states(rate, redirect_table(model.states, scenario.closed_steps))


_Num = TypeVar("_Num", np.float64, np.int64)


def _redirected_states(values: NDArray[_Num], lut: NDArray[np.intp]) -> NDArray[_Num]:
    out = np.zeros_like(values)
    for s_from, s_to in enumerate(lut):
        out[..., s_to] += values[..., s_from]
    return out


def arrival_schedule(model: TransitionModel, *, months: int, scenario: Scenario) -> NDArray[np.int64]:
    """Whole children arriving per month by age in months and state, shape (months + 1, 216, S).

    The expected arrivals (:func:`arrival_rates`), rounded so the running total per cell is
    exact up to one child: the same in every replicate, for ``simulate(...,
    entrant_uncertainty=False)``. Row 0 is empty.
    """
    rate = arrival_rates(model, months=months, scenario=replace(scenario, closed_steps=()))
    # a different fixed phase per cell so the roundings do not all fall in the same month
    phase = (np.arange(rate[0].size).reshape(rate.shape[1:]) * 0.6180339887498949) % 1.0
    cum = np.floor(np.cumsum(rate, axis=0) + phase[None])
    cum -= cum[0]
    sched = np.diff(cum, axis=0, prepend=0.0).astype(np.int64)
    return _redirected_states(sched, redirect_table(model.states, scenario.closed_steps))


def _arrivals_redirected(model: TransitionModel, *, months: int, scenario: Scenario,
                         rounded: bool = False) -> NDArray[np.float64]:
    """Arrivals per month that were meant for a closed step, by the state they went to
    (expected, or as in :func:`arrival_schedule` when ``rounded``)."""
    free = replace(scenario, closed_steps=())
    sched = (arrival_schedule if rounded else arrival_rates)(model, months=months, scenario=free)
    lut = redirect_table(model.states, scenario.closed_steps)
    red = np.zeros((months + 1, model.states.size))
    for s_from, s_to in enumerate(lut):
        if s_from != s_to:
            red[:, s_to] += sched[:, :, s_from].sum(axis=1)
    return red


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
    cap_target = _cap_targets(model.states, scenario)
    caps = [(step, places, cap_target[step]) for step, places in scenario.step_caps]
    return cohort_projection(model, months=months, scenario=scenario, caps=caps)


def cohort_projection(model: TransitionModel, *, months: int, scenario: Scenario,
                      caps: Sequence[tuple[int, int, int]]) -> Projection:
    """The expected projection's monthly cohort loop, with capacity limits given explicitly.

    Shared by :func:`project_expected` (the scenario's ``step_caps``, overflow to the nearest
    open step) and :func:`trappen.forecast._capacity.project_capacity` (the offers' places,
    overflow one step up). ``caps`` are ``(step, places, target)`` in the order they are
    applied each month: children moving onto ``step`` beyond its ``places`` go to ``target``
    instead; children already on the step stay. The caller has checked the inputs
    (:func:`_check`).
    """
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
    arrivals = arrival_rates(model, months=months, scenario=scenario)
    out = np.zeros((months + 1, s_n))
    red = np.zeros((months + 1, s_n))
    out[0] = x.sum(axis=(0, 1))
    red[0] = moved0
    red_arrivals = _arrivals_redirected(model, months=months, scenario=scenario)
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
        for step, places, target in caps:
            entrants = new[:, 0, step].sum()
            room = max(places - (new[:, :, step].sum() - entrants), 0.0)
            if entrants > room:
                over = new[:, 0, step] * (1.0 - room / entrants)
                new[:, 0, step] -= over
                new[:, 0, target] += over
                red[m, target] += over.sum()
        x = new
        out[m] = x.sum(axis=(0, 1))
    return _projection(model, scenario, out, out, out, out, red, None, 0, None)


def _replace_start(model: TransitionModel, start: NDArray[np.float64]) -> TransitionModel:
    if start.shape != model.start.shape:
        raise InvalidInput(Problem(field="start", value=start.shape, message=f"shape must be {model.start.shape}"))
    return replace(model, start=start)


# A child in the microsimulation is one int64 record: its replicate (within a block), age in
# months, months in the state (0..24, 24 = 24 or more) and state. A child's transition row
# depends on its state and on the bands of its age and of its time in the state, so the row is
# the same for runs of months. When a child arrives or moves, the engine draws one exponential
# E and walks the runs ahead: the child stays through a run of L months at rate
# -log(P(stay)) while E exceeds the run's hazard L * rate (then E loses that hazard and the next
# run starts), else it moves after floor(E / rate) months in the run. That is the monthly chain
# exactly (P(stay k months) = P(stay)^k, and the exponential forgets what it spent). The child is
# then filed under the month of its move, so each month only the movers are touched.
_S_BITS, _D_BITS, _A_BITS = 4, 5, 9
_D_SHIFT = _S_BITS
_A_SHIFT = _S_BITS + _D_BITS
_REP_SHIFT = _S_BITS + _D_BITS + _A_BITS
_S_MASK = (1 << _S_BITS) - 1
_D_MASK = (1 << _D_BITS) - 1
_A_MASK = (1 << _A_BITS) - 1
_CELL_MASK = (1 << _REP_SHIFT) - 1
_NEVER = 1 << 15  # a run length longer than any horizon

BLOCK_RECORDS = 1 << 21
"""Children x replicates simulated together in one work unit (about 16 MB of records)."""

SLICE_RECORDS = 1 << 17
"""Records walked at a time (their arrays stay in a core's cache)."""


def _run_lengths(band: NDArray[np.intp]) -> NDArray[np.int64]:
    """For each index, how many consecutive indices from it share its band (the last band
    never ends)."""
    out = np.empty(band.size, dtype=np.int64)
    out[-1] = _NEVER
    for i in range(band.size - 2, -1, -1):
        out[i] = out[i + 1] + 1 if band[i] == band[i + 1] else 1
    out[band == band[-1]] = _NEVER
    return out


@dataclass(frozen=True)
class _Cells:
    """Lookup tables over a record's cell bits (age, duration, state)."""

    row: NDArray[np.int32]  # transition row (age band, duration band, state) of the cell
    run: NDArray[np.int32]  # months the row stays the same from this cell on
    after: NDArray[np.int32]  # added to a record: the cell at the end of that run
    rows: int


@functools.cache
def _cells(s_n: int, d_bands: int) -> _Cells:
    if s_n > 1 << _S_BITS:
        raise InvalidInput(Problem(field="staircase", value=s_n - 4, message="too many steps for the simulation"))
    ab = age_band_of_month(1 << _A_BITS)
    db = duration_band_of_month(1 << _D_BITS)
    age, dur, st = np.meshgrid(np.arange(1 << _A_BITS), np.arange(1 << _D_BITS), np.arange(1 << _S_BITS),
                               indexing="ij")
    row = (ab[age] * d_bands + db[dur]) * s_n + np.minimum(st, s_n - 1)
    run = np.minimum(_run_lengths(ab)[age], _run_lengths(db)[dur])
    k = np.where(run < _NEVER, run, 0)
    after = (k << _A_SHIFT) + ((np.minimum(dur + k, DUR_N - 1) - dur) << _D_SHIFT)
    return _Cells(row=row.ravel().astype(np.int32), run=np.minimum(run, _NEVER).ravel().astype(np.int32),
                  after=after.ravel().astype(np.int32), rows=int(ab.max() + 1) * d_bands * s_n)


def _encode(age: NDArray[np.integer], dur: NDArray[np.integer], state: NDArray[np.integer]) -> NDArray[np.int64]:
    """Cell bits of (age, duration, state)."""
    return (age.astype(np.int64) << _A_SHIFT) | (dur.astype(np.int64) << _D_SHIFT) | state


def _older(rec: NDArray[np.int64], k: NDArray[np.int64]) -> NDArray[np.int64]:
    """Records ``k`` months older and ``k`` more months in their state (capped at 24)."""
    dur = (rec >> _D_SHIFT) & _D_MASK
    return rec + (k << _A_SHIFT) + ((np.minimum(dur + k, DUR_N - 1) - dur) << _D_SHIFT)


@dataclass(frozen=True)
class ArrivalLaw:
    """How one chunk's arrivals are drawn in each replicate (entrant uncertainty).

    Month ``m`` of replicate ``r`` brings Poisson(``rate[m]`` x g_r x h_rm) children, each in a
    cell drawn from ``cum_share``: g_r is the replicate's arrival rate relative to the estimate
    (Gamma with shape ``rate_shape`` and mean 1: the rate's own uncertainty), h_rm a month's
    shock (Gamma with shape ``month_shape`` and mean 1: counts vary more than Poisson). Both are
    drawn per replicate from ``SeedSequence(seed, spawn_key=(r, 0, 1))``, so every chunk of a
    replicate shares them; the Poisson counts and cells come from the unit's own stream.
    """

    cells: NDArray[np.int64]  # (K,) records (age, 0 months, state) after closed steps are redirected
    meant: NDArray[np.int64]  # (K,) the state each cell had before redirection
    cum_share: NDArray[np.float64]  # (K,) cumulative share of the arrivals in each cell, last = 1
    rate: NDArray[np.float64]  # (months + 1,) expected arrivals per month in this chunk; rate[0] = 0
    rate_shape: float  # inf: the rate is known
    month_shape: float  # inf: plain Poisson months


def arrival_factors(model: TransitionModel, *, seed: int, replicate: int, months: int) -> NDArray[np.float64]:
    """The arrival multipliers g_r x h_rm of replicate ``replicate`` (see :class:`ArrivalLaw`),
    shape (months + 1,)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replicate, 0, 1))))
    shape = model.arrivals_observed + 0.5  # Gamma(n + 1/2) posterior of a Poisson rate (Jeffreys)
    g = rng.standard_gamma(shape) / shape if model.arrivals_observed > 0 else 1.0
    phi = model.arrivals_dispersion
    h = rng.standard_gamma(1.0 / phi, months + 1) * phi if phi > 0 else np.ones(months + 1)
    return g * h


def _arrival_law(model: TransitionModel, *, months: int, scenario: Scenario, chunks: int) -> ArrivalLaw | None:
    rate = arrival_rates(model, months=months, scenario=replace(scenario, closed_steps=()))
    per_month = rate.sum(axis=(1, 2))
    if per_month.sum() <= 0:
        return None
    ages, states = np.nonzero(model.arrivals_per_month > 0)
    share = model.arrivals_per_month[ages, states]
    lut = redirect_table(model.states, scenario.closed_steps)
    cum = np.cumsum(share) / share.sum()
    cum[-1] = 1.0
    return ArrivalLaw(cells=_encode(ages, np.zeros_like(ages), lut[states]), meant=states.astype(np.int64),
                      cum_share=cum, rate=per_month / chunks, rate_shape=model.arrivals_observed + 0.5,
                      month_shape=1.0 / model.arrivals_dispersion if model.arrivals_dispersion > 0 else np.inf)


@dataclass(frozen=True)
class _Plan:
    """The children of a run split into chunks, as records without a replicate."""

    start: list[NDArray[np.int64]]  # [chunk] records at month 0
    arrivals: list[list[NDArray[np.int64]]]  # [chunk][month] records arriving that month (fixed schedule)
    caps: list[dict[int, int]]  # [chunk] places per capped step
    block_replicates: int  # replicates per work unit
    law: ArrivalLaw | None = None  # drawn arrivals (every chunk the same law); then ``arrivals`` is empty

    def blocks(self, replicates: int) -> list[range]:
        b = self.block_replicates
        return [range(r, min(r + b, replicates)) for r in range(0, replicates, b)]


def _plan(
    model: TransitionModel, *, months: int, scenario: Scenario, chunk_children: int, draw_arrivals: bool = True
) -> tuple[_Plan, NDArray[np.float64]]:
    lut = redirect_table(model.states, scenario.closed_steps)
    x0, moved0 = _start_moved(model, lut)
    age, dur, state = np.nonzero(x0 > 0)
    start = np.repeat(_encode(age, dur, state), np.rint(x0[age, dur, state]).astype(np.int64))
    n_chunks = max(1, -(-start.size // chunk_children))
    law = _arrival_law(model, months=months, scenario=scenario, chunks=n_chunks) if draw_arrivals else None
    arr: list[list[NDArray[np.int64]]] = [[np.empty(0, dtype=np.int64)] * (months + 1) for _ in range(n_chunks)]
    if not draw_arrivals:
        arrivals = arrival_schedule(model, months=months, scenario=scenario)
        arr = [[] for _ in range(n_chunks)]
        for m in range(months + 1):
            ages, states = np.nonzero(arrivals[m])
            reps = arrivals[m][ages, states]
            rec = np.repeat(_encode(ages, np.zeros_like(ages), states), reps)
            for c, part in enumerate(np.array_split(rec, n_chunks)):
                arr[c].append(part)
    starts = np.array_split(start, n_chunks)
    expected_arrivals = int(law.rate.sum() * 1.2) if law is not None else 0
    biggest = max(s.size + sum(a.size for a in arr[c]) + expected_arrivals for c, s in enumerate(starts))
    plan = _Plan(
        start=starts,
        arrivals=arr,
        caps=_chunk_caps(scenario, [s.size for s in starts]),
        block_replicates=max(1, BLOCK_RECORDS // max(biggest, 1)),
        law=law,
    )
    return plan, moved0


@dataclass(frozen=True)
class _Tables:
    """Transition rows of a block of replicates (row index = replicate * rows + row).

    A mover's destination is drawn with an alias table (Walker): the high 32 bits of one
    64-bit random integer pick a column, the low 32 bits are compared with the column's
    integer threshold to keep it or take its alias.
    """

    rate: NDArray[np.float64]  # -log(P(stay)): inf when a move is certain, 0 when staying is
    threshold: NDArray[np.uint64]  # (rows * (S - 1),) keep the column when low bits < this
    dest: NDArray[np.int64]  # (rows * (S - 1),) the column's destination state
    alias: NDArray[np.int64]  # (rows * (S - 1),) the alias's destination state


def _alias(q: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Walker alias tables for rows of probabilities q (rows, K): (keep probability, alias
    column), each (rows, K). Vose's pairing, one column per row settled each round."""
    rows, k_n = q.shape
    scaled = q * k_n
    keep = np.ones((rows, k_n))
    alias = np.tile(np.arange(k_n), (rows, 1))
    done = np.zeros((rows, k_n), dtype=bool)
    r = np.arange(rows)
    for _ in range(k_n - 1):
        small = np.where(done | (scaled >= 1.0), np.inf, scaled).argmin(axis=1)
        ok = ~done[r, small] & (scaled[r, small] < 1.0)
        large = np.where(done, -np.inf, np.where(np.arange(k_n) == small[:, None], -np.inf, scaled)).argmax(axis=1)
        rs, sm, lg = r[ok], small[ok], large[ok]
        keep[rs, sm] = scaled[rs, sm]
        alias[rs, sm] = lg
        scaled[rs, lg] -= 1.0 - scaled[rs, sm]
        done[rs, sm] = True
    return keep, alias


def _tables(p: NDArray[np.float64]) -> _Tables:
    """Tables for transition rows p, shape (rows, S)."""
    rows, s_n = p.shape
    own = np.arange(rows) % s_n
    others = np.tile(np.arange(s_n), (rows, 1))
    order = others[others != own[:, None]].reshape(rows, s_n - 1)
    stay = np.clip(p[np.arange(rows), own], 0.0, 1.0)
    move = np.take_along_axis(p, order, axis=1)
    total = move.sum(axis=1, keepdims=True)
    keep, alias = _alias(move / np.where(total > 0, total, 1.0))
    threshold = np.minimum(np.floor(keep * TWO32), TWO32).astype(np.uint64)
    with np.errstate(divide="ignore"):
        rate = -np.log(stay)
    rate[stay >= 1.0] = 0.0
    return _Tables(
        rate=rate,
        threshold=threshold.ravel(),
        dest=order.ravel().astype(np.int64),
        alias=np.take_along_axis(order, alias, axis=1).ravel().astype(np.int64),
    )


def replicate_transitions(
    model: TransitionModel, *, scenario: Scenario, seed: int, replicate: int, draw_parameters: bool = True
) -> NDArray[np.float64]:
    """The transition model of replicate ``replicate``, levers applied, shape (A, D, S, S):
    drawn from the Dirichlet posterior with ``SeedSequence(seed, spawn_key=(replicate, 0))``
    (or the posterior mean)."""
    if draw_parameters:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replicate, 0))))
        g = rng.standard_gamma(model.alpha)
        p = g / g.sum(axis=-1, keepdims=True)
    else:
        p = model.transition
    return adjust(p, model=model, scenario=scenario)


def simulate_unit(
    model: TransitionModel,
    *,
    months: int,
    scenario: Scenario,
    seed: int,
    replicates: range,
    block: int,
    chunk: int,
    start: NDArray[np.int64],
    arrivals: list[NDArray[np.int64]],
    caps: dict[int, int],
    draw_parameters: bool = True,
    law: ArrivalLaw | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One work unit: the children of one chunk in a block of replicates.

    Arrivals are ``arrivals`` (the same records in every replicate) or, with ``law``, drawn per
    replicate and month (:class:`ArrivalLaw`); redirected arrivals then count in the result.

    Returns counts and redirected moves, each shape (len(replicates), months + 1, S). Random
    numbers come from ``SeedSequence(seed, spawn_key=(block, chunk + 1))``, so the result
    depends on the seed and the split into units, never on where the unit runs.
    """
    st = model.states
    s_n = st.size
    cells = _cells(s_n, model.alpha.shape[1])
    r_n = len(replicates)
    p = np.concatenate(
        [
            replicate_transitions(
                model, scenario=scenario, seed=seed, replicate=r, draw_parameters=draw_parameters
            ).reshape(-1, s_n)
            for r in replicates
        ]
    )
    tab = _tables(p)
    rate4 = tab.rate.reshape(r_n, -1, model.alpha.shape[1], s_n)
    reach = _reachable_rate(rate4).ravel()
    # states that must move in the month a child turns 18 (every duration band), per replicate
    forced_18 = np.isinf(rate4[:, AGE_BAND_EDGES_YEARS.index(ADULT_MONTHS // 12)]).all(axis=1).ravel()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, chunk + 1))))
    live = np.ones(1 << _S_BITS, dtype=bool)
    live[[st.left, st.ended]] = False
    lut = redirect_table(st, scenario.closed_steps)
    redirecting = bool(scenario.closed_steps)
    cap_target = _cap_targets(st, scenario)
    counts = np.zeros((r_n, months + 1, s_n), dtype=np.int64)
    red = np.zeros_like(counts)
    rep_ids = np.arange(r_n, dtype=np.int64)[:, None] << _REP_SHIFT
    if law is not None:
        factors = np.stack([arrival_factors(model, seed=seed, replicate=r, months=months) for r in replicates])
    due: list[list[NDArray[np.int64]]] = [[] for _ in range(months + 1)]

    def tally(rec: NDArray[np.int64]) -> NDArray[np.int64]:
        """Children per (replicate, state) among records."""
        idx = (rec >> _REP_SHIFT) * s_n + (rec & _S_MASK)
        return np.bincount(idx, minlength=r_n * s_n).reshape(r_n, s_n)

    def schedule(rec: NDArray[np.int64], m: int) -> None:
        """File records (states at the end of month m) under the month of their next move,
        each at the state it will have at the start of that month."""
        rec = rec[live[rec & _S_MASK]]  # those who left or ended have no more events
        for i in range(0, rec.size, SLICE_RECORDS):  # slices that stay in the CPU cache
            part = rec[i : i + SLICE_RECORDS]
            sift(part, rng.standard_exponential(part.size), m)

    def schedule_start(base: NDArray[np.int64]) -> None:
        """:func:`schedule` for month 0, where every replicate has the same children: per
        (replicate, cell), the number with E below the bound of :func:`sift` is binomial, and
        their E is an exponential truncated to the bound (the same law as one E per child)."""
        cell, n = np.unique(base, return_counts=True)
        rec = (rep_ids | cell[None, :]).ravel()
        n = np.tile(n, r_n)
        limit, at_18 = bound(rec, 0)
        below = rng.binomial(n, -np.expm1(-limit))
        file_at_18(np.repeat(rec[at_18], (n - below)[at_18]), 0)
        rec, limit = np.repeat(rec, below), np.repeat(limit, below)
        e = -np.log1p(rng.random(rec.size) * np.expm1(-limit))
        for i in range(0, rec.size, SLICE_RECORDS):
            walk(rec[i : i + SLICE_RECORDS], e[i : i + SLICE_RECORDS], 0)

    def bound(rec: NDArray[np.int64], m: int) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """The most hazard a record can meet before the horizon or before it turns 18 (when a
        move is forced), and whether it turns 18 first; inf when no bound applies. Ages and
        durations only grow, so the largest rate it can reach bounds every month's rate."""
        horizon = months - m
        child = np.minimum(horizon, ADULT_MONTHS - 1 - ((rec >> _A_SHIFT) & _A_MASK))  # months before 18
        at_18 = (child < horizon) & (child >= 0) & forced_18[(rec >> _REP_SHIFT) * s_n + (rec & _S_MASK)]
        with np.errstate(invalid="ignore"):  # 0 or fewer child months meet an adult row's inf
            limit = child * reach[(rec >> _REP_SHIFT) * cells.rows + cells.row[rec & _CELL_MASK]]
        limit = np.where((child == horizon) | at_18, limit, np.inf)  # adults: no bound
        return np.where(child <= 0, np.where(at_18, 0.0, np.inf), limit), at_18

    def sift(rec: NDArray[np.int64], e: NDArray[np.float64], m: int) -> None:
        """Records whose E is at least their bound do not move before the horizon or 18: those
        turning 18 are filed for that month, the others dropped; the rest walk."""
        limit, at_18 = bound(rec, m)
        below = e < limit
        file_at_18(rec[~below & at_18], m)
        keep = np.flatnonzero(below)
        walk(rec[keep], e[keep], m)

    def file_at_18(rec: NDArray[np.int64], m: int) -> None:
        """File records for the month they turn 18 (a forced move), as they are at its start."""
        if rec.size:
            stay = ADULT_MONTHS - 1 - ((rec >> _A_SHIFT) & _A_MASK)
            file(m + 1 + stay, _older(rec, stay))

    def file(when: NDArray[np.int64], rec: NDArray[np.int64]) -> None:
        """Put records under the month of their move."""
        when = when.astype(np.int16)
        order = np.argsort(when, kind="stable")
        when, rec = when[order], rec[order]
        edges = np.r_[0, np.flatnonzero(np.diff(when)) + 1, when.size].tolist()
        for a, b in itertools.pairwise(edges):
            due[int(when[a])].append(rec[a:b])

    def walk(rec: NDArray[np.int64], e: NDArray[np.float64], m: int) -> None:
        """Walk each record's runs until its exponential E is spent (a move) or the horizon."""
        horizon = months - m
        t = np.zeros(rec.size, dtype=np.int64)  # months already walked
        while rec.size:
            cell = rec & _CELL_MASK
            rate = tab.rate[(rec >> _REP_SHIFT) * cells.rows + cells.row[cell]]
            run = np.minimum(cells.run[cell], horizon - t)
            hazard = rate * run
            hit = e < hazard
            at = np.flatnonzero(hit)
            if at.size:
                stay = np.minimum(np.floor(e[at] / rate[at]), run[at] - 1).astype(np.int64)
                file(m + 1 + t[at] + stay, _older(rec[at], stay))
            go = np.flatnonzero(~hit & (t + run < horizon))
            rec, e, t = rec[go] + cells.after[cell[go]], e[go] - hazard[go], t[go] + run[go]

    cur = np.tile(np.bincount(start & _S_MASK, minlength=s_n), (r_n, 1))
    counts[:, 0] = cur
    schedule_start(start)
    for m in range(1, months + 1):
        movers = np.concatenate(due[m]) if due[m] else np.empty(0, dtype=np.int64)
        due[m] = []
        posts: list[NDArray[np.int64]] = []
        entering: list[NDArray[np.int64]] = []
        if movers.size:
            rep = movers >> _REP_SHIFT
            row = rep * cells.rows + cells.row[movers & _CELL_MASK]
            u = rng.bit_generator.random_raw(movers.size)
            col = row * (s_n - 1) + (((u >> np.uint64(32)) * np.uint64(s_n - 1)) >> np.uint64(32)).astype(np.int64)
            drawn = np.where((u & np.uint64(TWO32 - 1)) < tab.threshold[col], tab.dest[col], tab.alias[col])
            # the new state, a month older and no time in it yet
            post = (movers & ~((_D_MASK << _D_SHIFT) | _S_MASK)) + (1 << _A_SHIFT) + drawn
            if redirecting:
                dest = lut[drawn]
                sent = np.flatnonzero(drawn != dest)
                red[:, m] = np.bincount(rep[sent] * s_n + dest[sent], minlength=r_n * s_n).reshape(r_n, s_n)
                post[sent] += dest[sent] - drawn[sent]
                # a move redirected onto the child's own state is one more month there
                same = sent[dest[sent] == (movers[sent] & _S_MASK)]
                post[same] = _older(movers[same], np.ones(same.size, dtype=np.int64))
                posts.append(post[same])
                moved = np.ones(movers.size, dtype=bool)
                moved[same] = False
                movers, post = movers[moved], post[moved]
            cur -= tally(movers)
            cur += tally(post)
            entering.append(post)
        if law is not None:
            n_new = rng.poisson(law.rate[m] * factors[:, m])
            cell = np.searchsorted(law.cum_share, rng.random(int(n_new.sum())), side="right")
            cell = np.minimum(cell, law.cells.size - 1)
            new_rep = np.repeat(np.arange(r_n, dtype=np.int64), n_new)
            new = (new_rep << _REP_SHIFT) | law.cells[cell]
            if redirecting:
                dest = law.cells[cell] & _S_MASK
                sent = law.meant[cell] != dest
                red[:, m] += np.bincount(new_rep[sent] * s_n + dest[sent], minlength=r_n * s_n).reshape(r_n, s_n)
            if new.size:
                cur += tally(new)
                entering.append(new)
        elif arrivals[m].size:
            new = (rep_ids | arrivals[m][None, :]).ravel()
            cur += tally(new)
            entering.append(new)
        if caps and entering:
            entered = np.concatenate(entering)
            _apply_caps(entered, cur=cur, red=red[:, m], caps=caps, cap_target=cap_target, s_n=s_n, rng=rng)
            entering = [entered]
        counts[:, m] = cur
        if m < months and (posts or entering):
            schedule(np.concatenate(posts + entering), m)
    return counts, red


def _reachable_rate(rate: NDArray[np.float64]) -> NDArray[np.float64]:
    """For rates of shape (R, A, D, S): the largest rate in the same or a later child age band
    and the same or a later duration band (ages and durations only grow); inf in the adult
    bands (where a move is forced)."""
    child = AGE_BAND_EDGES_YEARS.index(ADULT_MONTHS // 12)  # bands below 18
    out = np.full_like(rate, np.inf)
    later = np.maximum.accumulate(rate[:, :child][:, ::-1], axis=1)[:, ::-1]
    out[:, :child] = np.maximum.accumulate(later[:, :, ::-1], axis=2)[:, :, ::-1]
    return out


def _apply_caps(
    entered: NDArray[np.int64],
    *,
    cur: NDArray[np.int64],
    red: NDArray[np.int64],
    caps: dict[int, int],
    cap_target: dict[int, int],
    s_n: int,
    rng: np.random.Generator,
) -> None:
    """Children who entered a capped step this month beyond its places (per replicate) go to
    the nearest open step instead; chosen at random among that month's entrants. In place."""
    for step, places in caps.items():
        over = cur[:, step] - places
        if not (over > 0).any():
            continue
        onto = np.flatnonzero((entered & _S_MASK) == step)
        if not onto.size:
            continue
        rep = entered[onto] >> _REP_SHIFT
        order = np.lexsort((rng.random(onto.size), rep))
        onto, rep = onto[order], rep[order]
        first = np.searchsorted(rep, rep)  # index of each replicate's first entrant
        rank = np.arange(rep.size) - first
        pick = onto[rank < np.maximum(over, 0)[rep]]
        target = cap_target[step]
        entered[pick] += target - step
        moved = np.bincount(entered[pick] >> _REP_SHIFT, minlength=cur.shape[0])
        cur[:, step] -= moved
        cur[:, target] += moved
        red[:, target] += moved


def summarise(
    model: TransitionModel,
    *,
    scenario: Scenario,
    runs: NDArray[np.int64],
    red: NDArray[np.int64],
    moved0: NDArray[np.float64],
    seed: int,
    arrivals_counted: bool = True,
) -> Projection:
    """Turn replicate counts, shape (R, months + 1, S), into a :class:`Projection`; redirected
    arrivals are in ``red`` when ``arrivals_counted`` (drawn arrivals), else added from the
    fixed schedule."""
    runs_f = runs.astype(np.float64)
    p10, p50, p90 = np.percentile(runs_f, [10, 50, 90], axis=0)
    redirected = red.mean(axis=0)
    if not arrivals_counted:
        redirected += _arrivals_redirected(model, months=runs.shape[1] - 1, scenario=scenario, rounded=True)
    redirected[0] = moved0
    total_cost = (runs_f * (model.cost_dkk_per_day * DAYS_PER_MONTH)[None, None, :]).sum(axis=2)
    return _projection(model, scenario, runs_f.mean(axis=0), p10, p50, p90, redirected, total_cost, runs.shape[0], seed)


_FORKED: Callable[[tuple[int, range, int]], tuple[NDArray[np.int64], NDArray[np.int64]]] | None = None
"""The unit runner a forked worker inherits from :func:`run_replicates`."""


def _run_forked(unit: tuple[int, range, int]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    assert _FORKED is not None
    return _FORKED(unit)


def run_replicates(
    model: TransitionModel,
    *,
    months: int,
    replicates: int,
    seed: int,
    scenario: Scenario,
    chunk_children: int = DEFAULT_CHUNK_CHILDREN,
    progress: Callable[[int], None] | None = None,
    client: object | None = None,
    draw_parameters: bool = True,
    threads: int = 1,
    processes: int = 1,
    draw_arrivals: bool = True,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Counts and redirected moves per replicate, each shape (replicates, months + 1, S), and
    the children moved off closed steps at the start. See :func:`simulate`."""
    plan, moved0 = _plan(model, months=months, scenario=scenario, chunk_children=chunk_children,
                         draw_arrivals=draw_arrivals)
    units = [(b, reps, c) for b, reps in enumerate(plan.blocks(replicates)) for c in range(len(plan.start))]
    s_n = model.states.size
    runs = np.zeros((replicates, months + 1, s_n), dtype=np.int64)
    red = np.zeros_like(runs)
    left = {b: len(plan.start) for b, _, _ in units}
    done = 0

    def add(unit: tuple[int, range, int], result: tuple[NDArray[np.int64], NDArray[np.int64]]) -> None:
        nonlocal done
        b, reps, _ = unit
        runs[reps.start : reps.stop] += result[0]
        red[reps.start : reps.stop] += result[1]
        left[b] -= 1
        if left[b] == 0:
            done += len(reps)
            if progress is not None:
                progress(done)

    if client is not None:
        from trappen.forecast._dask import run_on_dask

        for unit, result in run_on_dask(
            client,
            model,
            months=months,
            scenario=scenario,
            seed=seed,
            plan=plan,
            units=units,
            draw_parameters=draw_parameters,
        ):
            add(unit, result)
        return runs, red, moved0

    def one(unit: tuple[int, range, int]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        b, reps, c = unit
        return simulate_unit(
            model,
            months=months,
            scenario=scenario,
            seed=seed,
            replicates=reps,
            block=b,
            chunk=c,
            start=plan.start[c],
            arrivals=plan.arrivals[c],
            caps=plan.caps[c],
            draw_parameters=draw_parameters,
            law=plan.law,
        )

    if processes > 1:
        # forked workers inherit the model and plan; each unit seeds itself, so same result
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _FORKED
        _FORKED = one
        with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
            for unit, result in zip(units, pool.map(_run_forked, units), strict=True):
                add(unit, result)
    elif threads > 1:
        # NumPy releases the GIL in the bulk work; units write disjoint replicates
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads) as pool:
            for unit, result in zip(units, pool.map(one, units), strict=True):
                add(unit, result)
    else:
        for unit in units:
            add(unit, one(unit))
    return runs, red, moved0


def simulate(
    model: TransitionModel,
    *,
    months: int,
    replicates: int,
    seed: int,
    scenario: Scenario | None = None,
    chunk_children: int = DEFAULT_CHUNK_CHILDREN,
    progress: Callable[[int], None] | None = None,
    client: object | None = None,
    parameter_uncertainty: bool = True,
    threads: int = 1,
    processes: int = 1,
    entrant_uncertainty: bool = True,
) -> Projection:
    """Monte Carlo microsimulation of every child, vectorised over children and replicates.

    Each replicate draws a transition model from the Dirichlet posterior (parameter
    uncertainty, ``SeedSequence(seed, spawn_key=(r, 0))``). A child's transition row depends on
    its state and on the bands of its age and of its time in the state, so it stays the same
    for runs of months: for each child the engine draws how many months it stays (geometric,
    from one exponential draw and the row's probability of staying) and files the child under
    the month of its next event, a move or a change of band. In that month only, a mover's
    destination is found by comparing one 32-bit random integer with the row's integer
    thresholds. This is the monthly Markov chain exactly (same distribution), but the work is
    per event, not per child-month.

    Children are split into chunks of ``chunk_children`` and replicates into blocks (so that a
    unit holds about :data:`BLOCK_RECORDS` children); unit (block ``b``, chunk ``c``) draws from
    ``SeedSequence(seed, spawn_key=(b, c + 1))``, so the result depends only on the seed and
    the split, not on threads or a Dask cluster. A capped step's places are shared among chunks
    in proportion to their children, so with several chunks the cap holds per chunk (the total
    can briefly exceed it while one chunk is over its share and another fills its own).

    Args:
        model: the fitted model.
        months: horizon in months.
        replicates: number of replicates.
        seed: the seed (echo it).
        scenario: levers; default the baseline.
        chunk_children: children per chunk.
        progress: called with the number of replicates finished.
        client: a ``dask.distributed.Client`` to run the units on; None = this process.
        parameter_uncertainty: draw each replicate's transition model from the posterior
            (default); False uses the posterior mean (pure Monte Carlo noise, for testing).
        entrant_uncertainty: draw each replicate's arrivals (default: its own arrival rate
            from the rate's posterior, overdispersed Poisson counts per month, cells by the
            observed mix; :class:`ArrivalLaw`); False brings the same rounded expected
            schedule in every replicate (:func:`arrival_schedule`).
        threads: units run on this many threads in this process (same result).
        processes: units run in this many forked worker processes (same result; POSIX
            only; not from a multi-threaded server).

    Returns:
        A :class:`Projection` with P10/P50/P90 over replicates (aggregate counts only).
    """
    scenario = scenario or Scenario()
    _check(model, scenario, months)
    if replicates < 1:
        raise InvalidInput(Problem(field="replicates", value=replicates, message="must be at least 1"))
    runs, red, moved0 = run_replicates(
        model,
        months=months,
        replicates=replicates,
        seed=seed,
        scenario=scenario,
        chunk_children=chunk_children,
        progress=progress,
        client=client,
        draw_parameters=parameter_uncertainty,
        threads=threads,
        processes=processes,
        draw_arrivals=entrant_uncertainty,
    )
    return summarise(model, scenario=scenario, runs=runs, red=red, moved0=moved0, seed=seed,
                     arrivals_counted=entrant_uncertainty)
