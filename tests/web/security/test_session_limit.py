"""An absolute session limit on top of the idle timeout (#14 item 5): a session in use all day
still ends ``TRAPPEN_SESSION_MAX_HOURS`` after the login."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings

from trappen.web.security.session_limit import LOGIN_AT


def _age_session(client, hours: float) -> None:
    session = client.session
    session[LOGIN_AT] = int(time.time() - hours * 3600)
    session.save()


def test_default_is_ten_hours():
    assert settings.SESSION_MAX_HOURS == 10


def test_login_time_is_recorded_and_a_session_within_the_limit_goes_on(client, scene):
    client.force_login(scene["users"]["caseworker"])
    assert client.get("/overview/").status_code == 200
    assert abs(client.session[LOGIN_AT] - time.time()) < 60
    _age_session(client, 9.5)
    assert client.get("/overview/").status_code == 200


def test_a_session_past_the_limit_is_logged_out_with_a_notice(client, scene):
    client.force_login(scene["users"]["caseworker"])
    client.get("/overview/")
    _age_session(client, 10.1)
    response = client.get(f"/children/{scene['inside'].pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Du har været logget ind i den længst tilladte tid" in page
    assert client.get("/overview/").status_code == 302  # still logged out


def test_login_through_the_form_starts_the_clock(client, make_user):
    user = make_user("anne", "caseworker", [])
    user.set_password("correct horse battery staple")
    user.save()
    client.post("/login/", {"username": "anne", "password": "correct horse battery staple"})
    assert abs(client.session[LOGIN_AT] - time.time()) < 60


def test_the_idle_clock_restarts_at_most_once_a_minute(client, scene):
    """Every request used to save the session (a database write per page); now a request
    restarts the idle clock (a new expiry) only when the last restart is a minute old."""
    from django.contrib.sessions.models import Session

    from trappen.web.security.session_limit import SEEN_AT, TOUCH_SECONDS

    client.force_login(scene["users"]["caseworker"])
    client.get("/overview/")
    key = client.session.session_key

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    first = expiry()
    client.get("/overview/")
    assert expiry() == first  # within the minute: not written again
    session = client.session
    session[SEEN_AT] = int(time.time()) - TOUCH_SECONDS
    session.save()
    saved = expiry()
    time.sleep(1.1)
    client.get("/overview/")
    assert expiry() > saved  # a minute on: the idle clock restarts
    assert expiry() - saved < dt.timedelta(seconds=TOUCH_SECONDS)
