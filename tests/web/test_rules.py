"""The web layer uses the municipality's staircase file when one is configured."""

from pathlib import Path

import pytest
from django.test import override_settings

from trappen.errors import ConfigurationError
from trappen.web import rules

BORAAS = Path(__file__).resolve().parents[2] / "src/trappen/staircase/data/boraas.toml"


@pytest.fixture(autouse=True)
def _fresh_rules():
    rules.staircase.cache_clear()
    rules.catalogue.cache_clear()
    yield
    rules.staircase.cache_clear()
    rules.catalogue.cache_clear()


def test_shipped_staircase_by_default():
    assert rules.staircase().numbers == (1, 2, 3, 4, 5, 6)
    assert "FOSTER_GENERAL" in rules.catalogue()


@override_settings(TRAPPEN_STAIRCASE_FILE=str(BORAAS))
def test_a_municipality_file_replaces_the_staircase():
    assert rules.staircase().numbers == (1, 2, 3, 4, 5)
    # the shipped six-step catalogue does not fit a five-step staircase: refused, not guessed
    with pytest.raises(ConfigurationError, match="not on the staircase"):
        rules.catalogue()
