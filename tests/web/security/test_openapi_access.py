"""The OpenAPI document describes every endpoint and field (#14 item 5): it is served only to a
signed-in user or a caller with an API token; the interactive docs page is not served at all."""

from __future__ import annotations

from django.test import Client, override_settings


def test_anonymous_gets_401_json(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json()["detail"] and "paths" not in response.json()


def test_a_bad_token_gets_401(client, db):
    response = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


def test_a_token_gets_the_document(client, scene):
    response = client.get("/api/v1/openapi.json",
                          HTTP_AUTHORIZATION=f"Bearer {scene['tokens']['caseworker']}")
    assert response.status_code == 200 and "/api/v1/children" in response.json()["paths"]
    assert "no-store" in response["Cache-Control"]


def test_a_session_gets_the_document(client, scene):
    client.force_login(scene["users"]["caseworker"])
    assert client.get("/api/v1/openapi.json").status_code == 200


@override_settings(TRAPPEN_REQUIRE_OTP=True)
def test_a_session_still_owing_its_second_factor_does_not(scene):
    client = Client()
    client.force_login(scene["users"]["teamleader"])
    assert client.get("/api/v1/openapi.json").status_code == 401


def test_the_docs_page_is_not_served(client, scene):
    client.force_login(scene["users"]["caseworker"])
    assert client.get("/api/v1/docs").status_code == 404  # Swagger UI would load a CDN script
