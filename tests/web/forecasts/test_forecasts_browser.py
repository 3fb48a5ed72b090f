"""In a real Chromium: an analyst pulls a lever on the forecast page; one chart per step draws
under the strict CSP (a violation would show as a console error).

``TRAPPEN_SCREENSHOT=1`` also writes docs/img/forecast.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "img" / "forecast.png"


@pytest.fixture
def page_and_errors(open_browser):
    return open_browser(locale="en-GB")


def test_analyst_closes_a_step_and_sees_bands_per_step(live_server, page_and_errors, small_register):
    from trappen.web.accounts.services import demo_users_create
    from trappen.web.dashboards.selectors import cache_clear as dash_clear
    from trappen.web.forecasts.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(small_register)
    demo_users_create()
    dash_clear()
    cache_clear()
    page, errors = page_and_errors
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-demo")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/forecasts/?months=36")
    page.check("#forecast-levers input[name=closed_steps][value='6']")
    page.fill("#id_entrant_rate_change_pct", "10")
    page.click("#forecast-levers button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#forecast-charts canvas').length === 6"
                           " && document.querySelector('#forecast-charts canvas').width > 0")
    assert "closed_steps=6" in page.url
    assert page.locator("#forecast-costs tbody tr").count() == 3  # 36 months: three years
    assert errors == [], errors  # no CSP violations, no script errors
    if os.environ.get("TRAPPEN_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    dash_clear()
    cache_clear()
