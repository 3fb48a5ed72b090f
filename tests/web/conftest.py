"""Fixtures for the web layer: a small synthetic register loaded through the real service,
users per role, a district pair for scoping tests."""

from __future__ import annotations

import datetime as dt

import pytest

from trappen.synthetic import generate


@pytest.fixture(scope="session")
def small_register():
    return generate(children=300, years=3, seed=1)


@pytest.fixture
def loaded(db, small_register):
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(small_register)
    return small_register


@pytest.fixture
def districts(db):
    from trappen.web.register.models import District

    return (District.objects.create(code="N", name="Nord"),
            District.objects.create(code="S", name="Syd"))


@pytest.fixture
def make_user(db):
    from trappen.web.accounts.services import user_create

    def make(username: str, role: str, districts: list[str] | None = None):
        return user_create(username=username, role=role, password="not-checked-in-tests",
                           district_codes=districts or [], validate=False)

    return make


@pytest.fixture
def make_child(db):
    from trappen.web.register.crypto import cpr_cipher
    from trappen.web.register.models import Child

    counter = iter(range(1000, 9999))

    def make(district: str, *, birth_date: dt.date = dt.date(2015, 3, 1), name: str = "Test Barn"):
        cpr = f"{birth_date:%d%m%y}-{next(counter)}"
        cipher = cpr_cipher()
        return Child.objects.create(name=name, birth_date=birth_date, sex="F", district_id=district,
                                    entry_date=birth_date, cpr_encrypted=cipher.encrypt(cpr),
                                    cpr_lookup=cipher.lookup_hash(cpr))

    return make
