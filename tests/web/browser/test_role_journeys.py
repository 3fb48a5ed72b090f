"""Each role's main job end to end in a real Chromium, on a scene loaded like the demo (a small
generated register up to today, then the demo users), at 1366 px and at 390 px (#15 "Done means").

Every page a journey reaches goes through :func:`_check`: the navigation answered below 400, no
console error and no 4xx/5xx of any request, no raw code in the text a user reads (the codes of
the labels test), and no sideways scroll of the page (a wide table scrolls inside its own box).

- caseworker: My day (duties grouped), a duty's link, a child's case page, a child conversation
  recorded with its confirmation;
- team leader: the team page, children reassigned to the busiest caseworker (the above-target
  warning confirmed), the caseloads changed on the page; the team's My day;
- partner: their children, a notification about a synthetic CPR number and its receipt;
- analyst: a dashboard with its downloads, the forecast, the evaluation;
- economist: prices, investment cases;
- administrator: user administration, a new account, the DST deliveries, the access log.
"""

from __future__ import annotations

import re

import pytest
from tests.web.test_labels_on_pages import _danish_raw_codes, _raw_codes, visible_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"
RAW = _raw_codes()
# The demo speaks Danish: on the pages of a child's case the one-word codes (``school``) are raw
# too, as in the labels test; elsewhere they are words of English prose (a catalogue source).
CASE_RAW = RAW | _danish_raw_codes()
# A code shown on purpose next to its name, as the key a user types into a file (the economist's
# prices), is marked up as <code>: not a raw code.
SHOWN_CODE = re.compile(r"<code>.*?</code>", re.S)
# Small, so six roles at two widths stay within CI's budget; like the demo otherwise (its pilot
# districts give the team leader's team a second caseworker post).
CHILDREN, YEARS, SEED = 400, 3, 3


@pytest.fixture(scope="module")
def demo_register():
    from django.utils import timezone

    from trappen.synthetic import generate

    return generate(children=CHILDREN, years=YEARS, seed=SEED, end_date=timezone.localdate(),
                    pilot_districts=3, pilot_from=2021)


@pytest.fixture
def demo(db, demo_register):
    """The register and the demo logins, as ``trappen demo`` sets them up."""
    from trappen.web.accounts.services import demo_users_create
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(demo_register, seed=SEED)
    return demo_users_create()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def browser(request, live_server, open_browser, demo):
    """A Danish Chromium page at the width, and a ``visit`` that checks each page it reaches."""
    page, errors = open_browser(locale="da-DK")
    # a value an input cannot take (a Danish "07.12.2026" in a date field) is only a warning in
    # the console, yet the field shows empty and a required one blocks the form
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "warning" and "does not conform to the required format" in m.text else None)
    page.set_viewport_size({"width": request.param, "height": 900})
    return _Browser(page=page, errors=errors, base=live_server.url, width=request.param)


class _Browser:
    def __init__(self, *, page, errors: list[str], base: str, width: int) -> None:
        self.page, self.errors, self.base, self.width = page, errors, base, width
        self.raw = RAW

    def check(self, response, what: str) -> str:
        """The one check of every page: status, console, raw codes, sideways scroll. Returns
        the page's visible text."""
        page = self.page
        page.wait_for_load_state("load")
        where = f"{what} ({page.url} at {self.width} px)"
        assert response is not None, f"{where}: no navigation"
        assert response.status < 400, f"{where}: HTTP {response.status}"
        assert self.errors == [], f"{where}: {self.errors}"
        text = visible_text(SHOWN_CODE.sub(" ", page.content()))
        raw = sorted(self.raw & set(re.findall(r"[A-Za-z0-9_]+", text)))
        raw += re.findall(r"\bepisode \d+|to be checked", text)
        assert raw == [], f"{where}: raw codes {raw}"
        assert not page.evaluate(SIDEWAYS), (
            f"{where}: the page scrolls sideways "
            f"({page.evaluate('document.documentElement.scrollWidth')} > {self.width})")
        return text

    def visit(self, path: str, what: str) -> str:
        return self.check(self.page.goto(f"{self.base}{path}"), what)

    def follow(self, selector: str, what: str) -> str:
        """Click a link or a submit button and check the page it leads to."""
        with self.page.expect_navigation() as navigation:
            self.page.click(selector)
        return self.check(navigation.value, what)

    def log_in(self, username: str) -> None:
        if username in ("caseworker", "teamleader", "partner"):
            self.raw = CASE_RAW
        self.visit("/login/", "login")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"{username}-demo")
        self.follow("form.card button[type=submit]", "after login")
        assert self.page.url == f"{self.base}/overview/", self.page.url


def _caseloads(page) -> dict[str, int]:
    """Children per caseworker post as the team page shows them."""
    rows = page.eval_on_selector_all(
        "#team-caseloads tr[data-caseworker]",
        "rows => rows.map(r => [r.dataset.caseworker, r.cells[1].textContent.trim()])")
    return {post: int(re.match(r"\d+", n).group()) for post, n in rows}


