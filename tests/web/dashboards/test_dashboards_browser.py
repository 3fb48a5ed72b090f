"""In a real Chromium: an analyst opens the dashboards; the chart draws under the strict CSP
(no inline script or style: a violation would show as a console error)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_and_errors(open_browser):
    return open_browser(locale="en-GB")


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
