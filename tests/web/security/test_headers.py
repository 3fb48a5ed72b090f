"""Response headers (#14 item 5): HSTS by default in production, a Permissions-Policy on every
response, and ``Cache-Control: no-store`` on everything a signed-in user or the API is sent."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _get(client, path: str):
    """GET ``path`` and close the response (a static file is an open file). Closing sends
    request_finished, whose close_old_connections would close the test's database connection
    (its transaction) on PostgreSQL: disconnected around it, as Django's test client does."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    response = client.get(path)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response


def test_hsts_is_on_by_default_in_production_with_subdomains():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TRAPPEN_DEMO", "TRAPPEN_HSTS_SECONDS"}}
    done = subprocess.run(
        [sys.executable, "-c", "import trappen.web.settings as s; "
         "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"],
        cwd=tempfile.mkdtemp(), env={**env, "SECRET_KEY": "h" * 50, "ALLOWED_HOSTS": "trappen.example.dk"},
        capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["31536000", "True"]


def test_hsts_is_sent_over_https(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_permissions_policy_on_pages_and_static(client, db):
    for path in ("/login/", "/static/trappen/style.css"):
        policy = _get(client, path).get("Permissions-Policy", "")
        assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy, path


def test_anonymous_login_page_and_static_may_be_cached_but_personal_pages_not(client, scene):
    assert not _no_store(_get(client, "/static/trappen/style.css"))
    client.force_login(scene["users"]["caseworker"])
    for path in ("/overview/", f"/children/{scene['inside'].pk}/", "/my-day/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), path


def test_api_child_read_is_not_stored(client, scene):
    token = scene["tokens"]["caseworker"]
    response = client.get(f"/api/v1/children/{scene['inside'].pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and _no_store(response)
    assert _no_store(client.get("/api/v1/children"))  # the 401 too


@pytest.mark.django_db
def test_downloads_are_not_stored(client, make_user):
    from trappen.web.dashboards.selectors import cache_clear

    cache_clear()
    client.force_login(make_user("dl_analyst", "analyst"))
    response = client.get("/dashboards/caseload/", {"format": "csv"})
    assert response.status_code == 200 and _no_store(response)
    cache_clear()
