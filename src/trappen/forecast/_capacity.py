"""The capacity-limited forecast: the offers' places as step caps around the existing engine.

Children who find no place on a step go to the nearest open step instead (the engine's
``step_caps``: :class:`trappen.forecast.Scenario`); a step without a limit (``None`` places)
is not capped, so with unlimited places the forecast is today's, for the same seed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from trappen.forecast._model import Scenario


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
