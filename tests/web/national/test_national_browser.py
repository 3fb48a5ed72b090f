"""End to end in a real Chromium: the national analyst logs in, sees the national view, opens a
municipality; no script or CSP errors; on a phone the page does not scroll sideways."""

from __future__ import annotations

import shutil

import pytest

from trappen.national import nation_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def national_store(settings, tmp_path):
    settings.TRAPPEN_DATA_DIR = tmp_path
    nation_demo(tmp_path / "national", municipalities=6, children_scale=300, years=4, seed=3)
    yield tmp_path / "national"
    shutil.rmtree(tmp_path / "national", ignore_errors=True)


def test_national_analyst_sees_the_country_and_one_municipality(live_server, open_browser, national_store):
    from trappen.web.accounts.services import user_create

    user_create(username="national_analyst", role="national_analyst", password="national_analyst-demo",
                validate=False)
    page, errors = open_browser(locale="da-DK")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "national_analyst")
    page.fill("#id_password", "national_analyst-demo")
    page.click("form.card button[type=submit]")
    page.goto(f"{live_server.url}/national/")
    assert page.locator("h1").inner_text() == "Landsbillede"
    assert page.locator("#national-municipalities tbody tr").count() == 6
    page.locator("#national-municipalities tbody a").first.click()
    page.wait_for_selector("#national-comparison")
    assert "Sammenlignelige kommuner" in page.locator("#national-comparison thead").inner_text()
    page.wait_for_function(
        "() => window.Chart && !!Chart.getChart(document.getElementById('canvas-trend-spend_per_child'))")
    assert page.locator("canvas").count() == 3  # a chart per trend
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert errors == [], errors
