#!/usr/bin/env bash
# Runs the product on the embedded profile: SQLite, local files, worker as a child process.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
apt_install gettext libharfbuzz-subset0 fonts-noto-core
python_env "$ROOT/requirements/base.lock"
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-motcua.conf.embedded}
mkdir -p var
"$PY" manage.py compilemessages -v0 --ignore=.venv
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py collectstatic --no-input -v0
"$PY" manage.py load_demo
"$PY" manage.py run_worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
cat <<MSG

  Cổng Dịch vụ công:   http://$HOST:$PORT/
  Một cửa (cán bộ):    http://$HOST:$PORT/can-bo/
  Quản trị:            http://$HOST:$PORT/quan-tri/
  API:                 http://$HOST:$PORT/api/docs/
  Sức khỏe hệ thống:   http://$HOST:$PORT/healthz
  Demo logins (password demo@2026): quantri, giamsat, tiepnhan, stp.chuyenvien, stp.lanhdao,
  stp.vanthu, stp.quantri, bhxh.tiepnhan, buudien, xa.tiepnhan, xa.chuyenvien, xa.lanhdao, xa.vanthu
  Demo citizens (portal login by phone, same password): 0912345678, 0987654321
  Demo SMS inbox:      http://$HOST:$PORT/sms-mo-phong/

MSG
"$VENV/bin/gunicorn" motcua.wsgi:application --bind "$HOST:$PORT" --worker-class gthread \
  --workers "${WEB_CONCURRENCY:-2}" --threads 4 --access-logfile - --log-level warning
