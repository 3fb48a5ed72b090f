"""The unit prices page: the catalogue's prices until one is entered, a new price from a date
closes the old one and keeps it, bad input is named and writes nothing, and spending in the web
layer uses the stored prices."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from trappen.economics import default_rates, spending
from trappen.web.economics.models import Price

CODE = "FAMILY_COUNSELLING"


def _post(client, **fields):
    data = {"intervention_code": CODE, "valid_from": "2025-01-01", "cost_dkk_per_day": "123.5",
            "price_year": "2025", "source": "price list 2025"} | fields
    return client.post("/economics/prices/", data)


def test_lists_the_catalogue_prices_before_any_is_entered(as_role):
    page = as_role("economist").get("/economics/prices/")
    assert page.status_code == 200
    html = page.content.decode()
    rows = page.context["rows"]
    assert {r["intervention_code"] for r in rows} == set(default_rates().frame["intervention_code"])
    assert all(not r["stored"] and r["in_force"] for r in rows)
    assert 'id="price-form"' in html and CODE in html
    assert Price.objects.count() == 0  # listing writes nothing


def test_a_new_price_closes_the_old_one_and_keeps_it(as_role, users):
    old_rate = default_rates().rate_on(CODE, dt.date(2024, 6, 1))
    response = _post(as_role("economist"))
    assert response.status_code == 302
    rows = list(Price.objects.filter(intervention_code=CODE).order_by("valid_from"))
    assert [(r.valid_from, r.valid_to, r.cost_dkk_per_day) for r in rows] == [
        (dt.date(1900, 1, 1), dt.date(2025, 1, 1), old_rate), (dt.date(2025, 1, 1), None, 123.5)]
    assert rows[0].created_by is None and rows[1].created_by == users["economist"]
    assert rows[1].price_year == 2025 and rows[1].source == "price list 2025"
    # a second change closes the 2025 price, and the catalogue row stays as it was
    assert _post(as_role("admin"), valid_from="2026-03-01", cost_dkk_per_day="130").status_code == 302
    rows = list(Price.objects.filter(intervention_code=CODE).order_by("valid_from"))
    assert [(r.valid_from, r.valid_to) for r in rows] == [
        (dt.date(1900, 1, 1), dt.date(2025, 1, 1)), (dt.date(2025, 1, 1), dt.date(2026, 3, 1)),
        (dt.date(2026, 3, 1), None)]
    page = as_role("economist").get("/economics/prices/").content.decode()
    assert "2026-03-01" in page and "130" in page


@pytest.mark.parametrize(("fields", "field", "named"), [
    ({"cost_dkk_per_day": "-5"}, "cost_dkk_per_day", "-5"),
    ({"price_year": ""}, "price_year", "price year"),
    ({"intervention_code": "NO_SUCH_TYPE"}, "intervention_code", "NO_SUCH_TYPE"),
])
def test_bad_input_is_named_and_nothing_is_written(as_role, fields, field, named):
    response = _post(as_role("economist"), **fields)
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors[field])
    assert named in errors
    assert Price.objects.count() == 0
    assert f'id="error-{field}"' in response.content.decode()


def test_a_start_before_the_latest_is_refused_naming_the_date(as_role):
    client = as_role("economist")
    assert _post(client, valid_from="2025-06-01").status_code == 302
    before = list(Price.objects.values_list("pk", "valid_to"))
    response = _post(client, valid_from="2025-03-01", cost_dkk_per_day="99")
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors["valid_from"])
    assert "2025-03-01" in errors and "2025-06-01" in errors
    assert list(Price.objects.values_list("pk", "valid_to")) == before


def test_only_economists_and_administrators_change_prices(as_role):
    for role in ("analyst", "teamleader", "caseworker"):
        assert as_role(role).get("/economics/prices/").status_code == 403
        assert _post(as_role(role)).status_code == 403
    assert Price.objects.count() == 0


def test_spending_in_the_web_layer_uses_the_stored_prices(db, as_role, small_register):
    from trappen.web.economics.selectors import rate_table

    used = (small_register.episodes.filter(pl.col("end_date").is_null())["intervention_code"]
            .value_counts(sort=True)["intervention_code"][0])
    window = {"start": dt.date(2025, 1, 1), "end": dt.date(2025, 7, 1), "by": (), "price_year": 2025}
    before = spending(small_register, rates=rate_table(), **window)["amount_dkk"][0]
    assert before == pytest.approx(spending(small_register, rates=default_rates(), **window)["amount_dkk"][0])
    assert _post(as_role("economist"), intervention_code=used, valid_from="2025-04-01",
                 cost_dkk_per_day="100000").status_code == 302
    after = spending(small_register, rates=rate_table(), **window)["amount_dkk"][0]
    assert after > before + 100000  # at least one open episode of that type, three months dearer


def test_pages_are_danish_with_the_menu_entry(as_role):
    client = as_role("economist")
    html = client.get("/economics/").content.decode()
    assert 'href="/economics/"' in html and "Økonomi" in html and "Budget mod forbrug" in html
    assert "Enhedspriser" in client.get("/economics/prices/").content.decode()
    admin = as_role("admin").get("/economics/").content.decode()
    assert "Enhedspriser" in admin and "Budget mod forbrug" not in admin  # prices only
    assert 'href="/economics/"' not in as_role("analyst").get("/overview/").content.decode()
