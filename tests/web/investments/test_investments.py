"""Investment case pages, downloads and API, on the hand-computable golden case (tests/economics).

Golden case (no discounting): cost 50,000 a year; savings 0, 70,000, 140,000, 140,000; NPV 150,000;
benefit-cost ratio 1.75; payback year index 2.
"""

from __future__ import annotations

import json
import tomllib

import pytest

from trappen.economics import case_from_dict, evaluate_case

GOLDEN_TOML = """
[case]
name = "golden"
price_year = 2024
start_year = 2024
horizon_years = 4

[discount]
periods = [ { from_year = 0, to_year = 35, rate_per_year = 0.0 } ]

[[costs]]
name = "caseworker"
payer = "municipality"
fte = 0.5
dkk_per_fte_per_year = { dist = "uniform", low = 90000, high = 110000, value = 100000 }

[[prices]]
step = 6
municipality = 60000
region = 10000
price_year = 2024

[effect]
kind = "som"
participants = 10
success_rate_with = 0.5
success_rate_without = 0.3
phase_in = [0.0, 0.5]

[effect.use_change_per_success]
"6" = -1.0

[decision_rule]
name = "earn back after 1, surplus after 3"
earn_back_after_years = 1
surplus_after_years = 3
"""


@pytest.fixture
def users(db, make_user):
    return {role: make_user(f"i_{role}", role) for role in
            ("analyst", "teamleader", "caseworker", "partner", "admin")}


@pytest.fixture
def saved(users):
    from trappen.web.investments.services import case_save

    return case_save(user=users["analyst"], toml_text=GOLDEN_TOML)


def _as(client, user):
    client.force_login(user)
    return client


