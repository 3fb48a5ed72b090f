"""A database outage (#14 item 6): pages and the API answer 503 with Retry-After, the log gets one
line for the outage instead of a traceback per request, and the next request after the database
is back works. The outage is real: the connection is pointed at a port where nothing listens
(PostgreSQL run only, as in production; benchmarks/pg_restart.py restarts a real server under
load)."""

from __future__ import annotations

import logging
import os
import socket

import pytest
from django.db import connection
from django.test import Client

_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def _outage_is_503_with_one_log_line(make_user, caplog):
    from trappen.web import outage

    user = make_user("cw_outage", "caseworker", [])
    page, api = Client(raise_request_exception=False), Client(raise_request_exception=False)
    page.force_login(user)
    real_port = connection.settings_dict["PORT"]
    outage._last_logged = 0.0  # a new outage for this process
    caplog.set_level(logging.INFO)
    try:
        connection.close()
        connection.settings_dict["PORT"] = str(_closed_port())
        pages = [page.get("/my-day/") for _ in range(5)]
        calls = [api.get("/api/v1/children", headers={"Authorization": "Bearer whatever"}) for _ in range(5)]
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert {r.status_code for r in pages + calls} == {503}
    assert all(r["Retry-After"] == "5" for r in pages + calls)
    assert "Briefly unavailable" in pages[0].content.decode() or "Kortvarigt" in pages[0].content.decode()
    assert calls[0].json()["detail"].startswith("the database is briefly unavailable")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].name == "trappen.outage", [r.getMessage() for r in errors]
    assert not any(r.exc_info for r in caplog.records)  # no traceback
    assert page.get("/my-day/").status_code == 200  # back at once


if _POSTGRES:
    test_a_database_outage_is_503_with_retry_after_and_one_log_line = _outage_is_503_with_one_log_line
