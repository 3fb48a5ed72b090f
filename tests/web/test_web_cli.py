"""The web CLI commands, run through Typer against the test database."""

from __future__ import annotations

import pytest
from django.test import Client
from typer.testing import CliRunner

from trappen.cli import app
from trappen.web.accounts.models import User
from trappen.web.register.models import Child

pytestmark = pytest.mark.django_db

runner = CliRunner()


def test_demo_loads_and_creates_one_user_per_role(monkeypatch, tmp_path, settings):
    monkeypatch.setenv("TRAPPEN_DEMO", "1")  # the command sets these; restore them afterwards
    monkeypatch.setenv("TRAPPEN_DATA_DIR", str(tmp_path))
    settings.TRAPPEN_DATA_DIR = tmp_path
    result = runner.invoke(app, ["demo", "--children", "300", "--years", "3", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "caseworker-demo" in result.output
    assert Child.objects.count() > 300  # children who lived there at some time over 3 years
    assert sorted(User.objects.values_list("role", flat=True)) == sorted(
        ["admin", "analyst", "caseworker", "economist", "national_analyst", "partner", "teamleader"])
    caseworker = User.objects.get(username="caseworker")
    assert caseworker.caseworker is not None and caseworker.districts.count() == 1
    # the national analyst's login opens a national view with municipalities in it (not an empty store)
    assert "National store: 20 synthetic municipalities" in result.output
    # the team leader's and the economist's /investments/ is not empty: the demo's cases (idempotent)
    from trappen.web.investments.models import InvestmentCase

    assert "Investment cases: 2 created" in result.output and InvestmentCase.objects.count() == 2
    client = Client()
    client.force_login(User.objects.get(username="national_analyst"))
    page = client.get("/national/").content.decode()
    assert "Landsdatabasen er tom" not in page and "901" in page


def test_createuser_and_refusal(districts):
    ok = runner.invoke(app, ["createuser", "kim", "--role", "caseworker", "--district", "N",
                             "--password", "a-long-enough-passphrase"])
    assert ok.exit_code == 0, ok.output
    assert list(User.objects.get(username="kim").districts.values_list("code", flat=True)) == ["N"]
    bad = runner.invoke(app, ["createuser", "lea", "--role", "boss", "--district", "XX",
                              "--password", "a-long-enough-passphrase"])
    assert bad.exit_code == 1
    assert "field 'role'" in bad.output and "'boss'" in bad.output and "'XX'" in bad.output
    assert "Traceback" not in bad.output
    assert not User.objects.filter(username="lea").exists()


def test_rotate_key_reencrypts_and_keeps_the_number(districts, make_child):
    from trappen.web.register.crypto import cpr_cipher

    child = make_child("N")
    before = bytes(child.cpr_encrypted)
    result = runner.invoke(app, ["rotate-key"])
    assert result.exit_code == 0 and "Re-encrypted 1" in result.output
    child.refresh_from_db()
    assert bytes(child.cpr_encrypted) != before  # fresh nonce
    assert cpr_cipher().decrypt(bytes(child.cpr_encrypted)) == cpr_cipher().decrypt(before)
