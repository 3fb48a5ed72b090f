"""The national view: pages, downloads and API for the national analyst only (the permission
table), its figures equal to the municipality's own KPI figures, and the evaluation across
municipalities on the stored adoption years."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from trappen.national import nation_demo, store_read
from trappen.privacy.roles import ROLES


@pytest.fixture(scope="module")
def nation_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nation") / "national"
    nation_demo(root, municipalities=8, children_scale=300, years=4, seed=3)
    return root


@pytest.fixture
def national(settings, tmp_path, nation_store) -> Path:
    """The national store of this instance (TRAPPEN_DATA_DIR/national), a copy per test."""
    settings.TRAPPEN_DATA_DIR = tmp_path
    shutil.copytree(nation_store, tmp_path / "national")
    return tmp_path / "national"


@pytest.fixture
def users(db, make_user):
    return {role: make_user(f"n_{role}", role) for role in ROLES}


URLS = ("/national/", "/national/901/", "/national/evaluation/", "/national/evaluation/?kpi=SS05_HOME_BASED_PER_1000",
        "/national/?format=csv", "/national/901/?format=xlsx")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_national_analyst_opens_the_national_view(client, users, national, role):
    from trappen.web.api.services import token_create

    client.force_login(users[role])
    expected = 200 if role == "national_analyst" else 403
    for url in URLS:
        assert client.get(url).status_code == expected, (role, url)
    token = token_create(username=f"n_{role}")
    for url in ("/api/v1/national/municipalities", "/api/v1/national/municipalities/901",
                "/api/v1/national/evaluation?kpi=SS05_HOME_BASED_PER_1000"):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == expected, (role, url)


def test_the_national_view_shows_every_municipality_with_labels(client, users, national):
    client.force_login(users["national_analyst"])
    html = client.get("/national/?year=2025").content.decode()
    for code in range(901, 909):
        assert f"/national/{code}/?year=2025" in html
    assert "Syntetisk kommune 901" in html and "Hele landet" in html and "13,959" in html
    assert "STEP_PER_1000" not in html and "SPEND_PER_CHILD" not in html
    assert 'href="/national/"' in html  # in the navigation
    assert client.get("/national/999/").status_code == 404
    assert client.get("/national/?format=pdf").status_code == 404


def test_downloads_are_csv_and_excel_with_labels(client, users, national):
    client.force_login(users["national_analyst"])
    rows = list(csv.reader(io.StringIO(client.get("/national/?year=2025&format=csv").content.decode())))
    header = rows[1]
    assert "Kommune" in header or "Municipality" in header
    assert not any(cell in ("spend_per_child", "municipality_code") for cell in header)
    book = load_workbook(io.BytesIO(client.get("/national/901/?year=2025&format=xlsx").content))
    assert {"comparison", "staircase"} <= set(book.sheetnames)
    labels = [c.value for c in book["comparison"]["A"][1:] if c.value]
    assert labels and not any(str(v).isupper() and "_" in str(v) for v in labels)


def test_a_hidden_cell_stays_hidden_on_the_page(client, users, national):
    cells = store_read(national).filter((pl.col("year") == 2025) & pl.col("suppressed")
                                        & (pl.col("kpi_code") == "SPEND_PER_CHILD") & pl.col("step").is_null())
    client.force_login(users["national_analyst"])
    for code in cells["municipality_code"].to_list():
        payload = client.get(f"/api/v1/national/municipalities/{code}?year=2025",
                             HTTP_AUTHORIZATION="").status_code
        assert payload in (200, 401)
        html = client.get(f"/national/{code}/?year=2025").content.decode()
        assert "..</td>" in html


def test_the_national_analyst_holds_aggregate_national_grants_only():
    from trappen.privacy.roles import Scope, default_permissions

    grants = default_permissions().grants_for("national_analyst")
    assert {(g.resource, g.action) for g in grants} == {("national", "view"), ("national", "export"),
                                                       ("national", "create")}
    assert {g.scope for g in grants} == {Scope.AGGREGATE}
    others = [r for r in ROLES if r != "national_analyst"]
    assert not any(g.resource == "national" for r in others for g in default_permissions().grants_for(r))


@pytest.mark.parametrize(("language", "present", "absent"), [
    ("da", ("Landsbillede", "Sammenlignelige kommuner", "Alle kommuner"), ("Comparable municipalities",
                                                                         "All municipalities", "per 1,000 children")),
    ("en", ("National view", "Comparable municipalities", "All municipalities"), ("Sammenlignelige kommuner",)),
])
def test_pages_in_danish_and_english(client, users, national, language, present, absent):
    client.force_login(users["national_analyst"])
    client.cookies["django_language"] = language
    for url in ("/national/?year=2025", "/national/901/?year=2025", "/national/evaluation/?kpi=SPEND_PER_CHILD"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        if url != "/national/evaluation/?kpi=SPEND_PER_CHILD":
            assert present[0] in html and present[2] in html, (url, language)
        assert not any(a in html for a in absent), (url, language)


def test_the_evaluation_without_adoption_years_says_so(client, users, national):
    from trappen.web.api.services import token_create

    (national / "adoption.parquet").unlink()
    client.force_login(users["national_analyst"])
    client.cookies["django_language"] = "da"
    html = client.get("/national/evaluation/?kpi=SPEND_PER_CHILD").content.decode()
    assert "intet at sammenligne" in html and "nan" not in html
    answer = client.get("/api/v1/national/evaluation?kpi=SPEND_PER_CHILD",
                        HTTP_AUTHORIZATION=f"Bearer {token_create(username='n_national_analyst')}")
    assert answer.status_code == 422 and answer.json()["problems"][0]["field"] == "adoption"
    no_kpi = client.get("/api/v1/national/evaluation",
                        HTTP_AUTHORIZATION=f"Bearer {token_create(username='n_national_analyst')}")
    assert no_kpi.status_code == 422 and no_kpi.json()["problems"][0]["field"] == "kpi"


def test_the_evaluation_page_runs_the_synthetic_control_for_an_adopter(client, users, national):
    from trappen.national import adoption_read

    treated = sorted(adoption_read(national)["municipality_code"].to_list())[0]
    client.force_login(users["national_analyst"])
    client.cookies["django_language"] = "da"
    html = client.get(f"/national/evaluation/?kpi=SS05_HOME_BASED_PER_1000&treated={treated}").content.decode()
    assert 'id="national-synth"' in html and "Syntetisk kontrol" in html
    assert html.count("<tr>") >= 4 + 1  # one row per year in the synthetic control's table, and more
    assert client.get("/national/evaluation/?kpi=SS05_HOME_BASED_PER_1000&treated=999").status_code == 404


def test_the_evaluation_page_is_all_danish(client, users, national):
    client.force_login(users["national_analyst"])
    client.cookies["django_language"] = "da"
    html = client.get("/national/evaluation/?kpi=SS05_HOME_BASED_PER_1000").content.decode()
    assert "Nedre grænse (95 pct.)" in html and "Øvre grænse (95 pct.)" in html
    assert "interval from" not in html and "Average effect" not in html
