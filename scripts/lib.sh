# Shared by the scripts: install what is missing, idempotently, on Debian 12 as root.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# Debian packages every command needs: venv creation, translations, and WeasyPrint's libraries
# (Pango; HarfBuzz's subsetter makes renders ~5x faster) with fonts that have Vietnamese glyphs.
BASE_PACKAGES=(python3-venv gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core)

apt_install() {
  # Installs the Debian packages that are not yet present, with one apt-get update at most.
  local missing=()
  for pkg in "$@"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then echo "Need root to install ${missing[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

venv_usable() {
  # A venv left half-made (created without pip, its python gone, an install cut short) fails here.
  [ ! -e "$VENV/.installing" ] && "$PY" -c "" 2>/dev/null && "$PY" -m pip --version >/dev/null 2>&1
}

python_env() {
  # Creates the virtualenv (again, when it is not usable) and installs the locked requirements
  # when they changed. The stamp is written only once an install has finished.
  local lock="$1"
  if ! venv_usable; then
    if [ -e "$VENV" ] || [ -L "$VENV" ]; then echo "Rebuilding the unusable .venv/"; fi
    rm -rf "$VENV"
    python3 -m venv "$VENV"
  fi
  local stamp
  stamp="$VENV/.installed-$(basename "$lock")"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    touch "$VENV/.installing"
    "$PY" -m pip install -q --disable-pip-version-check -r "$lock"
    rm "$VENV/.installing"
    touch "$stamp"
  fi
}

allowed_hosts() {
  # The host names, comma-separated, a request may carry to reach a server bound to the given
  # address: loopback always; on 0.0.0.0 also the machine's names and IPv4 addresses.
  {
    echo 127.0.0.1 localhost
    if [ "$1" = 0.0.0.0 ]; then
      hostname
      hostname -f 2>/dev/null || true
      hostname -I | tr ' ' '\n' | grep -v ':' || true
    else
      echo "$1"
    fi
  } | tr ' ' '\n' | grep . | sort -u | paste -sd, -
}

public_url() {
  # Where a server bound to address $1, port $2 is reached, for links and QR codes made without a
  # request (the worker's messages and PDFs): on 0.0.0.0 the machine's first non-loopback IPv4
  # address (its name when it has none). An explicit MOTCUA_PUBLIC_URL wins.
  if [ -n "${MOTCUA_PUBLIC_URL:-}" ]; then echo "$MOTCUA_PUBLIC_URL"; return; fi
  local host="$1"
  if [ "$host" = 0.0.0.0 ]; then
    host=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v -e ':' -e '^127\.' | grep . | head -n1 || true)
    [ -n "$host" ] || host=$(hostname)
  fi
  echo "http://$host:$2"
}

# Waits (up to 30 s) until something answers HTTP at the given address: a simulator started in
# the background must be up before the commands that call it.
wait_http() {
  "$PY" - "$1" <<'PY'
import sys, time, urllib.error, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # it answered
    except OSError:
        time.sleep(0.1)
sys.exit(f"nothing answers at {sys.argv[1]}")
PY
}
