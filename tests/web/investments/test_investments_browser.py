"""In a real Chromium: an analyst opens an investment case; the SVG chart renders with no CSP
violation or script error. TRAPPEN_SCREENSHOT=1 writes docs/img/investment.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "img" / "investment.png"


@pytest.fixture
def browser_page(open_browser):
    return open_browser(locale="da-DK")


def test_analyst_opens_the_herning_case(live_server, browser_page, make_user):
    from trappen.economics import herning_pilot_path
    from trappen.web.investments.services import case_save

    analyst = make_user("economist", "analyst")
    case = case_save(user=analyst, toml_text=Path(herning_pilot_path()).read_text(encoding="utf-8"))
    page, errors = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "economist")
    page.fill("#id_password", "not-checked-in-tests")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/overview/")
    page.goto(f"{live_server.url}/investments/{case.pk}/")
    assert page.locator("#investment-chart svg").is_visible()
    assert page.locator("#investment-chart .rule-marker").count() == 2
    assert page.locator("#investment-tornado tbody tr").count() >= 3
    assert errors == [], errors
    if os.environ.get("TRAPPEN_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
