"""End to end in a real Chromium: log in as a caseworker, see the overview, open a child."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "img" / "overview.png"


@pytest.fixture
def browser_page(open_browser):
    return open_browser(locale="da-DK")


def test_caseworker_logs_in_sees_overview_and_opens_a_child(live_server, browser_page, small_register):
    from trappen.web.accounts.services import demo_users_create
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(small_register)
    demo_users_create()
    page, errors = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "caseworker")
    page.fill("#id_password", "caseworker-demo")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/overview/")
    table = page.locator("#overview-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 1
    page.wait_for_function("() => document.getElementById('overview-chart').width > 0")
    assert errors == [], errors  # no CSP violations, no script errors
    if os.environ.get("TRAPPEN_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.click("header nav a[href='/children/']")
    page.wait_for_url(f"{live_server.url}/children/")
    page.locator("#children-table tbody a").first.click()
    page.wait_for_selector("svg.timeline")
    assert page.locator("h1").inner_text()
