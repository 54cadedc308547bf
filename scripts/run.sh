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
# Links and QR codes in PDFs and messages (the worker has no request to read the host from)
# point where the product is served, unless MOTCUA_PUBLIC_URL says otherwise (a proxy in front).
MOTCUA_PUBLIC_URL=$(public_url "$HOST" "$PORT")
export MOTCUA_PUBLIC_URL
mkdir -p var
"$PY" manage.py compilemessages -v0 --ignore=.venv
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py collectstatic --no-input -v0
# The test certificate hierarchy's CRLs, OCSP and time-stamping authority (docs/signing.md):
# every demo signature, the sample results' included, gets its RFC 3161 time stamp here.
PKI_PORT=${PKI_PORT:-8767}
PKI=""
if [ -z "${MOTCUA_SIGNING_TSA_URL:-}" ]; then
  "$PY" -m motcua.signatures.pki_simulator --port "$PKI_PORT" &
  PKI=$!
  trap 'kill $PKI 2>/dev/null' EXIT
  export MOTCUA_SIGNING_TSA_URL="http://127.0.0.1:$PKI_PORT/motcua-test/tsa/tsa"
  wait_http "http://127.0.0.1:$PKI_PORT/motcua-test/crls/root/latest.crl"
fi
"$PY" manage.py load_demo
# A stand-in for the national portal (docs/national-portal.md), with two dossiers citizens
# submitted there: the worker takes them and syncs every dossier event with it over HTTP.
NATIONAL_PORT=${NATIONAL_PORT:-8766}
NATIONAL=""
if [ -z "${MOTCUA_NATIONAL_PLUGIN:-}" ]; then
  "$PY" -m motcua.national.simulator --port "$NATIONAL_PORT" --token demo-national-token &
  NATIONAL=$!
  export MOTCUA_NATIONAL_PLUGIN=http MOTCUA_NATIONAL_HTTP_URL="http://127.0.0.1:$NATIONAL_PORT"
  export MOTCUA_NATIONAL_HTTP_TOKEN=demo-national-token
fi
# A stand-in postal carrier (docs/delivery.md): results sent by post get a carrier order, and
# POST http://127.0.0.1:$CARRIER_PORT/mo-phong/don-hang/<order>/chuyen {"to": "delivered"} moves one on.
CARRIER_PORT=${CARRIER_PORT:-8769}
CARRIER=""
if [ -z "${MOTCUA_CARRIER_PLUGIN:-}" ]; then
  "$PY" -m motcua.delivery.carrier_simulator --port "$CARRIER_PORT" --token demo-carrier-token \
    --secret demo-carrier-secret &
  CARRIER=$!
  export MOTCUA_CARRIER_PLUGIN=http MOTCUA_CARRIER_HTTP_URL="http://127.0.0.1:$CARRIER_PORT"
  export MOTCUA_CARRIER_HTTP_TOKEN=demo-carrier-token MOTCUA_CARRIER_WEBHOOK_SECRET=demo-carrier-secret
  export MOTCUA_CARRIER_SENDER_PHONE=${MOTCUA_CARRIER_SENDER_PHONE:-02623000000}
fi
"$PY" manage.py run_worker &
WORKER=$!
trap 'kill $WORKER $NATIONAL $PKI $CARRIER 2>/dev/null; wait $WORKER $NATIONAL $PKI $CARRIER 2>/dev/null' EXIT INT TERM
cat <<MSG

  Cổng Dịch vụ công:   $MOTCUA_PUBLIC_URL/
  Một cửa (cán bộ):    $MOTCUA_PUBLIC_URL/can-bo/
  Quản trị:            $MOTCUA_PUBLIC_URL/quan-tri/
  API:                 $MOTCUA_PUBLIC_URL/api/docs/
  Sức khỏe hệ thống:   $MOTCUA_PUBLIC_URL/healthz
  Demo logins (password demo@2026): quantri, giamsat, tiepnhan, stp.chuyenvien, stp.lanhdao,
  stp.vanthu, stp.quantri, buudien, xa.tiepnhan, xa.chuyenvien, xa.lanhdao, xa.vanthu, xa.ketoan
  (phường Tân Lập; xa.ketoan: fees, receipts, refunds at /can-bo/thu-phi/), and <agency>.tiepnhan/.chuyenvien/.lanhdao/.vanthu for cat, stc, snnmt, syt, bhxh, sxd, bqlkcn
  Demo citizens (portal login by phone, same password): 0912345678, 0987654321
  Demo SMS inbox:      $MOTCUA_PUBLIC_URL/sms-mo-phong/
  National portal sync: $MOTCUA_PUBLIC_URL/can-bo/dong-bo-quoc-gia/ (simulator on port $NATIONAL_PORT)
  Time stamps, CRLs, OCSP of the test PKI: http://127.0.0.1:$PKI_PORT/ (signatures carry its time stamps)
  Postal carrier simulator: http://127.0.0.1:$CARRIER_PORT (docs/delivery.md)

MSG
"$VENV/bin/gunicorn" motcua.wsgi:application --bind "$HOST:$PORT" --worker-class gthread \
  --workers "${WEB_CONCURRENCY:-2}" --threads 4 --access-logfile - --log-level warning
