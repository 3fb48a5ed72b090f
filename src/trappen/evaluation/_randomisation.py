"""Randomisation inference that holds with districts of unequal size, and the power of that test.

The overall Callaway–Sant'Anna ATT is linear in the outcomes: for an assignment of adoption periods
to districts it is ``sum(L * y)`` with a weight matrix ``L`` (units × periods) that depends only on
the assignment. Every permutation of the adoption periods keeps the number of districts per cohort,
hence the identified cells and the aggregation weights; only who is treated and who is a control
changes. So the weights of all assignments are one array ``(assignments, units, periods)`` and the
statistic for every assignment is one tensor product: nothing loops over assignments.

Why studentise. Permuting which districts changed is exact when the assignment was random, but
a municipality does not pick its pilot districts at random: when the pilot districts are the
small ones, their rates are noisier than a random set's, the permutation distribution of the raw
ATT is too narrow, and the test rejects a true null too often (11% at the 5% level in the issue's
replications; ``tests/evaluation/test_power.py`` shows the same on a seeded panel). Dividing each
assignment's ATT by a standard error built from each district's own noise level,
``se = sqrt(sum_i sigma_i^2 * sum_t L_it^2)``, makes the statistic's null distribution (close to)
the same for every assignment, so the permutation test compares like with like (Chung & Romano
2013, Ann. Statist., for studentised permutation tests; Ferman & Pinto 2019, REStat, for DiD with
few treated groups whose variance depends on their size). ``sigma_i`` is the residual standard
deviation of district ``i`` after removing district and period means and the observed design's
estimated cell effects (:func:`unit_noise_sd`); the same ``sigma`` serves every assignment.

Power by simulation on the municipality's own panel (:func:`design_power`): the estimated effect is
removed from the treated cells (a null-imposed panel), then for each placebo assignment of the
same design (same cohort sizes and timing, other districts) an effect ``delta`` is injected into
its post-adoption cells and the studentised randomisation test is run against all assignments.
Because the statistic is linear, ``ATT_m(y0 + delta * D_n) = ATT_m(y0) + delta * ATT_m(D_n)``: one
cross matrix gives the test for every placebo assignment and every effect size at once.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

MAX_EXACT_ASSIGNMENTS = 5000
"""Enumerate every distinct assignment up to this many (exact randomisation inference); sample beyond."""

MIN_ASSIGNMENTS = 20
"""Below 20 distinct assignments no randomisation p-value can reach 0.05 (the smallest is 1/N):
the design supports descriptive differences only."""

MIN_TREATED = 2
"""With one treated district neither the cluster bootstrap nor the permutation test can judge
uncertainty (MacKinnon & Webb 2017, J. Applied Econometrics: the wild cluster bootstrap fails with
one treated cluster; the issue measured 66% coverage of 95% intervals): descriptive only."""

POWER_TARGET = 0.8
"""Power at which the minimum detectable effect is read off (the usual 80%; Bloom 1995)."""

REFERENCE_EFFECT = 0.15
"""Reference effect for the power figure: a 15% change of the treated districts' pre-adoption
level, the size of Herning's reported reduction in placements (the issue: "Herning's -15%")."""


def assignment_count(cohort: NDArray[np.float64]) -> int:
    """Distinct assignments of the adoption periods to the districts (a multinomial coefficient)."""
    _, counts = np.unique(np.where(np.isfinite(cohort), cohort, -1.0), return_counts=True)
    return math.factorial(int(cohort.size)) // math.prod(math.factorial(int(c)) for c in counts)


def assignments(cohort: NDArray[np.float64], *, max_exact: int = MAX_EXACT_ASSIGNMENTS, draws: int = 0,
                rng: np.random.Generator | None = None) -> tuple[NDArray[np.float64], bool]:
    """The observed assignment first, then every other distinct one (exact), or ``draws`` random
    permutations when there are more than ``max_exact``.

    Returns:
        ``(rows, exact)``: rows has shape (assignments, units).
    """
    n = assignment_count(cohort)
    if n <= max_exact:
        values, counts = np.unique(np.where(np.isfinite(cohort), cohort, np.inf), return_counts=True)
        rows = []
        for choice in _multiset_positions(cohort.size, [int(c) for c in counts]):
            row = np.empty(cohort.size)
            for value, positions in zip(values, choice, strict=True):
                row[list(positions)] = value
            rows.append(row)
        out = np.array(rows)
        same = (out == cohort[None, :]).all(1)
        return np.vstack([cohort[None, :], out[~same]]), True
    if rng is None:
        raise ValueError("sampling assignments needs a random generator")
    perms = rng.permuted(np.tile(cohort, (max(draws, 1), 1)), axis=1)
    return np.vstack([cohort[None, :], perms]), False


