#!/usr/bin/env bash
# A backup folder named by its UTC time under MOTCUA_BACKUP_DIR (default /var/backups/motcua),
# keeping the newest MOTCUA_BACKUP_KEEP (default 14). Run by deploy/systemd/motcua-backup.timer,
# with the production environment; `manage.py restore FOLDER` restores one (docs/operations.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${MOTCUA_BACKUP_DIR:-/var/backups/motcua}
KEEP=${MOTCUA_BACKUP_KEEP:-14}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
PARTIAL="$DIR/$STAMP.partial"
mkdir -p "$DIR"
# A failed run leaves nothing that looks like a backup.
trap 'rm -rf -- "$PARTIAL"' ERR
"$ROOT/.venv/bin/python" "$ROOT/manage.py" backup "$PARTIAL"
mv -- "$PARTIAL" "$DIR/$STAMP"
# Backup folder names sort by time: drop all but the newest $KEEP.
find "$DIR" -mindepth 1 -maxdepth 1 -type d -name '2*Z' | sort | head -n -"$KEEP" | xargs -r rm -rf --
echo "Kept backups: $(find "$DIR" -mindepth 1 -maxdepth 1 -type d -name '2*Z' | wc -l) in $DIR"
