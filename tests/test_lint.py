"""Lint and types are part of the test command: ruff clean, mypy no worse than its baseline.

The mypy baseline (``mypy-baseline.txt``, made by ``mypy | mypy-baseline sync``) lists the type
errors the code had when mypy came into CI. ``mypy-baseline filter`` fails on any error not in
it and on any error fixed but still listed, so the baseline can only shrink: after fixing some,
run ``bash scripts/lint.sh --sync`` and commit the smaller file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*cmd: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRAPPEN_DEMO": "1", "NO_COLOR": "1"}  # the django-stubs plugin loads settings
    return subprocess.run(cmd, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", "--no-cache", "src", "tests", "benchmarks", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_has_no_error_outside_its_baseline() -> None:
    mypy = _run(str(BIN / "mypy"))
    assert "error:" in mypy.stdout or mypy.returncode == 0, mypy.stdout + mypy.stderr
    result = _run(str(BIN / "mypy-baseline"), "filter", "--no-colors", stdin=mypy.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
