"""End to end in a real Chromium: a caseworker plans a meeting with a school and assigns an
action to the teacher; the teacher (a partner acting for the school) sees it on their My day and
marks it done; for a linked child with no consent the teacher gets a clear refusal."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "not-checked-in-tests")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/overview/")


def test_meeting_action_for_the_teacher_and_refusal_without_consent(live_server, open_browser, collab):
    from trappen.web.collaboration.models import Action, Meeting

    base = live_server.url
    shared, unshared = collab["shared"], collab["unshared"]
    page, errors = open_browser(locale="en-GB")
    _login(page, base, "cw")
    page.goto(f"{base}/collaboration/children/{shared.pk}/")
    page.click(f"a[href='/collaboration/children/{shared.pk}/meetings/new/']")
    page.select_option("#id_kind", "cross_disciplinary")
    page.fill("#id_held_on", dt.date.today().isoformat())
    page.check(f"input[name=organisations][value='{collab['school'].pk}']")
    page.fill("#id_parents", "Mor\nFar")
    page.check("#id_child_takes_part")
    page.click("#meeting-form button[type=submit]")
    meeting = Meeting.objects.get(child=shared)
    page.wait_for_url(f"{base}/collaboration/meetings/{meeting.pk}/")
    assert page.locator("#participants").inner_text().count("Nordskolen") == 1
    page.fill("#id_text", "Trivselssamtale med eleven")
    page.select_option("#id_owner", str(collab["teacher"].pk))
    page.fill("#id_due_on", (dt.date.today() + dt.timedelta(days=5)).isoformat())
    page.click("#action-form button[type=submit]")
    page.wait_for_url(f"{base}/collaboration/meetings/{meeting.pk}/")
    assert "Trivselssamtale med eleven" in page.locator("#actions").inner_text()

    teacher, teacher_errors = open_browser(locale="en-GB", http_errors=False)
    _login(teacher, base, "teacher")
    teacher.click("nav a[href='/collaboration/']")
    teacher.wait_for_url(f"{base}/collaboration/")
    row = teacher.locator("#my-actions tr", has_text="Trivselssamtale med eleven")
    assert row.count() == 1 and shared.name in row.inner_text()
    row.locator("button[type=submit]").click()
    teacher.wait_for_url(f"{base}/collaboration/")
    assert "Trivselssamtale med eleven" not in teacher.locator("#my-actions").inner_text()
    assert Action.objects.get().status == "done"

    teacher.goto(f"{base}/collaboration/children/{unshared.pk}/")
    refusal = teacher.locator("#sharing-refused")
    assert refusal.is_visible() and "no valid consent" in refusal.inner_text()
    assert unshared.name not in teacher.content()
    assert not errors
    assert not [e for e in teacher_errors if "403" not in e]


def test_minutes_reach_the_teacher_within_the_consent(live_server, open_browser, collab):
    from trappen.web.collaboration import services as svc

    base = live_server.url
    meeting = svc.meeting_plan(actor=collab["user"], child=collab["shared"], kind="cross_disciplinary",
                               held_on=dt.date.today(), organisation_ids=[collab["school"].pk],
                               others=[("parent", "Mor")])
    page, errors = open_browser(locale="en-GB")
    _login(page, base, "cw")
    page.goto(f"{base}/collaboration/meetings/{meeting.pk}/")
    if not page.locator("#id_decisions").is_visible():
        page.click("#minutes summary")
    page.fill("#id_child_view", "Vil gerne have ro i frikvarteret")
    page.fill("#id_parents_view", "Ønsker tæt kontakt med skolen")
    page.fill("#id_decisions", "Skolen laver en trivselsplan")
    page.click("#minutes-form button[type=submit]")
    page.wait_for_url(f"{base}/collaboration/meetings/{meeting.pk}/")
    assert page.locator("#dispatches tr.dispatch-recorded").count() == 1  # Mor: Digital Post, recorded

    teacher, _errors = open_browser(locale="en-GB")
    _login(teacher, base, "teacher")
    teacher.goto(f"{base}/collaboration/")
    teacher.locator("#my-minutes a[href^='/collaboration/minutes/']").first.click()
    text = teacher.locator("#minutes-copy").inner_text()
    assert "Skolen laver en trivselsplan" in text
    assert "Ønsker tæt kontakt med skolen" not in text and "Vil gerne have ro" not in text
    assert "The parents' view" in teacher.locator("#minutes-withheld").inner_text()
    assert not errors
