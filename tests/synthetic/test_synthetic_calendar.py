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
    """The burn-in settles the stocks: the first reported year's stock of children on the
    staircase is that of the next year (with the old 3-year burn-in it was 2.7 % lower and
    rose for four years), and aftercare (up to 23) is already at its level (it was 17 % low)."""
    r = generate(children=100_000, years=8, seed=2)
    stock = {y: _on_31_dec(r, y) for y in range(2018, 2026)}
    assert abs(stock[2018].height / stock[2019].height - 1) < 0.015
    after = {y: s.filter(pl.col("intervention_code") == "AFTERCARE_CONTACT").height
             for y, s in stock.items()}
    later = sum(after[y] for y in (2023, 2024, 2025)) / 3
    assert after[2018] / later > 0.92, after


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
