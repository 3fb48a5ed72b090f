"""The notification assessment page links to the notification's anonymous consultations
(/collaboration/notifications/<id>/consultations/) for who may link one (``consultation``/``change``,
scope own, permissions.toml): the responsible caseworker, before and after the assessment; not a
team leader (no grant) nor another caseworker of the district (the grant's scope is their own)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from trappen.web.register import models as m


@pytest.fixture
def notification(scene):
    return m.Notification.objects.create(child=scene["mine"], notifier_kind="school",
                                         received_at=timezone.now() - dt.timedelta(hours=3))


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    client.force_login(user)
    return client


def _link(notification) -> str:
    return f'href="/collaboration/notifications/{notification.pk}/consultations/"'


def test_the_responsible_caseworker_sees_the_link_and_it_opens(scene, notification):
    client = _client(scene["user"])
    url = f"/notifications/{notification.pk}/assess/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="link-consultation"' in html and _link(notification) in html
    assert "Tilknyt en anonym sparring" in html
    assert client.get(f"/collaboration/notifications/{notification.pk}/consultations/").status_code == 200
    # after the assessment, on the correction page too
    at = timezone.localtime(notification.received_at + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"assessed_at": at, "outcome": "investigation", "version": "0"}).status_code == 302
    assert _link(notification) in client.get(url).content.decode()


def test_roles_without_the_grant_for_the_child_do_not_see_it(scene, notification):
    leader = _client(scene["leader"])  # no consultation/change grant
    leader.post(f"/security/children/{scene['mine'].pk}/purpose/", {"purpose": "team_leader_review"})
    page = leader.get(f"/notifications/{notification.pk}/assess/")
    assert page.status_code == 200
    assert 'id="link-consultation"' not in page.content.decode()
    assert leader.get(f"/collaboration/notifications/{notification.pk}/consultations/").status_code == 403
    other = _client(m.Caseworker.objects.get(pk=scene["other_post"].pk).user)  # same district, not their case
    other.post(f"/security/children/{scene['mine'].pk}/purpose/", {"purpose": "colleague_cover"})
    page = other.get(f"/notifications/{notification.pk}/assess/")
    assert page.status_code == 200
    assert 'id="link-consultation"' not in page.content.decode()
