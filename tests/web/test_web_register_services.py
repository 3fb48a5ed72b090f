"""Register services refuse bad input (naming field and value) and write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.errors import EscalationNeedsJustification, InvalidInput, StepNotAllowed
from trappen.web.audit.models import AuditEvent
from trappen.web.audit.services import audit_verify
from trappen.web.register.models import Child, Episode
from trappen.web.register.services import (
    child_current_step,
    child_register,
    intervention_end,
    intervention_start,
)

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 8)


@pytest.fixture
def worker(districts, make_user):
    return make_user("cw", "caseworker", ["N"])


@pytest.fixture
def child(districts, make_child, worker):
    """A child of district N whose case the worker holds (intervention/create: scope own)."""
    from trappen.web.register.models import Assignment, Caseworker, Team

    team = Team.objects.create(code="T1", name="Team 1", district_id="N")
    post = Caseworker.objects.create(district_id="N", team=team, start_date=dt.date(2020, 1, 1), user=worker)
    child = make_child("N")
    Assignment.objects.create(child=child, caseworker=post, start_date=dt.date(2020, 1, 1))
    return child


def test_child_register_encrypts_cpr_and_audits(worker):
    from trappen.web.register.crypto import cpr_cipher

    child = child_register(actor=worker, name="Ida Syntetisk", cpr="010315-4002",
                           birth_date=dt.date(2015, 3, 1), sex="F", district_code="N")
    stored = Child.objects.get(pk=child.pk)
    assert b"010315" not in bytes(stored.cpr_encrypted)
    assert cpr_cipher().decrypt(bytes(stored.cpr_encrypted)) == "0103154002"
    assert stored.residences.count() == 1
    assert AuditEvent.objects.filter(child_id=child.pk, action="write").count() == 1


def test_child_register_refuses_every_bad_field_and_writes_nothing(worker):
    with pytest.raises(InvalidInput) as err:
        child_register(actor=worker, name=" ", cpr="991399-1234", birth_date=dt.date(2999, 1, 1),
                       sex="X", district_code="NOPE")
    fields = {p.field: p.value for p in err.value.problems}
    assert set(fields) == {"name", "cpr", "sex", "birth_date", "district_code"}
    assert fields["sex"] == "X" and fields["district_code"] == "NOPE"
    assert "991399" not in str(err.value)  # a CPR number is never echoed
    assert Child.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_child_register_refuses_duplicate_cpr(worker):
    kwargs = dict(actor=worker, name="A", cpr="010315-4002", birth_date=dt.date(2015, 3, 1),
                  sex="F", district_code="N")
    child_register(**kwargs)
    with pytest.raises(InvalidInput, match="already registered"):
        child_register(**kwargs)
    assert Child.objects.count() == 1


def test_start_on_lowest_step_needs_no_reason(worker, child):
    episode = intervention_start(actor=worker, child=child, intervention_code="PPR_CONSULTATION",
                                 step=1, start_date=START)
    assert episode.pk and child_current_step(child, on=START) == 1
    assert child_current_step(child, on=START - dt.timedelta(days=1)) == 0


def test_escalation_without_justification_is_refused_and_writes_nothing(worker, child):
    intervention_start(actor=worker, child=child, intervention_code="PPR_CONSULTATION",
                       step=1, start_date=START)
    before = (Episode.objects.count(), AuditEvent.objects.count())
    with pytest.raises(EscalationNeedsJustification) as err:
        intervention_start(actor=worker, child=child, intervention_code="FOSTER_GENERAL",
                           step=5, start_date=START, justification={1: "tried for a year, no change"})
    assert err.value.missing_steps == [2, 3, 4]
    assert (Episode.objects.count(), AuditEvent.objects.count()) == before


def test_escalation_with_reasons_for_every_lower_step_is_stored(worker, child):
    reasons = {s: f"step {s} was tried and did not help" for s in (1, 2, 3, 4)}
    episode = intervention_start(actor=worker, child=child, intervention_code="FOSTER_GENERAL",
                                 step=5, start_date=START, justification=reasons, price="1200.50")
    episode.refresh_from_db()
    assert episode.justification == {str(s): r for s, r in reasons.items()}
    assert str(episode.price) == "1200.50"


def test_code_not_allowed_on_step_names_field_and_value(worker, child):
    with pytest.raises(StepNotAllowed) as err:
        intervention_start(actor=worker, child=child, intervention_code="PPR_CONSULTATION",
                           step=3, start_date=START, justification={1: "x" * 20, 2: "y" * 20})
    assert err.value.problems[0].field == "step" and err.value.problems[0].value == 3
    with pytest.raises(StepNotAllowed, match="NO_SUCH_CODE"):
        intervention_start(actor=worker, child=child, intervention_code="NO_SUCH_CODE",
                           step=1, start_date=START)
    assert Episode.objects.count() == 0


def test_start_refuses_bad_dates_and_price(worker, child):
    with pytest.raises(InvalidInput) as err:
        intervention_start(actor=worker, child=child, intervention_code="PPR_CONSULTATION", step=1,
                           start_date=dt.date(2014, 1, 1), planned_end=dt.date(2013, 1, 1), price=-5)
    assert {p.field for p in err.value.problems} == {"start_date", "planned_end", "price"}
    assert Episode.objects.count() == 0


def test_end_intervention_and_refusals(worker, child):
    episode = intervention_start(actor=worker, child=child, intervention_code="PPR_CONSULTATION",
                                 step=1, start_date=START)
    with pytest.raises(InvalidInput) as err:
        intervention_end(actor=worker, episode=episode, end_date=START, end_reason="bored")
    assert {(p.field, p.value) for p in err.value.problems} == {
        ("end_date", START.isoformat()), ("end_reason", "bored")}
    episode.refresh_from_db()
    assert episode.end_date is None
    intervention_end(actor=worker, episode=episode, end_date=START + dt.timedelta(days=30),
                     end_reason="goal_reached")
    assert child_current_step(child, on=START + dt.timedelta(days=30)) == 0
    with pytest.raises(InvalidInput, match="already ended"):
        intervention_end(actor=worker, episode=episode, end_date=START + dt.timedelta(days=40),
                         end_reason="other")


def test_analyst_cannot_write(districts, make_user, child):
    from django.core.exceptions import PermissionDenied

    analyst = make_user("an", "analyst")
    with pytest.raises(PermissionDenied):
        intervention_start(actor=analyst, child=child, intervention_code="PPR_CONSULTATION",
                           step=1, start_date=START)


def test_audit_chain_verifies_and_is_append_only(worker, child):
    from trappen.web.audit.models import AppendOnlyError

    for day in (START, START + dt.timedelta(days=1)):
        intervention_start(actor=worker, child=child, intervention_code="PPR_CONSULTATION",
                           step=1, start_date=day)
    assert audit_verify() == []
    event = AuditEvent.objects.first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    from django.db import DatabaseError, connection, transaction

    from trappen.web.audit.triggers import append_only_drop

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():  # the database refuses too
        AuditEvent.objects.filter(pk=event.pk).update(purpose="tampered")
    append_only_drop(connection)  # someone with DDL rights lifts the triggers (rolled back after)
    AuditEvent.objects.filter(pk=event.pk).update(purpose="tampered")
    assert [b.row_id for b in audit_verify()] == [event.pk]
