#!/usr/bin/env bash
# The suite against the newest versions pyproject.toml allows, without the lock, in its own
# virtualenv (.venv-latest): shows what an upgrade would break before scripts/lock.sh takes it.
# Not part of CI's locked run. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-latest/bin/python ]; then "${PYTHON:-python3}" -m venv .venv-latest; fi
.venv-latest/bin/python -m pip install -q --disable-pip-version-check --upgrade --upgrade-strategy eager -e ".[test]"
.venv-latest/bin/python -m pip freeze --exclude-editable > .venv-latest/versions.txt
echo "newest versions in .venv-latest/versions.txt; running the suite on SQLite"
exec .venv-latest/bin/python -m pytest "$@"
