"""One number everywhere (#18 item 4): every figure that appears in the council report and on a
page, the API or the CLI is the same number. The report (from the web app and from
``trappen report`` against the database) is compared with the dashboards, the goals page and the
KPI API for the same year: steps per 1,000, spending per step at the economist's prices,
caseload, goal status."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from trappen.cli import app
from trappen.synthetic import generate

YEAR = 2024
TODAY = date(2024, 12, 31)


@pytest.fixture(scope="module")
def register_small():
    return generate(children=1500, years=3, seed=4, end_date=date(2025, 6, 30))


@pytest.fixture
def db_register(db, register_small):
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register_small)
    cache_clear()
    yield register_small
    cache_clear()


@pytest.fixture
def new_price(db_register, make_user):
    """The economist enters a new price (1.6 times the catalogue's) for the intervention type
    with the most days in the year, from 1 July: the dashboards' spending changes."""
    from trappen.web import rules
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.economics.services import price_add

    ep = db_register.episodes.filter(pl.col("start_date") < date(YEAR, 7, 1))
    code = ep["intervention_code"].value_counts(sort=True)["intervention_code"][0]
    old = rules.catalogue().get(code).cost_dkk_per_day
    price_add(user=make_user("eco", "economist"), intervention_code=code, valid_from=date(YEAR, 7, 1),
              cost_dkk_per_day=round(old * 1.6, 2), price_year=YEAR, source="test")
    cache_clear()
    return code


def _dashboard(key: str, *, publish: bool = False):
    from trappen.web.dashboards.selectors import DashboardFilters, analytic_register, dashboard_table

    register, _version = analytic_register()
    return dashboard_table(key, register=register, publish=publish, language="en",
                           filters=DashboardFilters(start=date(YEAR, 1, 1), end=date(YEAR + 1, 1, 1)))


def _sheet(path, name: str) -> list[tuple]:
    ws = load_workbook(path)[name]
    return [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]


def test_cli_report_spending_is_the_dashboards_at_the_economists_prices(new_price, tmp_path):
    """Fails on the code before #18: the CLI priced spending from the catalogue."""
    out = tmp_path / "report.xlsx"
    res = CliRunner().invoke(app, ["report", "--year", str(YEAR), "--format", "xlsx", "--out", str(out),
                                   "--language", "en", "--internal"])
    assert res.exit_code == 0, res.output
    rows = _sheet(out, "Spending")
    dash = _dashboard("spending")
    total = dash.frame.filter(pl.col("step").is_null()).row(0, named=True)
    assert rows[-1][0] == "Total"
    assert rows[-1][1] == pytest.approx(total["spending_dkk"], abs=0.5)
    by_step = {r["step"]: r for r in dash.frame.filter(pl.col("step").is_not_null()).iter_rows(named=True)}
    for label, dkk, children, _per_child in rows[:-1]:
        step = int(label.split(".")[0])
        assert dkk == pytest.approx(by_step[step]["spending_dkk"], abs=0.5), label
        assert children == by_step[step]["children"], label
    readme = "\n".join(str(c.value) for c in load_workbook(out)["README"]["A"] if c.value)
    assert "economist's date-ranged prices" in readme, readme


@pytest.fixture
def goals(new_price, make_user):
    from trappen.web.goals.services import goal_create

    analyst = make_user("goal_an", "analyst")
    from trappen.web.register.models import District

    district = District.objects.order_by("code").first().code
    made = [goal_create(actor=analyst, kpi_code=code, baseline_value=base, baseline_date=date(2024, 1, 1),
                        target_value=target, target_date=date(2027, 12, 31), district=dist, note=note)
            for code, base, target, dist, note in (
                ("SS01_RESIDENTIAL_SHARE", 0.4, 0.2, "", "Fewer in residential care"),
                ("SPEND_PER_CHILD", 400_000.0, 300_000.0, "", "Spending per child"),
                ("FAMILY_CARE_SHARE", 0.5, 0.7, district, ""))]
    return made


def _report(year: int, *, publish: bool = False, language: str = "en", today: date = TODAY):
    from trappen.web.reports.selectors import council_report

    return council_report(year=year, language=language, today=today, publish=publish)


def _table(report, key: str) -> pl.DataFrame:
    return next(t for t in report.tables if t.key == key).frame


def test_web_report_spending_per_step_equals_the_dashboard(new_price):
    report = _report(YEAR)
    spend = _table(report, "spending")
    dash = _dashboard("spending").frame
    assert spend["dkk"].to_list()[-1] == pytest.approx(dash.filter(pl.col("step").is_null())["spending_dkk"][0])
    dash_steps = dash.filter(pl.col("step").is_not_null()).sort("step")
    assert spend["dkk"].to_list()[:-1] == pytest.approx(dash_steps["spending_dkk"].to_list())
    assert spend["per_child"].to_list()[:-1] == pytest.approx(dash_steps["dkk_per_child"].to_list())
    method = next(s for s in report.sections if s.key == "method").paragraphs
    assert any("economist's date-ranged prices" in p and f"{YEAR}" in p for p in method)


def test_report_steps_and_caseload_equal_the_dashboards_and_the_kpi_api(new_price, make_user, client):
    from trappen.web.api.services import token_create

    report = _report(YEAR)
    steps = _table(report, "steps")
    dec = _dashboard("steps").frame.filter(pl.col("month") == date(YEAR, 12, 1)).row(0, named=True)
    n_steps = len([c for c in dec if c.startswith("step_")])
    assert steps["children"].to_list()[-n_steps:] == [dec[f"step_{s}"] for s in range(1, n_steps + 1)]
    make_user("api_eco", "economist")
    token = token_create(username="api_eco")
    api = client.get(f"/api/v1/kpis?at={YEAR}-12-31&from={YEAR}-01-01&to={YEAR}-12-31"
                     "&kpi=STEP_PER_1000&kpi=CASELOAD_MEAN&kpi=CASELOAD_MAX",
                     HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200, api.content
    rows = [r for r in api.json() if all(r.get(d) in (None, "None") for d in ("district", "age_band", "duty"))]
    per_1000 = {r["step"]: r["value"] for r in rows if r["kpi_code"] == "STEP_PER_1000" and r["step"] is not None}
    compared = 0
    for label, value in zip(steps["step"].to_list(), steps["per_1000"].to_list(), strict=True):
        step = label.split(".")[0]
        if value is not None and per_1000.get(step) is not None:
            assert value == pytest.approx(round(per_1000[step], 1)), label
            compared += 1
    assert compared >= 3  # the API hides 1-4 children from the economist
    caseload = {r: v for r, v in zip(_table(report, "caseload")["code"].to_list(),
                                     _table(report, "caseload")["value"].to_list(), strict=True)}
    api_caseload = {r["kpi_code"]: r["value"] for r in rows if r["kpi_code"].startswith("CASELOAD")}
    for code in ("CASELOAD_MEAN", "CASELOAD_MAX"):
        assert caseload[code] == pytest.approx(round(api_caseload[code], 1)), code


def test_report_goal_status_equals_the_goals_page(goals, make_user, client):
    from django.utils import timezone

    today = timezone.localdate()
    client.force_login(make_user("page_an", "analyst"))
    page = client.get("/goals/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    shown = {row.goal.note or row.goal.kpi_code: row for row in page.context["rows"]}
    report = _report(today.year, publish=True, today=today)
    table = _table(report, "goals")
    assert table.height == len(goals) == len(shown)
    from trappen.web.goals.views import STATUS_LABELS

    compared = 0
    for row in table.iter_rows(named=True):
        key = row["goal"] if row["goal"] in shown else next(k for k in shown if k.startswith(("FAMILY",)))
        page_row = shown[key]
        if page_row.progress is None:
            assert row["latest"] is None
            continue
        assert row["status"] == str(STATUS_LABELS[page_row.progress.status])
        scale = 100.0 if page_row.goal.kpi_code.endswith("SHARE") else 1.0
        assert row["latest"] == pytest.approx(round(page_row.progress.latest_value * scale, 1))
        compared += 1
    assert compared >= 2
