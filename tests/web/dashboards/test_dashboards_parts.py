"""Pieces of the dashboards: the Sankey SVG, the register filter, the register cache."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from trappen.register import Register
from trappen.web.dashboards.sankey import sankey_svg
from trappen.web.dashboards.selectors import DashboardFilters, register_filtered


def test_sankey_draws_only_visible_links_with_widths_in_proportion():
    svg = sankey_svg([(0, 1, 30), (0, 2, 10), (1, 2, None), (2, 3, 0)], names={0: "Ude", 1: "Et", 2: "To", 3: "Tre"})
    paths = re.findall(r'<path d="M[\d.]+,([\d.]+) .*? L[\d.]+,[\d.]+ C[\d.]+,[\d.]+ [\d.]+,([\d.]+) ', svg)
    assert len(paths) == 2  # the hidden (None) and the zero link are not drawn
    heights = [float(b) - float(a) for a, b in paths]
    assert heights[0] == pytest.approx(3 * heights[1], rel=1e-3)
    assert "<script" not in svg and "style=" not in svg
    assert "Ude → Et: 30" in svg
    assert sankey_svg([(1, 2, None)], names={}) == ""


def test_sankey_escapes_labels():
    svg = sankey_svg([(0, 1, 5)], names={0: "<b>", 1: "a&b"})
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "a&amp;b" in svg


def _tiny() -> Register:
    children = pl.DataFrame(
        {
            "child_id": [1, 2, 3, 4],
            "birth_date": [date(2015, 6, 1), date(2010, 1, 1), date(2015, 1, 1), date(2019, 1, 1)],
            "sex": ["F", "M", "F", "F"],
            "district_code": ["N", "N", "S", "S"],
            "entry_date": [date(2015, 6, 1), date(2010, 1, 1), date(2015, 1, 1), date(2019, 1, 1)],
            "exit_date": [None] * 4,
        }
    )
    # child 4 lived in N until 2024-07-01, then S: on 2024-12-31 she counts for S
    residences = pl.DataFrame(
        {
            "child_id": [4, 4],
            "district_code": ["N", "S"],
            "start_date": [date(2019, 1, 1), date(2024, 7, 1)],
            "end_date": [date(2024, 7, 1), None],
        }
    )
    episodes = pl.DataFrame(
        {
            "episode_id": [1, 2, 3, 4],
            "child_id": [1, 2, 3, 4],
            "intervention_code": ["X"] * 4,
            "step": [2, 3, 5, 2],
            "start_date": [date(2024, 1, 1)] * 4,
            "end_date": [None] * 4,
            "end_reason": [None] * 4,
        }
    )
    return Register.from_frames(children=children, residences=residences, episodes=episodes)


def test_register_filter_by_district_age_and_sex():
    reg = _tiny()
    f = {"start": date(2024, 1, 1), "end": date(2025, 1, 1)}
    assert register_filtered(reg, filters=DashboardFilters(**f)) is reg
    north = register_filtered(reg, filters=DashboardFilters(**f, districts=("N",)))
    assert sorted(north.children["child_id"].to_list()) == [1, 2]
    assert sorted(north.episodes["child_id"].to_list()) == [1, 2]
    south = register_filtered(reg, filters=DashboardFilters(**f, districts=("S",)))
    assert sorted(south.children["child_id"].to_list()) == [3, 4]
    # 6-11 on 2024-12-31: child 1 (9), child 3 (9); child 2 is 14, child 4 is 5
    band = register_filtered(reg, filters=DashboardFilters(**f, age_band="6-11"))
    assert sorted(band.children["child_id"].to_list()) == [1, 3]
    girls_s = register_filtered(reg, filters=DashboardFilters(**f, sex="F", districts=("S",)))
    assert sorted(girls_s.episodes["child_id"].to_list()) == [3, 4]
    assert girls_s.population.height == 0  # no sex in the population table: the engine counts


@pytest.mark.django_db
def test_cached_register_follows_writes(make_user):
    from trappen.synthetic import generate
    from trappen.web.dashboards import selectors as sel
    from trappen.web.register.models import Episode
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(generate(children=200, years=2, seed=3))
    sel.cache_clear()
    first, v1 = sel.analytic_register()
    again, v2 = sel.analytic_register()
    assert again is first and v1 == v2
    ongoing = Episode.objects.filter(end_date__isnull=True).first()
    Episode.objects.filter(pk=ongoing.pk).update(end_date=ongoing.start_date.replace(year=ongoing.start_date.year + 1))
    fresh, v3 = sel.analytic_register()
    assert v3 != v1 and fresh is not first
    assert fresh.episodes.filter(pl.col("episode_id") == ongoing.pk)["end_date"].item() is not None
    sel.cache_clear()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["steps", "flows", "pilot", "caseload", "deadlines", "spending"])
def test_pages_render_on_an_empty_database(client, make_user, key):
    from trappen.web.dashboards.selectors import cache_clear

    cache_clear()
    client.force_login(make_user("empty_analyst", "analyst"))
    assert client.get(f"/dashboards/{key}/").status_code == 200
    assert client.get(f"/dashboards/{key}/", {"format": "csv"}).status_code == 200
    cache_clear()
