"""Shared fixtures for the economics tests."""

from __future__ import annotations

import pytest
from economics_cases import golden


@pytest.fixture(name="golden")
def golden_fixture():
    """The hand-computable 4-year case as a factory: ``golden(rate, **effect_overrides)``."""
    return golden
