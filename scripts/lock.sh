#!/usr/bin/env bash
# Regenerate requirements/*.txt from pyproject.toml with uv (hashes included). The lock is for
# Python 3.11 on Linux x86_64, the machines Trappen is set up on.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
if [ ! -x .venv-tools/bin/uv ]; then
  python3 -m venv .venv-tools
  .venv-tools/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
common=(--quiet --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28
        --no-header)
.venv-tools/bin/uv pip compile pyproject.toml "${common[@]}" -o requirements/demo.txt
.venv-tools/bin/uv pip compile pyproject.toml --extra test "${common[@]}" -o requirements/test.txt
echo "requirements/demo.txt and requirements/test.txt written"
