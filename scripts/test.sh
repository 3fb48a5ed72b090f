#!/usr/bin/env bash
# Set up and run the whole test suite: on SQLite, then the database tests on a throwaway
# PostgreSQL server; browser tests in Debian's Chromium. Extra arguments go to pytest.
set -euo pipefail
export TRAPPEN_WITH_BROWSER=1 TRAPPEN_WITH_POSTGRES=1 TRAPPEN_LOCK=test
source "$(dirname "$0")/setup.sh"
exec .venv/bin/python scripts/run_tests.py "$@"
