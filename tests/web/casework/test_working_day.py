"""My day that can be worked, caseloads the team leader can manage, "My children" that lists
the children in care (#15 items 2-4). Through the test client, on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from trappen.web.register import models as m

pytestmark = pytest.mark.django_db


def _placed(child, *, days_ago: int = 400) -> m.Episode:
    """A foster care placement (step 5) with no supervision visit recorded."""
    return m.Episode.objects.create(child=child, intervention_code="FOSTER_CARE", step=5,
                                    start_date=timezone.localdate() - dt.timedelta(days=days_ago))


def _notification(child, *, hours_ago: float) -> m.Notification:
    return m.Notification.objects.create(child=child, notifier_kind="school",
                                         received_at=timezone.now() - dt.timedelta(hours=hours_ago))


def _rows(resp) -> list[dict]:
    return [r for g in resp.context["groups"] for r in g["page"].object_list]


def test_supervision_duty_is_listed_once(client, scene):
    # two visits a year are both due on the placement year's last day: one duty, not two rows
    _placed(scene["mine"])
    client.force_login(scene["user"])
    resp = client.get(reverse("my_day"))
    supervision = [(r["duty_id"], r["due_local"]) for r in _rows(resp) if r["duty_id"] == "D12"]
    assert supervision
    assert len(supervision) == len(set(supervision)), supervision
    assert any(r["count"] == 2 for r in _rows(resp) if r["duty_id"] == "D12")


def test_my_day_groups_by_urgency_and_links_to_the_form(client, scene):
    child = scene["mine"]
    overdue = _notification(child, hours_ago=72)
    today = _notification(child, hours_ago=23.9 - 24 + 1)  # due within the next hours
    episode = _placed(child)
    client.force_login(scene["user"])
    resp = client.get(reverse("my_day"))
    assert resp.status_code == 200
    groups = {g["key"]: g for g in resp.context["groups"]}
    assert list(groups) == ["overdue", "today", "week", "later"]
    overdue_rows = groups["overdue"]["page"].object_list
    assert any(r["url"] == reverse("notification_assess", args=[overdue.pk]) for r in overdue_rows)
    due_today = timezone.localtime(today.received_at + dt.timedelta(hours=24)).date()
    if due_today == timezone.localdate():  # not at a day's last hour
        assert any(r["duty_id"] == "D1" for r in groups["today"]["page"].object_list)
    every = _rows(resp)
    assert any(r["url"] == reverse("supervision_visit_new", args=[episode.pk]) for r in every)
    body = resp.content.decode()
    assert 'id="group-overdue"' in body and reverse("notification_assess", args=[overdue.pk]) in body


def test_my_day_filters_and_bad_values_are_form_errors(client, scene):
    child = scene["mine"]
    _notification(child, hours_ago=72)
    _placed(child)
    client.force_login(scene["user"])
    resp = client.get(reverse("my_day"), {"duty": "D12"})
    assert resp.status_code == 200
    assert {r["duty_id"] for r in _rows(resp)} == {"D12"}
    resp = client.get(reverse("my_day"), {"source": "§ 136"})
    assert {r["duty_id"] for r in _rows(resp)} == {"D1", "D2"}  # both rest on § 136
    resp = client.get(reverse("my_day"), {"child": str(child.pk)})
    assert _rows(resp)
    for bad in ({"child": "abc"}, {"child": str(scene["outside"].pk)}, {"duty": "D99"}, {"source": "x"},
                {"page_overdue": "zz"}):
        resp = client.get(reverse("my_day"), bad)
        assert resp.status_code in (200, 400), bad
        if "page_overdue" not in bad:
            assert resp.status_code == 400 and resp.context["form"].errors, bad


def test_my_day_pages_each_group(client, scene):
    child = scene["mine"]
    for k in range(30):
        _notification(child, hours_ago=48 + k)
    client.force_login(scene["user"])
    resp = client.get(reverse("my_day"))
    overdue = resp.context["groups"][0]
    assert overdue["count"] == 30 and len(overdue["page"].object_list) == 25
    resp = client.get(reverse("my_day"), {"page_overdue": "2", "duty": "D1"})
    assert len(resp.context["groups"][0]["page"].object_list) == 5


def test_navigation_counts_overdue_and_today(client, scene):
    child = scene["mine"]
    _notification(child, hours_ago=72)
    _notification(child, hours_ago=50)
    client.force_login(scene["user"])
    body = client.get(reverse("overview")).content.decode()
    assert 'class="nav-count"' in body
    nav = client.get(reverse("overview")).context["nav"]
    my_day = next(row for row in nav if row["url"] == reverse("my_day"))
    assert my_day["count"] >= 2


def test_navigation_count_only_for_roles_with_deadlines(client, scene, make_user):
    partner = make_user("school", "partner")
    client.force_login(partner)
    nav = client.get(reverse("overview")).context["nav"]
    assert all("count" not in row for row in nav)


def test_team_leader_my_day_shows_the_team_with_caseworker(client, scene, make_child):
    other_child = make_child("N", name="Barn To")
    m.Assignment.objects.create(child=other_child, caseworker=scene["other_post"], start_date=dt.date(2024, 1, 1))
    _notification(scene["mine"], hours_ago=72)
    _notification(other_child, hours_ago=72)
    client.force_login(scene["leader"])
    resp = client.get(reverse("my_day"))
    assert resp.status_code == 200 and resp.context["team"]
    rows = _rows(resp)
    assert {r["caseworker"] for r in rows} == {"cw", "cw2"}
    resp = client.get(reverse("my_day"), {"caseworker": str(scene["other_post"].pk)})
    assert {r["child_id"] for r in _rows(resp)} == {other_child.pk}


def test_team_page_weighted_caseload_and_months(client, scene):
    _placed(scene["mine"])  # step 5 weighs 1.5 (kpi/data/caseload.toml)
    client.force_login(scene["leader"])
    resp = client.get(reverse("team"))
    rows = {r["caseworker"].pk: r for r in resp.context["rows"]}
    assert rows[scene["post"].pk]["weighted"] == 1.5
    months = resp.context["months"]
    assert len(months) == 12 and months[-1] == timezone.localdate()
    by_month = {r["username"]: r["counts"] for r in resp.context["by_month"]}
    assert [c["n"] for c in by_month["cw"]][-1] == 1


@pytest.fixture
def two_children(scene, make_child):
    second = make_child("N", name="Barn Tre")
    m.Assignment.objects.create(child=second, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
    return [scene["mine"], second]


def test_team_reassigns_several_children_at_once(client, scene, two_children, settings):
    settings.TRAPPEN_CASELOAD_TARGET = 25
    client.force_login(scene["leader"])
    on = timezone.localdate() + dt.timedelta(days=1)
    resp = client.post(reverse("team"), {"children": [c.pk for c in two_children],
                                         "caseworker_id": scene["other_post"].pk, "on": on.isoformat()})
    assert resp.status_code == 302
    for child in two_children:
        assert m.Assignment.objects.get(child=child, end_date=None).caseworker_id == scene["other_post"].pk
        assert m.Assignment.objects.filter(child=child).count() == 2  # history kept


def test_team_reassign_above_target_asks_first(client, scene, two_children, settings):
    settings.TRAPPEN_CASELOAD_TARGET = 1
    client.force_login(scene["leader"])
    on = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = {"children": [c.pk for c in two_children], "caseworker_id": scene["other_post"].pk, "on": on}
    resp = client.post(reverse("team"), data)
    assert resp.status_code == 200 and resp.context["confirm"]["children"] == 2
    page = resp.content.decode()  # the confirmation resubmits the chosen children
    assert all(f'<option value="{c.pk}" selected>' in page for c in two_children)
    assert m.Assignment.objects.filter(caseworker=scene["other_post"]).count() == 0  # nothing yet
    resp = client.post(reverse("team"), {**data, "confirmed": "on"})
    assert resp.status_code == 302
    assert m.Assignment.objects.filter(caseworker=scene["other_post"]).count() == 2


def test_team_reassign_is_all_or_nothing(scene, two_children):
    from trappen.errors import InvalidInput
    from trappen.web.casework import services as svc

    first, second = two_children
    # the second child is the target's already: refused, and the first is not moved either
    m.Assignment.objects.filter(child=second).update(caseworker=scene["other_post"])
    with pytest.raises(InvalidInput) as err:
        svc.children_reassign(actor=scene["leader"], child_ids=[first.pk, second.pk],
                              caseworker_id=scene["other_post"].pk, on=timezone.localdate())
    assert any(f"child {second.pk}" in p.message for p in err.value.problems)
    assert m.Assignment.objects.get(child=first).caseworker_id == scene["post"].pk
    assert m.Assignment.objects.filter(child=first).count() == 1


def test_team_reassign_refuses_children_outside_the_team(client, scene):
    client.force_login(scene["leader"])
    resp = client.post(reverse("team"), {"children": [scene["outside"].pk], "caseworker_id": scene["other_post"].pk,
                                         "on": timezone.localdate().isoformat()})
    assert resp.status_code == 422 and resp.context["form"].errors["children"]


def test_my_children_lists_only_children_in_care(client, scene, make_child):
    adult = make_child("N", name="Voksen", birth_date=dt.date(1999, 5, 1))  # lived here once, no case
    placed = make_child("N", name="Anbragt")
    _placed(placed)
    client.force_login(scene["leader"])
    resp = client.get(reverse("my_children"))
    shown = {row["child"].pk for row in resp.context["rows"]}
    assert adult.pk not in shown
    assert {scene["mine"].pk, placed.pk} <= shown
    row = next(r for r in resp.context["rows"] if r["child"].pk == placed.pk)
    assert row["step_name"] and row["step_name"] != "5"


def test_my_day_writes_the_session_only_when_its_count_changes(client, scene):
    """My day stored its count for the navigation in the session on every view, a database
    write per page (#14); now only a changed count is written, and the count stays right."""
    from django.contrib.sessions.models import Session

    child = scene["mine"]
    _notification(child, hours_ago=72)
    client.force_login(scene["user"])
    client.get(reverse("my_day"))
    key = client.session.session_key

    def saved() -> str:
        return Session.objects.get(session_key=key).session_data

    before = saved()
    client.get(reverse("my_day"))
    assert saved() == before  # the same count: nothing written
    _notification(child, hours_ago=30)
    client.get(reverse("my_day"))
    assert saved() != before  # a new overdue duty: the count is written
    nav = client.get(reverse("overview")).context["nav"]
    assert next(row for row in nav if row["url"] == reverse("my_day"))["count"] == 2


def test_open_actions_and_the_meeting_interval_are_duties_on_my_day(client, scene, settings):
    """#16: an agreed action past its due date and a child on step 2 with no cross-disciplinary
    meeting for three months are duties on the caseworker's My day, linked to the meeting and
    to planning one; holding the meeting and doing the action take them off."""
    from trappen.web.collaboration.models import Action, Meeting

    child, today = scene["mine"], timezone.localdate()
    m.Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=2,
                             start_date=today - dt.timedelta(days=120))
    meeting = Meeting.objects.create(child=child, kind="handover", held_on=today - dt.timedelta(days=40))
    action = Action.objects.create(meeting=meeting, child=child, text="Ring til skolen", owner=scene["user"],
                                   owner_kind="caseworker", due_on=today - dt.timedelta(days=2))
    client.force_login(scene["user"])
    rows = {r["duty_id"]: r for r in _rows(client.get(reverse("my_day")))}
    assert rows["C1"]["overdue"] and rows["C1"]["url"] == reverse("meeting_detail", args=[meeting.pk])
    assert rows["C2"]["overdue"] and rows["C2"]["url"] == reverse("collab_child", args=[child.pk])
    assert rows["C2"]["duty_name"] == "Tværfagligt møde med fast interval"
    assert rows["C2"]["legal_source"] == "Kommunens samarbejdsregel (Herning-modellen)"
    # the team leader's team page counts them among the team's overdue duties
    client.force_login(scene["leader"])
    team = {r["username"]: r for r in client.get(reverse("team")).context["rows"]}
    assert team["cw"]["overdue"] >= 2
    # the action done: it leaves My day; a cross-disciplinary meeting held: the next is due in 3 months
    Meeting.objects.create(child=child, kind="cross_disciplinary", held_on=today)
    Action.objects.filter(pk=action.pk).update(status="done", done_on=today)
    client.force_login(scene["user"])
    resp = client.get(reverse("my_day"))
    rows = {r["duty_id"]: r for r in _rows(resp)}
    assert "C1" not in rows and not rows["C2"]["overdue"]
    later = next(g for g in resp.context["groups"] if g["key"] == "later")
    assert "C2" in {r["duty_id"] for r in later["page"].object_list}
    # the municipality sets no interval: no meeting duty at all
    settings.TRAPPEN_MEETING_CADENCE_MONTHS = 0
    Meeting.objects.all().delete()
    assert "C2" not in {r["duty_id"] for r in _rows(client.get(reverse("my_day")))}


def test_the_meeting_duty_links_where_the_team_leader_may_go(client, scene):
    """Walk: the team leader's My day linked each C2 duty to the meeting form, which only a
    caseworker may use (403); it links to the child's collaboration page (purpose first)."""
    child, today = scene["mine"], timezone.localdate()
    m.Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=2,
                             start_date=today - dt.timedelta(days=120))
    client.force_login(scene["leader"])
    rows = [r for r in _rows(client.get(reverse("my_day"))) if r["duty_id"] == "C2"]
    response = client.get(rows[0]["url"])
    assert response.status_code == 200 or "purpose" in response["Location"]  # a child outside own cases
