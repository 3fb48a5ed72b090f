"""The access log pages show a stated purpose by its label and an event without a child as a
dash (found walking the demo: ``team_leader_review``, ``None``), and a long sharing-check purpose
wraps instead of widening the table past the screen."""

from __future__ import annotations

from django.test import Client
from tests.web.test_labels_on_pages import visible_text

from trappen.web.audit.services import audit_record


def test_access_logs_show_purpose_labels_and_no_none(scene):
    users, inside = scene["users"], scene["inside"].pk
    audit_record(actor=users["teamleader"], child_id=inside, action="read",
                 endpoint=f"/children/{inside}/", purpose="team_leader_review")
    audit_record(actor=users["admin"], child_id=None, action="read", endpoint="audit_search",
                 purpose="data_protection_review")
    for user, url in ((users["teamleader"], "/audit/team/"), (users["admin"], "/audit/team/"),
                      (users["admin"], "/audit/?start=2000-01-01")):
        client = Client()
        client.force_login(user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="da")
        assert response.status_code == 200
        text = visible_text(response.content.decode())
        assert "team_leader_review" not in text and "Ledelsestilsyn" in text, url
        assert "None" not in text, url
        if user is users["admin"]:
            assert "data_protection_review" not in text and "Databeskyttelseskontrol" in text, url
        assert 'class="purpose"' in response.content.decode()
        english = visible_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
        assert "Team leader review" in english
