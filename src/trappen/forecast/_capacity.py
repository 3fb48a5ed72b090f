"""The capacity-limited forecast: the offers' places as limits around the existing engine.

Two ways: :func:`capacity_scenario` puts the places into the engine's own ``step_caps`` (children
who find no place go to the nearest open step, the lower one on a tie), for the simulation and
the expected engine alike; :func:`project_capacity` runs the expected projection with the
staircase's rule instead (a child who finds no place goes one step up). A step without a limit
(``None`` places) is not capped, so with unlimited places either is today's forecast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from trappen.forecast._model import Projection, Scenario, TransitionModel


def capacity_scenario(places: Mapping[int, int | None], *, base: Scenario | None = None,
                      name: str | None = None) -> Scenario:
    """``base`` with a cap of ``places[step]`` children on each step (None = unlimited).

    A step the base scenario already caps keeps the smaller of the two caps.
    """
    base = base or Scenario()
    caps = dict(base.step_caps)
    for step, limit in places.items():
        if limit is None:
            continue
        caps[step] = min(int(limit), caps.get(step, int(limit)))
    return dataclasses.replace(base, name=name or base.name, step_caps=tuple(sorted(caps.items())))


def up_targets(states: object, steps: Mapping[int, int | None]) -> dict[int, int]:
    """Where children go when a capped step is full: one step up (the staircase: a child who
    finds no place goes up a step); from the top step, one step down (there is none above)."""
    top = int(states.top)  # type: ignore[attr-defined]
    return {s: (s + 1 if s < top else s - 1) for s in steps}


def project_capacity(model: TransitionModel, *, months: int, places: Mapping[int, int | None],
                     scenario: Scenario | None = None) -> Projection:
    """The expected (cohort Markov) projection with the offers' places as capacity limits.

    The engine's expected projection (:func:`trappen.forecast.project_expected`), month by
    month, with one difference: each month, children moving onto a step beyond its places
    (``places[step]``; None = unlimited) go one step up instead (:func:`up_targets`); children
    already on the step stay. Without limits it is :func:`project_expected` exactly.
    """
    from trappen.forecast._engines import (
        AGE_N,
        DUR_N,
        _arrivals_redirected,
        _check,
        _pad_start,
        _projection,
        _start_moved,
        adjust,
        arrival_rates,
        redirect_table,
    )
    from trappen.forecast._model import ADULT_MONTHS, age_band_of_month, duration_band_of_month

    scenario = scenario or Scenario()
    limits = {int(s): int(p) for s, p in places.items() if p is not None}
    _check(model, scenario, months)
    st = model.states
    s_n = st.size
    lut = redirect_table(st, scenario.closed_steps)
    p = adjust(model.transition, model=model, scenario=scenario)
    full = p[age_band_of_month(AGE_N)][:, duration_band_of_month(DUR_N)]
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
    target = up_targets(st, limits)
    any_closed = bool(closed_in.any())
    full_m = full @ remap if any_closed else full
    stay_p = np.diagonal(full_m, axis1=2, axis2=3)
    by_age = full_m.reshape(AGE_N, DUR_N * s_n, s_n)
    order = sorted(limits)  # lower steps first: their overflow may fill the step above
    for m in range(1, months + 1):
        if any_closed:
            into = np.einsum("ads,adsc->c", x, full[..., closed_in])
            red[m] = np.bincount(lut[closed_in], weights=into, minlength=s_n)
        red[m] += red_arrivals[m]
        stay = x * stay_p
        moves = np.matmul(x.reshape(AGE_N, 1, DUR_N * s_n), by_age)[:, 0, :] - stay.sum(axis=1)
        new = np.zeros_like(x)
        new[1:, 1:] += stay[:-1, :-1]
        new[1:, -1] += stay[:-1, -1]
        new[-1, 1:] += stay[-1, :-1]
        new[-1, -1] += stay[-1, -1]
        new[1:, 0] += moves[:-1]
        new[-1, 0] += moves[-1]
        new[:ADULT_MONTHS, 0, :] += arrivals[m]
        for step in order:
            entrants = new[:, 0, step].sum()
            room = max(limits[step] - (new[:, :, step].sum() - entrants), 0.0)
            if entrants > room:
                over = new[:, 0, step] * (1.0 - room / entrants)
                new[:, 0, step] -= over
                new[:, 0, target[step]] += over
                red[m, target[step]] += over.sum()
        x = new
        out[m] = x.sum(axis=(0, 1))
    return _projection(model, scenario, out, out, out, out, red, None, 0, None)
