"""The account list names a user's districts as the forms do, "Nord (N)", not by code alone (found
walking the demo: "D01" in the list, "Nordby (D01)" on the account's form)."""

from __future__ import annotations

import re


def test_the_account_list_shows_district_names(admin_client, admin_scene):
    from trappen.web.register.models import District

    admin_scene["users"]["caseworker"].districts.set(District.objects.filter(code="N"))
    html = admin_client.get("/users/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    row = re.search(r'<tr data-username="u_caseworker".*?</tr>', html, re.S)
    assert row is not None
    assert "Nord (N)" in row.group(0)
