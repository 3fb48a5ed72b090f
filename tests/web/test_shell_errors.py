"""Error pages: 404, 403, CSRF failure and 500 in the layout, in Danish and English, with a way back."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from django.utils import translation

from trappen.web import urls as real_urls

TEXTS = {
    404: {"da": "Siden findes ikke", "en": "Page not found"},
    403: {"da": "Ingen adgang", "en": "No access"},
    "csrf": {"da": "Formularen kunne ikke sendes", "en": "The form could not be sent"},
    500: {"da": "Der opstod en fejl", "en": "Something went wrong"},
}
FRONT = {"da": "Gå til forsiden", "en": "Go to the front page"}


def _in_layout(html: str, language: str) -> None:
    assert '<header class="top">' in html and 'class="card error-page"' in html
    assert f'<html lang="{language}">' in html
    assert FRONT[language] in html and 'class="button" href="/' in html  # the way back


@pytest.mark.parametrize("language", ["da", "en"])
def test_404_is_translated_in_the_layout_with_the_navigation(client, make_user, language):
    client.force_login(make_user("cw", "caseworker"))
    answer = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    html = answer.content.decode()
    assert answer.status_code == 404
    _in_layout(html, language)
    assert TEXTS[404][language] in html
    assert f'href="{reverse("my_day")}"' in html  # the role's navigation is there to go on from


@pytest.mark.parametrize("language", ["da", "en"])
def test_403_is_translated_in_the_layout(client, make_user, language):
    client.force_login(make_user("p", "partner"))
    answer = client.get(reverse("dashboards"), follow=True, HTTP_ACCEPT_LANGUAGE=language)
    html = answer.content.decode()
    assert answer.status_code == 403
    _in_layout(html, language)
    assert TEXTS[403][language] in html


def test_403_offers_the_page_the_user_came_from(client, make_user):
    client.force_login(make_user("p", "partner"))
    html = client.get(reverse("forecasts"), HTTP_REFERER="http://testserver/children/").content.decode()
    assert 'href="http://testserver/children/"' in html
    foreign = client.get(reverse("forecasts"), HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in foreign


@pytest.mark.parametrize("language", ["da", "en"])
def test_csrf_failure_is_translated_in_the_layout(db, language):
    client = Client(enforce_csrf_checks=True)
    answer = client.post(reverse("login"), {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE=language)
    html = answer.content.decode()
    assert answer.status_code == 403
    _in_layout(html, language)
    assert TEXTS["csrf"][language] in html


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a defect")


urlpatterns = [path("boom/", _boom), path("", include(real_urls.urlpatterns))]
handler500 = real_urls.handler500


@pytest.mark.parametrize("language", ["da", "en"])
def test_500_is_translated_in_the_layout(client, make_user, settings, language):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(make_user("cw", "caseworker"))
    answer = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    html = answer.content.decode()
    assert answer.status_code == 500
    _in_layout(html, language)
    assert TEXTS[500][language] in html


def test_500_page_needs_no_database():
    """No ``db`` fixture: any query (the session, the user) would fail this test."""
    from trappen.web.pages.errors import server_error

    with translation.override("da"):
        answer = server_error(RequestFactory().get("/"))
    html = answer.content.decode()
    assert answer.status_code == 500
    _in_layout(html, "da")
    assert TEXTS[500]["da"] in html
    assert "csrfmiddlewaretoken" not in html  # no tools that need a session
