"""The offer pages: who may open them (the permission table), filters, edit, import with row and
column errors, the availability panel, the closing analysis and its annex, the API, the CLI."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from trappen.offers import write_offers
from trappen.synthetic import synthetic_offers

REASON = {1: "the family needs more than advice at the school"}


def _client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


@pytest.fixture
def filled(scene, small_offer, make_child):
    """X1 (1 place) full with the scene's child; Y1, another open step-2 offer with 3 places."""
    import dataclasses

    from trappen.offers import OfferCatalogue
    from trappen.web.offers.convert import offer_from_row
    from trappen.web.offers.models import Offer
    from trappen.web.offers.services import SYSTEM, catalogue_import
    from trappen.web.register.services import intervention_start

    row, _ = small_offer
    other = dataclasses.replace(offer_from_row(row), offer_id="Y1", name="Forældrekursus Nord", places=3,
                                provider_name="Kursushuset")
    catalogue_import(user=SYSTEM, catalogue=OfferCatalogue(offers=(other,)))
    intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PARENTING_COURSE", step=2,
                       start_date=dt.date.today() - dt.timedelta(days=10), justification=REASON, offer=row.pk)
    return row, Offer.objects.get(offer_id="Y1")


@pytest.mark.parametrize("role, status", [("caseworker", 200), ("teamleader", 200), ("analyst", 200),
                                          ("economist", 200), ("admin", 200), ("partner", 403)])
def test_catalogue_pages_follow_the_permission_table(make_user, filled, role, status):
    client = _client(make_user(f"u-{role}", role, ["N"]))
    for path in ("/offers/", "/offers/X1/", "/offers/availability/", "/offers/X1/closing/?forecast=0"):
        assert client.get(path).status_code == status, path
    edit = 200 if role in ("economist", "admin") else 403
    assert client.get("/offers/X1/edit/").status_code == edit
    assert client.get("/offers/import/").status_code == edit


def test_offer_list_filters_by_step_and_free_places(make_user, filled):
    client = _client(make_user("e1", "economist"))
    page = client.get("/offers/", {"step": "2"}).content.decode()
    assert "Familiebehandling Test" in page and "Forældrekursus Nord" in page
    page = client.get("/offers/", {"step": "2", "free": "on"}).content.decode()
    assert "Familiebehandling Test" not in page and "Forældrekursus Nord" in page
    assert "Familiebehandling Test" not in client.get("/offers/", {"step": "5"}).content.decode()


def test_offer_page_shows_places_prices_evidence_and_costs(make_user, filled):
    page = _client(make_user("e2", "economist")).get("/offers/X1/").content.decode()
    for part in ('id="offer-places"', 'id="offer-prices"', 'id="offer-costs"', 'id="offer-history"'):
        assert part in page


def test_edit_keeps_history_and_a_new_price_closes_the_old(make_user, filled):
    from trappen.web.offers.models import Offer

    client = _client(make_user("e3", "economist"))
    row = Offer.objects.get(offer_id="X1")
    form = {"version": row.version, "name": row.name, "provider_name": row.provider_name, "places": 2,
            "age_min_years": 0, "age_max_years": 17, "evidence_level": "documented",
            "new_price_from": "2026-01-01", "new_price": "1234.5"}
    resp = client.post("/offers/X1/edit/", form)
    assert resp.status_code == 302
    row.refresh_from_db()
    assert row.places == 2 and row.evidence_level == "documented"
    assert [(p.valid_from, p.price_dkk_per_day) for p in row.prices.all()] == [(dt.date(2026, 1, 1), 1234.5)]
    assert row.revisions.count() == 1
    resp = client.post("/offers/X1/edit/", form | {"version": row.version, "places": -3})
    assert resp.status_code == 200 and "places must be a whole number" in resp.content.decode()


