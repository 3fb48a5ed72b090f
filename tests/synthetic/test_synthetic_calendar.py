"""The register's calendar: a population that changes by year and age with Danish births."""

from datetime import date

import polars as pl
import pytest

from trappen.synthetic import _params as P
from trappen.synthetic import generate


def test_birth_cohorts_follow_danish_births(register20k):
    """Children aged 0 follow the births of their year: 2011-2013 were lean years in Denmark
    (59,000 -> 55,900 births) against about 64,000 a year in 2001-2008."""
    pop = register20k.population.group_by("year", "age").agg(pl.col("children").sum())
    born = {y: pop.filter((pl.col("year") - pl.col("age")) == y)["children"].mean() for y in (2007, 2013)}
    ratio = born[2013] / born[2007]
    expected = P.births(2013) / P.births(2007)  # 0.87
    assert abs(ratio - expected) < 0.05, (ratio, expected)


def test_population_changes_by_year_with_the_cohorts():
    r = generate(children=60_000, years=15, seed=4)
    per_year = dict(r.population.group_by("year").agg(pl.col("children").sum()).iter_rows())
    # the national cohorts 0-17 shrink from 2011 to 2025 (big 1990s cohorts age out)
    assert per_year[2011] > per_year[2025] * 1.03
    assert abs(per_year[2025] / 60_000 - 1) < 0.03


def test_national_children_of_the_figures_year():
    assert P.national_children(2018) == 1_157_000
    assert P.national_children(2011) == 1_213_000
    assert P.national_children(2030) == P.national_children(2024)


def _on_31_dec(register, year):
    d = date(year, 12, 31)
    return register.episodes.filter(
        (pl.col("start_date") <= d) & (pl.col("end_date").is_null() | (pl.col("end_date") > d)))


def test_the_first_reported_year_is_in_equilibrium():
    """The burn-in settles the stocks: the first reported year (2020) holds as many children on
    the staircase as 2020 in a register that starts three years earlier. With the old 3-year
    burn-in the first year was 2.5 % low (13,741 against 14,098) and rose for four years."""
    first = _on_31_dec(generate(children=250_000, years=6, seed=2), 2020).height
    later = _on_31_dec(generate(children=250_000, years=9, seed=3), 2020).height
    assert abs(first / later - 1) < 0.02, (first, later)


def test_calendar_trends_and_the_childrens_act_are_data():
    """Notifications per child rise 2011-2024 (Danmarks Statistik: 119.7 -> 131.6 per 1,000 in
    2019-2022); the Children's Act is a dated change from 1 January 2024."""
    assert P.calendar(2024)[0] / P.calendar(2011)[0] > 1.4
    assert set(P.CALENDAR_SOURCES) == {"notifications", "preventive", "placement"}
    before, after = P.calendar(2023, "12-31"), P.calendar(2024, "01-01")
    assert after[1] / before[1] == pytest.approx(P.CALENDAR_BY_YEAR[2024][1] / P.CALENDAR_BY_YEAR[2023][1] * 1.05)
    assert all(source for *_, source in P.POLICY_CHANGES)


def test_generated_notifications_follow_the_calendar():
    r = generate(children=40_000, years=12, seed=5)
    kids = dict(r.population.group_by("year").agg(pl.col("children").sum()).iter_rows())
    notes = dict(r.notifications.group_by(pl.col("received_at").dt.year()).len().iter_rows())
    rate = {y: notes[y] / kids[y] for y in (2015, 2024)}
    expected = P.calendar(2024)[0] / P.calendar(2015)[0]  # 1.33
    assert abs(rate[2024] / rate[2015] / expected - 1) < 0.08


def test_young_people_18_22_in_a_continued_stay_count_as_placed(register20k):
    """Placed 0-22 holds young people 18-22 who stay on in their placement (videreført ophold),
    as the national figure does: about 2,121 in 2016, 1.8 per 1,000 children 0-17."""
    ep = _on_31_dec(register20k, 2018).join(register20k.children, on="child_id").filter(pl.col("step") >= 4)
    adult = ep.filter(pl.col("birth_date").dt.offset_by("18y") <= date(2018, 12, 31))
    kids = register20k.population.filter(pl.col("year") == 2018)["children"].sum()
    assert 1.0 < 1000 * adult.height / kids < 2.8
    assert (adult["birth_date"].dt.offset_by("23y") > date(2018, 12, 31)).all()
    ended = register20k.episodes.join(register20k.children, on="child_id").filter(
        (pl.col("step") >= 4) & pl.col("end_date").is_not_null())
    assert (ended["end_date"] <= ended["birth_date"].dt.offset_by("23y")).all()
