"""The database refuses UPDATE and DELETE on the audit table (append-only below the ORM).

SQLite: two ``BEFORE UPDATE`` / ``BEFORE DELETE`` triggers raising ``ABORT``. PostgreSQL: one
plpgsql function raising an exception, fired ``BEFORE UPDATE OR DELETE ... FOR EACH ROW``.
``TRUNCATE`` is not refused (Django's test flush on PostgreSQL uses it); revoke ``TRUNCATE`` from
the application's role in production (docs/operations.md).

A later migration that makes Django rebuild the table on SQLite (``_remake_table``) drops these
triggers; ``tests/web/security/test_audit_append_only.py`` fails if that happens.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

SQLITE_CREATE = (
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)
SQLITE_DROP = (f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")

POSTGRESQL_CREATE = (
    f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
)
POSTGRESQL_DROP = (f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
                   f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")


def _statements(vendor: str, *, create: bool) -> tuple[str, ...]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    raise NotImplementedError(f"no append-only triggers for the {vendor} database")


def append_only_create(connection: Any) -> None:
    """Install the triggers on ``connection`` (idempotent)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=True):
            cursor.execute(sql)


def append_only_drop(connection: Any) -> None:
    """Remove the triggers (the migration's reverse; tests that simulate an attacker)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=False):
            cursor.execute(sql)
