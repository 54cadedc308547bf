"""Signed anchors of the audit chain's head, kept outside the database.

Whoever controls the database as its owner or a superuser can disable the insert-only triggers,
delete the newest events or rewrite every hash after a change, and the chain would still read
intact. So at intervals a worker signs the head (newest event's id and hash, the number of events,
their time) with a platform key the database does not hold, and writes it to the default storage
(the object store in production) under audit-anchors/YYYY/MM/DD/<event id>.json. `audit_verify`
checks the chain against the latest anchors: an anchored event that is gone, or whose hash
changed, names where the chain was cut or rewritten.

The signature is HMAC-SHA256: the web and worker processes already hold secrets from the
environment, and a key pair would add key files to manage without stopping anyone who holds the
platform's environment (who could sign with either). The key is MOTCUA_AUDIT_ANCHOR_KEY, or else
one derived from DJANGO_SECRET_KEY (and its fallbacks, so a rotation keeps old anchors valid).

Before anchoring, the writer checks the events since the previous anchor, so an anchor never
vouches for a chain that was already broken; each anchor thereby vouches for all before it.
"""

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from motcua.core.audit import Anchor, ChainReport, audit_verify_chain, audit_verify_since
from motcua.core.tasks import task

ANCHOR_DIR = "audit-anchors"
_KEY_SALT = "motcua.core.audit_anchors"
_SIGNED_FIELDS = ("event_id", "hash", "count", "event_created_at", "anchored_at")

logger = logging.getLogger(__name__)


class AuditChainBroken(Exception):
    def __init__(self, report: ChainReport) -> None:
        super().__init__(f"Audit chain broken at event {report.broken_event_id}: {report.reason}")
        self.report = report


def _secrets() -> list[str | bytes]:
    if settings.MOTCUA_AUDIT_ANCHOR_KEY:
        return [settings.MOTCUA_AUDIT_ANCHOR_KEY]
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


def _signature(body: str, secret: str | bytes) -> str:
    return salted_hmac(_KEY_SALT, body, secret=secret, algorithm="sha256").hexdigest()


def _body(values: dict[str, object]) -> str:
    return json.dumps({name: values[name] for name in _SIGNED_FIELDS}, sort_keys=True, separators=(",", ":"))


def anchor_serialize(anchor: Anchor) -> bytes:
    values = asdict(anchor)
    del values["name"]  # where it is stored is not part of what it says
    return json.dumps({**values, "signature": _signature(_body(values), _secrets()[0])}).encode()


def _anchor_load(storage: Storage, name: str) -> Any:
    """The stored JSON, or None. The filesystem storage writes a file in place, so one that does
    not parse is read once more after a moment: a worker may be writing it right now."""
    for pause in (0.2, None):
        try:
            with storage.open(name) as stored:
                return json.loads(stored.read())
        except ValueError:
            if pause is None:
                return None
            time.sleep(pause)
    return None


def _anchor_read(storage: Storage, name: str) -> Anchor | None:
    """The anchor stored at `name`, or None when it is unreadable or not signed with the platform key."""
    values = _anchor_load(storage, name)
    try:
        body = _body(values)
        anchor = Anchor(**{field: values[field] for field in _SIGNED_FIELDS}, name=name)
    except (KeyError, TypeError):
        return None
    signature = str(values.get("signature", ""))
    if not any(constant_time_compare(signature, _signature(body, secret)) for secret in _secrets()):
        return None
    return anchor


def _names_newest_first(storage: Storage, path: str) -> Iterator[str]:
    """Anchor files under `path`, newest first, listing one folder level at a time and only as far
    as the caller reads (day folders hold files named by event id)."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted((name for name in files if name.endswith(".json")), reverse=True):
        yield f"{path}/{name}"
    for folder in sorted(folders, reverse=True):
        yield from _names_newest_first(storage, f"{path}/{folder}")


@dataclass(frozen=True)
class AnchorListing:
    anchors: list[Anchor] = field(default_factory=list)  # newest first
    rejected: list[str] = field(default_factory=list)


def audit_anchors_latest(*, limit: int, storage: Storage | None = None) -> AnchorListing:
    """The `limit` newest stored anchors that carry the platform's signature, and the names of
    those among them that do not."""
    storage = storage or default_storage
    listing = AnchorListing()
    for name in islice(_names_newest_first(storage, ANCHOR_DIR), limit):
        anchor = _anchor_read(storage, name)
        if anchor is None:
            listing.rejected.append(name)
        else:
            listing.anchors.append(anchor)
    return listing


def audit_anchor_write(*, storage: Storage | None = None) -> Anchor | None:
    """Sign the chain's head and store it; None when there is nothing new since the last anchor.

    Raises AuditChainBroken, storing nothing, when the events since the previous anchor do not
    hold or its event no longer carries the signed hash.
    """
    storage = storage or default_storage
    # Read before the snapshot, so the previous anchor signs events the snapshot can see.
    previous = next(iter(audit_anchors_latest(limit=1, storage=storage).anchors), None)
    report = audit_verify_since(previous)
    if not report.intact:
        raise AuditChainBroken(report)
    head = report.head
    if head is None or (previous and previous.event_id == head.pk and previous.hash == head.hash):
        return None
    now = timezone.now()
    anchor = Anchor(
        event_id=head.pk,
        hash=head.hash,
        count=report.checked,
        event_created_at=head.created_at.isoformat(),
        anchored_at=now.isoformat(),
    )
    name = storage.save(f"{ANCHOR_DIR}/{now:%Y/%m/%d}/{head.pk:012d}.json", ContentFile(anchor_serialize(anchor)))
    return replace(anchor, name=name)


def audit_verify(*, anchor_limit: int = 100, storage: Storage | None = None) -> ChainReport:
    """Verify the whole chain on one snapshot, against the `anchor_limit` latest anchors.

    An anchor not signed with the platform key vouches for nothing and is reported by name.
    """
    listing = audit_anchors_latest(limit=anchor_limit, storage=storage)
    report = audit_verify_chain(anchors=listing.anchors)
    return replace(report, rejected_anchors=tuple(listing.rejected))


@task()
def audit_anchor_head() -> dict[str, object]:
    """Periodic: anchor the chain's head outside the database (every worker may run it at once;
    a duplicate anchor of the same head is harmless)."""
    try:
        anchor = audit_anchor_write()
    except AuditChainBroken as broken:
        logger.critical("Audit chain not anchored: %s", broken)
        raise
    return {"anchored_event_id": anchor.event_id if anchor else None}
