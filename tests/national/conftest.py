"""Small synthetic registers and keys shared by the national tests (built once per session)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trappen.national import key_generate
from trappen.register import Register
from trappen.synthetic import synthetic_nation

CREATED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def nation() -> dict[str, Register]:
    """98 tiny municipalities (median 60 children, one year of history)."""
    return synthetic_nation(municipalities=98, children_scale=60, years=1, seed=7)


@pytest.fixture(scope="session")
def keys(nation: dict[str, Register]) -> dict[str, Ed25519PrivateKey]:
    return {code: key_generate() for code in nation}
