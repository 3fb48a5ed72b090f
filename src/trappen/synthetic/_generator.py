"""``generate``: a seeded synthetic municipality as an analytic register."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from trappen.errors import InvalidInput, Problem
from trappen.register import Register
from trappen.staircase import Catalogue, default_catalogue
from trappen.synthetic import _params as P
from trappen.synthetic._simulate import NEVER, Codes, make_population, month_starts, simulate
from trappen.synthetic._tables import build_tables

MAX_YEARS = 60


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _check(*, children: int, years: int, districts: int, pilot_districts: int,
           pilot_from: int | None, catalogue: Catalogue) -> None:
    problems = []

    def bad(field: str, value: object, message: str) -> None:
        problems.append(Problem(field=field, value=value, message=message))

    if not isinstance(children, int) or children < 1:
        bad("children", children, "must be a whole number of at least 1")
    if not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        bad("years", years, f"must be a whole number from 1 to {MAX_YEARS}")
    if not isinstance(districts, int) or districts < 1:
        bad("districts", districts, "must be at least 1")
    elif not isinstance(pilot_districts, int) or not 0 <= pilot_districts <= districts:
        bad("pilot_districts", pilot_districts, f"must be between 0 and districts ({districts})")
    if pilot_districts and pilot_from is None:
        bad("pilot_from", pilot_from, "give the pilot's first year when pilot_districts > 0")
    if pilot_from is not None and not pilot_districts:
        bad("pilot_districts", pilot_districts, "must be at least 1 when pilot_from is given")
    if pilot_from is not None and not 1900 <= pilot_from <= 2200:
        bad("pilot_from", pilot_from, "must be a calendar year")
    if catalogue.staircase.numbers != (1, 2, 3, 4, 5, 6):
        bad("catalogue", catalogue.staircase.numbers,
            "the generator models the six-step staircase (steps 1-6)")
    else:
        empty_steps = [s for s in range(1, 7)
                       if not [t for t in catalogue.for_step(s) if not t.aftercare]]
        if empty_steps:
            bad("catalogue", empty_steps, "every step needs at least one intervention type")
    if problems:
        raise InvalidInput(problems)


def generate(*, children: int, years: int, seed: int, end_date: date = date(2025, 12, 31),
             districts: int = 8, pilot_districts: int = 0, pilot_from: int | None = None,
             catalogue: Catalogue | None = None,
             progress: Callable[[int, int], None] | None = None) -> Register:
    """Generate a synthetic municipality's register, pure and seeded.

    All children are simulated month by month as NumPy arrays (states as small integers):
    births, ageing, moving in and out, notifications, investigations and moves up and down the
    staircase, calibrated to Danish national figures (see ``docs/calibration.md``). The same
    arguments give an identical register.

    Args:
        children: approximate number of children 0-17 living in the municipality at the end of
            the register (earlier years follow the size of the birth cohorts).
        years: years of history in the register, ending on ``end_date``. Twelve more years
            (``BURN_IN_YEARS``) are simulated before, so stocks are settled and the first year
            is in equilibrium; only what is still open is kept from them. Births, trends and
            policy changes follow the calendar (``BIRTHS_BY_YEAR``, ``CALENDAR_BY_YEAR``,
            ``POLICY_CHANGES``).
        seed: seed of the ``numpy.random.Generator``; the only source of randomness.
        end_date: last day of the register (fixed default, so results do not depend on today).
        districts: number of school districts.
        pilot_districts: the first this many districts (D01, D02, ...) adopt the Herning way of
            working on 1 January of ``pilot_from``: caseload 50 -> 25 and the dynamics respond
            with the effect sizes in :mod:`trappen.synthetic._params` (``PILOT_*``).
        pilot_from: first calendar year of the pilot.
        catalogue: intervention catalogue (six-step staircase); the shipped one by default.
        progress: called with (months done, months in total) after each simulated month.

    Returns:
        A :class:`~trappen.register.Register` with every table filled; ``meta`` records the
        arguments and the seed.

    Raises:
        InvalidInput: a bad argument, named with its value.
    """
    catalogue = catalogue or default_catalogue()
    _check(children=children, years=years, districts=districts, pilot_districts=pilot_districts,
           pilot_from=pilot_from, catalogue=catalogue)
    rng = np.random.default_rng(seed)
    try:
        first = end_date.replace(year=end_date.year - years)
    except ValueError:  # 29 February
        first = end_date.replace(year=end_date.year - years, day=28)
    window_start = _day(first + timedelta(days=1))
    end_excl = _day(end_date) + 1
    first_month = np.datetime64(first + timedelta(days=1), "M") - np.timedelta64(
        12 * P.BURN_IN_YEARS, "M")
    starts = month_starts(first_month, np.datetime64(end_date, "M"))

    district_codes = [f"D{i + 1:02d}" for i in range(districts)]
    pilot_day = _day(date(pilot_from, 1, 1)) if pilot_from is not None else int(NEVER)
    pilot_start = np.full(districts, NEVER, dtype=np.int32)
    pilot_start[:pilot_districts] = min(pilot_day, int(NEVER))
    weights = rng.dirichlet(np.full(districts, 8.0))

    pop = make_population(rng, children=children, starts=starts, end_excl=end_excl,
                          district_weights=weights)
    codes = Codes.from_catalogue(catalogue)
    sim = simulate(rng, pop=pop, codes=codes, starts=starts, end_excl=end_excl,
                   pilot_start=pilot_start, progress=progress)
    frames = build_tables(rng, sim, window_start=window_start, end_excl=end_excl,
                          district_codes=district_codes, code_names=codes.names,
                          pilot_from_day=pilot_start)
    meta = {
        "generator": "trappen.synthetic", "seed": str(seed), "children": str(children),
        "years": str(years), "end_date": end_date.isoformat(), "districts": str(districts),
        "pilot_districts": str(pilot_districts), "pilot_from": str(pilot_from or ""),
    }
    return Register.from_frames(meta, **frames)
