# Sourced by demo.sh and test.sh: system packages (when root and missing), then a virtualenv
# in .venv with Trappen installed from this checkout. Idempotent and quiet on a second run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_apt=()
if [ "${TRAPPEN_WITH_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then need_apt+=(chromium); fi
if [ "${TRAPPEN_WITH_POSTGRES:-0}" = 1 ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then need_apt+=(postgresql); fi
# WeasyPrint (PDF reports) needs Pango; fonts so Danish letters render.
if ! ldconfig -p 2>/dev/null | grep -q libpango-1.0; then need_apt+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "Please install these system packages first: ${need_apt[*]}" >&2
  fi
fi

# Python packages: exactly the versions in the lock (requirements/, made by scripts/lock.sh),
# checked against their hashes, then Trappen itself from this checkout without dependencies.
PY=${PYTHON:-python3}
LOCK=requirements/${TRAPPEN_LOCK:-demo}.txt
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
stamp=".venv/.trappen-lock-$(basename "$LOCK" .txt)"
want="$(sha256sum "$LOCK" pyproject.toml | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # --no-deps: the lock is complete, so pip resolves nothing. (pip 23 in hash mode otherwise looks
  # up the newest release for a requirement with extras, such as weasyprint's fonttools[woff],
  # and refuses it as unpinned: the install broke the day fonttools released a new version.)
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r "$LOCK"
  .venv/bin/python -m pip check -q >/dev/null || { .venv/bin/python -m pip check; exit 1; }
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi
