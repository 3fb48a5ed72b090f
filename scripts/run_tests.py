"""Run the whole test suite: once on SQLite, then the database tests again on a throwaway
PostgreSQL server started here in a temporary directory. With CI=true the PostgreSQL run is
required: missing PostgreSQL binaries fail the run instead of skipping it.

Usage: python scripts/run_tests.py [extra pytest args]
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_TEST_DIRS = ["tests/web"]  # tests that touch the database run on both back-ends


def pg_bin() -> Path | None:
    for pattern in ("/usr/lib/postgresql/*/bin",):
        found = sorted(glob.glob(pattern), reverse=True)
        for d in found:
            if (Path(d) / "pg_ctl").exists():
                return Path(d)
    which = shutil.which("pg_ctl")
    return Path(which).parent if which else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A PostgreSQL cluster in a temporary directory, run as the `postgres` user when root."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.tmp = Path(tempfile.mkdtemp(prefix="trappen-pg-"))
        self.data = self.tmp / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=self.tmp)  # a cwd postgres may enter

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.tmp, user="postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
        opts = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=off " \
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts,
                  "-l", str(self.tmp / "log"), "-w", "start")
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.1)
        return f"postgres://postgres@127.0.0.1:{self.port}/trappen"

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def pytest(args: list[str], env: dict[str, str]) -> int:
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)


def main() -> int:
    extra = sys.argv[1:]
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    print("== Test run 1/2: everything, on SQLite", flush=True)
    code_sqlite = pytest(extra, env)

    bindir = pg_bin()
    if bindir is None:
        msg = "PostgreSQL binaries not found (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            print(f"== FAIL: {msg}; the PostgreSQL run is required in CI", flush=True)
            return 1
        print(f"== WARNING: {msg}; PostgreSQL run not done", flush=True)
        return code_sqlite
    pg = Postgres(bindir)
    url = pg.start()
    try:
        print(f"== Test run 2/2: database tests on PostgreSQL ({bindir})", flush=True)
        code_pg = pytest([*DB_TEST_DIRS, *extra], {**env, "DATABASE_URL": url})
    finally:
        pg.stop()
    print(f"== SQLite run exit {code_sqlite}; PostgreSQL run exit {code_pg}", flush=True)
    return code_sqlite or code_pg


if __name__ == "__main__":
    sys.exit(main())
