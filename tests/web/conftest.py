"""Fixtures for the web layer: a small synthetic register loaded through the real service,
users per role, a district pair for scoping tests."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from trappen.synthetic import generate


@pytest.fixture(scope="session")
def small_register():
    return generate(children=300, years=3, seed=1)


@pytest.fixture
def loaded(db, small_register):
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(small_register)
    return small_register


@pytest.fixture
def districts(db):
    from trappen.web.register.models import District

    return (District.objects.create(code="N", name="Nord"),
            District.objects.create(code="S", name="Syd"))


@pytest.fixture
def make_user(db):
    from trappen.web.accounts.services import user_create

    def make(username: str, role: str, districts: list[str] | None = None):
        return user_create(username=username, role=role, password="not-checked-in-tests",
                           district_codes=districts or [], validate=False)

    return make


@pytest.fixture
def make_child(db):
    from trappen.web.register.crypto import cpr_cipher
    from trappen.web.register.models import Child

    counter = iter(range(1000, 9999))

    def make(district: str, *, birth_date: dt.date = dt.date(2015, 3, 1), name: str = "Test Barn"):
        cpr = f"{birth_date:%d%m%y}-{next(counter)}"
        cipher = cpr_cipher()
        return Child.objects.create(name=name, birth_date=birth_date, sex="F", district_id=district,
                                    entry_date=birth_date, cpr_encrypted=cipher.encrypt(cpr),
                                    cpr_lookup=cipher.lookup_hash(cpr))

    return make


# A caseworker in district N with one child in N (and one in S, out of scope), used by the
# casework and API tests.
@pytest.fixture
def scene(db, districts, make_user, make_child):
    from trappen.web.register.models import Assignment, Caseworker, Team

    team = Team.objects.create(code="T1", name="Team 1", district_id="N")
    cw_user = make_user("cw", "caseworker", ["N"])
    cw_user.team = team
    cw_user.save()
    post = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1), user=cw_user)
    other_user = make_user("cw2", "caseworker", ["N"])
    other_post = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1),
                                           user=other_user)
    leader = make_user("leader", "teamleader", ["N"])
    leader.team = team
    leader.save()
    mine = make_child("N", name="Barn Nord")
    outside = make_child("S", name="Barn Syd")
    Assignment.objects.create(child=mine, caseworker=post, start_date=dt.date(2024, 1, 1))
    return {"user": cw_user, "post": post, "other_post": other_post, "leader": leader,
            "mine": mine, "outside": outside, "team": team}


_DB_FIXTURES = ("db", "transactional_db", "live_server", "django_db_reset_sequences")


@pytest.fixture(autouse=True)
def _audit_append_only_around_flush(request, django_db_blocker):
    """Keep the audit table's append-only triggers in place for every database test.

    After a transactional test Django empties the tables; on SQLite that is one ``DELETE`` per
    table, which the triggers refuse. So the triggers are lifted just before that flush (this
    fixture is set up after the database fixture, so it is torn down first) and put back at the
    start of the next database test. PostgreSQL flushes with ``TRUNCATE``, which row triggers
    do not see.
    """
    if not (request.node.get_closest_marker("django_db")
            or any(name in request.fixturenames for name in _DB_FIXTURES)):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from trappen.web.audit.triggers import append_only_create, append_only_drop

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            append_only_create(connection)
    yield
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite" and connection.in_atomic_block is False:
            append_only_drop(connection)


@pytest.fixture(autouse=True)
def _browser_required_in_ci(request):
    """In CI a browser test never skips for want of Chromium: it fails (runs before the skip)."""
    if (request.node.get_closest_marker("browser") and os.environ.get("CI") == "true"
            and not Path("/usr/bin/chromium").exists()):
        pytest.fail("browser tests are required in CI: apt-get install chromium")


def _wait_for_live_server_sessions() -> None:
    """Wait (bounded) until the live server's request threads have closed their PostgreSQL
    sessions, so the test database can be dropped. Nothing is killed: the live server is shared
    by every browser test, and terminating its sessions breaks the next test's requests."""
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)


@pytest.fixture
def close_live_server_sessions():
    """The callable a browser fixture runs after closing its browser."""
    return _wait_for_live_server_sessions


@pytest.fixture(scope="session", autouse=True)
def _end_stray_sessions_before_teardown(django_db_setup, django_db_blocker):
    """After the last web test (the live server is stopped by then), end any session a server
    thread left open, so the PostgreSQL test database can be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def open_browser(settings):
    """Debian's Chromium driven by Playwright, for tests against pytest-django's live server.

    Yields ``open_page(*, locale, http_errors=True) -> (page, errors)``: ``errors`` collects
    console errors (script errors, CSP violations) and, with ``http_errors``, every 4xx/5xx
    response. Afterwards the browser is closed and the live server's sessions are waited for.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there
    # unless told it is safe (the live server runs in its own thread).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-gpu"])

        def open_page(*, locale: str, http_errors: bool = True):
            page = browser.new_page(viewport={"width": 1200, "height": 900}, locale=locale)
            errors: list[str] = []
            if http_errors:
                page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("console", lambda m: errors.append(m.text)
                    if m.type == "error" and "Failed to load resource" not in m.text else None)
            return page, errors

        try:
            yield open_page
        finally:
            browser.close()
            connections.close_all()  # ORM calls made in this thread hold their own connection
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    _wait_for_live_server_sessions()


@pytest.fixture
def approvals_off(settings, tmp_path):
    """A municipality whose delegation lets caseworkers place without approval (an approvals file
    with no step rules): for tests of the intervention form's own mechanics (escalation reasons,
    step-ups). The approval flow itself: tests/web/approvals."""
    from trappen.web import rules

    path = tmp_path / "approvals.toml"
    path.write_text('source = "test: no step needs approval"\n', encoding="utf-8")
    settings.TRAPPEN_APPROVALS_FILE = str(path)
    rules.approvals.cache_clear()
    yield path
    rules.approvals.cache_clear()
