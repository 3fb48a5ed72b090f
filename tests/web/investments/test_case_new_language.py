"""A new investment case starts from a worked example in the user's language (found walking the
demo: the Danish form opened on "Herning pilot: 4 extra caseworkers ..." with an English
description)."""

from __future__ import annotations

import re

from django.test import Client


def _name_field(html: str) -> str:
    found = re.search(r'<input[^>]*name="name"[^>]*value="([^"]*)"', html) or re.search(
        r'<input[^>]*value="([^"]*)"[^>]*name="name"', html)
    assert found, "no name field"
    return found.group(1)


def test_a_new_case_starts_in_the_users_language(db, make_user):
    client = Client()
    client.force_login(make_user("u_economist", "economist"))
    danish = client.get("/investments/new/", HTTP_ACCEPT_LANGUAGE="da")
    assert danish.status_code == 200
    assert _name_field(danish.content.decode()) == "Flere sagsbehandlere: 25 børn pr. rådgiver"
    english = client.get("/investments/new/", HTTP_ACCEPT_LANGUAGE="en")
    assert _name_field(english.content.decode()).startswith("Herning pilot")
