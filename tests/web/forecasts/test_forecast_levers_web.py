"""The page's and the API's new levers (#19 item 4): reference period, exit change, one rate
adjustment (multiply or add), filters by sex and age band, inflation and cost by intervention;
each equals the core's result for the same seed, and a bad one is named."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trappen.forecast import RateAdjustment, Scenario, estimate, filter_register, project_expected, simulate
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


def _api(client, make_user, role="analyst"):
    from trappen.web.api.services import token_create

    make_user(f"u_{role}", role, None)
    token = token_create(username=f"u_{role}")

    def post(body):
        return client.post("/api/v1/forecasts", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    return post


def test_api_levers_equal_the_core(client, make_user, db_register):
    from trappen.web.forecasts.selectors import SEED, default_cutoff, replicates_for
    from trappen.web.register.selectors import register_snapshot

    body = {"months": 12, "window_months": 24, "sex": "F", "age_from": 6, "age_to": 17,
            "exit_rate_change_pct": -20, "adjust_from": 3, "adjust_to": 5, "adjust_multiply": 1.5,
            "adjust_add_pct": 1, "inflation_pct_per_year": 3}
    response = _api(client, make_user)(body)
    assert response.status_code == 200, response.content
    out = response.json()
    register = register_snapshot()
    cutoff = default_cutoff(register)
    model = estimate(filter_register(register, sex="F", age_from=6, age_to=17, on=cutoff), cutoff=cutoff,
                     window_months=24)
    scenario = Scenario(name="scenario", exit_rate_change_pct=-20.0, rate_adjustments=(
        RateAdjustment(from_state=3, to_state=5, multiply=1.5, add=0.01),))
    sim = simulate(model, months=12, replicates=replicates_for(12), seed=SEED, scenario=scenario)
    exp = project_expected(model, months=12, scenario=scenario)
    for s, state in enumerate(out["states"]):
        np.testing.assert_array_equal(state["p90"], sim.p90[:, s])
        np.testing.assert_allclose(state["expected"], exp.mean[:, s])
    growth = 1.03 ** (np.arange(13) / 12)
    assert out["cost_per_year"][0]["scenario_cost_dkk"] == pytest.approx(
        (exp.cost_dkk_per_month[1:13].sum(axis=1) * growth[1:]).sum())
    # cost by intervention sums to the steps' cost (aftercare has no intervention type here)
    by_type = sum(r["cost_dkk"] for r in out["cost_by_intervention"] if r["year"] == 1)
    steps = (exp.cost_dkk_per_month[1:13, 1:7].sum(axis=1) * growth[1:]).sum()
    assert by_type == pytest.approx(steps, rel=1e-9)


def test_rate_adjustment_of_one_changes_nothing_on_the_page(client, make_user, db_register):
    from trappen.web.forecasts import selectors as sel
    from trappen.web.forecasts.forms import LeversForm

    make_user("u_analyst", "analyst", None)
    plain = LeversForm({"months": 12})
    same = LeversForm({"months": 12, "adjust_from": "0", "adjust_to": "1", "adjust_multiply": "1",
                       "adjust_add_pct": "0"})
    assert plain.is_valid() and same.is_valid(), same.errors
    model = sel.forecast_model(plain.levers())
    a, b = sel.forecast_run(model, levers=plain.levers()), sel.forecast_run(model, levers=same.levers())
    assert np.array_equal(a.simulated.p90, b.simulated.p90) and np.array_equal(a.expected.mean, b.expected.mean)


@pytest.mark.parametrize(("params", "field"), [
    ({"adjust_from": "3"}, "adjust_to"),
    ({"adjust_from": "3", "adjust_to": "3"}, "adjust_to"),
    ({"adjust_multiply": "2"}, "adjust_from"),
    ({"adjust_from": "3", "adjust_to": "5", "adjust_multiply": "-1"}, "adjust_multiply"),
    ({"age_from": "12", "age_to": "6"}, "age_to"),
    ({"sex": "X"}, "sex"),
    ({"window_months": "2"}, "window_months"),
    ({"exit_rate_change_pct": "-150"}, "exit_rate_change_pct"),
])
def test_bad_new_lever_is_named(client, make_user, db_register, params, field):
    client.force_login(make_user("u_analyst", "analyst", None))
    response = client.get("/forecasts/", {"months": 24, **params})
    body = response.content.decode()
    assert f'data-field="{field}"' in body and 'id="forecast-data"' not in body


def test_page_shows_levers_and_cost_by_intervention(client, make_user, db_register):
    client.force_login(make_user("u_analyst", "analyst", None))
    body = client.get("/forecasts/", {"months": 24, "sex": "M", "inflation_pct_per_year": "2"}).content.decode()
    for lever in ("window_months", "exit_rate_change_pct", "adjust_from", "sex", "age_from", "inflation_pct_per_year"):
        assert f'id="lever-{lever}"' in body
    assert 'id="forecast-cost-types"' in body and 'id="forecast-data"' in body
