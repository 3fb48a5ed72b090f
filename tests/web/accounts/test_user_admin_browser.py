"""In a real Chromium, in Danish: the administrator opens user administration from the
navigation, is told what is wrong with a weak password, creates a caseworker on a free post and
sees the account in the list; the list fits a 390 px screen (the table scrolls in its box)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Trappe-trin-2026-blå"


def test_admin_creates_a_caseworker_and_sees_it_in_the_list(live_server, open_browser, make_user, districts):
    from trappen.web.accounts.models import User
    from trappen.web.audit.models import AuditEvent
    from trappen.web.register.models import Caseworker, Team

    team = Team.objects.create(code="T1", name="Team 1", district_id="N")
    post = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1))
    make_user("it_admin", "admin")
    page, errors = open_browser(locale="da-DK")
    page.goto(f"{live_server.url}/login/?next=/users/")
    page.fill("#id_username", "it_admin")
    page.fill("#id_password", "not-checked-in-tests")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/users/")
    assert page.locator("header nav a[href='/users/']").get_attribute("aria-current") == "page"
    assert page.locator("h1").inner_text() == "Brugeradministration"

    page.click("#new-account")
    page.fill("#id_username", "ny_sagsbehandler")
    page.fill("#id_password", "123")
    page.select_option("#id_role", "caseworker")
    page.check("#field-districts input[value='N']")
    page.select_option("#id_team", "T1")
    page.select_option("#id_post", str(post.pk))
    page.fill("#id_post_fte", "0.8")
    page.click("#account-form button[type=submit]")
    assert page.locator("#error-password").is_visible()  # Django's validators, in Danish
    assert not User.objects.filter(username="ny_sagsbehandler").exists()
    errors.remove(next(e for e in errors if e.startswith("422 ")))  # the refused form answers 422

    page.fill("#id_password", PASSWORD)
    page.click("#account-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/users/")
    assert "ny_sagsbehandler" in page.locator("#messages").inner_text()
    row = page.locator("#account-table tr[data-username='ny_sagsbehandler']")
    assert "Sagsbehandler" in row.inner_text() and "T1" in row.inner_text() and f"#{post.pk}" in row.inner_text()
    user = User.objects.get(username="ny_sagsbehandler")
    assert AuditEvent.objects.filter(endpoint="user_create", purpose__startswith=f"user {user.pk}:").exists()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page never scrolls sideways
    assert errors == [], errors
