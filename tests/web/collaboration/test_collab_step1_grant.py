"""The partner's step-1 guard is the permission table's (#16 item 6): a resource of its own,
``step1_support``/``create`` at scope linked, checked through trappen.web.scope; partners hold no
``intervention``/``create``, and the register's intervention_start has no partner special case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from trappen.privacy.roles import PARTNER_CREATE_STEPS, Scope, permission
from trappen.web.register.services import intervention_start


def test_the_table_grants_partners_step1_support_and_no_intervention_create():
    assert permission("partner", "step1_support", "create") == Scope.LINKED
    assert permission("partner", "intervention", "create") is None
    assert all(permission(r, "step1_support", "create") is None
               for r in ("caseworker", "teamleader", "analyst", "economist", "admin"))
    assert PARTNER_CREATE_STEPS == (1,)


def test_step1_support_authority_starts_step_1_only_for_the_partner(collab):
    child, teacher = collab["shared"], collab["teacher"]
    episode = intervention_start(actor=teacher, child=child, intervention_code="PALS_SCHOOL", step=1,
                                 start_date=dt.date.today(), provider="Nordskolen", authority="step1_support")
    assert (episode.step, episode.provider) == (1, "Nordskolen")
    with pytest.raises(PermissionDenied):  # not a step-1 support step
        intervention_start(actor=teacher, child=child, intervention_code="COS_P", step=2,
                           start_date=dt.date.today(), authority="step1_support")
    with pytest.raises(PermissionDenied):  # the general route: no intervention/create for partners
        intervention_start(actor=teacher, child=child, intervention_code="PALS_SCHOOL", step=1,
                           start_date=dt.date.today())
    with pytest.raises(PermissionDenied):  # the caseworker holds no step1_support grant
        intervention_start(actor=collab["user"], child=child, intervention_code="PALS_SCHOOL", step=1,
                           start_date=dt.date.today(), authority="step1_support")


def test_an_unshared_child_is_outside_the_linked_scope(collab):
    from django.http import Http404

    with pytest.raises((Http404, PermissionDenied)):
        intervention_start(actor=collab["teacher"], child=collab["unshared"], intervention_code="PALS_SCHOOL",
                           step=1, start_date=dt.date.today(), authority="step1_support")
