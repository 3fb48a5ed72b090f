"""The caseload target is real configuration: one default in the core's data file
(trappen/kpi/data/caseload.toml), TRAPPEN_CASELOAD_TARGET overriding it, and the team page, the
caseload dashboard (KPI CASELOAD_OVER_TARGET) and the engine's default all following it."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile

import pytest

from trappen.errors import ConfigurationError
from trappen.kpi.caseload import default_caseload_target, load_caseload_target


def _settings_target(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"TRAPPEN_CASELOAD_TARGET", "TRAPPEN_ENV_FILE"}}
    return subprocess.run([sys.executable, "-c", "import trappen.web.settings as s; print(s.TRAPPEN_CASELOAD_TARGET)"],
                          env={**clean, "TRAPPEN_DEMO": "1", **env}, cwd=tempfile.mkdtemp(),
                          capture_output=True, text=True, check=False)


def test_default_comes_from_the_data_file_and_the_variable_overrides_it() -> None:
    assert default_caseload_target() == 25.0
    assert _settings_target({}).stdout.strip() == "25.0"
    assert _settings_target({"TRAPPEN_CASELOAD_TARGET": "12"}).stdout.strip() == "12.0"
    bad = _settings_target({"TRAPPEN_CASELOAD_TARGET": "0"})
    assert bad.returncode != 0 and "TRAPPEN_CASELOAD_TARGET must be at least 1" in bad.stderr


def test_a_bad_data_file_names_the_file_and_value(tmp_path) -> None:
    path = tmp_path / "caseload.toml"
    path.write_text("children_per_fte = -3\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"caseload.toml: children_per_fte.* -3"):
        load_caseload_target(path)


def _over_target(client) -> int:
    response = client.get("/dashboards/caseload/", {"date_from": "2024-01-01", "date_to": "2024-12-31",
                                                     "format": "csv", "header": "keys"})
    assert response.status_code == 200
    return sum(int(r["over_target"]) for r in csv.DictReader(io.StringIO(response.content.decode())))


def test_the_setting_changes_the_team_page_and_the_kpi(client, scene, settings) -> None:
    from trappen.web.dashboards.selectors import cache_clear

    client.force_login(scene["leader"])
    post = scene["post"].pk  # one child, one FTE
    seen = {}
    for target in (1.0, 0.5):
        settings.TRAPPEN_CASELOAD_TARGET = target
        cache_clear()
        rows = {r["caseworker"].pk: r for r in client.get("/team/").context["rows"]}
        seen[target] = (rows[post]["over"], _over_target(client))
    cache_clear()
    assert seen == {1.0: (False, 0), 0.5: (True, 1)}


def test_the_team_page_weights_each_child_by_their_step_from_the_rules_file(client, scene, settings,
                                                                            tmp_path) -> None:
    import datetime as dt

    from trappen.web.register.models import Episode

    client.force_login(scene["leader"])
    post = scene["post"].pk

    def weighted() -> float:
        return {r["caseworker"].pk: r for r in client.get("/team/").context["rows"]}[post]["weighted"]

    assert weighted() == 1.0  # the child has no step yet: no_step_weight
    Episode.objects.create(child=scene["mine"], intervention_code="RESIDENTIAL_INSTITUTION", step=6,
                           start_date=dt.date(2024, 2, 1))
    assert weighted() == 2.0  # step 6 in the shipped kpi/data/caseload.toml
    rules = tmp_path / "caseload.toml"
    rules.write_text('children_per_fte = 20\n[step_weights]\n"6" = 3.5\n', encoding="utf-8")
    settings.TRAPPEN_CASELOAD_FILE = str(rules)
    assert weighted() == 3.5
    page = client.get("/team/").content.decode()
    assert "Vægtet sagstal" in page and "3,5" in page
