"""A backup keeps the audit anchors its database dump can satisfy and leaves out the ones a worker
wrote for newer events while the files were being copied: restored, those would make
`audit_verify` report removed events that were never in the backup."""

import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.core.audit import audit_record
from motcua.core.audit_anchors import ANCHOR_DIR
from motcua.core.backup import backup_check, backup_create
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)  # the dump reads what is committed


def test_anchors_newer_than_the_dump_are_left_out(tmp_path: Path) -> None:
    with transaction.atomic():
        audit_record(actor="test", action="test.first")
        audit_record(actor="test", action="test.second")
    newest = AuditEvent.objects.order_by("-pk").first()
    assert newest is not None
    kept = [
        default_storage.save(f"{ANCHOR_DIR}/2026/12/06/{newest.pk:012d}.json", ContentFile(b"{}")),
        default_storage.save(f"{ANCHOR_DIR}/2026/12/06/{newest.pk:012d}.json", ContentFile(b"{}")),  # a duplicate
        default_storage.save("dossiers/paper.pdf", ContentFile(b"%PDF-1.7 paper")),
    ]
    later = default_storage.save(f"{ANCHOR_DIR}/2026/12/06/{newest.pk + 1:012d}.json", ContentFile(b"{}"))

    manifest = backup_create(folder=tmp_path / "backup")

    keys = {item["key"] for item in manifest["objects"]["files"]}
    assert keys == set(kept), f"{later} names an event the dump does not hold"
    assert manifest["audit_events_up_to"] == newest.pk
    assert backup_check(folder=tmp_path / "backup") == json.loads((tmp_path / "backup" / "manifest.json").read_text())
