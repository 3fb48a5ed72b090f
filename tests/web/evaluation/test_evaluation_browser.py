"""In a real Chromium: an analyst opens the evaluation page; both figures (SVG data: images)
load under the strict CSP and nothing is blocked (a violation shows as a console error).
TRAPPEN_SCREENSHOT=1 saves docs/img/evaluation.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trappen.synthetic import generate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:matplotlib")]

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "img" / "evaluation.png"


@pytest.fixture
def page_and_errors(open_browser):
    return open_browser(locale="en-GB")


def test_analyst_sees_effects_and_both_figures(live_server, page_and_errors):
    from trappen.web.accounts.services import demo_users_create
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.evaluation.selectors import cache_clear as eval_cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(generate(children=1500, years=4, seed=2, pilot_districts=3, pilot_from=2023))
    demo_users_create()
    cache_clear()
    eval_cache_clear()
    page, errors = page_and_errors
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-demo")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/evaluation/")
    page.wait_for_function("() => document.getElementById('event-study-plot').naturalWidth > 0"
                           " && document.getElementById('cif-plot').naturalWidth > 0")
    assert page.locator("#treated-clusters").inner_text() == "3"
    assert page.locator("#caveats li").count() >= 1
    assert errors == [], errors
    if os.environ.get("TRAPPEN_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    cache_clear()
    eval_cache_clear()
