"""Registers shared by the synthetic-generator tests (generated once per session: fast)."""

import pytest

from trappen.synthetic import generate


@pytest.fixture(scope="session")
def register20k():
    """The calibration run of docs/calibration.md: 20,000 children, 10 years, seed 1."""
    return generate(children=20_000, years=10, seed=1)