def _multiset_positions(n: int, counts: list[int]) -> itertools.chain[tuple[tuple[int, ...], ...]]:
    """Every way to split positions 0..n-1 into groups of the given sizes (in order)."""
    def split(free: tuple[int, ...], sizes: list[int]) -> itertools.chain[tuple[tuple[int, ...], ...]]:
        if not sizes:
            return itertools.chain([()])
        return itertools.chain.from_iterable(
            ((chosen, *rest) for rest in split(tuple(p for p in free if p not in chosen), sizes[1:]))
            for chosen in itertools.combinations(free, sizes[0]))
    return split(tuple(range(n)), counts)


def linear_weights(rows: NDArray[np.float64], periods: int, *, control: str = "not_yet_treated",
                   max_event: int | None = None, chunk: int = 500) -> NDArray[np.float64]:
    """Weights ``L`` with ``overall ATT = sum(L * y)`` for each assignment in ``rows``.

    Args:
        rows: Assignments, shape (assignments, units); all permutations of one cohort vector.
        periods: Periods of the panel.
        control: As :func:`trappen.evaluation.att_cells`.
        max_event: As :func:`trappen.evaluation.staggered_did`.
        chunk: Assignments per block (memory: chunk × cells × units floats).

    Returns:
        Shape (assignments, units, periods); all zero when nothing is identified.
    """
    from trappen.evaluation._did import _aggregation, att_cells

    cells = att_cells(np.zeros((rows.shape[1], periods)), rows[0], control=control)
    out = np.zeros((rows.shape[0], rows.shape[1], periods))
    if cells.att.size == 0:
        return out
    a = _aggregation(cells, max_event=max_event)["overall"][1][0]
    if a.sum() == 0:
        return out
    g, t = cells.cohort, cells.period
    base = g - 1
    k = np.arange(g.size)
    e = np.zeros((g.size, periods))
    e[k, t] += 1.0
    e[k, base] -= 1.0
    horizon = np.maximum(t, base)
    for lo in range(0, rows.shape[0], chunk):
        r = rows[lo:lo + chunk]  # (n, units)
        treat = r[:, None, :] == g[None, :, None]  # (n, cells, units)
        if control == "not_yet_treated":
            ctrl = (r[:, None, :] > horizon[None, :, None]) & ~treat
        else:
            ctrl = np.broadcast_to(~np.isfinite(r)[:, None, :], treat.shape)
        coef = a[None, :, None] * (treat / cells.n_treated[None, :, None] - ctrl / cells.n_control[None, :, None])
        out[lo:lo + chunk] = np.einsum("nku,kt->nut", coef, e)
    return out


def null_imposed(y: NDArray[np.float64], cohort: NDArray[np.float64], *,
                 control: str = "not_yet_treated") -> NDArray[np.float64]:
    """The panel with each treated district's identified post-adoption cells less their estimated
    ATT(g, t): every post cell of the observed design estimates exactly zero afterwards."""
    from trappen.evaluation._did import att_cells

    cells = att_cells(y, cohort, control=control)
    y0 = y.copy()
    post = cells.event_time >= 0
    for g, t, att in zip(cells.cohort[post], cells.period[post], cells.att[post], strict=True):
        y0[cohort == g, t] -= att  # one subtraction per post cell, not per district
    return y0


def unit_noise_sd(y: NDArray[np.float64], cohort: NDArray[np.float64], *,
                  control: str = "not_yet_treated") -> NDArray[np.float64]:
    """Each district's noise level: the residual sd after district and period means over the whole
    window, once the observed design's estimated ATT(g, t) has been taken out of the treated cells
    (so the effect does not count as noise). Shape (units,); floored so that no standard error is 0.

    The same levels serve every assignment. Measured on seeded panels with four noisy (small) of
    twelve districts treated, the 5% test rejected a true null 5.3% of the time with these levels,
    7.3% with levels from the periods before the first adoption only (fewer degrees of freedom)
    and 18% unstudentised (``tests/evaluation/test_power.py``)."""
    y0 = null_imposed(y, cohort, control=control)
    resid = y0 - y0.mean(1, keepdims=True) - y0.mean(0, keepdims=True) + y0.mean()
    sd = np.sqrt((resid ** 2).mean(1))
    floor = 1e-9 * (float(np.abs(y).max()) + 1.0)
    return np.maximum(sd, floor)


