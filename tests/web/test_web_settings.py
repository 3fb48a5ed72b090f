"""Settings read the environment through typed helpers and refuse unsafe production configs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from trappen.web.settings import env_bool, env_int, env_list


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "TRAPPEN_DEMO", "DATABASE_URL", "TRAPPEN_ENV_FILE"}}
    # in an empty directory: a demo's ./var/.env in the checkout must not change the answer
    return subprocess.run([sys.executable, "-c", "import trappen.web.settings"], cwd=tempfile.mkdtemp(),
                          env={**clean, **env}, capture_output=True, text=True, check=False)


def test_production_without_secret_key_refuses_to_start():
    done = _import_settings({})
    assert done.returncode != 0
    assert "SECRET_KEY is missing" in done.stderr


def test_production_with_secret_key_starts():
    assert _import_settings({"SECRET_KEY": "x" * 50}).returncode == 0


def test_bad_boolean_names_variable_and_value(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG .*'maybe'"):
        env_bool("DEBUG", False)


def test_bad_integer_names_variable_and_value(monkeypatch):
    monkeypatch.setenv("TRAPPEN_SESSION_IDLE_MINUTES", "ten")
    with pytest.raises(ImproperlyConfigured, match="TRAPPEN_SESSION_IDLE_MINUTES.*'ten'"):
        env_int("TRAPPEN_SESSION_IDLE_MINUTES", 30)
    monkeypatch.setenv("TRAPPEN_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("TRAPPEN_SESSION_IDLE_MINUTES", 30, minimum=1)


def test_list_and_defaults(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,")
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.delenv("TRAPPEN_NOT_SET", raising=False)
    assert env_int("TRAPPEN_NOT_SET", 7) == 7


def test_security_defaults():
    # tests put a fast hasher in front; production order is checked in a clean process below
    assert settings.PASSWORD_HASHERS[1].endswith("Argon2PasswordHasher")
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert settings.LANGUAGE_CODE == "da"
    script_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert "'unsafe-inline'" not in script_src


def test_argon2_first_outside_tests():
    done = subprocess.run(
        [sys.executable, "-c", "import trappen.web.settings as s; print(s.PASSWORD_HASHERS[0])"],
        env={**os.environ, "SECRET_KEY": "y" * 50}, capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("Argon2PasswordHasher")


def test_empty_values_mean_unset(monkeypatch):
    monkeypatch.setenv("TRAPPEN_SECURE_COOKIES", "")
    assert env_bool("TRAPPEN_SECURE_COOKIES", True) is True


def test_env_example_file_starts_the_server_once_keys_are_filled(tmp_path):
    """Every variable in .env.example, as written there, is accepted by the settings."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / ".env.example"
    env = {}
    for line in example.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name] = value
    env.update({"SECRET_KEY": "z" * 50, "TRAPPEN_DATA_DIR": str(tmp_path)})
    done = _import_settings(env)
    assert done.returncode == 0, done.stderr


def test_env_example_lists_every_variable_the_code_reads():
    """.env.example documents every environment variable the code reads (STYLE: it lists them)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    call = re.compile(r'(?:env_\w+|environ\.get|getenv)\(\s*"((?:TRAPPEN|DATABASE|SECRET|ALLOWED|DEBUG|CSRF)\w*)"')
    read = set()
    for path in (root / "src" / "trappen").rglob("*.py"):
        read |= set(call.findall(path.read_text(encoding="utf-8")))
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (root / ".env.example").read_text(encoding="utf-8"), re.M))
    assert read, "no variable found: the pattern is out of date"
    assert sorted(read - listed) == []


# --- debug and demo mode only on this machine (#14 item 5) ------------------------------------
_SERVER = {"ALLOWED_HOSTS": "trappen.example.dk", "SECRET_KEY": "s" * 50,
           "TRAPPEN_CPR_KEY": "x" * 43 + "="}


@pytest.mark.parametrize("variable", ["DEBUG", "TRAPPEN_DEMO"])
def test_debug_or_demo_on_a_server_host_refuses_to_start(variable):
    done = _import_settings({**_SERVER, variable: "1"})
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last and variable in last and "trappen.example.dk" in last


@pytest.mark.parametrize("hosts", ["localhost", "127.0.0.1,[::1]", ""])
def test_debug_and_demo_start_on_local_hosts(hosts):
    for variable in ("DEBUG", "TRAPPEN_DEMO"):
        done = _import_settings({"ALLOWED_HOSTS": hosts, variable: "1"})
        assert done.returncode == 0, done.stderr


def test_fallback_keys_refused_for_a_server_host():
    # the fixed development key would sign sessions for a public host (here: a test-like run)
    done = subprocess.run([sys.executable, "-c", "import pytest, trappen.web.settings"],
                          cwd=tempfile.mkdtemp(), env={**_clean_env(), "ALLOWED_HOSTS": "trappen.example.dk"},
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr.strip().splitlines()[-1]
    done = subprocess.run([sys.executable, "-c", "import pytest, trappen.web.settings"],
                          cwd=tempfile.mkdtemp(), env={**_clean_env(), "ALLOWED_HOSTS": "trappen.example.dk",
                                                       "SECRET_KEY": "s" * 50},
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "TRAPPEN_CPR_KEY" in done.stderr.strip().splitlines()[-1]


def test_cli_says_so_in_one_line_and_exits_1():
    done = subprocess.run([sys.executable, "-c", "from trappen.cli import main; main()", "serve"],
                          cwd=tempfile.mkdtemp(), env={**_clean_env(), **_SERVER, "TRAPPEN_DEMO": "1"},
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "TRAPPEN_DEMO" in lines[0] and "Traceback" not in done.stderr


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in {"DEBUG", "SECRET_KEY", "TRAPPEN_DEMO", "DATABASE_URL", "TRAPPEN_ENV_FILE",
                         "ALLOWED_HOSTS", "TRAPPEN_CPR_KEY", "TRAPPEN_CPR_KEY_FILE"}}
