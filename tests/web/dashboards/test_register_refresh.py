"""The dashboards' analytic register: rebuilt on a write at once, and after ``REFRESH_SECONDS``
in the background while the kept one answers (#14: under load, request threads rebuilt a
20,000-child snapshot side by side every minute, and a dashboard waited seconds for it)."""

from __future__ import annotations

import threading

import pytest
from django.utils import timezone

from trappen.web.dashboards import selectors as sel
from trappen.web.register import models as m


@pytest.fixture
def fresh_cache(transactional_db, small_register):
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(small_register)
    sel.cache_clear()
    yield
    for thread in threading.enumerate():
        if thread.name == "dashboard-refresh":
            thread.join(timeout=60)
    sel.cache_clear()


def _refreshes() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "dashboard-refresh"]


def test_a_stale_register_answers_while_it_is_rebuilt_in_the_background(fresh_cache):
    first, version = sel.analytic_register()
    assert sel.analytic_register()[0] is first and not _refreshes()  # kept, nothing rebuilt
    sel._register_cache["at"] = float(sel._register_cache["at"]) - sel.REFRESH_SECONDS - 1  # ten minutes on
    kept, same = sel.analytic_register()
    assert kept is first and same == version  # answered at once with the kept register
    started = float(sel._register_cache["at"])
    assert sel.analytic_register()[0] in (first, sel._register_cache["register"])
    assert float(sel._register_cache["at"]) >= started  # one refresh per period, not one per request
    for thread in _refreshes():
        thread.join(timeout=60)
    rebuilt, again = sel.analytic_register()
    assert rebuilt is not first and again == version  # rebuilt in the background
    assert rebuilt.children.height == first.children.height


def test_a_write_rebuilds_the_register_before_the_next_answer(fresh_cache):
    first, version = sel.analytic_register()
    child = m.Child.objects.order_by("pk").first()
    m.Episode.objects.create(child=child, step=1, start_date=child.birth_date, intervention_code="S1")
    second, changed = sel.analytic_register()
    assert changed != version and second is not first
    assert second.episodes.height == first.episodes.height + 1


def test_the_version_is_checked_at_most_every_few_seconds(fresh_cache, settings):
    """The fingerprint scans every table the dashboards read: in production it is asked at most every
    TRAPPEN_DASHBOARD_CHECK_SECONDS, so a write shows within that time, not at once."""
    settings.TRAPPEN_DASHBOARD_CHECK_SECONDS = 5
    first, version = sel.analytic_register()
    child = m.Child.objects.order_by("pk").first()
    m.Episode.objects.create(child=child, step=1, start_date=child.birth_date, intervention_code="S1")
    assert sel.analytic_register() == (first, version)  # checked a moment ago: not asked again
    when, _ = sel._register_cache["checked"]
    sel._register_cache["checked"] = (when - 5, version)  # five seconds on
    second, changed = sel.analytic_register()
    assert changed != version and second.episodes.height == first.episodes.height + 1


def test_the_version_sees_new_notifications_and_corrected_records(fresh_cache):
    """The deadlines dashboard reads notifications, investigations and plans: a new one, and an
    assessment or conclusion (an edit that bumps the record's version), change the version."""
    version = sel.register_version()
    child = m.Child.objects.order_by("pk").first()
    n = m.Notification.objects.create(child=child, notifier_kind="school", received_at=timezone.now())
    after_insert = sel.register_version()
    assert after_insert != version
    m.Notification.objects.filter(pk=n.pk).update(version=n.version + 1, outcome="no_action",
                                                  assessed_at=timezone.now())
    assert sel.register_version() != after_insert
