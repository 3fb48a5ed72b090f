"""In a real Chromium: an analyst opens the dashboards; the chart draws under the strict CSP
(no inline script or style: a violation would show as a console error)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def page_and_errors(settings, close_live_server_sessions):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="en-GB")
        errors: list[str] = []
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page, errors
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    close_live_server_sessions()


def test_analyst_sees_chart_table_and_sankey(live_server, page_and_errors, small_register):
    from trappen.web.accounts.services import demo_users_create
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(small_register)
    demo_users_create()
    cache_clear()
    page, errors = page_and_errors
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-demo")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/dashboards/steps/?date_from=2024-01-01&date_to=2024-12-31")
    page.wait_for_function("() => document.getElementById('dashboard-chart').width > 0")
    assert page.locator("#dashboard-table tbody tr").count() == 12
    page.click("nav.dash-tabs a[href^='/dashboards/flows/']")
    page.wait_for_selector("#dashboard-table")
    assert "date_from=2024-01-01" in page.url  # the filters travel with the tabs
    assert errors == [], errors
    cache_clear()
