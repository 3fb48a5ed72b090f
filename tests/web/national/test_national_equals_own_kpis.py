"""Done means (#20): the national view's figures for one municipality equal that
municipality's own KPI figures (its /api/v1/kpis, the data of its KPI pages) for the same year,
and importing its bundle again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from trappen.national import bundle_export, bundles_import, key_generate, store_read, top_cells


def test_the_national_figures_equal_the_municipalitys_own_kpi_figures(client, make_user, loaded, settings,
                                                                      tmp_path):
    """A municipality's own register (its KPI API and dashboards) exported as a bundle: the
    national view shows the same figure for the same year."""
    from trappen.web.api.services import token_create
    from trappen.web.dashboards.selectors import analytic_register, cache_clear

    settings.TRAPPEN_DATA_DIR = tmp_path
    cache_clear()
    register, _version = analytic_register()
    key = key_generate()
    path = tmp_path / "657.json"
    path.write_bytes(bundle_export(register, municipality_code="657", years=[2024], private_key=key,
                                   created=datetime(2026, 1, 15, tzinfo=UTC)))
    assert bundles_import([path], store_dir=tmp_path / "national", public_keys={"657": key.public_key()})
    assert bundles_import([path], store_dir=tmp_path / "national",
                          public_keys={"657": key.public_key()})[0].action == "unchanged"

    make_user("n_analyst", "analyst")
    own = client.get("/api/v1/kpis?at=2024-12-31&from=2024-01-01&to=2024-12-31",
                     HTTP_AUTHORIZATION=f"Bearer {token_create(username='n_analyst')}").json()
    own_values = {r["kpi_code"]: r["value"] for r in own if all(
        r[d] is None for d in ("step", "from_step", "to_step", "district", "age_band", "placement_type", "duty"))
        and not r["suppressed"]}
    make_user("n_national", "national_analyst")
    national = client.get("/api/v1/national/municipalities/657?year=2024",
                          HTTP_AUTHORIZATION=f"Bearer {token_create(username='n_national')}").json()
    compared = 0
    for row in national["comparison"]:
        if row["municipality"] is not None and row["kpi_code"] in own_values:
            assert row["municipality"] == pytest.approx(own_values[row["kpi_code"]], rel=1e-12), row["kpi_code"]
            compared += 1
    assert compared >= 3, national["comparison"]
    # every published cell the national view reads (each step too) equals the municipality's own
    own_cells = {(r["kpi_code"], r["step"]): r["value"] for r in own if all(
        r[d] is None for d in ("from_step", "to_step", "district", "age_band", "placement_type", "duty"))
        and not r["suppressed"]}
    stored = top_cells(store_read(tmp_path / "national")).filter(~pl.col("suppressed"))
    matched = 0
    for row in stored.iter_rows(named=True):
        if (row["kpi_code"], row["step"]) in own_cells and row["value"] is not None:
            assert row["value"] == pytest.approx(own_cells[(row["kpi_code"], row["step"])], rel=1e-12), row
            matched += 1
    assert matched >= 15
    client.force_login(make_user("n_national_page", "national_analyst"))
    html = client.get("/national/657/?year=2024").content.decode()
    from trappen.web.national.views import fmt

    spend = next(r for r in national["comparison"] if r["kpi_code"] == "SPEND_PER_CHILD")
    assert fmt(spend["municipality"], "DKK per child") in html
    cache_clear()
