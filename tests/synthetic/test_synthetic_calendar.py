"""The register's calendar: a population that changes by year and age with Danish births."""

import polars as pl

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
