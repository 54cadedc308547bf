# Shared by the scripts: install what is missing, idempotently, on Debian 12 as root.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

apt_install() {
  # Installs the Debian packages that are not yet present, with one apt-get update at most.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then echo "Need root to install ${missing[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

python_env() {
  # Creates the virtualenv and installs the locked requirements when they changed.
  local lock="$1"
  [ -x "$PY" ] || python3 -m venv "$VENV"
  local stamp="$VENV/.installed-$(basename "$lock")"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$lock"
    touch "$stamp"
  fi
}
