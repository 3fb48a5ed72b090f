"""The forecast page and API: access per role, levers change the numbers, a bad lever is named,
and the API returns exactly the core's aggregate result for the same seed."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import polars as pl
import pytest

from trappen.forecast import Scenario, estimate, project_expected, simulate
from trappen.synthetic import generate


@pytest.fixture(scope="module")
def register_small():
    return generate(children=600, years=4, seed=3)


@pytest.fixture
def db_register(db, register_small):
    from trappen.web.dashboards.selectors import cache_clear as dash_clear
    from trappen.web.forecasts.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register_small)
    dash_clear()
    cache_clear()
    yield register_small
    dash_clear()
    cache_clear()


def _login(client, make_user, role):
    client.force_login(make_user(f"u_{role}", role, ["D01"] if role in ("caseworker", "teamleader") else None))
    return client


def _chart(response) -> dict:
    body = response.content.decode()
    found = re.search(r'<script id="forecast-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, "no forecast data on the page"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("role", ["teamleader", "analyst"])
def test_page_renders_for_roles_with_forecast_view(client, make_user, db_register, role):
    response = _login(client, make_user, role).get("/forecasts/", {"months": 12})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="forecast-steps"' in body and 'id="forecast-costs"' in body
    assert "<script>" not in body and " style=" not in body  # strict CSP: nothing inline
    data = _chart(response)
    assert len(data["months"]) == 13 and [s["step"] for s in data["steps"]] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("role", ["caseworker", "partner", "admin"])
def test_page_refused_without_forecast_view(client, make_user, db_register, role):
    assert _login(client, make_user, role).get("/forecasts/").status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/forecasts/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_closing_a_step_empties_it_and_differs_from_the_baseline(client, make_user, db_register):
    c = _login(client, make_user, "analyst")
    base = _chart(c.get("/forecasts/", {"months": 24}))
    closed = _chart(c.get("/forecasts/", {"months": 24, "closed_steps": ["6"]}))
    six_base, six_closed = base["steps"][5], closed["steps"][5]
    assert six_base["expected"] == six_base["baseline"]  # no levers: scenario == baseline
    assert max(six_base["expected"][1:]) > 0
    assert max(six_closed["expected"][1:]) == 0 and max(six_closed["p90"][1:]) == 0
    assert six_closed["baseline"] == six_base["baseline"]
    # the children go to the nearest open step (5): more there than without the lever
    assert closed["steps"][4]["expected"][-1] > base["steps"][4]["expected"][-1]


def test_more_entrants_more_children_on_step_1(client, make_user, db_register):
    c = _login(client, make_user, "analyst")
    base = _chart(c.get("/forecasts/", {"months": 24}))
    more = _chart(c.get("/forecasts/", {"months": 24, "entrant_rate_change_pct": "50"}))
    assert more["steps"][0]["expected"][-1] > base["steps"][0]["expected"][-1]


@pytest.mark.parametrize(("params", "field"), [
    ({"months": 6}, "months"),
    ({"months": 121}, "months"),
    ({"months": 60, "entrant_rate_change_pct": "lots"}, "entrant_rate_change_pct"),
    ({"months": 60, "cap_step": "6"}, "cap_places"),
    ({"months": 60, "closed_steps": ["1", "2", "3", "4", "5", "6"]}, "closed_steps"),
    ({"months": 60, "caseload_per_caseworker": "0"}, "caseload_per_caseworker"),
])
def test_invalid_lever_is_a_form_error_naming_it(client, make_user, db_register, params, field):
    response = _login(client, make_user, "analyst").get("/forecasts/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-field="{field}"' in body
    assert 'id="forecast-data"' not in body


def test_empty_register_says_so(client, make_user, db):
    from trappen.web.forecasts.selectors import cache_clear

    cache_clear()
    response = _login(client, make_user, "analyst").get("/forecasts/")
    assert response.status_code == 200
    assert 'id="forecast-unavailable"' in response.content.decode()


# ------------------------------------------------------------------ API

def _api(client, make_user, role):
    from trappen.web.api.services import token_create

    make_user(f"u_{role}", role, ["D01"] if role in ("caseworker", "teamleader") else None)
    token = token_create(username=f"u_{role}")

    def post(body):
        return client.post("/api/v1/forecasts", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    return post


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


def test_api_equals_the_core_for_the_same_seed_and_is_aggregate(client, make_user, db_register):
    from trappen.web.forecasts.selectors import SEED, default_cutoff, replicates_for
    from trappen.web.register.selectors import register_snapshot

    response = _api(client, make_user, "analyst")({"months": 18, "closed_steps": [6],
                                                    "population_growth_pct_per_year": 2})
    assert response.status_code == 200, response.content
    out = response.json()
    # aggregate only: no identifier of a child anywhere, one number per state and month
    assert not {k for k in _keys(out) if "child" in k or k.endswith("_id") or k == "cpr"}
    assert all(len(s["p50"]) == 19 for s in out["states"])

    register = register_snapshot()
    model = estimate(register, cutoff=default_cutoff(register))
    scenario = Scenario(name="scenario", closed_steps=(6,), population_growth_pct_per_year=2.0)
    sim = simulate(model, months=18, replicates=replicates_for(18), seed=SEED, scenario=scenario)
    exp = project_expected(model, months=18, scenario=scenario)
    base = project_expected(model, months=18)
    assert out["cutoff"] == model.cutoff.isoformat() and out["seed"] == SEED
    assert out["replicates"] == replicates_for(18) == 500
    assert [s["state"] for s in out["states"]] == list(sim.labels)
    for s, state in enumerate(out["states"]):
        np.testing.assert_array_equal(state["p10"], sim.p10[:, s])
        np.testing.assert_array_equal(state["p90"], sim.p90[:, s])
        np.testing.assert_array_equal(state["mean"], sim.mean[:, s])
        np.testing.assert_allclose(state["expected"], exp.mean[:, s])
        np.testing.assert_allclose(state["diff_from_baseline"], exp.mean[:, s] - base.mean[:, s])
    cost_year_1 = out["cost_per_year"][0]
    assert cost_year_1["year"] == 1
    assert cost_year_1["scenario_cost_dkk"] == pytest.approx(exp.cost_dkk_per_month[1:13].sum())


@pytest.mark.parametrize(("body", "field"), [
    ({"months": 500}, "months"),
    ({"months": 60, "entrant_rate_change_pct": "lots"}, "entrant_rate_change_pct"),
    ({"months": 60, "closed_steps": [9]}, "closed_steps"),
])
def test_api_bad_lever_is_422_naming_it(client, make_user, db_register, body, field):
    response = _api(client, make_user, "analyst")(body)
    assert response.status_code == 422
    assert field in [p["field"] for p in response.json()["problems"]]


@pytest.mark.parametrize(("role", "status"), [("teamleader", 200), ("caseworker", 403), ("partner", 403)])
def test_api_access_follows_the_permission_table(client, make_user, db_register, role, status):
    assert _api(client, make_user, role)({"months": 12}).status_code == status


def test_page_is_in_danish(client, make_user, db_register):
    response = _login(client, make_user, "teamleader").get("/forecasts/", {"months": 12},
                                                           HTTP_ACCEPT_LANGUAGE="da")
    body = response.content.decode()
    assert "Vis prognose" in body and "Børn pr. sagsbehandler" in body and "Udgift pr. år" in body


def test_replicates_shrink_with_the_horizon():
    from trappen.web.forecasts.selectors import replicates_for

    assert [replicates_for(m) for m in (12, 30, 60, 100, 120)] == [500, 500, 400, 240, 200]


def test_download_csv_and_excel_hold_the_pages_forecast(client, make_user, db_register):
    """The files carry the same numbers as the core for the same levers and seed, per month
    and state, and say what they are (aggregate counts only)."""
    import io

    from openpyxl import load_workbook

    from trappen.web.forecasts.selectors import SEED, default_cutoff, replicates_for

    _login(client, make_user, "analyst")
    query = "months=12&closed_steps=6&entrant_rate_change_pct=10"
    page = client.get(f"/forecasts/?{query}")
    assert f"/forecasts/forecast.csv?{query}" in html.unescape(page.content.decode())
    response = client.get(f"/forecasts/forecast.csv?{query}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    frame = pl.read_csv(io.BytesIO(client.get(f"/forecasts/forecast.csv?{query}&header=keys").content))
    model = estimate(db_register, cutoff=default_cutoff(db_register))
    scenario = Scenario(name="scenario", closed_steps=(6,), entrant_rate_change_pct=10.0)
    sim = simulate(model, months=12, replicates=replicates_for(12), seed=SEED, scenario=scenario, threads=2)
    assert frame.height == 13 * len(sim.labels)
    step5 = frame.filter(pl.col("state") == "step_5").sort("month")
    np.testing.assert_allclose(step5["p90"].to_numpy(), sim.p90[:, 5])
    np.testing.assert_allclose(step5["expected"].to_numpy(),
                               project_expected(model, months=12, scenario=scenario).mean[:, 5])
    assert frame.filter(pl.col("state") == "step_6")["expected"].sum() == 0
    assert not {"child_id", "cpr", "name"} & set(frame.columns)

    book = load_workbook(io.BytesIO(client.get(f"/forecasts/forecast.xlsx?{query}").content))
    assert book.sheetnames == ["forecast", "about"]
    assert len([c.value for c in book["forecast"][1]]) == len(frame.columns)
    about = {row[0].value: row[1].value for row in book["about"].iter_rows()}
    assert about["seed"] == SEED and about["closed_steps"] == "6" and about["months"] == 12


def test_download_needs_forecast_export_and_good_levers(client, make_user, db_register):
    _login(client, make_user, "teamleader")  # forecast/view only
    assert client.get("/forecasts/forecast.csv?months=12").status_code == 403
    client.logout()
    _login(client, make_user, "economist")
    bad = client.get("/forecasts/forecast.csv?months=1000")
    assert bad.status_code == 400 and "attachment" not in bad.get("Content-Disposition", "")
    assert "months" in bad.content.decode() or "Months" in bad.content.decode()
    assert client.get("/forecasts/forecast.pdf?months=12").status_code == 404


def test_a_forecast_becomes_an_investment_case(client, make_user, db_register):
    """An economist turns the levers into an investment case: its effect is the expected
    child-years with minus without the levers, per step and year, exactly as the forecast
    computes them; then the case's edit page opens. Team leaders may not create cases."""
    import tomllib

    from trappen.web.forecasts.selectors import Levers, forecast_model, forecast_run
    from trappen.web.investments.models import InvestmentCase

    query = "months=36&closed_steps=6&entrant_rate_change_pct=10"
    _login(client, make_user, "teamleader")
    assert client.post(f"/forecasts/investment-case/?{query}").status_code == 403
    client.logout()
    _login(client, make_user, "economist")
    assert "forecast-case" in client.get(f"/forecasts/?{query}").content.decode()
    response = client.post(f"/forecasts/investment-case/?{query}")
    case = InvestmentCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/investments/{case.pk}/edit/"
    data = tomllib.loads(case.toml_text)
    result = forecast_run(forecast_model(), levers=Levers(months=36, closed_steps=(6,), entrant_rate_change_pct=10.0))
    scen, base = result.expected.child_years(), result.baseline.child_years()
    first = result.simulated.month_dates[1].year
    for step, values in data["effect"]["child_years"].items():
        for t, value in enumerate(values):
            want = (scen.filter((pl.col("year") == first + t) & (pl.col("step") == int(step)))["child_years"].sum()
                    - base.filter((pl.col("year") == first + t) & (pl.col("step") == int(step)))["child_years"].sum())
            assert value == pytest.approx(want, abs=1e-4)
    assert data["effect"]["child_years"]["6"][-1] < 0 and data["case"]["horizon_years"] == 3
    assert client.get(response["Location"]).status_code == 200
    assert "costs" not in data  # no caseload lever: no caseworkers to pay
    assert client.post("/forecasts/investment-case/?months=5").status_code == 400
    assert InvestmentCase.objects.count() == 1
    # a lower caseload: the extra caseworkers for the children on the staircase are the cost
    model = forecast_model()
    client.post("/forecasts/investment-case/?months=60&caseload_per_caseworker=10")
    costs = tomllib.loads(InvestmentCase.objects.latest("pk").toml_text)["costs"]
    children = model.start[:, :, 1:7].sum()
    assert costs[0]["fte"] > 0
    assert costs[0]["fte"] == pytest.approx(children / 10 - children / model.caseload_baseline, abs=0.01)
