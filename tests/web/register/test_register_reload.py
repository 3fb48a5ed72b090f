"""Reloading the register over a used database: every register table is cleared (the order
comes from the models' foreign keys, so a new model cannot be forgotten), and users keep the
districts, teams, posts and partner links that the new register still has."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from trappen.synthetic import generate
from trappen.web.casework import services as svc
from trappen.web.register import models as m
from trappen.web.register.services import register_bulk_load

# transaction=True: the load must commit, or the deferred foreign-key checks never run
pytestmark = pytest.mark.django_db(transaction=True)


def _own_case(user, child: m.Child) -> m.Child:
    """Make ``child`` one of ``user``'s own cases (the writes' scope in permissions.toml is own):
    an assignment from yesterday to the user's caseworker post, made when the user has none."""
    post = m.Caseworker.objects.filter(user=user).first() or m.Caseworker.objects.create(
        district=child.district, team=m.Team.objects.filter(district=child.district).order_by("code").first(),
        start_date=dt.date(2000, 1, 1), user=user)
    m.Assignment.objects.create(child=child, caseworker=post, start_date=timezone.localdate() - dt.timedelta(days=1))
    return child


def _one_row_in_every_register_model(user) -> None:
    """Operational-only rows the analytic register has no table for, written by the services."""
    child = _own_case(user, m.Child.objects.filter(district__in=user.districts.all()).order_by("pk").first())
    today = timezone.localdate()
    svc.child_conversation_record(actor=user, child=child, held_on=today, kind="alone", notes="")
    plan = svc.plan_record(actor=user, child=child, made_on=today, goals=["A"])
    svc.plan_update(actor=user, plan=plan, made_on=today, goals=["B"], version=plan.version)
    notification = svc.notification_register(actor=user, child=child, notifier_kind="school",
                                             received_at=timezone.now() - dt.timedelta(hours=2))
    svc.notification_assess(actor=user, notification=notification, outcome="no_action",
                            assessed_at=timezone.now() - dt.timedelta(hours=1))
    svc.notification_assessment_correct(actor=user, notification=notification, outcome="investigation",
                                        assessed_at=timezone.now() - dt.timedelta(hours=1),
                                        version=notification.version)
    svc.complaint_record(actor=user, child=child, received_on=today)
    svc.case_close(actor=user, child=child, reason="Forløbet er afsluttet")
    svc.case_reopen(actor=user, child=child, reason="Ny underretning")
    empty = [model.__name__ for model in apps.get_app_config("register").get_models()
             if not model.objects.exists()]
    assert empty == []  # the test covers every register model there is


def test_reload_after_casework_in_every_table_works(loaded, make_user):
    user = make_user("cw-reload", "caseworker", [m.District.objects.order_by("code").first().code])
    _one_row_in_every_register_model(user)
    counts = register_bulk_load(loaded)  # failed with IntegrityError once a conversation existed
    assert counts["children"] == m.Child.objects.count() == loaded.children.height
    assert not m.ChildConversation.objects.exists()


def test_reload_after_a_child_conversation_works(loaded, make_user):
    user = make_user("cw-talk", "caseworker", [m.District.objects.order_by("code").first().code])
    child = _own_case(user, m.Child.objects.filter(district__in=user.districts.all()).order_by("-pk").first())
    svc.child_conversation_record(actor=user, child=child, held_on=timezone.localdate(), kind="alone")
    smaller = generate(children=120, years=2, seed=5)
    assert child.pk > smaller.children["child_id"].max()  # its child is gone after the load
    register_bulk_load(smaller)  # failed: FOREIGN KEY constraint failed
    assert m.Child.objects.count() == smaller.children.height
    # and when the ids happen to match, the old conversation must not land on a new child
    register_bulk_load(loaded)
    assert not m.ChildConversation.objects.exists()


def test_demo_on_a_used_database_keeps_users_links_and_resets_demo_users(loaded, make_user):
    from trappen.web.accounts.models import User
    from trappen.web.accounts.services import demo_database_replace, demo_users_create

    demo_users_create()
    demo_cw = User.objects.get(username="caseworker")
    child = _own_case(demo_cw, m.Child.objects.filter(district__in=demo_cw.districts.all()).order_by("pk").first())
    svc.child_conversation_record(actor=demo_cw, child=child, held_on=timezone.localdate(), kind="alone")
    # a real user with districts, a team, a caseworker post, and a partner with a linked child
    post = m.Caseworker.objects.filter(user=None).order_by("pk").first()  # a post no demo login holds
    district, team = post.district, post.team
    worker = make_user("kari", "caseworker", [district.code])
    worker.team = team
    worker.save()
    post.user = worker
    post.save()
    school = make_user("skole", "partner")
    school.linked_children.set([child])
    cpr_lookup = child.cpr_lookup

    counts, logins = demo_database_replace(loaded, seed=0)  # ProtectedError before: the demo user had acted

    assert counts["children"] == loaded.children.height and len(logins) == 7  # one login per role
    worker.refresh_from_db()
    assert list(worker.districts.values_list("code", flat=True)) == [district.code]
    assert worker.team.code == team.code
    assert m.Caseworker.objects.get(user=worker).pk == post.pk
    assert list(school.linked_children.values_list("cpr_lookup", flat=True)) == [cpr_lookup]
    assert User.objects.get(pk=demo_cw.pk).check_password("caseworker-demo")  # the same user, reset
    assert m.Caseworker.objects.filter(user=demo_cw).count() == 1


def test_links_to_what_the_new_register_lacks_are_dropped(loaded, make_user):
    worker = make_user("kari", "caseworker", [m.District.objects.order_by("code").first().code])
    m.District.objects.create(code="GONE", name="Nedlagt")
    worker.districts.add(m.District.objects.get(code="GONE"))
    register_bulk_load(loaded)
    assert "GONE" not in set(worker.districts.values_list("code", flat=True))
    assert worker.districts.count() == 1