@dataclass(frozen=True, kw_only=True)
class RandomisationTest:
    """Studentised randomisation test of the overall ATT.

    ``p_value`` is the share of assignments whose |t| is at least the observed |t| (the observed
    assignment included), so it is never below ``min_p_value`` = 1 / assignments.
    """

    p_value: float
    t_statistic: float
    assignments: int
    exact: bool
    statistic: str

    @property
    def min_p_value(self) -> float:
        return 1.0 / self.assignments


def randomisation_test(y: NDArray[np.float64], cohort: NDArray[np.float64], *, control: str = "not_yet_treated",
                       draws: int = 199, rng: np.random.Generator | None = None, max_event: int | None = None,
                       statistic: str = "studentised", max_exact: int = MAX_EXACT_ASSIGNMENTS) -> RandomisationTest:
    """Randomisation inference on the overall ATT over all assignments of adoption periods (exact
    up to ``max_exact`` assignments, else ``draws`` random permutations).

    Args:
        y: Outcomes, shape (units, periods).
        cohort: First treated period per unit (``inf`` = never), shape (units,).
        control: Control group, as :func:`trappen.evaluation.att_cells`.
        draws: Random permutations when the assignments are too many to enumerate.
        rng: Generator for those permutations.
        max_event: As :func:`trappen.evaluation.staggered_did`.
        statistic: ``"studentised"`` (ATT over each assignment's standard error from the districts'
            own noise; valid with unequal district sizes) or ``"att"`` (the raw ATT, exact only
            when the assignment was random).
        max_exact: Enumerate up to this many assignments.
    """
    if statistic not in ("studentised", "att"):
        raise ValueError(f"statistic must be 'studentised' or 'att', got {statistic!r}")
    rows, exact = assignments(cohort, max_exact=max_exact, draws=draws, rng=rng)
    weights = linear_weights(rows, y.shape[1], control=control, max_event=max_event)
    att = np.einsum("nut,ut->n", weights, y)
    if statistic == "studentised":
        se = np.sqrt((weights ** 2).sum(2) @ unit_noise_sd(y, cohort, control=control) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = np.where(se > 0, att / se, np.nan)
    else:
        stat = att
    ok = np.isfinite(stat)
    if not ok[0]:
        return RandomisationTest(p_value=np.nan, t_statistic=np.nan, assignments=int(rows.shape[0]),
                                 exact=exact, statistic=statistic)
    scale = 1e-12 * max(1.0, abs(float(stat[0])))
    p = float((np.abs(stat[ok]) >= abs(stat[0]) - scale).mean())
    return RandomisationTest(p_value=p, t_statistic=float(stat[0]), assignments=int(ok.sum()), exact=exact,
                             statistic=statistic)


@dataclass(frozen=True, kw_only=True)
class DesignPower:
    """Power of the studentised randomisation test at level ``alpha`` for this design, by placebo
    assignments on the municipality's own panel.

    ``curve`` has ``effect`` (outcome units), ``relative`` (share of the treated districts'
    pre-adoption mean) and ``power``. ``mde`` is the smallest effect (in absolute value, the worse
    of the two directions) detected with probability :data:`POWER_TARGET`; ``inf`` when no effect
    on the grid reaches it (for example when 1 / assignments > alpha).
    """

    alpha: float
    target: float
    mde: float
    mde_relative: float
    baseline: float
    reference_effect: float
    """The reference relative change (e.g. 0.15) and below the power against it (worse direction)."""
    power_at_reference: float
    assignments: int
    exact: bool
    curve: pl.DataFrame

    @property
    def detectable(self) -> bool:
        return bool(np.isfinite(self.mde))


def _mde(effects: NDArray[np.float64], power: NDArray[np.float64], target: float) -> float:
    """Smallest effect on a grid from 0 outwards whose power reaches ``target`` (linear interpolation)."""
    hit = np.nonzero(power >= target)[0]
    if hit.size == 0:
        return np.inf
    i = int(hit[0])
    if i == 0:
        return float(effects[0])
    x0, x1, p0, p1 = effects[i - 1], effects[i], power[i - 1], power[i]
    return float(x0 + (target - p0) * (x1 - x0) / (p1 - p0)) if p1 > p0 else float(x1)


def design_power(y: NDArray[np.float64], cohort: NDArray[np.float64], *, control: str = "not_yet_treated",
                 max_event: int | None = None, alpha: float = 0.05, target: float = POWER_TARGET,
                 reference_effect: float = REFERENCE_EFFECT, assignments_max: int = 500,
                 grid_points: int = 41, grid_se: float = 10.0,
                 rng: np.random.Generator | int | None = 0) -> DesignPower:
    """Power and minimum detectable effect of the studentised randomisation test for the observed
    design, by injecting placebo effects into the observed panel.

    The estimated effect of the observed design is removed from the treated districts' identified
    post-adoption cells first, so that the placebo runs measure noise, not the real effect. Each of
    up to ``assignments_max`` placebo assignments (all of them when fewer) receives an effect
    ``delta`` in its post-adoption cells and is tested against the same set of assignments.

    Args:
        y: Outcomes, shape (units, periods).
        cohort: First treated period per unit (``inf`` = never), shape (units,).
        control: Control group.
        max_event: As :func:`trappen.evaluation.staggered_did`.
        alpha: Level of the test.
        target: Power at which the MDE is read off.
        reference_effect: Relative effect (share of the pre-adoption mean) whose power is reported.
        assignments_max: Placebo assignments enumerated (exact) or sampled (seeded) beyond this.
        grid_points: Effects on each side of zero.
        grid_se: The grid reaches this many model standard errors of the observed design.
        rng: Seed or Generator for sampled assignments.

    Returns:
        A :class:`DesignPower`.
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    rows, exact = assignments(cohort, max_exact=assignments_max, draws=assignments_max - 1, rng=gen)
    periods = y.shape[1]
    y0 = null_imposed(y, cohort, control=control)
    weights = linear_weights(rows, periods, control=control, max_event=max_event)
    sd = unit_noise_sd(y0, cohort, control=control)
    se = np.sqrt((weights ** 2).sum(2) @ sd ** 2)
    base = np.einsum("mut,ut->m", weights, y0)
    effect_pattern = (np.arange(periods)[None, None, :] >= rows[:, :, None]).astype(float)  # (n, units, periods)
    cross = np.einsum("mut,nut->mn", weights, effect_pattern)  # ATT of assignment m on n's effect
    valid = se > 0
    treated_pre = np.isfinite(cohort)[:, None] & (np.arange(periods)[None, :] < cohort[:, None])
    baseline = float(y[treated_pre].mean()) if treated_pre.any() else np.nan
    scale = float(se[0]) if se[0] > 0 else float(np.nanmedian(np.where(valid, se, np.nan)))
    steps = np.linspace(0.0, grid_se * scale, grid_points)

    def power_at(delta: float) -> float:
        if not valid[0] or rows.shape[0] * alpha < 1:
            return 0.0
        stat = np.abs(base[:, None] + delta * cross) / np.where(valid, se, np.inf)[:, None]  # (m, n)
        own = np.diag(stat)
        p = (stat >= own[None, :] - 1e-12 * np.maximum(own, 1.0)[None, :]).sum(0) / valid.sum()
        return float((p[valid] <= alpha + 1e-12).mean())

    up = np.array([power_at(d) for d in steps])
    down = np.array([power_at(-d) for d in steps])
    mde = max(_mde(steps, up, target), _mde(steps, down, target))
    reference = reference_effect * abs(baseline) if np.isfinite(baseline) else np.nan
    power_ref = min(power_at(reference), power_at(-reference)) if np.isfinite(reference) else np.nan
    effects = np.r_[-steps[::-1], steps[1:]]
    curve = pl.DataFrame({"effect": effects, "power": np.r_[down[::-1], up[1:]]}).with_columns(
        relative=pl.col("effect") / abs(baseline) if baseline else pl.lit(None, dtype=pl.Float64))
    return DesignPower(alpha=alpha, target=target, mde=mde,
                       mde_relative=mde / abs(baseline) if baseline else np.nan, baseline=baseline,
                       reference_effect=reference_effect, power_at_reference=power_ref,
                       assignments=int(rows.shape[0]), exact=exact,
                       curve=curve.select("effect", "relative", "power"))
