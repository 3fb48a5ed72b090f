"""Lockout (#14 item 5): by username and address together, so nobody can lock someone else's
account from another address; password spraying from one address locks that address; the
notice is a translated page."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

PASSWORD = "correct horse battery staple"


@pytest.fixture
def kim(make_user):
    user = make_user("kim", "caseworker", [])
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(address: str, username: str, password: str, *, agent: str = "browser", language: str = "da"):
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent, HTTP_ACCEPT_LANGUAGE=language)
    return client.post("/login/", {"username": username, "password": password})


def test_failures_from_another_address_do_not_lock_the_account(kim):
    for _ in range(6):
        _login("203.0.113.7", "kim", "wrong")
    assert _login("203.0.113.7", "kim", PASSWORD).status_code == 429  # the guesser is locked
    ok = _login("10.1.2.3", "kim", PASSWORD)  # kim at her desk is not
    assert ok.status_code == 302 and "/login/" not in ok["Location"]


def test_spraying_many_usernames_from_one_address_locks_the_address(kim, make_user, settings, caplog):
    settings.TRAPPEN_ADDRESS_FAILURE_LIMIT = 12
    names = [f"victim{i}" for i in range(3)]
    for name in names:
        make_user(name, "caseworker", [])
    caplog.set_level(logging.WARNING)
    attempt = 0
    for name in names:  # four guesses per user (under the per-user limit), a new browser each time
        for _ in range(4):
            attempt += 1
            assert _login("198.51.100.9", name, "Summer2026!", agent=f"agent {attempt}").status_code == 200
    refused = _login("198.51.100.9", "kim", PASSWORD, agent="yet another")
    assert refused.status_code == 429
    assert _login("10.1.2.3", "kim", PASSWORD).status_code == 302  # other addresses are unaffected
    spray = [r for r in caplog.records if "spray" in r.getMessage()]
    assert spray and all(name not in r.getMessage() and "kim" not in r.getMessage()
                         for r in spray for name in names)


def test_address_limit_defaults_above_the_account_limit(settings):
    assert settings.TRAPPEN_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize(("language", "expected", "absent"), [
    ("da", "For mange mislykkede loginforsøg", "Too many failed login attempts"),
    ("en", "Too many failed login attempts", "For mange mislykkede loginforsøg"),
])
def test_the_lockout_notice_is_in_the_users_language(kim, language, expected, absent):
    for _ in range(5):
        _login("203.0.113.8", "kim", "wrong", language=language)
    body = _login("203.0.113.8", "kim", PASSWORD, language=language).content.decode()
    assert expected in body and absent not in body
