"""Vendor plumbing for backups: table counts, PostgreSQL tools and connection parameters, and
scratch databases (a temporary SQLite file, or a temporary PostgreSQL database on the server)."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connections

from trappen.operations.manifest import BackupError, RestoreFailed

BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})
"""Tables `trappen migrate` fills by itself: rows there do not make a database non-empty."""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_names(cursor: Any, vendor: str) -> list[str]:
    """The database's own tables (not SQLite's internal ones), by name."""
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                       "ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor: Any, vendor: str) -> dict[str, int]:
    """Rows per table (one ``COUNT(*)`` per table, a few dozen tables)."""
    counts = {}
    for name in table_names(cursor, vendor):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")
        counts[name] = int(cursor.fetchone()[0])
    return counts


def audit_head(cursor: Any, tables: dict[str, int]) -> tuple[int, str] | None:
    """The newest audit event's id and hash, or None (no events, or no audit table)."""
    from trappen.web.audit.models import AuditEvent

    table = AuditEvent._meta.db_table
    if not tables.get(table):
        return None
    cursor.execute(f"SELECT id, entry_hash FROM {quote(table)} ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    return int(row[0]), str(row[1])


def applied_migrations(cursor: Any, tables: dict[str, int]) -> dict[str, str]:
    """The newest applied migration per app (names sort by their number)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
    return {str(app): str(name) for app, name in cursor.fetchall()}


def holds_data(counts: dict[str, int]) -> bool:
    """True when any table other than migrate's bookkeeping has rows."""
    return any(n for t, n in counts.items() if t not in BOOKKEEPING_TABLES)


# --- PostgreSQL ---------------------------------------------------------------------------

_SSL_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY"}


def pg_env(settings_dict: dict[str, Any], *, dbname: str | None = None) -> dict[str, str]:
    """libpq's environment for the database in ``settings_dict`` (the password goes in the
    environment, never on a command line another user could read with ``ps``)."""
    env = dict(os.environ)
    values = {"PGHOST": settings_dict.get("HOST"), "PGPORT": settings_dict.get("PORT"),
              "PGUSER": settings_dict.get("USER"), "PGPASSWORD": settings_dict.get("PASSWORD"),
              "PGDATABASE": dbname or settings_dict.get("NAME")}
    for option, variable in _SSL_ENV.items():
        values[variable] = (settings_dict.get("OPTIONS") or {}).get(option)
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


def pg_connect(settings_dict: dict[str, Any], *, dbname: str | None = None) -> Any:
    """A psycopg connection in autocommit mode (outside Django, for snapshots and CREATE DATABASE)."""
    import psycopg

    options = settings_dict.get("OPTIONS") or {}
    kwargs = {"host": settings_dict.get("HOST") or None, "port": settings_dict.get("PORT") or None,
              "user": settings_dict.get("USER") or None, "password": settings_dict.get("PASSWORD") or None,
              "dbname": dbname or settings_dict.get("NAME")}
    kwargs.update({k: options[k] for k in _SSL_ENV if k in options})
    from psycopg.conninfo import make_conninfo

    conninfo = make_conninfo("", **{k: v for k, v in kwargs.items() if v is not None})
    return psycopg.connect(conninfo, autocommit=True)


def pg_tool(name: str, *, server_major: int) -> Path:
    """``pg_dump`` or ``pg_restore`` of the server's major version (as scripts/run_tests.py
    finds ``pg_ctl``): /usr/lib/postgresql/<major>/bin first, then the newest there, then PATH.

    Raises:
        BackupError: the tool is not installed.
    """
    exact = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if exact.exists():
        return exact
    newer = sorted((Path(p) for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}")),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if newer and newer[-1].parent.parent.name.isdigit() and int(newer[-1].parent.parent.name) >= server_major:
        return newer[-1]
    found = shutil.which(name)
    if found:
        return Path(found)
    raise BackupError(f"{name} not found: install the PostgreSQL {server_major} client tools "
                      f"(apt-get install postgresql-client-{server_major})")


def run_tool(cmd: list[str], *, env: dict[str, str], what: str) -> None:
    """Run a PostgreSQL tool; on failure raise with its error lines only (never a DETAIL line,
    which can quote row values)."""
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line[:200] for line in done.stderr.splitlines()
                 if "error" in line.lower() and "DETAIL" not in line][:3]
        raise RestoreFailed(f"{what} failed (exit {done.returncode}): " + (" | ".join(lines) or "no message"))


# --- scratch databases --------------------------------------------------------------------


@contextmanager
def connection_alias(settings_dict: dict[str, Any], *, prefix: str) -> Iterator[str]:
    """A temporary Django connection to ``settings_dict`` under a fresh alias (``using(alias)``
    works for the ORM); closed and removed after. Not added to ``settings.DATABASES``: it is a
    connection for this process only, never one the app or a migration would pick up."""
    from django.db.utils import load_backend

    alias = f"{prefix}_{secrets.token_hex(4)}"
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        try:
            wrapper.close()
        finally:
            del connections[alias]


@contextmanager
def scratch_database(*, like: str = "default") -> Iterator[str]:
    """A fresh, empty database of the same vendor as ``like``, as a Django alias; dropped after.

    SQLite: a file in a temporary directory. PostgreSQL: ``CREATE DATABASE`` on the same server
    with the same credentials (the role needs the CREATEDB right), ``DROP DATABASE`` after.
    """
    base = dict(connections[like].settings_dict)
    vendor = connections[like].vendor
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="trappen-scratch-") as tmp:
            settings_dict = {**base, "NAME": str(Path(tmp) / "scratch.sqlite3"), "TEST": {}}
            with connection_alias(settings_dict, prefix="scratch") as alias:
                yield alias
        return
    name = f"trappen_scratch_{secrets.token_hex(6)}"
    with pg_connect(base) as conn:
        conn.execute(f"CREATE DATABASE {quote(name)} TEMPLATE template0")
    try:
        with connection_alias({**base, "NAME": name, "TEST": {}}, prefix="scratch") as alias:
            yield alias
    finally:
        with pg_connect(base) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
