"""The shell in a real Chromium: each demo role's main pages (its navigation) at 390 px and 1366 px
answer without a 4xx/5xx or a console error and never scroll sideways; the header stays on its
blue background; at 1366 px the team leader's navigation is one line."""

from __future__ import annotations

import pytest

from trappen.privacy.roles import ROLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"
HEADER = """() => {
  const header = document.querySelector('header.top').getBoundingClientRect();
  return [...document.querySelectorAll('header.top a, header.top button, header.top .who')].filter(e => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;  // not shown (a closed menu)
    return r.left < header.left || r.right > header.right || r.top < header.top || r.bottom > header.bottom
      || r.right > window.innerWidth;
  }).map(e => e.textContent.trim());
}"""
NAV_LINES = """() => {
  const tops = [...document.querySelectorAll('header.top nav a, header.top nav summary')]
    .map(e => e.getBoundingClientRect()).filter(r => r.height > 0).map(r => r.top).sort((a, b) => a - b);
  return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 5).length;  // lines of links
}"""


@pytest.fixture
def demo(scene):
    from trappen.web.accounts.services import demo_users_create

    demo_users_create()


def _log_in(page, url: str, role: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", f"{role}-demo")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{url}/overview/")


@pytest.mark.parametrize("role", ROLES)
def test_main_pages_fit_the_screen_for_each_role(live_server, open_browser, demo, role):
    page, errors = open_browser(locale="da-DK")
    _log_in(page, live_server.url, role)
    hrefs = page.eval_on_selector_all("header.top nav a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs, role
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for href in hrefs:
            page.goto(f"{live_server.url}{href}")
            page.wait_for_load_state("load")
            where = (role, width, href)
            assert not page.evaluate(SIDEWAYS), where
            assert page.evaluate(HEADER) == [], where
            assert errors == [], (where, errors)
        if role == "teamleader" and width == 1366:
            assert page.evaluate(NAV_LINES) == 1, "the team leader's navigation wraps at 1366 px"


def test_error_page_fits_a_phone(live_server, open_browser, demo):
    page, errors = open_browser(locale="da-DK", http_errors=False)
    _log_in(page, live_server.url, "teamleader")
    page.set_viewport_size({"width": 390, "height": 900})
    answer = page.goto(f"{live_server.url}/no-such-page/")
    assert answer.status == 404
    assert page.locator("#error-page h1").inner_text() == "Siden findes ikke"
    assert not page.evaluate(SIDEWAYS)
    assert page.evaluate(HEADER) == []
    assert errors == [], errors
