"""The purpose prompt for opening a child outside one's own cases."""

from __future__ import annotations

from django.test import Client, RequestFactory

from trappen.web.audit.models import AuditEvent
from trappen.web.security.purpose import CHOOSABLE, purpose_or_prompt


def _request(client: Client, user: object) -> object:
    request = RequestFactory().get("/children/1/")
    request.user = user
    request.session = client.session
    return request


def test_own_case_needs_no_prompt_others_are_asked(scene):
    client = Client()
    client.force_login(scene["users"]["caseworker"])
    inside = scene["ids"]["in"]["child_id"]
    assert purpose_or_prompt(_request(client, scene["users"]["caseworker"]), inside) == ("own_case", None)
    leader = Client()
    leader.force_login(scene["users"]["teamleader"])
    code, prompt = purpose_or_prompt(_request(leader, scene["users"]["teamleader"]), inside)
    assert code == "" and prompt.status_code == 302
    assert prompt["Location"].startswith(f"/security/children/{inside}/purpose/?next=")


def test_the_chosen_purpose_is_remembered_for_the_session(scene):
    leader = Client()
    leader.force_login(scene["users"]["teamleader"])
    inside = scene["ids"]["in"]["child_id"]
    page = leader.get(f"/security/children/{inside}/purpose/", {"next": f"/children/{inside}/"})
    assert page.status_code == 200 and "Ledelsestilsyn" in page.content.decode()
    assert "Egen sag" not in page.content.decode()  # own case is not a choice
    bad = leader.post(f"/security/children/{inside}/purpose/", {"purpose": "own_case"})
    assert bad.status_code == 200
    ok = leader.post(f"/security/children/{inside}/purpose/",
                     {"purpose": "team_leader_review", "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok["Location"] == f"/children/{inside}/"  # no open redirect
    request = _request(leader, scene["users"]["teamleader"])
    assert purpose_or_prompt(request, inside) == ("team_leader_review", None)
    assert "team_leader_review" in CHOOSABLE


def test_a_next_that_is_not_a_path_goes_to_the_child_not_a_500(scene):
    leader = Client()
    leader.force_login(scene["users"]["teamleader"])
    inside = scene["ids"]["in"]["child_id"]
    for target in ("children", "javascript:alert(1)", "//evil.example/x", ""):
        ok = leader.post(f"/security/children/{inside}/purpose/",
                         {"purpose": "team_leader_review", "next": target})
        assert ok.status_code == 302 and ok["Location"] == f"/children/{inside}/", target


def test_a_stated_purpose_expires_after_the_configured_hours(scene, settings):
    """A purpose holds for PURPOSE_HOURS; after that the record asks for one again."""
    import datetime as dt

    from trappen.web.security.purpose import SESSION_KEY

    settings.PURPOSE_HOURS = 8
    leader = Client()
    leader.force_login(scene["users"]["teamleader"])
    inside = scene["ids"]["in"]["child_id"]
    leader.post(f"/security/children/{inside}/purpose/", {"purpose": "team_leader_review"})
    assert leader.get(f"/children/{inside}/").status_code == 200
    session = leader.session
    code, stated = session[SESSION_KEY][str(inside)]
    assert code == "team_leader_review"
    earlier = dt.datetime.fromisoformat(stated) - dt.timedelta(hours=8, minutes=1)
    session[SESSION_KEY] = {str(inside): [code, earlier.isoformat()]}
    session.save()
    again = leader.get(f"/children/{inside}/")
    assert again.status_code == 302 and "/purpose/" in again["Location"]


def test_a_purpose_for_a_child_out_of_scope_is_refused_and_logged(scene):
    client = Client()
    client.force_login(scene["users"]["caseworker"])
    outside = scene["ids"]["out"]["child_id"]
    response = client.post(f"/security/children/{outside}/purpose/", {"purpose": "colleague_cover"})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(child_id=outside, purpose__startswith="refused").count() == 1
