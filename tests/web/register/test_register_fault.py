"""Fault test: a bulk load killed (SIGKILL) halfway leaves the database holding all of the
previous register, never a mix; an unkilled load leaves all of the new one.

The load runs in a subprocess on a file database (SQLite in a temporary directory, or a fresh
PostgreSQL database on the server of ``DATABASE_URL`` when that is PostgreSQL, as in CI's second
run). The subprocess's progress hook prints each table as it is written and, once the episodes
are in, waits to be killed: the kill lands inside the load's transaction, every time.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from trappen.register import TABLE_NAMES
from trappen.synthetic import generate

LOAD = textwrap.dedent("""
    import sys, time
    from trappen.cli._common import setup_django
    setup_django()
    from django.core.management import call_command
    from trappen.synthetic import generate
    from trappen.web.register.services import register_bulk_load

    mode, children, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    call_command("migrate", interactive=False, verbosity=0)
    register = generate(children=children, years=2, seed=seed)

    def progress(name, rows):
        print(name, rows, flush=True)
        if mode == "kill-me" and name == "episodes":
            time.sleep(120)  # the test kills the process here, inside the transaction

    register_bulk_load(register, seed=seed, progress=progress)
    print("committed", flush=True)
""")

TABLES = {"districts": "register_district", "children": "register_child", "episodes": "register_episode",
          "notifications": "register_notification", "investigations": "register_investigation",
          "residences": "register_residence", "cases": "register_case", "plans": "register_plan",
          "assignments": "register_assignment", "population": "register_populationcount"}


def _expected(children: int, seed: int) -> dict[str, int]:
    register = generate(children=children, years=2, seed=seed)
    assert set(TABLES) <= set(TABLE_NAMES)
    return {name: register.tables[name].height for name in TABLES}


# The configured database's vendor only: the SQLite run covers SQLite and the PostgreSQL run
# (DATABASE_URL set, as CI's second run) covers PostgreSQL, so neither run skips a case.
_VENDOR = "postgresql" if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) else "sqlite"


@pytest.fixture(params=[_VENDOR])
def database(request, tmp_path) -> Iterator[tuple[dict[str, str], Callable[[], dict[str, int]]]]:
    """(environment for the subprocess, row counts per table) on a new, empty database."""
    env = {**os.environ, "TRAPPEN_DEMO": "1", "TRAPPEN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(
        Path(__file__).resolve().parents[3] / "src")}
    url = os.environ.get("DATABASE_URL", "")
    if request.param == "sqlite":
        env.pop("DATABASE_URL", None)
        path = tmp_path / "trappen.sqlite3"

        def counts() -> dict[str, int]:
            with closing(sqlite3.connect(path)) as db:  # opening it rolls a killed writer's hot journal back
                return {name: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for name, t in TABLES.items()}

        yield env, counts
        return
    import psycopg

    name = f"trappen_fault_{uuid.uuid4().hex[:8]}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{server}/{name}"

    def counts() -> dict[str, int]:
        with psycopg.connect(env["DATABASE_URL"]) as db:
            return {n: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for n, t in TABLES.items()}

    try:
        yield env, counts
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env: dict[str, str], mode: str, children: int, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", LOAD, mode, str(children), str(seed)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_load_killed_halfway_leaves_the_previous_register_whole(database):
    env, counts = database
    first = _run(env, "load", 150, 1)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0 and out.endswith("committed\n"), err
    old = counts()
    assert old == _expected(150, 1)

    written = []
    with _run(env, "kill-me", 250, 2) as loading:
        for line in loading.stdout:  # type: ignore[union-attr]
            written.append(line.split()[0])
            if written[-1] == "episodes":
                break
        loading.send_signal(signal.SIGKILL)
        loading.wait(timeout=30)
    assert loading.returncode == -signal.SIGKILL
    assert {"districts", "children", "episodes"} <= set(written) and "investigations" not in written
    assert counts() == old  # all of the previous register, nothing of the new one

    again = _run(env, "load", 250, 2)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert counts() == _expected(250, 2)  # and an unkilled load gives all of the new one
