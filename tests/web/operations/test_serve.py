"""`trappen serve` with production settings (#14 items 5-6): gunicorn answers without a Server
banner, with as many workers as TRAPPEN_WEB_WORKERS says (else the cores + 1), each with
TRAPPEN_WEB_THREADS threads (else 2) and Polars on one thread."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
import typer

from trappen.cli.web import default_threads, default_workers, worker_environment

_PRODUCTION = {"SECRET_KEY": "s" * 50, "TRAPPEN_CPR_KEY": "x" * 43 + "=", "ALLOWED_HOSTS": "127.0.0.1",
               "DEBUG": "0", "TRAPPEN_DEMO": "0"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_sends_no_server_banner():
    data = tempfile.mkdtemp()
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "TRAPPEN_ENV_FILE", "PYTEST_CURRENT_TEST"}}
    env = {**clean, **_PRODUCTION, "TRAPPEN_DATA_DIR": data, "TRAPPEN_WEB_WORKERS": "1"}
    trappen = [sys.executable, "-c", "from trappen.cli import main; main()"]
    subprocess.run([*trappen, "migrate"], env=env, cwd=data, check=True, capture_output=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen([*trappen, "serve", "--port", str(port)], env=env, cwd=data,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                    headers = dict(response.headers)
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0].decode()
    assert "Server" not in headers, headers
    assert "gunicorn" not in " ".join(headers.values()).lower()
    assert "Booting worker" in log and log.count("Booting worker") == 1  # TRAPPEN_WEB_WORKERS=1


def test_workers_default_to_the_cores_plus_one(monkeypatch):
    monkeypatch.delenv("TRAPPEN_WEB_WORKERS", raising=False)
    assert default_workers() == (os.cpu_count() or 1) + 1
    monkeypatch.setenv("TRAPPEN_WEB_WORKERS", "3")
    assert default_workers() == 3


def test_two_threads_per_worker_unless_set(monkeypatch):
    monkeypatch.delenv("TRAPPEN_WEB_THREADS", raising=False)
    assert default_threads() == 2
    monkeypatch.setenv("TRAPPEN_WEB_THREADS", "4")
    assert default_threads() == 4
    monkeypatch.setenv("TRAPPEN_WEB_THREADS", "zero")
    with pytest.raises(typer.BadParameter, match="TRAPPEN_WEB_THREADS='zero'"):
        default_threads()


def test_workers_run_polars_on_one_thread_unless_set(monkeypatch):
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    worker_environment()
    assert os.environ["POLARS_MAX_THREADS"] == "1"  # inherited by the forked workers
    monkeypatch.setenv("POLARS_MAX_THREADS", "2")
    worker_environment()
    assert os.environ["POLARS_MAX_THREADS"] == "2"  # the operator's choice stays
