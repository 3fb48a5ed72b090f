"""A scene for security tests: two districts, one user per role, a child inside the users'
scope (district N, linked to the partner) and one outside (district S), each with an
intervention, a notification and an investigation, and an API token per role."""

from __future__ import annotations

import datetime as dt

import pytest

ROLES = ("caseworker", "teamleader", "partner", "analyst", "economist", "admin")


def _journal_rows(child: object, author: object) -> tuple[int, int]:
    from django.utils import timezone

    from trappen.web.journal.models import Decision, JournalNote

    now = timezone.now()
    note = JournalNote.objects.create(child=child, noted_on=dt.date(2025, 1, 5), kind="phone",
                                      text="Opringning fra skolen.", author=author, written_at=now,
                                      first_written_at=now)
    decision = Decision.objects.create(child=child, kind="grant", decided_on=dt.date(2025, 1, 6),
                                       grounds="Behovet er afdækket.", legal_basis="BL_32",
                                       legal_basis_section="Barnets Lov § 32", complaint_guidance="Klagevejledning",
                                       complaint_deadline_weeks=4, recorded_by=author, recorded_at=now)
    return note.pk, decision.pk


def _token(user: object) -> str:
    """A live read-and-write token, made directly: the scene's setup is not an audited action
    (``token_create``, which audits, is tested in test_api_tokens.py)."""
    import secrets

    from django.utils import timezone

    from trappen.web.api.models import ApiToken
    from trappen.web.api.services import token_hash

    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, token_sha256=token_hash(token), scopes="read write",
                            expires_at=timezone.now() + dt.timedelta(days=1))
    return token


@pytest.fixture
def scene(db, districts, make_user, make_child):
    from django.utils import timezone

    from trappen.web.register.models import (
        Assignment,
        Caseworker,
        Episode,
        Investigation,
        Notification,
        Team,
    )

    team = Team.objects.create(code="T1", name="Team 1", district_id="N")
    users = {}
    for role in ROLES:
        users[role] = make_user(f"u_{role}", role, ["N"] if role in ("caseworker", "teamleader") else [])
    users["caseworker"].team = team
    users["caseworker"].save()
    users["teamleader"].team = team
    users["teamleader"].save()
    post = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1),
                                     user=users["caseworker"])
    inside = make_child("N", name="Barn Inde")
    outside = make_child("S", name="Barn Ude")
    users["partner"].linked_children.set([inside])
    Assignment.objects.create(child=inside, caseworker=post, start_date=dt.date(2024, 1, 1))
    objects = {}
    for key, child in (("in", inside), ("out", outside)):
        episode = Episode.objects.create(child=child, intervention_code="HV_EXTRA_VISITS", step=1,
                                         start_date=dt.date(2025, 1, 1))
        notification = Notification.objects.create(
            child=child, received_at=timezone.now() - dt.timedelta(hours=2), notifier_kind="school")
        investigation = Investigation.objects.create(child=child, notification=notification,
                                                     aware_on=dt.date(2025, 1, 2),
                                                     started_on=dt.date(2025, 1, 3))
        objects[key] = {"child_id": child.pk, "episode_id": episode.pk,
                        "notification_id": notification.pk, "investigation_id": investigation.pk}
        objects[key]["case_id"] = 999_999  # no such investment case: allowed roles get 404
        # the case journal: one note and one decision per child (trappen.web.journal)
        objects[key]["note_id"], objects[key]["decision_id"] = _journal_rows(child, users["caseworker"])
        objects[key]["offer_id"] = "999999"  # no such offer: roles that may look get 404
        objects[key]["token_id"] = 999_999  # no such API token: revoking it changes nothing
        objects[key]["delivery_id"] = 999_999  # no such delivery to DST: the administrator gets 404
        objects[key]["approval_id"] = 999_999  # no such approval request: the team leader gets 404
        # no such meeting, action, consent, legal basis or minutes record (trappen.web.collaboration)
        for name in ("meeting_id", "action_id", "consent_id", "basis_id", "dispatch_id"):
            objects[key][name] = 999_999
        # an account (the caseworker's) and no account: the administrator gets 200 and 404
        objects[key]["user_id"] = users["caseworker"].pk if key == "in" else 999_999
    tokens = {role: _token(users[role]) for role in ROLES}
    return {"users": users, "inside": inside, "outside": outside, "ids": objects, "tokens": tokens,
            "team": team, "post": post}


@pytest.fixture
def write_scene(scene, make_child):
    """The scene's users with one child per relation a write can have to them: ``own`` (the
    caseworker's case, linked to the partner), ``district`` (district N, held by another post of
    the caseworker's team), ``other`` (district S) and ``linked`` (district S, linked to the
    partner, nobody's case). Each child has a running intervention, a notification and an
    investigation; ids per relation in ``ids``."""
    from django.utils import timezone

    from trappen.web.register.models import Assignment, Caseworker, Episode, Investigation, Notification

    colleague = Caseworker.objects.create(district_id="N", team=scene["team"], start_date=dt.date(2020, 1, 1))
    near = make_child("N", name="Barn Naboens")
    linked = make_child("S", name="Barn Tilknyttet")
    Assignment.objects.create(child=near, caseworker=colleague, start_date=dt.date(2024, 1, 1))
    scene["users"]["partner"].linked_children.add(linked)
    ids = {"own": scene["ids"]["in"], "other": scene["ids"]["out"]}
    for key, child in (("district", near), ("linked", linked)):
        episode = Episode.objects.create(child=child, intervention_code="HV_EXTRA_VISITS", step=1,
                                         start_date=dt.date(2025, 1, 1))
        notification = Notification.objects.create(
            child=child, received_at=timezone.now() - dt.timedelta(hours=2), notifier_kind="school")
        investigation = Investigation.objects.create(child=child, notification=notification,
                                                     aware_on=dt.date(2025, 1, 2), started_on=dt.date(2025, 1, 3))
        ids[key] = {"child_id": child.pk, "episode_id": episode.pk, "notification_id": notification.pk,
                    "investigation_id": investigation.pk}
    return scene | {"write_ids": ids}