def test_import_page_names_row_and_column_and_writes_nothing(make_user, db, tmp_path):
    from trappen.web.offers.models import Offer

    path = tmp_path / "offers.xlsx"
    write_offers(synthetic_offers(seed=2), path)
    book = load_workbook(path)
    sheet = book["offers"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=4, column=header.index("steps") + 1, value="9")
    book.save(path)
    client = _client(make_user("e4", "economist"))
    with path.open("rb") as handle:
        resp = client.post("/offers/import/", {"file": handle})
    page = resp.content.decode()
    assert resp.status_code == 200 and 'id="offer-import-problems"' in page
    assert "<td>offers</td><td>3</td><td>steps</td><td>9</td>" in page
    assert Offer.objects.count() == 0
    write_offers(synthetic_offers(seed=2), path)
    with path.open("rb") as handle:
        resp = client.post("/offers/import/", {"file": handle})
    assert 'id="offer-import-result"' in resp.content.decode()
    assert Offer.objects.count() == len(synthetic_offers(seed=2))


def test_availability_shows_steps_offers_and_districts(make_user, filled):
    page = _client(make_user("e5", "economist")).get("/offers/availability/").content.decode()
    for part in ('id="step-availability"', 'id="availability-steps"', 'id="availability-offers"',
                 'id="availability-districts"'):
        assert part in page


