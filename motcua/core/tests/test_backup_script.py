"""scripts/backup.sh, which the nightly backup unit runs: one folder per run named by its UTC time,
each a complete backup, only the newest MOTCUA_BACKUP_KEEP kept, and nothing left behind by a run
that fails."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_backup_script_keeps_the_newest_complete_backups(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POSTGRES_", "S3_", "MOTCUA_"))}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "motcua.conf.embedded",
        "MOTCUA_VAR_DIR": str(tmp_path / "var"),
        "MOTCUA_BACKUP_DIR": str(tmp_path / "backups"),
        "MOTCUA_BACKUP_KEEP": "2",
    }
    (tmp_path / "var").mkdir()
    migrated = _run([sys.executable, "manage.py", "migrate", "-v0"], env)
    assert migrated.returncode == 0, migrated.stderr
    for _ in range(3):
        made = _run(["bash", "scripts/backup.sh"], env)
        assert made.returncode == 0, made.stderr
        time.sleep(1.1)  # folder names have one-second resolution
    folders = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(folders) == 2
    for name in folders:
        checked = _run([sys.executable, "manage.py", "restore", "--check", str(tmp_path / "backups" / name)], env)
        assert checked.returncode == 0, checked.stderr

    failed = _run(["bash", "scripts/backup.sh"], {**env, "DJANGO_SETTINGS_MODULE": "motcua.conf.production"})
    assert failed.returncode != 0
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == folders
