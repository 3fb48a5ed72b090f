"""End to end in a real Chromium: an economist analyses closing an offer and sees where its
children go and the cost change; a caseworker cannot start an intervention in a full offer
without recording it as an overbooking."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "not-checked-in-tests"
REASON = {1: "the family needs more than advice at the school"}


@pytest.fixture
def offers_scene(scene, small_offer, make_child):
    """X1 (1 place) full; Y1 (3 places) open on the same step; a second child of the caseworker's."""
    from trappen.offers import OfferCatalogue
    from trappen.web.offers.convert import offer_from_row
    from trappen.web.offers.services import SYSTEM, catalogue_import
    from trappen.web.register.models import Assignment
    from trappen.web.register.services import intervention_start

    row, _ = small_offer
    other = dataclasses.replace(offer_from_row(row), offer_id="Y1", name="Forældrekursus Nord", places=3,
                                provider_name="Kursushuset")
    catalogue_import(user=SYSTEM, catalogue=OfferCatalogue(offers=(other,)))
    intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PARENTING_COURSE", step=2,
                       start_date=dt.date.today() - dt.timedelta(days=10), justification=REASON, offer=row.pk)
    second = make_child("N", name="Barn To")
    Assignment.objects.create(child=second, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
    return {"full": row, "second": second}


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/overview/")


def test_economist_analyses_closing_an_offer(live_server, open_browser, offers_scene, economist):
    economist.set_password(PASSWORD)
    economist.save()
    page, errors = open_browser(locale="en-GB")
    _login(page, live_server.url, "eco")
    page.click("header nav a[href='/offers/']")
    page.click("text=Familiebehandling Test")
    page.click("#offer-closing-link")
    page.fill("#closing-on", dt.date.today().isoformat())
    page.click("#closing-run")
    page.wait_for_selector("#closing-summary")
    assert page.inner_text("#closing-children") == "1"
    assert page.inner_text("#closing-same-step") == "1"  # moved to the other step-2 offer
    assert page.inner_text("#closing-waiting") == "0"
    assert page.inner_text("#closing-cost-change").strip() not in ("", "-")
    assert "Forældrekursus Nord" in page.inner_text("#closing-destinations")
    assert errors == [], errors


def test_caseworker_cannot_pick_a_full_offer_without_an_overbooking(live_server, open_browser, offers_scene, scene):
    from trappen.web.register.models import Episode

    scene["user"].set_password(PASSWORD)
    scene["user"].save()
    page, errors = open_browser(locale="en-GB", http_errors=False)
    _login(page, live_server.url, "cw")
    page.goto(f"{live_server.url}/children/{offers_scene['second'].pk}/interventions/new/")
    page.select_option("#id_intervention_code", "PARENTING_COURSE")
    page.select_option("#id_step", "2")
    page.fill("#id_start_date", dt.date.today().isoformat())
    option = page.locator("#id_offer option", has_text="Familiebehandling Test")
    assert "overbooking only" in option.inner_text()
    page.select_option("#id_offer", str(offers_scene["full"].pk))
    page.check("#id_noplace_1")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "pick it only as a recorded overbooking" in page.inner_text("form.card")
    assert not Episode.objects.filter(child=offers_scene["second"]).exists()
    page.check("#id_overbooking")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/children/{offers_scene['second'].pk}/")
    episode = Episode.objects.get(child=offers_scene["second"])
    assert episode.offer_id == offers_scene["full"].pk and episode.overbooking
    assert episode.justification == {"1": "lower step not available: no free place"}
    assert [e for e in errors if "Content Security Policy" in e] == []
