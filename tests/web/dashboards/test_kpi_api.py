"""GET /api/v1/kpis: the same numbers as ``trappen kpi`` and the dashboard downloads; counts 1-4
hidden from analysts; kpi/view required."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from trappen.cli import app
from trappen.synthetic import generate

QUERY = "at=2024-12-31&from=2024-12-01&to=2024-12-31"


@pytest.fixture(scope="module")
def register_small():
    return generate(children=1500, years=4, seed=2)


@pytest.fixture
def db_register(db, register_small):
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register_small)
    cache_clear()
    yield register_small
    cache_clear()


def _token(make_user, role, districts=None):
    from trappen.web.api.services import token_create

    make_user(f"api_{role}", role, districts)
    return token_create(username=f"api_{role}")


def _get(client, token, query=QUERY):
    return client.get(f"/api/v1/kpis?{query}", HTTP_AUTHORIZATION=f"Bearer {token}")


def _key(row):
    return (row["kpi_code"], row["step"], row["from_step"], row["to_step"], row["district"],
            row["age_band"], row["placement_type"], row["duty"])


def test_api_equals_the_cli_and_the_dashboard_csv(client, make_user, db_register, tmp_path):
    from trappen.web.register.selectors import register_snapshot

    districts = sorted(db_register.districts["district_code"].to_list())
    response = _get(client, _token(make_user, "teamleader", districts))
    assert response.status_code == 200
    api = {_key(r): r for r in response.json()}
    assert not any(r["suppressed"] for r in api.values())

    # the CLI on the same register, written to a directory
    register_snapshot().write(tmp_path / "reg")
    out = CliRunner().invoke(app, ["kpi", "--register", str(tmp_path / "reg"), "--at", "2024-12-31",
                                   "--from", "2024-12-01", "--to", "2024-12-31", "--format", "json"])
    assert out.exit_code == 0, out.output
    cli = {_key(r): r for r in json.loads(out.output)}
    assert set(cli) == set(api)
    for key, row in cli.items():
        assert (api[key]["value"], api[key]["numerator"], api[key]["denominator"]) == \
            (row["value"], row["numerator"], row["denominator"]), key

    # the steps dashboard's CSV: children on each step on the last day of December
    c = client
    c.force_login(make_user("dash_tl", "teamleader", districts))
    rows = list(csv.DictReader(io.StringIO(c.get("/dashboards/steps/", {
        "date_from": "2024-01-01", "date_to": "2024-12-31", "format": "csv", "header": "keys"}).content.decode())))
    december = rows[-1]
    steps = {k[1]: r["numerator"] for k, r in api.items()
             if k[0] == "STEP_PER_1000" and k[1] is not None and all(v is None for v in k[2:])}
    assert steps and {s: int(n) for s, n in steps.items()} == \
        {s: int(december[f"step_{s}"]) for s in steps}
    assert sum(int(n) for n in steps.values()) > 0


def test_analyst_never_sees_a_count_of_one_to_four(client, make_user, db_register):
    response = _get(client, _token(make_user, "analyst"), QUERY + "&kpi=STEP_PER_1000&kpi=NEW_CASES")
    assert response.status_code == 200
    rows = response.json()
    assert {r["kpi_code"] for r in rows} == {"STEP_PER_1000", "NEW_CASES"}
    for r in rows:
        if r["suppressed"]:
            assert r["value"] is None and r["numerator"] is None and r["denominator"] is None
        else:
            assert not 0 < (r["numerator"] or 0) < 5, r
    assert any(r["suppressed"] for r in rows)  # the breakdowns of a small register have small cells


def test_caseworker_sees_only_own_districts(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    year = "at=2024-12-31&from=2024-01-01&kpi=NEW_CASES"
    whole = _get(client, _token(make_user, "teamleader", districts), year).json()
    own = _get(client, _token(make_user, "caseworker", districts[:1]), year).json()
    total = [r for r in whole if all(_key(r)[i] is None for i in range(1, 8))]
    mine = [r for r in own if all(_key(r)[i] is None for i in range(1, 8))]
    assert 0 < mine[0]["numerator"] < total[0]["numerator"]


def test_partner_refused_and_bad_input_is_422(client, make_user, db_register):
    assert _get(client, _token(make_user, "partner")).status_code == 403
    token = _token(make_user, "analyst")
    bad = _get(client, token, "at=2024-12-31&kpi=NOPE")
    assert bad.status_code == 422 and "NOPE" in bad.content.decode()
    reversed_period = _get(client, token, "at=2024-12-31&from=2024-12-10&to=2024-12-01")
    assert reversed_period.status_code == 422
    assert _get(client, token, "at=31-12-2024").status_code == 422
    assert date.fromisoformat("2024-12-31")  # the format the API expects


def test_far_away_dates_are_422_naming_the_field(client, make_user, db_register):
    token = _token(make_user, "analyst")
    for query, field in (("at=9999-12-31", "at"), ("at=2024-12-31&from=0001-01-01", "from"),
                         ("at=2024-12-31&to=9999-12-30", "to")):
        response = _get(client, token, query)
        assert response.status_code == 422, query
        assert field in response.content.decode(), query
