"""End to end in a real Chromium: a caseworker registers and assesses a notification, opens
and concludes an investigation, starts a step-5 intervention for a child on step 0 (refused
without justification, accepted with it), records a follow-up and moves the child down to 3."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "docs" / "img"


@pytest.fixture
def browser_page(open_browser):
    return open_browser(locale="en-GB", http_errors=False)


def _submit(page) -> None:
    page.click("main form.card button[type=submit]")
    page.wait_for_load_state()


def test_casework_journey(live_server, browser_page, districts, make_user, make_child, approvals_off):
    from django.utils import timezone

    from trappen.web.register import models as m

    today = timezone.localdate()
    day = lambda n: (today - dt.timedelta(days=n)).isoformat()  # noqa: E731
    team = m.Team.objects.create(code="T1", name="Team 1", district_id="N")
    user = make_user("caseworker1", "caseworker", ["N"])
    post = m.Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1), user=user)
    child = make_child("N", name="Journey Barn")
    m.Assignment.objects.create(child=child, caseworker=post, start_date=dt.date(2024, 1, 1))

    page, errors = browser_page
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "caseworker1")
    page.fill("#id_password", "not-checked-in-tests")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/overview/")

    page.goto(f"{base}/my-day/")
    page.click(f"#my-day-children a[href='/children/{child.pk}/']")
    casework = f"{base}/children/{child.pk}/"  # the case page: timeline and casework in one
    page.wait_for_url(casework)

    # register a notification: the 24-hour clock is shown at once
    page.click("#new-notification")
    page.fill("#id_received_at", f"{day(20)}T09:15")
    page.select_option("#id_notifier_kind", "school")
    _submit(page)
    page.wait_for_url(casework)
    n = m.Notification.objects.get(child=child)
    due = timezone.localtime(n.received_at + dt.timedelta(hours=24))
    assert page.locator("#notifications .clock").first.inner_text().strip() == f"{due:%Y-%m-%d %H:%M}"

    # assess it
    page.click("#notifications a.assess")
    page.fill("#id_assessed_at", f"{day(20)}T11:00")
    page.select_option("#id_outcome", "investigation")
    _submit(page)
    page.wait_for_url(casework)
    n.refresh_from_db()
    assert n.outcome == "investigation"

    # open an investigation: the 4-month clock is shown; then conclude it
    page.click("#new-investigation")
    page.fill("#id_started_on", day(19))
    page.select_option("#id_notification_id", str(n.pk))
    _submit(page)
    page.wait_for_url(casework)
    from trappen.deadlines import add_months

    assert page.locator("#investigations .clock").first.inner_text().strip() == add_months(
        today - dt.timedelta(days=20), 4).isoformat()
    page.click("#investigations a.conclude")
    page.fill("#id_concluded_on", day(5))
    _submit(page)
    page.wait_for_url(casework)
    assert m.Investigation.objects.get().concluded_on == today - dt.timedelta(days=5)

    # step 5 for a child on step 0: refused without justification ...
    page.click("#new-intervention")
    page.select_option("#id_intervention_code", "FOSTER_GENERAL")
    page.select_option("#id_step", "5")
    page.fill("#id_start_date", day(4))
    _submit(page)
    assert "/interventions/new/" in page.url
    assert "step 5" in page.locator("form.card").inner_text()
    assert m.Episode.objects.count() == 0
    # ... accepted with it
    for step in range(1, 5):
        page.fill(f"#id_reason_{step}", f"Step {step} was considered and does not meet the need")
    _submit(page)
    page.wait_for_url(f"{base}/children/{child.pk}/")
    foster = m.Episode.objects.get()
    assert foster.step == 5 and set(foster.justification) == {"1", "2", "3", "4"}

    # record a follow-up
    page.goto(casework)
    page.click(f"#episodes tr[data-episode='{foster.pk}'] a.follow-up")
    page.fill("#id_held_on", day(2))
    _submit(page)
    page.wait_for_url(casework)
    assert m.FollowUp.objects.get().held_on == today - dt.timedelta(days=2)

    # move the child down to step 3: start family treatment, end the foster care
    page.click("#new-intervention")
    page.select_option("#id_intervention_code", "FAMILY_TREATMENT")
    page.select_option("#id_step", "3")
    page.fill("#id_start_date", day(0))
    _submit(page)
    page.wait_for_url(f"{base}/children/{child.pk}/")
    page.goto(casework)
    page.click(f"#episodes tr[data-episode='{foster.pk}'] a.end")
    page.fill("#id_end_date", day(0))
    page.select_option("#id_end_reason", "moved_down")
    _submit(page)
    page.wait_for_url(f"{base}/children/{child.pk}/")
    page.goto(casework)
    step_now = page.locator("#current-step .step-now").inner_text().lower()
    assert "step 3" in step_now or "trin 3" in step_now
    if os.environ.get("TRAPPEN_SCREENSHOT"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(f"{base}/my-day/")
        page.screenshot(path=str(SHOTS / "my_day.png"), full_page=True)
    assert errors == [], errors
