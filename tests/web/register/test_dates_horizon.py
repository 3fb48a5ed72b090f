"""Dates on every write lie within the child's life and the municipality's horizon
(TRAPPEN_MAX_FUTURE_DAYS); a far-future date already stored does not take the analytics down
(#14 item 3)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from trappen.errors import InvalidInput
from trappen.web.api.services import token_create
from trappen.web.register import models as m
from trappen.web.register.services import intervention_end, intervention_start


def _post(client, path, body):
    token = token_create(username="cw")
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_refuses_a_start_beyond_the_horizon_naming_field_and_value(client, scene):
    resp = _post(client, "/interventions", {"child_id": scene["mine"].pk, "intervention_code": "PALS_SCHOOL",
                                            "step": 1, "start_date": "9999-12-31"})
    assert resp.status_code == 422, resp.content
    problem = resp.json()["problems"][0]
    assert problem["field"] == "start_date" and problem["value"] == "9999-12-31"
    assert m.Episode.objects.count() == 0


def test_services_refuse_dates_beyond_the_horizon(scene, settings):
    settings.TRAPPEN_MAX_FUTURE_DAYS = 30
    today = dt.date.today()
    with pytest.raises(InvalidInput) as exc:
        intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PALS_SCHOOL", step=1,
                           start_date=today + dt.timedelta(days=31))
    assert exc.value.problems[0].field == "start_date"
    with pytest.raises(InvalidInput) as exc:
        intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PALS_SCHOOL", step=1,
                           start_date=today, planned_end=dt.date(9999, 12, 31))
    assert exc.value.problems[0].field == "planned_end"
    # a planned end may lie years ahead (a placement planned until 18), not after the child turns 23
    born = scene["mine"].birth_date
    with pytest.raises(InvalidInput) as exc:
        intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PALS_SCHOOL", step=1,
                           start_date=today, planned_end=born.replace(year=born.year + 23) + dt.timedelta(days=1))
    assert exc.value.problems[0].field == "planned_end"
    assert m.Episode.objects.count() == 0
    intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PALS_SCHOOL", step=1,
                       start_date=today, planned_end=born.replace(year=born.year + 18)).delete()
    episode = intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PALS_SCHOOL",
                                 step=1, start_date=today + dt.timedelta(days=30))
    with pytest.raises(InvalidInput) as exc:
        intervention_end(actor=scene["user"], episode=episode, end_date=dt.date(9999, 12, 31),
                         end_reason="goal_reached")
    assert exc.value.problems[0].field == "end_date" and exc.value.problems[0].value == "9999-12-31"
    assert m.Episode.objects.get().end_date is None


def test_analytics_survive_a_far_future_date_already_stored(client, loaded, make_user):
    from trappen.web.dashboards.selectors import cache_clear

    child = m.Child.objects.order_by("pk").first()
    m.Episode.objects.create(child=child, intervention_code="PALS_SCHOOL", step=1,
                             start_date=dt.date(9999, 12, 31))
    cache_clear()
    client.force_login(make_user("analyst1", "analyst"))
    try:
        for path in ("/dashboards/steps/", "/forecasts/", "/evaluation/"):
            assert client.get(path).status_code == 200, path
    finally:
        cache_clear()


def test_reassignment_beyond_the_horizon_is_refused(scene):
    from trappen.web.casework.services import child_reassign

    with pytest.raises(InvalidInput) as exc:
        child_reassign(actor=scene["leader"], child=scene["mine"], caseworker_id=scene["other_post"].pk,
                       on=dt.date(9999, 12, 31))
    assert [(p.field, p.value) for p in exc.value.problems] == [("on", "9999-12-31")]
    assert m.Assignment.objects.filter(start_date=dt.date(9999, 12, 31)).count() == 0


def test_the_start_form_names_a_start_beyond_the_horizon_on_its_field(client, scene):
    client.force_login(scene["user"])
    child = scene["mine"]
    response = client.post(f"/children/{child.pk}/interventions/new/", {
        "intervention_code": "PALS_SCHOOL", "step": "1", "start_date": "9999-12-31", "planned_end": "",
        "provider": "", "price": ""})
    assert response.status_code in (200, 422)
    errors = response.context["form"].errors.get("start_date", [])
    assert errors and "days ahead" in " ".join(errors), response.context["form"].errors
    assert m.Episode.objects.count() == 0


def test_analytics_survive_a_far_past_date_already_stored(client, loaded, make_user, make_child):
    from trappen.web.dashboards.selectors import cache_clear

    child = m.Child.objects.order_by("pk").first()
    m.Episode.objects.create(child=child, intervention_code="PALS_SCHOOL", step=1, start_date=dt.date(1, 1, 2))
    make_child(child.district_id, birth_date=dt.date(1, 1, 1))  # the forecast's age tables overflowed
    cache_clear()
    client.force_login(make_user("analyst1", "analyst"))
    try:
        for path in ("/dashboards/steps/", "/forecasts/", "/evaluation/"):
            assert client.get(path).status_code == 200, path
    finally:
        cache_clear()


def test_registering_a_child_born_in_year_one_is_refused(scene):
    from trappen.web.register.services import child_register

    with pytest.raises(InvalidInput) as exc:
        child_register(actor=scene["user"], name="Et Barn", cpr="010101-4002", birth_date=dt.date(1, 1, 1),
                       sex="F", district_code="N")
    assert [(p.field, p.value) for p in exc.value.problems if p.field == "birth_date"] == [
        ("birth_date", "0001-01-01")]
