"""Linking an anonymous consultation to the notification that followed it, on a page (#16 item 4):
candidates by partner kind, age band and the months before, never an identity; link and
unlink audited; the KPI "notifications preceded by a consultation" counts the links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from trappen.web.audit.models import AuditEvent
from trappen.web.collaboration.models import Consultation
from trappen.web.register.models import Notification


def _consultation(collab, *, days_before, age, kind="school", notification=None):
    received = timezone.localdate() - dt.timedelta(days=10)
    return Consultation.objects.create(held_on=received - dt.timedelta(days=days_before), age=age, concern="wellbeing",
                                       partner_kind=kind, advice="Tal med forældrene", outcome="notify",
                                       organisation=collab["school"], recorded_by=collab["teacher"],
                                       notification=notification)


@pytest.fixture
def case(collab):
    received = timezone.now() - dt.timedelta(days=10)
    notification = Notification.objects.create(child=collab["shared"], notifier_kind="school", received_at=received)
    born = collab["shared"].birth_date
    day = timezone.localdate() - dt.timedelta(days=10)
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    other = Notification.objects.create(child=collab["unshared"], notifier_kind="school", received_at=received)
    rows = {"match": _consultation(collab, days_before=30, age=age),
            "daycare": _consultation(collab, days_before=30, age=age, kind="daycare"),
            "older": _consultation(collab, days_before=30, age=age + 5),
            "after": _consultation(collab, days_before=-5, age=age),
            "too_early": _consultation(collab, days_before=400, age=age),
            "elsewhere": _consultation(collab, days_before=30, age=age, notification=other)}
    return {**collab, "notification": notification, "c": rows, "url":
            f"/collaboration/notifications/{notification.pk}/consultations/"}


def _shown(html):
    import re

    return {int(x) for x in re.findall(r'data-consultation="(\d+)"', html)}


def test_candidates_match_kind_age_and_window_and_show_no_identity(case, client_for):
    client = client_for(case["user"])
    page = client.get(case["url"])
    assert page.status_code == 200
    c = case["c"]
    assert _shown(page.content.decode()) == {c["match"].pk}
    assert _shown(client.get(case["url"] + "?wide=1").content.decode()) == {c["match"].pk, c["daycare"].pk,
                                                                            c["older"].pk}
    # the child's collaboration page links to it
    staff = client.get(f"/collaboration/children/{case['shared'].pk}/").content.decode()
    assert case["url"] in staff


def test_link_and_unlink_on_the_page_are_audited(case, client_for):
    client = client_for(case["user"])
    c = case["c"]
    assert client.post(case["url"], {"form": "link", "consultation": c["match"].pk}).status_code == 302
    c["match"].refresh_from_db()
    assert c["match"].notification_id == case["notification"].pk
    event = AuditEvent.objects.filter(endpoint="consultation_link").order_by("-id").first()
    assert event.child_id == case["shared"].pk and f"consultation {c['match'].pk}" in event.purpose
    page = client.get(case["url"]).content.decode()
    assert 'name="form" value="unlink"' in page
    # one linked elsewhere, or held after the notification: refused with a message, nothing written
    for key in ("elsewhere", "after"):
        client.post(case["url"], {"form": "link", "consultation": c[key].pk})
        c[key].refresh_from_db()
        assert c[key].notification_id != case["notification"].pk
    assert client.post(case["url"], {"form": "unlink", "consultation": c["match"].pk}).status_code == 302
    c["match"].refresh_from_db()
    assert c["match"].notification_id is None
    assert AuditEvent.objects.filter(endpoint="consultation_unlink", child_id=case["shared"].pk).exists()


@pytest.mark.parametrize("who", ["caseworker2", "leader", "teacher"])
def test_only_the_responsible_caseworker_links(case, client_for, who, make_user):
    from django.contrib.auth import get_user_model

    from trappen.web.security.purpose import SESSION_KEY

    user = {"leader": case["leader"], "teacher": case["teacher"]}.get(who) or get_user_model().objects.get(
        username="cw2")
    client = client_for(user)
    session = client.session
    session[SESSION_KEY] = {str(case["shared"].pk): ["team_leader_review" if who == "leader" else "colleague_cover",
                                                     timezone.now().isoformat()]}
    session.save()
    response = client.post(case["url"], {"form": "link", "consultation": case["c"]["match"].pk})
    assert response.status_code == (404 if who == "teacher" else 403)
    case["c"]["match"].refresh_from_db()
    assert case["c"]["match"].notification_id is None


def test_the_kpi_counts_links_made_on_the_page(collab, client_for, make_child):
    from trappen.web.collaboration.overview import collaboration_kpis
    from trappen.web.register.models import Assignment

    client = client_for(collab["user"])
    received = timezone.now() - dt.timedelta(days=10)
    for i in range(6):
        child = make_child("N", name=f"Barn {i}")
        Assignment.objects.create(child=child, caseworker=collab["post"], start_date=dt.date(2024, 1, 1))
        n = Notification.objects.create(child=child, notifier_kind="school", received_at=received)
        row = _consultation(collab, days_before=20, age=9)
        if i < 5:
            assert client.post(f"/collaboration/notifications/{n.pk}/consultations/",
                               {"form": "link", "consultation": row.pk}).status_code == 302
    share = collaboration_kpis(collab["leader"], today=timezone.localdate())["preceded"]
    linked = Consultation.objects.exclude(notification=None).count()
    assert linked == 5 and share.numerator == 5 and share.denominator == Notification.objects.count() == 6
