#!/usr/bin/env bash
# ruff, then mypy against its baseline (tests/test_lint.py runs the same in the test command).
# --sync rewrites mypy-baseline.txt after errors were fixed (it may only shrink).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks scripts
if [ "${1:-}" = --sync ]; then
  TRAPPEN_DEMO=1 .venv/bin/mypy | .venv/bin/mypy-baseline sync --sort-baseline
else
  TRAPPEN_DEMO=1 .venv/bin/mypy | .venv/bin/mypy-baseline filter --sort-baseline
fi