def test_pages_render_for_allowed_roles_and_refuse_the_rest(client, users, saved):
    for role in ("analyst", "teamleader"):
        c = _as(client, users[role])
        assert c.get("/investments/").status_code == 200
        page = c.get(f"/investments/{saved.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "<svg" in html and "rule-marker" in html and "investment-tornado" in html
        assert "150.000" in html or "150,000" in html  # the hand-computed NPV
        assert c.get(f"/investments/compare/?a={saved.pk}&b={saved.pk}").status_code == 200
    assert _as(client, users["analyst"]).get("/investments/new/").status_code == 200
    assert _as(client, users["teamleader"]).get("/investments/new/").status_code == 403  # view only
    for role in ("caseworker", "partner", "admin"):  # no investment grant in the role table
        c = _as(client, users[role])
        assert c.get("/investments/").status_code == 403
        assert c.get(f"/investments/{saved.pk}/").status_code == 403


def test_bad_toml_is_not_saved_and_the_key_is_named(client, users):
    from trappen.web.investments.models import InvestmentCase

    c = _as(client, users["analyst"])
    bad = GOLDEN_TOML.replace("price_year = 2024\nstart_year", 'price_year = "soon"\nstart_year')
    page = c.post("/investments/new/", {"toml_text": bad})
    assert page.status_code == 422
    assert "price_year" in page.content.decode()
    broken = c.post("/investments/new/", {"toml_text": "[case\nname="})
    assert broken.status_code == 422 and "not valid TOML" in broken.content.decode()
    deep = c.post("/investments/new/", {"toml_text": "x = " + "[" * 5_000 + "]" * 5_000})
    assert deep.status_code == 422 and "nested deeper than" in deep.content.decode()
    assert InvestmentCase.objects.count() == 0


def test_save_copy_adopt_and_compare(client, users):
    from trappen.web.investments.models import InvestmentCase

    c = _as(client, users["analyst"])
    made = c.post("/investments/new/", {"toml_text": GOLDEN_TOML})
    assert made.status_code == 302
    case = InvestmentCase.objects.get()
    assert case.name == "golden" and case.created_by == users["analyst"]
    copied = c.post(f"/investments/{case.pk}/copy/")
    assert copied.status_code == 302
    copy = InvestmentCase.objects.exclude(pk=case.pk).get()
    assert copy.toml_text == case.toml_text and copy.name == "golden (copy)"
    c.post(f"/investments/{copy.pk}/edit/", {"toml_text": GOLDEN_TOML.replace("fte = 0.5", "fte = 1.0")})
    assert c.post(f"/investments/{case.pk}/adopt/", {"adopted": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.adopted
    page = c.get(f"/investments/{case.pk}/").content.decode()
    assert "Planned against realised" in page or "Planlagt" in page
    compared = c.get(f"/investments/compare/?a={case.pk}&b={copy.pk}").content.decode()
    # fte 1.0: cost 100,000 a year, NPV 350,000 - 400,000 = -50,000
    assert "150" in compared and "-50" in compared
    # team leaders may look but not copy
    assert _as(client, users["teamleader"]).post(f"/investments/{case.pk}/copy/").status_code == 403


def test_downloads_pdf_and_workbook(client, users, saved):
    c = _as(client, users["teamleader"])
    pdf = c.get(f"/investments/{saved.pk}/summary.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(f"/investments/{saved.pk}/workbook.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_api_evaluate_equals_evaluate_case_and_names_bad_keys(client, users, saved):
    from trappen.web.api.services import token_create

    token = token_create(username="i_analyst")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    data = tomllib.loads(GOLDEN_TOML)
    got = client.post("/api/v1/investments/evaluate", json.dumps(data), content_type="application/json", **auth)
    assert got.status_code == 200, got.content
    want = evaluate_case(case_from_dict(data)).summary()
    assert got.json()["summary"] == json.loads(json.dumps(want))
    assert got.json()["summary"]["npv_dkk"] == pytest.approx(150_000)
    assert 0.0 <= got.json()["simulation"]["p_npv_positive"] <= 1.0
    data["case"]["horizon_years"] = -3
    bad = client.post("/api/v1/investments/evaluate", json.dumps(data), content_type="application/json", **auth)
    assert bad.status_code == 422 and "horizon_years" in json.dumps(bad.json())
    one = client.get(f"/api/v1/investments/{saved.pk}", **auth)
    assert one.status_code == 200 and one.json()["summary"]["npv_dkk"] == pytest.approx(150_000)
    assert client.get("/api/v1/investments/999999", **auth).status_code == 404
    cw = token_create(username="i_caseworker")
    assert client.get(f"/api/v1/investments/{saved.pk}",
                      HTTP_AUTHORIZATION=f"Bearer {cw}").status_code == 403



def test_planned_against_realised_from_a_register(db, small_register):
    import datetime as dt

    from trappen.economics import default_rates, spending
    from trappen.web.investments import selectors as sel

    years = sorted({d.year for d in small_register.episodes["start_date"].to_list()})
    start = years[len(years) // 2]  # a year with a year of register spending before it
    result = sel.evaluate_text(GOLDEN_TOML.replace("start_year = 2024", f"start_year = {start}")).result
    frame, note = sel.realised_for(result, today=dt.date(start + 1, 12, 31), register=small_register)
    assert note == "" and frame is not None
    by_year = {}
    for y in (start - 1, start):
        by_year[y] = spending(small_register, rates=default_rates(), start=dt.date(y, 1, 1),
                              end=dt.date(y + 1, 1, 1), by=(), price_year=2024)["amount_dkk"][0]
    row = frame.row(0, named=True)
    assert row["calendar_year"] == start
    assert row["realised_spending_dkk"] == pytest.approx(by_year[start])
    assert row["realised_saving_dkk"] == pytest.approx(by_year[start - 1] - by_year[start])
    assert frame["realised_spending_dkk"].to_list()[2:] == [None, None]  # after "today"


def test_adopted_case_without_register_data_says_why(client, users, saved):
    from trappen.web.investments.services import case_set_adopted

    case_set_adopted(user=users["analyst"], case=saved, adopted=True)
    page = _as(client, users["analyst"]).get(f"/investments/{saved.pk}/").content.decode()
    assert 'id="investment-realised-note"' in page and "2023" in page
