"""Evaluation page: access per role, the effects table equals staggered_did on the same snapshot
and seed, Danish caveats in Danish, analysts never see a count of children 1-4."""

from __future__ import annotations

import re

import polars as pl
import pytest

from trappen.evaluation import build_panel, staggered_did
from trappen.synthetic import generate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:matplotlib")


@pytest.fixture(scope="module")
def register_small():
    # three pilot districts adopting in 2023: inside the five-year window the page evaluates
    return generate(children=1500, years=4, seed=2, pilot_districts=3, pilot_from=2023)


@pytest.fixture
def db_register(db, register_small):
    from trappen.web.dashboards.selectors import cache_clear
    from trappen.web.evaluation.selectors import cache_clear as eval_cache_clear
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(register_small)
    cache_clear()
    eval_cache_clear()
    yield register_small
    cache_clear()
    eval_cache_clear()


def _login(client, make_user, role, districts=None):
    client.force_login(make_user(f"u_{role}", role, districts))
    return client


@pytest.mark.parametrize("role", ["teamleader", "analyst"])
def test_page_renders_for_allowed_roles_without_inline_script_or_style(client, make_user, db_register, role):
    districts = sorted(db_register.districts["district_code"].to_list())
    response = _login(client, make_user, role, districts).get("/evaluation/")
    assert response.status_code == 200
    body = response.content.decode()
    for part in ('id="effects-table"', 'id="event-study-plot"', 'id="bacon-table"', 'id="cif-plot"',
                 'id="expected-table"', 'src="data:image/svg+xml;base64,'):
        assert part in body, part
    assert "<script>" not in body and " style=" not in body  # strict CSP


@pytest.mark.parametrize("role", ["caseworker", "partner", "admin"])
def test_other_roles_are_refused(client, make_user, db_register, role):
    assert _login(client, make_user, role).get("/evaluation/").status_code == 403


def test_anonymous_is_sent_to_login(client, db_register):
    response = client.get("/evaluation/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_overall_att_equals_staggered_did_on_the_same_snapshot_and_seed(client, make_user, db_register):
    from trappen.web.evaluation import selectors as sel
    from trappen.web.register.selectors import register_snapshot

    response = _login(client, make_user, "analyst").get("/evaluation/", {"outcome": "new_placements_per_1000"})
    shown = response.context["result"]
    snapshot = register_snapshot()
    start, end = sel.evaluation_window(snapshot)
    panel = build_panel(snapshot, freq=sel.FREQ, start=start, end=end)
    want = staggered_did(panel, outcome="new_placements_per_1000", draws=sel.DRAWS, ri_draws=sel.RI_DRAWS,
                         seed=sel.SEED)
    assert shown.clusters.treated == want.clusters.treated == 3
    assert shown.overall["att"].item() == pytest.approx(want.overall["att"].item(), rel=1e-12)
    assert shown.overall["p_wild"].item() == want.overall["p_wild"].item()
    body = response.content.decode()
    cell = re.search(r'id="overall-att">([^<]*)<', body).group(1)
    assert float(cell.replace(",", "")) == pytest.approx(want.overall["att"].item(), rel=1e-2)
    assert re.search(r'id="treated-clusters">3<', body)
    assert re.search(rf'id="control-clusters">{want.clusters.control}<', body)


def test_caveats_in_danish_when_the_language_is_danish(client, make_user, db_register):
    c = _login(client, make_user, "analyst")
    client.cookies["django_language"] = "da"
    da = c.get("/evaluation/", HTTP_ACCEPT_LANGUAGE="da")
    result = da.context["result"]
    assert da.context["caveats"] == result.caveats("da") != result.caveats("en")
    body = da.content.decode()
    assert "Evaluering: virkede omlægningen?" in body and "<h3>Forbehold</h3>" in body
    assert 'id="caveats"><li>' in body
    client.cookies["django_language"] = "en"
    en = c.get("/evaluation/", HTTP_ACCEPT_LANGUAGE="en")
    assert en.context["caveats"] == result.caveats("en")


def _counts(frame: pl.DataFrame, column: str) -> list[object]:
    return frame[column].to_list() if frame.height else []


def test_analyst_sees_no_count_1_to_4_teamleader_sees_them(client, make_user, db_register):
    districts = sorted(db_register.districts["district_code"].to_list())
    analyst = _login(client, make_user, "analyst").get("/evaluation/").context["ev"]
    counts = _counts(analyst.cif, "at_risk") + _counts(analyst.expected, "episodes")
    assert counts and not [n for n in counts if n is not None and 1 <= n <= 4]
    assert analyst.suppressed
    client.logout()
    leader = _login(client, make_user, "teamleader", districts).get("/evaluation/").context["ev"]
    assert not leader.suppressed
    raw = _counts(leader.cif, "at_risk") + _counts(leader.expected, "episodes")
    assert None not in raw and sum(raw) >= sum(n for n in counts if n is not None)


def test_configured_statbank_csv_shows_the_synthetic_control(client, make_user, db_register, settings, tmp_path):
    years = list(range(2010, 2020))
    t = [float(i) for i in range(len(years))]
    donors = {"B": [10 + x for x in t], "C": [14 - 0.5 * x for x in t], "D": [20 + 0.2 * x for x in t],
              "E": [8 + 0.3 * x for x in t]}
    treated = [
        (b + c) / 2 - (2.0 if y >= 2016 else 0.0) for b, c, y in zip(donors["B"], donors["C"], years, strict=True)
    ]
    lines = ['"Anbragte børn pr. 1.000 0-17-årige"', ";" + ";".join(str(y) for y in years)]
    lines += [";".join([m, *(f"{v:.3f}" for v in vals)]) for m, vals in {"A": treated, **donors}.items()]
    path = tmp_path / "statbank.csv"
    path.write_bytes("\n".join(lines).encode("cp1252"))
    c = _login(client, make_user, "analyst")
    assert 'id="synthetic-plot"' not in c.get("/evaluation/").content.decode()
    settings.TRAPPEN_STATBANK_CSV, settings.TRAPPEN_STATBANK_MUNICIPALITY, settings.TRAPPEN_STATBANK_FROM = (
        str(path),
        "A",
        2016,
    )
    response = c.get("/evaluation/")
    synthetic = response.context["synthetic"]
    assert synthetic.result.average_post_gap == pytest.approx(-2.0, abs=0.05)
    assert 'id="synthetic-plot" src="data:image/svg+xml;base64,' in response.content.decode()
    settings.TRAPPEN_STATBANK_MUNICIPALITY = "Nowhere"
    assert "municipality not in the table" in c.get("/evaluation/").content.decode()


def test_spending_per_child_is_an_outcome_on_the_page(client, make_user, db_register):
    """The page evaluates spending per child 0-17 (the panel's spending outcome) the same way."""
    from trappen.web.evaluation import selectors as sel
    from trappen.web.register.selectors import register_snapshot

    response = _login(client, make_user, "analyst").get("/evaluation/", {"outcome": "spending_per_child"})
    assert response.status_code == 200 and 'value="spending_per_child" selected' in response.content.decode()
    snapshot = register_snapshot()
    start, end = sel.evaluation_window(snapshot)
    panel = build_panel(snapshot, freq=sel.FREQ, start=start, end=end)
    assert panel["spending_per_child"].sum() > 0
    want = staggered_did(panel, outcome="spending_per_child", draws=sel.DRAWS, ri_draws=sel.RI_DRAWS, seed=sel.SEED)
    assert response.context["result"].overall["att"].item() == pytest.approx(want.overall["att"].item(), rel=1e-12)
