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
    from trappen.forecast._engines import _check, cohort_projection

    scenario = scenario or Scenario()
    limits = {int(s): int(p) for s, p in places.items() if p is not None}
    _check(model, scenario, months)
    target = up_targets(model.states, limits)
    # lower steps first: their overflow may fill the step above
    caps = [(step, limits[step], target[step]) for step in sorted(limits)]
    return cohort_projection(model, months=months, scenario=scenario, caps=caps)
