"""`trappen kpi` and `trappen export` without --register read the database snapshot."""

import json

import pytest
from typer.testing import CliRunner

from trappen.cli import app
from trappen.register import Register

from .conftest import hand_register

pytestmark = pytest.mark.django_db

runner = CliRunner()


def test_kpi_and_export_from_the_database(tmp_path):
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(hand_register())
    res = runner.invoke(app, ["kpi", "--at", "2024-12-31", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["kpi_code"]: r for r in json.loads(res.output) if r["step"] is None and r["duty"] is None}
    assert rows["SS01_RESIDENTIAL_SHARE"]["value"] == pytest.approx(1 / 3)  # as from files
    assert rows["NEW_CASES"]["value"] == 4
    res = runner.invoke(app, ["export", "--format", "parquet", "--out", str(tmp_path / "x")])
    assert res.exit_code == 0, res.output
    assert Register.read(tmp_path / "x").episodes.height == 10
