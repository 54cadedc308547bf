#!/usr/bin/env bash
# Runs every check: lint, types, API schema, then the whole pytest suite on SQLite and on a
# PostgreSQL server this script starts on loopback. Installs what is missing first.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
# Browser tests: Debian's chromium, and libatomic1 for Playwright's driver. PDF checks: poppler.
# The PostgreSQL run and the production-profile tests start postgresql and redis-server themselves.
apt_install "${BASE_PACKAGES[@]}" chromium libatomic1 poppler-utils postgresql postgresql-contrib redis-server \
  softhsm2 opensc libnss3-tools
python_env "$ROOT/requirements/dev.lock"
export DJANGO_SETTINGS_MODULE=motcua.conf.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # live_server browser tests share the test database
mkdir -p var

echo "== ruff"; "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check .
echo "== mypy"; "$VENV/bin/mypy" motcua
echo "== messages"; "$PY" manage.py compilemessages -v0 --ignore=.venv
echo "== migrations"; "$PY" manage.py makemigrations --check --dry-run -v0
echo "== OpenAPI schema"; "$PY" manage.py spectacular --validate --fail-on-warn --file /dev/null

run_pytest() {
  local status=0
  "$PY" -m pytest "$@" || status=$?
  if [ "$status" = 5 ]; then echo "pytest collected no tests: the suite is missing" >&2; exit 1; fi
  return "$status"
}

echo "== pytest on SQLite, and the production profile on its own loopback stack"
run_pytest -q

echo "== pytest on PostgreSQL"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=$(mktemp -d)
PGPORT=${PGPORT:-54329}
chown postgres:postgres "$PGDIR"
# As the postgres user, from a folder it may enter (it may not enter /root, where a clone may be).
as_postgres() { (cd "$PGDIR" && runuser -u postgres -- "$@"); }
as_postgres "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 30 \
  -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
trap 'as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null; rm -rf "$PGDIR"' EXIT
# The production-profile tests start their own PostgreSQL: once is enough.
MOTCUA_TEST_POSTGRES_HOST=127.0.0.1 MOTCUA_TEST_POSTGRES_PORT=$PGPORT run_pytest -q -m "not production"
