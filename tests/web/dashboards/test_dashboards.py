"""Dashboards: access per role, the downloads equal the KPI engine's numbers, filters agree with
the engine on a hand-filtered register, analysts never see a count 1-4."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import polars as pl
import pytest
from openpyxl import load_workbook

from trappen.kpi import compute_kpis, kpi_series
from trappen.synthetic import generate
from trappen.web.dashboards.selectors import cells

PERIOD = {"date_from": "2024-01-01", "date_to": "2024-12-31"}
AT = date(2024, 12, 31)
START, END = date(2024, 1, 1), date(2025, 1, 1)


@pytest.fixture(scope="module")
def register_small():
    return generate(children=1500, years=4, seed=2, pilot_districts=2, pilot_from=2023)


@pytest.fixture
def db_register(db, register_small):
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register_small)
    cache_clear()
    yield register_small
    cache_clear()


def _client(client, make_user, role, districts=None):
    user = make_user(f"u_{role}", role, districts)
    client.force_login(user)
    return client


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("key", ["steps", "flows", "pilot", "caseload", "deadlines", "spending"])
def test_every_dashboard_renders_for_analyst(client, make_user, db_register, key):
    c = _client(client, make_user, "analyst")
    response = c.get(f"/dashboards/{key}/", PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="dashboard-table"' in body
    assert "<script>" not in body and " style=" not in body  # strict CSP: nothing inline


def test_partner_and_admin_refused_caseworker_and_teamleader_allowed(client, make_user, db_register):
    assert _client(client, make_user, "partner").get("/dashboards/steps/").status_code == 403
    assert _client(client, make_user, "admin").get("/dashboards/steps/").status_code == 403
    districts = sorted(db_register.districts["district_code"].to_list())
    assert _client(client, make_user, "caseworker", districts[:1]).get("/dashboards/flows/").status_code == 200
    assert _client(client, make_user, "teamleader", districts[:2]).get("/dashboards/steps/").status_code == 200


def test_anonymous_is_sent_to_login(client, db_register):
    response = client.get("/dashboards/steps/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_caseworker_cannot_download_nor_pick_another_district(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "caseworker", districts[:1])
    assert c.get("/dashboards/steps/", {**PERIOD, "format": "csv"}).status_code == 403
    # a district outside theirs is not a valid choice: the page falls back to their own district
    own = c.get("/dashboards/steps/", {**PERIOD, "district": districts[0]}).context["table"].frame
    other = c.get("/dashboards/steps/", {**PERIOD, "district": districts[1]}).context["table"].frame
    assert own.equals(other)


def test_teamleader_steps_csv_equals_compute_kpis_for_each_month(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)
    rows = _csv(c.get("/dashboards/steps/", {**PERIOD, "format": "csv", "header": "keys"}))
    assert [r["month"] for r in rows] == [f"2024-{m:02d}-01" for m in range(1, 13)]
    december = compute_kpis(db_register, at=AT, period=(date(2024, 12, 1), END), kpis=["STEP_PER_1000"]).pipe(
        cells, dims=["step"]
    )
    want = {int(s): int(n) for s, n in zip(december["step"].to_list(), december["numerator"].to_list(), strict=True)}
    assert {s: int(rows[-1][f"step_{s}"]) for s in want} == want
    march = compute_kpis(
        db_register, at=date(2024, 3, 31), period=(date(2024, 3, 1), date(2024, 4, 1)), kpis=["STEP_PER_1000"]
    ).pipe(cells, dims=["step"])
    assert [int(rows[2][f"step_{s}"]) for s in march["step"].cast(pl.Int64).to_list()] == [
        int(v) for v in march["numerator"].to_list()
    ]
    assert sum(want.values()) > 0


def test_flows_csv_and_excel_equal_compute_kpis(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)
    rows = _csv(c.get("/dashboards/flows/", {**PERIOD, "format": "csv", "header": "keys"}))
    k = compute_kpis(db_register, at=AT, period=(START, END), kpis=["STEP_FLOWS"]).pipe(
        cells, dims=["from_step", "to_step"]
    )
    want = {(int(a), int(b)): int(n) for a, b, n in k.select("from_step", "to_step", "numerator").iter_rows()}
    got = {(int(r["from_step"]), int(r["to_step"])): int(r["moves"]) for r in rows}
    assert got == want and len(want) > 5
    book = load_workbook(io.BytesIO(c.get("/dashboards/flows/", {**PERIOD, "format": "xlsx"}).content))
    sheet = book.active
    header, *body = list(sheet.iter_rows(values_only=True))
    assert len(header) == 5
    assert {(r[0], r[2]): r[4] for r in body if r and r[0] is not None} == want


def test_spending_download_equals_engine(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)
    rows = _csv(c.get("/dashboards/spending/", {**PERIOD, "format": "csv", "header": "keys"}))
    k = compute_kpis(db_register, at=AT, period=(START, END), kpis=["SPEND_PER_STEP"]).pipe(cells, dims=["step"])
    total = k.filter(pl.col("step").is_null())["numerator"].item()
    assert float(rows[-1]["spending_dkk"]) == round(total)
    assert rows[-1]["step"] == ""


def test_spending_uses_the_prices_economists_store(client, make_user, db_register):
    """A new price stored on the prices page changes the spending dashboard from its date on:
    the total rises by (new - old) x the days of that type in the period after the date."""
    from trappen.economics import default_rates
    from trappen.staircase import default_catalogue
    from trappen.web.economics.services import price_add

    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)

    def total() -> float:
        rows = _csv(c.get("/dashboards/spending/", {**PERIOD, "format": "csv", "header": "keys"}))
        return float(rows[-1]["spending_dkk"])

    before = total()
    code = db_register.episodes.group_by("intervention_code").len().sort("len")["intervention_code"][-1]
    old = default_catalogue().get(code).cost_dkk_per_day
    price_add(
        user=make_user("eco", "economist"),
        intervention_code=code,
        valid_from=date(2024, 7, 1),
        cost_dkk_per_day=old + 1_000.0,
        price_year=2024,
    )
    rates = default_rates(default_catalogue()).with_new_price(
        code, valid_from=date(2024, 7, 1), cost_dkk_per_day=old + 1_000.0, price_year=2024
    )
    want = compute_kpis(db_register, at=AT, period=(START, END), kpis=["SPEND_PER_STEP"], rates=rates.frame)
    want_total = want.pipe(cells, dims=["step"]).filter(pl.col("step").is_null())["numerator"].item()
    after = total()
    assert after > before and after == round(want_total)


def test_analyst_sees_no_count_between_1_and_4(client, make_user, db_register):
    c = _client(client, make_user, "analyst")
    count_columns = {
        "steps": None,
        "flows": ["moves"],
        "pilot": ["children"],
        "caseload": ["children"],
        "deadlines": ["on_time", "late"],
        "spending": ["children"],
    }
    hidden = 0
    for key, cols in count_columns.items():
        for query in (PERIOD, {**PERIOD, "age_band": "0-5", "sex": "F"}):
            response = c.get(f"/dashboards/{key}/", query)
            frame = response.context["table"].frame
            cols = cols or [x for x in frame.columns if x.startswith("step_")]
            for col in cols:
                values = frame[col].drop_nulls().to_list()
                assert not [v for v in values if 1 <= v <= 4], (key, col)
                hidden += frame[col].null_count()
            rows = _csv(c.get(f"/dashboards/{key}/", {**query, "format": "csv", "header": "keys"}))
            for col in cols:
                assert not [r[col] for r in rows if r[col] and 1 <= float(r[col]) <= 4], (key, col)
    assert hidden > 0  # the small register does have small cells to hide


def test_teamleader_sees_small_counts_unsuppressed(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)
    frame = c.get("/dashboards/flows/", PERIOD).context["table"].frame
    assert frame["moves"].null_count() == 0
    assert [v for v in frame["moves"].to_list() if 1 <= v <= 4]


def _by_district(register, code):
    """The register of children living in ``code`` on AT, filtered here by hand."""
    res = register.residences.filter(
        (pl.col("start_date") <= AT) & (pl.col("end_date").is_null() | (pl.col("end_date") > AT))
    )
    living = set(res.filter(pl.col("district_code") == code)["child_id"].to_list())
    without = set(register.children["child_id"].to_list()) - set(res["child_id"].to_list())
    living |= set(
        register.children.filter(pl.col("child_id").is_in(list(without)) & (pl.col("district_code") == code))[
            "child_id"
        ].to_list()
    )
    return register.replace(
        episodes=register.episodes.filter(pl.col("child_id").is_in(list(living))),
        children=register.children.filter(pl.col("child_id").is_in(list(living))),
    ), living


def test_district_filter_agrees_with_engine_on_a_filtered_register(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)
    code = districts[1]
    part, _ = _by_district(db_register, code)
    rows = _csv(c.get("/dashboards/steps/", {**PERIOD, "district": code, "format": "csv", "header": "keys"}))
    series = kpi_series(part, months=[date(2024, 6, 1), date(2024, 12, 1)], kpis=["STEP_PER_1000"]).pipe(
        cells, dims=["step"]
    )
    for month, row in (("2024-06-01", rows[5]), ("2024-12-01", rows[11])):
        assert row["month"] == month
        want = series.filter(pl.col("month") == date.fromisoformat(month))
        assert [int(row[f"step_{s}"]) for s in want["step"].cast(pl.Int64).to_list()] == [
            int(v) for v in want["numerator"].to_list()
        ]
    whole = _csv(c.get("/dashboards/steps/", {**PERIOD, "format": "csv", "header": "keys"}))
    assert sum(int(whole[11][f"step_{s}"]) for s in range(1, 7)) > sum(int(rows[11][f"step_{s}"]) for s in range(1, 7))


def test_sex_and_age_filters_agree_with_engine(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)
    rows = _csv(c.get("/dashboards/flows/", {**PERIOD, "sex": "F", "age_band": "6-11", "format": "csv",
                                              "header": "keys"}))
    kids = db_register.children
    birth = kids["birth_date"]
    age = (AT.year - birth.dt.year().cast(pl.Int32)) - (
        (birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)) > AT.month * 100 + AT.day
    ).cast(pl.Int32)
    ids = kids.filter((kids["sex"] == "F") & (age >= 6) & (age <= 11))["child_id"]
    part = db_register.replace(
        episodes=db_register.episodes.filter(pl.col("child_id").is_in(ids.implode())),
        children=kids.filter(pl.col("child_id").is_in(ids.implode())),
    )
    k = compute_kpis(part, at=AT, period=(START, END), kpis=["STEP_FLOWS"]).pipe(cells, dims=["from_step", "to_step"])
    want = {(int(a), int(b)): int(n) for a, b, n in k.select("from_step", "to_step", "numerator").iter_rows()}
    assert {(int(r["from_step"]), int(r["to_step"])): int(r["moves"]) for r in rows} == want


def test_excel_download_neutralises_formulas(client, make_user, db_register):
    from trappen.web.register.models import District

    District.objects.filter(code=db_register.districts["district_code"][0]).update(name="=HYPERLINK(1)")
    from trappen.web.dashboards.selectors import cache_clear

    cache_clear()
    c = _client(client, make_user, "analyst")
    book = load_workbook(io.BytesIO(c.get("/dashboards/caseload/", {**PERIOD, "format": "xlsx"}).content))
    names = [r[1] for r in book.active.iter_rows(min_row=2, values_only=True) if r and r[1]]
    assert "'=HYPERLINK(1)" in names


def test_bad_period_is_a_form_error_not_a_crash(client, make_user, db_register):
    c = _client(client, make_user, "analyst")
    response = c.get("/dashboards/steps/", {"date_from": "2024-12-31", "date_to": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    assert c.get("/dashboards/nope/").status_code == 404


def test_caseload_and_deadlines_downloads_add_up_to_the_engine(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    c = _client(client, make_user, "teamleader", districts)
    k = compute_kpis(
        db_register, at=AT, period=(START, END), kpis=["CASELOAD_MEAN", "CASELOAD_OVER_TARGET", "DEADLINE_COMPLIANCE"]
    )
    mean = cells(k.filter(pl.col("kpi_code") == "CASELOAD_MEAN"))
    over = cells(k.filter(pl.col("kpi_code") == "CASELOAD_OVER_TARGET"))
    rows = _csv(c.get("/dashboards/caseload/", {**PERIOD, "format": "csv", "header": "keys"}))
    assert len(rows) == len(districts)
    assert sum(int(r["children"]) for r in rows) == mean["numerator"].item() > 0
    assert sum(int(r["caseworkers"]) for r in rows) == over["denominator"].item()
    assert sum(int(r["over_target"]) for r in rows) == over["numerator"].item()
    duty = cells(k.filter(pl.col("kpi_code") == "DEADLINE_COMPLIANCE"), dims=["duty"])
    rows = _csv(c.get("/dashboards/deadlines/", {**PERIOD, "format": "csv", "header": "keys"}))
    want = {d: (int(ok), int(n)) for d, ok, n in duty.select("duty", "numerator", "denominator").iter_rows()}
    assert {r["duty"]: (int(r["on_time"]), int(r["due"])) for r in rows} == want
    assert all(int(r["on_time"]) + int(r["late"]) == int(r["due"]) for r in rows)


@pytest.mark.parametrize("key", ["steps", "flows", "pilot", "caseload", "deadlines", "spending"])
def test_a_far_away_period_is_a_form_error_not_a_crash(client, make_user, db_register, key):
    c = _client(client, make_user, "analyst")
    for period in ({"date_from": "0001-01-01"}, {"date_to": "9999-12-31"},
                   {"date_from": "0001-01-01", "date_to": "9999-12-31"}):
        response = c.get(f"/dashboards/{key}/", period)
        assert response.status_code == 200, (key, period)
        errors = response.context["form"].errors
        assert errors, (key, period)
        assert set(errors) <= {"date_from", "date_to"}


def test_dashboards_name_duties_and_key_figures_not_codes(client, make_user, db_register):
    """Walk: the deadlines chart's axis showed duty codes in text order (D1, D10, D11, ..., D2),
    and the dashboards' descriptions named KPI codes (STEP_FLOWS, CASELOAD_MEAN, ...)."""
    c = _client(client, make_user, "analyst")
    page = c.get("/dashboards/deadlines/", PERIOD)
    table = page.context["table"]
    duties = table.frame["duty"].to_list()
    assert duties == sorted(duties, key=lambda d: int(d[1:])) and len(duties) > 2
    assert table.chart["labels"] == table.frame["duty_name"].to_list()
    assert not set(table.chart["labels"]) & set(duties)
    for key in ("steps", "flows", "pilot", "caseload", "deadlines"):
        description = str(c.get(f"/dashboards/{key}/", PERIOD).context["table"].description)
        assert not re.search(r"\b[A-Z]+_[A-Z0-9_]+\b", description), (key, description)
