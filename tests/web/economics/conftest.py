"""Users for the economics pages: one per role, named e_<role>."""

from __future__ import annotations

import pytest

ROLES = ("caseworker", "teamleader", "partner", "analyst", "economist", "admin")


@pytest.fixture
def users(db, make_user):
    return {role: make_user(f"e_{role}", role) for role in ROLES}


@pytest.fixture
def as_role(client, users):
    def login(role: str):
        client.force_login(users[role])
        return client

    return login