def test_closing_analysis_moves_the_children_and_exports_the_annex(make_user, filled):
    client = _client(make_user("e6", "economist"))
    page = client.get("/offers/X1/closing/?forecast=0").content.decode()
    assert 'id="closing-children">1<' in page and 'id="closing-same-step">1<' in page
    resp = client.get("/offers/X1/closing/?forecast=0&format=xlsx")
    book = load_workbook(io.BytesIO(resp.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[2] in (("Children in the offer", 1), ("Børn i tilbuddet", 1))
    assert rows[3][1] == 1  # to another offer on the same step
    assert book.sheetnames[1] in ("Destinations", "Destinationer")
    pdf = client.get("/offers/X1/closing/?forecast=0&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_team_leader_overview_shows_step_availability(make_user, filled, scene):
    page = _client(scene["leader"]).get("/overview/").content.decode()
    assert 'id="step-availability"' in page
    assert 'id="step-availability"' not in _client(scene["user"]).get("/overview/").content.decode()


def test_api_filters_offers_and_refuses_a_full_one_without_overbooking(filled, scene, make_child):
    import json

    from trappen.web.api.services import token_create
    from trappen.web.register.models import Assignment

    row, other = filled
    child = make_child("N", name="Barn API")
    Assignment.objects.create(child=child, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
    client = Client(HTTP_HOST="127.0.0.1")
    token = token_create(username="cw")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/v1/offers?step=2&age=11&free=true", **auth).json()
    assert [o["offer_id"] for o in listed] == ["Y1"]
    body = {"child_id": child.pk, "intervention_code": "PARENTING_COURSE", "step": 2,
            "start_date": dt.date.today().isoformat(), "justification": REASON, "offer": row.pk}
    resp = client.post("/api/v1/interventions", json.dumps(body), content_type="application/json", **auth)
    assert resp.status_code == 422 and "overbooking" in resp.content.decode()
    resp = client.post("/api/v1/interventions", json.dumps(body | {"overbooking": True}),
                       content_type="application/json", **auth)
    assert resp.status_code == 201


def test_cli_imports_to_the_database_and_migrates_providers(db, tmp_path):
    from typer.testing import CliRunner

    from trappen.cli import app
    from trappen.web.offers.models import Offer

    path = tmp_path / "offers.csv"
    write_offers(synthetic_offers(seed=5), path)
    runner = CliRunner()
    result = runner.invoke(app, ["offers", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert Offer.objects.count() == len(synthetic_offers(seed=5))
    out = tmp_path / "back.xlsx"
    assert runner.invoke(app, ["offers", "export", "--from-db", "--out", str(out)]).exit_code == 0
    from trappen.offers import read_offers

    assert read_offers(out) == synthetic_offers(seed=5)
    report = tmp_path / "unmatched.csv"
    result = runner.invoke(app, ["offers", "migrate-providers", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert report.read_text(encoding="utf-8").startswith("provider,episodes")


def test_an_offer_with_an_effect_becomes_an_investment_case(make_user, filled):
    from trappen.web.investments.models import InvestmentCase
    from trappen.web.offers.models import Offer

    Offer.objects.filter(offer_id="X1").update(programme="De Utrolige År", expected_effect_smd=0.3,
                                                expected_effect_se=0.1, evidence_level="evidence_based")
    economist = make_user("e7", "economist")
    client = _client(economist)
    assert 'id="offer-case-form"' in client.get("/offers/X1/").content.decode()
    resp = client.post("/offers/X1/investment-case/")
    case = InvestmentCase.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/investments/{case.pk}/"
    assert 'kind = "som"' in case.toml_text and 'dist = "triangular"' in case.toml_text
    assert client.get(f"/investments/{case.pk}/").status_code == 200
    assert _client(make_user("c9", "caseworker", ["N"])).post("/offers/Y1/investment-case/").status_code == 403


def test_the_intervention_form_puts_a_decision_on_the_waiting_list(scene, filled):
    from trappen.web.offers.models import WaitingEntry

    row, _ = filled
    client = _client(scene["user"])
    child = scene["mine"]
    resp = client.post(f"/children/{child.pk}/interventions/new/", {
        "intervention_code": "PARENTING_COURSE", "step": 2, "offer": row.pk, "decided_on": "2026-11-20",
        "waiting": "1"})
    assert resp.status_code == 302
    entry = WaitingEntry.objects.get()
    assert (entry.child_id, entry.step, entry.offer_id) == (child.pk, 2, row.pk)
    assert entry.decided_on == dt.date(2026, 11, 20)
    resp = client.post(f"/children/{child.pk}/interventions/new/", {
        "intervention_code": "PARENTING_COURSE", "step": 5, "waiting": "1"})
    assert resp.status_code == 200 and WaitingEntry.objects.count() == 1


def test_availability_counts_step_ups_for_lack_of_a_lower_place_apart(make_user, filled, scene):
    from trappen.offers import NO_FREE_PLACE_REASON
    from trappen.web.register.models import Episode

    client = _client(make_user("e8", "economist"))
    page = client.get("/offers/availability/").content.decode()
    assert '<td id="no-place-step-ups">..</td>' in page  # one step-up: hidden (disclosure control)
    start = dt.date.today() - dt.timedelta(days=20)
    for k in range(9):
        reason = {"1": NO_FREE_PLACE_REASON} if k < 5 else {"1": "the need is greater than step 1 can meet"}
        Episode.objects.create(child=scene["outside"], intervention_code="PARENTING_COURSE", step=2,
                               start_date=start, end_date=start + dt.timedelta(days=1), justification=reason)
    page = client.get("/offers/availability/").content.decode()
    assert '<td id="no-place-step-ups">5 (50 %)</td>' in page  # 5 of the 10 step-ups


def test_a_placement_request_through_an_offer_keeps_the_offers_name_as_provider(scene, small_offer, economist):
    """Step 5 needs the team leader's approval (approvals.toml): the request stores no offer, so
    the form's blank provider becomes the offer's name (offers.selectors.intervention_offer_fields);
    a provider the caseworker wrote is kept."""
    import dataclasses

    from trappen.offers import OfferCatalogue
    from trappen.web.approvals.models import ApprovalRequest
    from trappen.web.offers.convert import offer_from_row
    from trappen.web.offers.models import Offer
    from trappen.web.offers.services import catalogue_import

    foster = dataclasses.replace(offer_from_row(small_offer[0]), offer_id="P5", name="Plejefamilie Midt", steps=(5,),
                                 intervention_codes=("FOSTER_GENERAL",), places=4)
    catalogue_import(user=economist, catalogue=OfferCatalogue(offers=(foster,)))
    row = Offer.objects.get(offer_id="P5")
    client = _client(scene["user"])
    child = scene["mine"]
    form = {"intervention_code": "FOSTER_GENERAL", "step": "5", "start_date": dt.date.today().isoformat(),
            "offer": row.pk, "provider": ""} | {f"reason_{s}": f"Trin {s} rækker ikke." for s in (1, 2, 3, 4)}
    resp = client.post(f"/children/{child.pk}/interventions/new/", form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert ApprovalRequest.objects.get().provider == "Plejefamilie Midt"
    ApprovalRequest.objects.all().delete()
    client.post(f"/children/{child.pk}/interventions/new/", form | {"provider": "Familieplejen Vest"})
    assert ApprovalRequest.objects.get().provider == "Familieplejen Vest"
