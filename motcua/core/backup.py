"""Backups of the database and the stored files together, with a manifest, and their restore into
an empty database and an empty bucket (or media folder). docs/operations.md has the procedure.

A backup folder holds `database.dump` (pg_dump's custom format; a SQLite copy on the embedded
profile), `objects/<key>` (every stored file) and `manifest.json` (sizes and SHA-256 of all of it,
the applied migrations). The database is dumped first, in one snapshot, then the files are copied:
files are written before the rows that name them and never overwritten, so every file the dump
refers to is in the copy (files added meanwhile are harmless extras). The one exception is the
audit trail's signed anchors: one written after the dump would name an event the dump lacks, and
`audit_verify` on the restored site would report removed events. So anchors of events newer than
the dump's snapshot are left out.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from motcua.core.audit_anchors import ANCHOR_DIR
from motcua.core.models import AuditEvent

MANIFEST = "manifest.json"
DUMP = "database.dump"
OBJECTS = "objects"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    content_type: str


def backup_create(*, folder: Path) -> dict[str, Any]:
    """Write a backup of the database and every stored file into `folder` (new or empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup.")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # personal data: owner only
    # Read before the dump: every event up to here is in its snapshot (events are only appended).
    newest_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    database = _database_dump(folder / DUMP)
    objects = [
        _object_save(folder / OBJECTS, key, body, content_type)
        for key, body, content_type in _objects_read()
        if not _anchor_after(key, newest_event)
    ]
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "profile": settings.MOTCUA_PROFILE,
        "database": {**database, "sha256": _sha256_file(folder / DUMP), "bytes": (folder / DUMP).stat().st_size},
        "migrations": _migrations_applied(),
        "audit_events_up_to": newest_event,
        "objects": {
            "storage": _storage_kind(),
            "count": len(objects),
            "bytes": sum(o.size for o in objects),
            "files": [o.__dict__ for o in objects],
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def backup_restore(*, folder: Path) -> dict[str, Any]:
    """Restore a backup into the configured database and storage, both of which must be empty.

    Every checksum is verified before anything is written, so a damaged backup changes nothing.
    """
    manifest = backup_check(folder=folder)
    if connection.introspection.table_names():
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} already has tables: restore only into an empty one."
        )
    _storage_ensure_empty()
    _database_load(folder / DUMP, engine=manifest["database"]["engine"])
    for item in manifest["objects"]["files"]:
        with (folder / OBJECTS / item["key"]).open("rb") as body:
            _object_write(item["key"], body, item["content_type"])
    return manifest


def backup_check(*, folder: Path) -> dict[str, Any]:
    """Read the manifest and verify every file of the backup against it."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{manifest_path} is missing: not a complete backup.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')} is not {FORMAT}.")
    if _sha256_file(folder / DUMP) != manifest["database"]["sha256"]:
        raise BackupError(f"{folder / DUMP} does not match its checksum: the backup is damaged.")
    for item in manifest["objects"]["files"]:
        path = _object_path(folder / OBJECTS, item["key"])
        if not path.exists() or _sha256_file(path) != item["sha256"]:
            raise BackupError(f"Stored file {item['key']} is missing or damaged in the backup.")
    return manifest


# --- The database. ---


def _database_dump(target: Path) -> dict[str, str]:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        # One consistent snapshot; the custom format restores selectively and compresses.
        _run(["pg_dump", "--format=custom", "--file", str(target)], db)
    elif connection.vendor == "sqlite":
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    else:
        raise BackupError(f"No backup for the {connection.vendor} database.")
    return {"engine": connection.vendor, "name": str(db["NAME"])}


def _database_load(dump: Path, *, engine: str) -> None:
    if engine != connection.vendor:
        raise BackupError(f"The backup holds a {engine} database; this profile uses {connection.vendor}.")
    db = connection.settings_dict
    connection.close()
    if engine == "postgresql":
        # One transaction: a failed restore leaves the database empty. Objects belong to the role
        # restoring (the migration role); grants to the runtime role are kept, so it must exist.
        _run(
            ["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--dbname", db["NAME"], str(dump)],
            db,
        )
    else:
        shutil.copyfile(dump, db["NAME"])


def _migrations_applied() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def _run(command: list[str], db: dict[str, Any]) -> None:
    # libpq reads the connection from the environment: the password never shows in `ps`.
    env = {
        **os.environ,
        "PGHOST": str(db.get("HOST") or ""),
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": str(db.get("USER") or ""),
        "PGPASSWORD": str(db.get("PASSWORD") or ""),
        "PGDATABASE": str(db["NAME"]),
    }
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


# --- The stored files: an S3 bucket in production, the media folder on the embedded profile. ---


def _anchor_after(key: str, newest_event: int) -> bool:
    """An audit anchor (audit-anchors/YYYY/MM/DD/<event id>[_suffix].json) of a newer event."""
    if not key.startswith(f"{ANCHOR_DIR}/"):
        return False
    event_id = re.match(r"\d+", key.rsplit("/", 1)[-1])
    return event_id is not None and int(event_id.group(0)) > newest_event


def _storage_kind() -> str:
    return "filesystem" if isinstance(storages["default"], FileSystemStorage) else "s3"


def _objects_read() -> Iterator[tuple[str, IO[bytes], str]]:
    if _storage_kind() == "filesystem":
        root = Path(settings.MEDIA_ROOT)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            with path.open("rb") as body:
                yield path.relative_to(root).as_posix(), body, ""
        return
    bucket = storages["default"].bucket  # type: ignore[attr-defined]
    client = bucket.meta.client
    for summary in bucket.objects.all():
        response = client.get_object(Bucket=bucket.name, Key=summary.key)
        yield summary.key, response["Body"], response.get("ContentType", "")


def _storage_ensure_empty() -> None:
    if _storage_kind() == "filesystem":
        root = Path(settings.MEDIA_ROOT)
        if root.exists() and any(p.is_file() for p in root.rglob("*")):
            raise BackupError(f"{root} already holds files: restore only into an empty media folder.")
        return
    bucket = storages["default"].bucket  # type: ignore[attr-defined]
    client = bucket.meta.client
    if bucket.creation_date is None:
        client.create_bucket(Bucket=bucket.name)
    if any(True for _ in bucket.objects.limit(1)):
        raise BackupError(f"Bucket {bucket.name} already holds files: restore only into an empty bucket.")


def _object_write(key: str, body: IO[bytes], content_type: str) -> None:
    if _storage_kind() == "filesystem":
        path = _object_path(Path(settings.MEDIA_ROOT), key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            shutil.copyfileobj(body, out, CHUNK)
        return
    bucket = storages["default"].bucket  # type: ignore[attr-defined]
    extra = {"ContentType": content_type} if content_type else {}
    bucket.meta.client.upload_fileobj(body, bucket.name, key, ExtraArgs=extra)


def _object_save(root: Path, key: str, body: IO[bytes], content_type: str) -> StoredObject:
    path = _object_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := body.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return StoredObject(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)


def _object_path(root: Path, key: str) -> Path:
    path = (root / key).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"Stored file name {key!r} leaves the backup folder.")
    return path


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
