#!/usr/bin/env bash
# Runs the product on the embedded profile: SQLite, local files, worker as a child process.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
apt_install "${BASE_PACKAGES[@]}"
python_env "$ROOT/requirements/base.lock"
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-motcua.conf.embedded}

# Django refuses requests for host names it was not given; an explicit DJANGO_ALLOWED_HOSTS wins.
if [ -z "${DJANGO_ALLOWED_HOSTS:-}" ]; then
  DJANGO_ALLOWED_HOSTS=$(allowed_hosts "$HOST")
  export DJANGO_ALLOWED_HOSTS
fi
SHOWN_HOST=$HOST
[ "$HOST" != 0.0.0.0 ] || SHOWN_HOST=$(hostname -I | awk '{print $1}')
mkdir -p var
"$PY" manage.py compilemessages -v0 --ignore=.venv
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py collectstatic --no-input -v0
"$PY" manage.py load_demo
"$PY" manage.py run_worker &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
cat <<MSG

  Cổng Dịch vụ công:   http://$SHOWN_HOST:$PORT/
  Một cửa (cán bộ):    http://$SHOWN_HOST:$PORT/can-bo/
  Quản trị:            http://$SHOWN_HOST:$PORT/quan-tri/
  API:                 http://$SHOWN_HOST:$PORT/api/docs/
  Sức khỏe hệ thống:   http://$SHOWN_HOST:$PORT/healthz
  Demo logins (password demo@2026): quantri, giamsat, tiepnhan, stp.chuyenvien, stp.lanhdao,
  stp.vanthu, stp.quantri, bhxh.tiepnhan, buudien, xa.tiepnhan, xa.chuyenvien, xa.lanhdao, xa.vanthu
  Demo citizens (portal login by phone, same password): 0912345678, 0987654321
  Demo SMS inbox:      http://$SHOWN_HOST:$PORT/sms-mo-phong/

MSG
"$VENV/bin/gunicorn" motcua.wsgi:application --bind "$HOST:$PORT" --worker-class gthread \
  --workers "${WEB_CONCURRENCY:-2}" --threads 4 --access-logfile - --log-level warning
