"""Every command works after ``trappen demo`` with the settings file the demo wrote, in real
processes without TRAPPEN_DEMO or SECRET_KEY in the environment; without settings a command says
in one line what to set and exits 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trappen.web.settings import read_env_file

_UNSET = {"DEBUG", "SECRET_KEY", "TRAPPEN_DEMO", "DATABASE_URL", "TRAPPEN_DATA_DIR", "TRAPPEN_ENV_FILE",
          "DJANGO_SETTINGS_MODULE", "TRAPPEN_CASELOAD_TARGET"}


def trappen(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in _UNSET}
    return subprocess.run([sys.executable, "-c", "from trappen.cli import main; main()", *args], cwd=cwd,
                          env={**clean, **(env or {})}, capture_output=True, text=True, timeout=300, check=False)


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, done.stderr
    return errors[0]


@pytest.mark.parametrize("command", [["migrate"], ["kpi", "--at", "2025-06-30"], ["export", "--out", "x"],
                                     ["audit", "verify"], ["evaluate", "--out", "x"]])
def test_without_settings_one_line_says_what_to_set(command: list[str], tmp_path: Path) -> None:
    line = _one_error_line(trappen(*command, cwd=tmp_path))
    assert "SECRET_KEY" in line and str(tmp_path / "var" / ".env") in line and "trappen demo" in line
    assert not (tmp_path / "x").exists()


def test_every_command_works_after_the_demo(tmp_path: Path) -> None:
    demo = trappen("demo", "--children", "300", "--years", "3", "--no-serve", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    settings_file = tmp_path / "var" / ".env"
    assert read_env_file(settings_file) == {"TRAPPEN_DEMO": "1"}
    assert str(settings_file) in demo.stdout
    for command in (["migrate"], ["kpi", "--at", "2025-06-30", "--format", "csv"], ["export", "--out", "x"],
                    ["audit", "verify"], ["report", "--year", "2025", "--format", "html", "--out", "r.html"],
                    ["forecast", "run", "--months", "3", "--replicates", "2", "--out", "f"]):
        done = trappen(*command, cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)
        assert "Traceback" not in done.stderr
    assert (tmp_path / "x" / "episodes.parquet").exists() and (tmp_path / "f" / "forecast.csv").exists()
    # a second demo run keeps the file and says where it is
    again = trappen("demo", "--children", "300", "--years", "3", "--no-serve", cwd=tmp_path)
    assert again.returncode == 0 and f"Settings for later commands: {settings_file}" in again.stdout


def test_environment_wins_over_the_settings_file(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / ".env").write_text("# a comment\nexport SECRET_KEY='from-the-file-" + "x" * 40 + "'\n"
                                           "TRAPPEN_SESSION_IDLE_MINUTES=15\n", encoding="utf-8")
    script = ("import trappen.web.settings as s; print(s.SECRET_KEY[:13], s.SESSION_IDLE_MINUTES)")
    clean = {k: v for k, v in os.environ.items() if k not in _UNSET}
    run = [sys.executable, "-c", script]
    from_file = subprocess.run(run, cwd=tmp_path, env=clean, capture_output=True, text=True, check=True)
    assert from_file.stdout.split() == ["from-the-file", "15"]
    env = {**clean, "TRAPPEN_SESSION_IDLE_MINUTES": "20"}
    from_env = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert from_env.stdout.split() == ["from-the-file", "20"]


def test_a_named_settings_file_and_bad_lines(tmp_path: Path) -> None:
    named = tmp_path / "trappen.env"
    named.write_text("TRAPPEN_DEMO=1\n", encoding="utf-8")
    done = trappen("migrate", cwd=tmp_path, env={"TRAPPEN_ENV_FILE": str(named), "TRAPPEN_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    missing = trappen("migrate", cwd=tmp_path, env={"TRAPPEN_ENV_FILE": str(tmp_path / "nope.env")})
    assert "TRAPPEN_ENV_FILE" in _one_error_line(missing)
    named.write_text("TRAPPEN_DEMO=1\nthis is not a setting\n", encoding="utf-8")
    bad = trappen("migrate", cwd=tmp_path, env={"TRAPPEN_ENV_FILE": str(named)})
    assert "line 2" in _one_error_line(bad)


def test_database_not_there_is_one_line(tmp_path: Path) -> None:
    line = _one_error_line(trappen("kpi", "--at", "2025-06-30", cwd=tmp_path, env={"TRAPPEN_DEMO": "1"}))
    assert "trappen migrate" in line
