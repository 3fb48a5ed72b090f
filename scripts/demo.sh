#!/usr/bin/env bash
# Set up and run the demo: a synthetic municipality in SQLite, one user per role, served on
# http://127.0.0.1:8000. Extra arguments go to `trappen demo` (e.g. --children 5000).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
exec .venv/bin/trappen demo "$@"
