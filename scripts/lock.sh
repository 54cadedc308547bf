#!/usr/bin/env bash
# Re-resolves requirements/*.lock from requirements/*.in into throw-away environments.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
apt_install python3-venv
for name in base dev; do
  tmp=$(mktemp -d)
  python3 -m venv "$tmp"
  "$tmp/bin/pip" install -q --disable-pip-version-check -r "requirements/$name.in"
  "$tmp/bin/pip" freeze --exclude-editable | sort -f > "requirements/$name.lock"
  rm -rf "$tmp"
done