def test_caseworker_day(browser):
    from trappen.web.register.models import ChildConversation

    page = browser.page
    browser.log_in("caseworker")
    browser.visit("/my-day/", "My day")
    assert page.locator("section.duty-group").count() >= 2  # overdue / today / this week / later
    assert page.locator("section.duty-group tr[data-duty]").count() > 0, "no duties on the demo's My day"
    browser.follow("section.duty-group tr[data-duty] a.button >> nth=0", "a duty's link")

    browser.visit("/my-day/", "My day")
    browser.follow("#my-day-children a >> nth=0", "case page")
    child_url = page.url
    assert re.search(r"/children/\d+/$", child_url), child_url
    before = ChildConversation.objects.count()
    browser.follow("#new-conversation", "child conversation form")
    page.fill("#id_held_on", page.evaluate("new Date().toISOString().slice(0, 10)"))
    page.select_option("#id_kind", "alone")
    browser.follow("main form.card button[type=submit]", "case page after recording")
    assert page.url == child_url
    assert page.locator("#messages").inner_text().strip(), "no confirmation after recording"
    assert ChildConversation.objects.count() == before + 1


def test_team_leader_reassigns(browser):
    page = browser.page
    browser.log_in("teamleader")
    browser.visit("/team/", "team page")
    loads = _caseloads(page)
    assert len(loads) >= 2, f"the demo team needs two caseworkers to reassign between: {loads}"
    target = max(loads, key=lambda p: loads[p])  # the busiest: above the target, a warning first
    name = page.locator(f"#team-caseloads tr[data-caseworker='{target}'] td").first.inner_text().strip()
    options = page.eval_on_selector_all("#id_children option", "os => os.map(o => [o.value, o.textContent])")
    moving = [value for value, label in options if not label.endswith(f"({name})")][:2]
    assert len(moving) == 2, options[:5]

    page.select_option("#id_children", moving)
    page.select_option("#id_caseworker_id", target)
    browser.follow("#reassign button[type=submit]", "team page, reassign")
    if page.locator("#reassign-confirm").count():
        assert page.eval_on_selector_all("#id_children option:checked", "os => os.map(o => o.value)") == moving
        browser.follow("#reassign button[type=submit]", "team page, reassign confirmed")
    assert page.locator("ul.messages").inner_text().strip(), "no confirmation after reassigning"
    after = _caseloads(page)
    assert after[target] == loads[target] + 2, (loads, after)
    assert sum(after.values()) == sum(loads.values())
    browser.visit("/my-day/", "team's My day")
    assert page.locator("section.duty-group").count() >= 2


def test_partner_notifies(browser):
    page = browser.page
    browser.log_in("partner")
    browser.visit("/children/", "partner's children")
    assert page.locator("main a[href^='/children/']").count() > 0, "the demo partner has no children"
    browser.visit("/notify/", "duty-to-notify form")
    page.fill("#id_cpr", "150612-4482")  # synthetic: not a real person's number
    page.fill("#id_name", "Et Barn")
    page.select_option("#id_notifier_kind", index=0)
    page.fill("#id_concern", "Kommer ofte sulten i skole.")
    browser.follow("#notify-form button[type=submit]", "receipt")
    assert page.url.endswith("/notify/sent/"), page.url
    receipt = page.locator("ul.messages").inner_text()
    assert re.search(r"\d", receipt), f"no receipt: {receipt!r}"
    assert page.locator("#notifications-sent tbody tr").count() == 1


def test_analyst_figures(browser):
    page = browser.page
    browser.log_in("analyst")
    browser.visit("/dashboards/", "dashboard")
    assert re.search(r"/dashboards/[\w-]+/$", page.url), page.url
    assert page.locator("#download-csv").count() == 1 and page.locator("#download-xlsx").count() == 1
    tabs = page.eval_on_selector_all(".dash-tabs a:not(.current)", "as => as.map(a => a.getAttribute('href'))")
    assert tabs, "one dashboard only"
    for href in tabs:
        browser.visit(href, "dashboard tab")
        assert page.locator("#download-csv").count() == 1
    browser.visit("/forecasts/", "forecast")
    browser.visit("/evaluation/", "evaluation")


def test_economist_money(browser):
    page = browser.page
    browser.log_in("economist")
    browser.visit("/economics/", "economics")
    browser.visit("/economics/prices/", "prices")
    assert page.locator("main table").count() > 0
    browser.visit("/investments/", "investment cases")


def test_admin_accounts(browser):
    from django.contrib.auth import get_user_model

    page = browser.page
    browser.log_in("admin")
    browser.visit("/users/", "user administration")
    assert page.locator("#account-table tr[data-username='caseworker']").count() == 1
    browser.follow("#new-account", "new account")
    username = f"analyst{browser.width}"
    page.fill("#id_username", username)
    page.fill("#id_password", "Et-syntetisk-kodeord-42")
    page.select_option("#id_role", "analyst")
    browser.follow("#account-form button[type=submit]", "after creating an account")
    assert page.locator("#messages").inner_text().strip(), "no confirmation after creating an account"
    assert get_user_model().objects.filter(username=username, is_active=True).exists()
    browser.visit("/dst/", "DST deliveries")
    browser.visit("/audit/?username=caseworker", "access log search")
