"""Layout defects found walking the demo (helper D), checked in a real Chromium at 1366 and 390 px."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logged_in(open_browser, live_server, user, width):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page, errors = open_browser(locale="da-DK")
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    return page, errors


@pytest.mark.parametrize("width", [1366, 390])
def test_checkboxes_sit_next_to_their_label(live_server, open_browser, scene, make_user, width):
    """``input { width: 100% }`` stretched every checkbox to 480 px: on the meeting form the box
    stood in the middle of the card, far from the organisation it ticks."""
    from trappen.web.collaboration import services as svc

    school = svc.organisation_create(code="SKOLE1", name="Nordskolen", kind="school", district_code="N")
    svc.child_link_add(child=scene["mine"], organisation=school, start_date=scene["mine"].birth_date)
    page, errors = _logged_in(open_browser, live_server, scene["user"], width)
    page.goto(f"{live_server.url}/collaboration/children/{scene['mine'].pk}/meetings/new/")
    boxes = page.locator("#meeting-form input[type=checkbox]")
    assert boxes.count() >= 2  # the school and "the child takes part"
    for i in range(boxes.count()):
        assert boxes.nth(i).bounding_box()["width"] < 40
    assert errors == []
    assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")


def test_new_investment_case_form_fits_a_phone(live_server, open_browser, make_user):
    """The case form's fieldsets (min-width: min-content) and its 20 rem labels pushed the page
    wider than a 390 px phone."""
    economist = make_user("u_economist", "economist")
    page, errors = _logged_in(open_browser, live_server, economist, 390)
    response = page.goto(f"{live_server.url}/investments/new/")
    assert response.status == 200
    assert page.locator("form fieldset").count() >= 3
    assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    assert errors == []


LONGEST_WORD_FITS = """() => { const h = document.querySelector('main h1'); const s = getComputedStyle(h);
  const c = document.createElement('canvas').getContext('2d');
  c.font = s.fontWeight + ' ' + s.fontSize + ' ' + s.fontFamily;
  const words = h.innerText.split(/\\s+/); const widest = Math.max(...words.map(w => c.measureText(w).width));
  return [widest, h.clientWidth]; }"""


def test_a_long_danish_heading_word_is_not_split_on_a_phone(live_server, open_browser, make_user):
    """"Rapport til kommunalbestyrelsen" broke as "kommunalbestyrelse / n" at 390 px: the heading's
    longest word must fit the line."""
    analyst = make_user("u_analyst", "analyst")
    page, errors = _logged_in(open_browser, live_server, analyst, 390)
    assert page.goto(f"{live_server.url}/reports/").status == 200
    widest, line = page.evaluate(LONGEST_WORD_FITS)
    assert widest <= line, (widest, line)
