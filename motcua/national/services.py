"""Synchronisation with the national portal: the outbox, inbound dossiers, reconciliation.

Outbound. Every domain event of a dossier that has a code becomes a `SyncItem` in the
transaction that recorded it (`sync_item_record`, subscribed to every kind), holding the record
as wire.py builds it and an idempotency key (a record that cannot be built is parked, never
undoing the change). `sync_dispatch` sends them:

- an item is *claimed* by one conditional UPDATE (due -> "sending" with a lease) committed
  before the portal is called, and its outcome is written with the lease as fencing token;
- a worker killed after the portal took a record but before marking it sent leaves it
  "sending": when the lease runs out it is sent again under the same key, and the portal keeps
  one copy (at-least-once delivery + idempotency keys: nothing lost, nothing applied twice);
- per-dossier order: an item is not sent while an earlier one of its dossier is unsent
  (pending, failing or parked);
- the portal down (503, 500, no answer): the item waits 1, 2, 4… minutes, capped at
  MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS, never given up, and the pass stops (one request per
  pass while the portal is down); a refusal or a contradicting answer parks the item with its
  reason for an administrator, who sends it again from the admin.

Inbound. `inbound_pull` asks the portal for dossiers submitted there; each is validated, its
papers fetched and checked like uploads (a paper the portal cannot serve now: the record waits),
and it becomes a dossier in the receiving agency's reception queue with channel "national
portal", or is parked (`InboundRecord`) with its reason. The portal's id is unique: the same dossier
delivered twice is one dossier, and the portal gets our code again.

Reconciliation. `reconcile` compares, per dossier code, the number of records and the state
the portal holds with ours; what is missing there is sent again, the rest is reported. Then
the portal's list of the period: a dossier submitted there that we never took in is taken in
now, one we took in that it does not list is reported.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import CitizenProfile
from motcua.catalog.constants import ProcedureLevel
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.validators import record_id, validate_vn_phone
from motcua.directory.constants import Role
from motcua.directory.models import AdministrativeUnit, StaffRole
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier
from motcua.events.models import DomainEvent
from motcua.national import wire
from motcua.national.constants import PORTAL_ACTOR, UNSENT, FindingKind, InboundStatus, SyncStatus
from motcua.national.models import InboundRecord, ReconciliationFinding, ReconciliationRun, SyncItem
from motcua.national.portal import PortalRefused, PortalUnavailable, national_portals
from motcua.national.signals import sync_item_sent

logger = logging.getLogger(__name__)

# How long a worker owns an item it is sending: far longer than the HTTP timeout.
LEASE = datetime.timedelta(minutes=2)
BACKOFF_BASE_SECONDS = 60
BATCH = 50
RECONCILE_CHUNK = 200


# --- outbound: the outbox -----------------------------------------------------------------------


def _actor_place(event: DomainEvent, dossier: Dossier) -> tuple[str, str]:
    """(ChucDanh, DonViXuLy): the acting officer's role and agency, preferring the dossier's."""
    if event.actor_id is None:
        return "", ""
    roles = StaffRole.objects.filter(user_id=event.actor_id).select_related("agency")
    role = roles.filter(agency_id=dossier.agency_id).first() or roles.first()
    if role is None:
        return "", ""
    return str(Role(role.role).label), role.agency.name if role.agency else ""


def _portal_id(dossier_id: int) -> str:
    return InboundRecord.objects.filter(dossier_id=dossier_id).values_list("portal_id", flat=True).first() or ""


def sync_record_build(event: DomainEvent, dossier: Dossier) -> dict[str, Any]:
    """The record the portal gets for `event`, from the dossier as it stands now."""
    position, unit = _actor_place(event, dossier)
    return wire.event_record(
        event, dossier, key=_key(dossier.pk, event.seq), position=position, unit=unit, portal_id=_portal_id(dossier.pk)
    )


def _key(dossier_id: int, seq: int) -> str:
    return f"{settings.MOTCUA_PROVINCE_CODE}.{dossier_id}.{seq}"


def _build_failure(error: Exception) -> str:
    return _("Lỗi hệ thống khi lập bản ghi (%(error)s: %(detail)s); báo bộ phận kỹ thuật rồi gửi lại.") % {
        "error": type(error).__name__,
        "detail": str(error)[:200],
    }


def sync_item_build(event: DomainEvent, dossier: Dossier) -> SyncItem:
    """The outbox row for `event` (unsaved): key, record and first attempt.

    A record that cannot be built (a bug, data the builder did not expect) must not undo the
    officer's change it describes: the row is parked without a body, with the reason, and its
    dossier's later records wait behind it; it is built again when an administrator sends it
    again. The savepoint keeps a failed query from spoiling the change's transaction.
    """
    item = SyncItem(
        event=event,
        dossier_id=dossier.pk,
        seq=event.seq,
        kind=event.kind,
        idempotency_key=_key(dossier.pk, event.seq),
        body={},
        next_attempt_at=event.occurred_at,
    )
    try:
        with transaction.atomic():
            item.body = sync_record_build(event, dossier)
    except Exception as error:
        logger.exception("National sync: cannot build the record of %s", item)
        item.status, item.last_error = SyncStatus.PARKED, _build_failure(error)[:500]
    return item


def sync_item_record(event: DomainEvent) -> None:
    """Subscriber to every domain event: queue it for the portal, in the change's transaction.
    A dossier without a code is nobody's business outside yet."""
    dossier = event.dossier
    if not dossier.code:
        return
    sync_item_build(event, dossier).save()


@dataclass
class SyncReport:
    sent: int = 0
    failed: int = 0
    parked: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def backoff(attempts: int) -> datetime.timedelta:
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS)
    return datetime.timedelta(seconds=seconds)


def _due(now: datetime.datetime) -> Q:
    return Q(status__in=[SyncStatus.PENDING, SyncStatus.FAILED], next_attempt_at__lte=now) | Q(
        status=SyncStatus.SENDING, locked_until__lt=now
    )


def _heads(*, seen: set[int], limit: int) -> list[int]:
    """Due items with no earlier unsent item of their dossier, oldest first."""
    earlier_unsent = SyncItem.objects.filter(
        dossier_id=OuterRef("dossier_id"), seq__lt=OuterRef("seq"), status__in=UNSENT
    )
    due = SyncItem.objects.filter(_due(timezone.now())).exclude(pk__in=seen).filter(~Exists(earlier_unsent))
    return list(due.order_by("id").values_list("pk", flat=True)[:limit])


def _claim(pk: int) -> SyncItem | None:
    now = timezone.now()
    claimed = (
        SyncItem.objects.filter(pk=pk)
        .filter(_due(now))
        .update(status=SyncStatus.SENDING, locked_until=now + LEASE, attempts=F("attempts") + 1)
    )
    return SyncItem.objects.get(pk=pk) if claimed else None


def _settle(item: SyncItem, **fields: Any) -> bool:
    """Record an outcome, unless our lease ran out and another worker claimed the item since."""
    return bool(
        SyncItem.objects.filter(pk=item.pk, status=SyncStatus.SENDING, locked_until=item.locked_until).update(
            locked_until=None, **fields
        )
    )


def _retry_later(item: SyncItem, *, error: str) -> None:
    _settle(
        item, status=SyncStatus.FAILED, next_attempt_at=timezone.now() + backoff(item.attempts), last_error=error[:500]
    )


def sync_item_mark_sent(item: SyncItem) -> None:
    if _settle(item, status=SyncStatus.SENT, sent_at=timezone.now(), last_error=""):
        sync_item_sent.send(sender=SyncItem, dossier_id=item.dossier_id)


def sync_dispatch(*, limit: int = 1000) -> SyncReport:
    """Send what is due, in per-dossier order, until nothing is due, `limit` items were tried or
    the portal is found down. Never raises for the portal's failures."""
    portal = national_portals.get()
    report = SyncReport()
    seen: set[int] = set()
    while limit > 0:
        heads = _heads(seen=seen, limit=min(BATCH, limit))
        if not heads:
            break
        for pk in heads:
            seen.add(pk)
            item = _claim(pk)
            if item is None:  # another worker has it
                continue
            limit -= 1
            if not item.body and not _body_rebuilt(item):
                report.parked += 1
                continue
            try:
                portal.deliver(key=item.idempotency_key, record=item.body)
            except PortalUnavailable as down:
                _retry_later(item, error=str(down))
                report.failed += 1
                logger.warning("National sync: %s not sent (attempt %d): %s", item, item.attempts, down)
                return report
            except PortalRefused as refused:
                _settle(item, status=SyncStatus.PARKED, last_error=str(refused)[:500])
                report.parked += 1
                logger.error("National sync: %s parked: %s", item, refused)
                continue
            except Exception as error:
                # A bug or an unexpected library error must not lose the item: retry it later.
                logger.exception("National sync: unexpected error sending %s", item)
                _retry_later(item, error=type(error).__name__)
                report.failed += 1
                continue
            sync_item_mark_sent(item)
            report.sent += 1
    return report


def _body_rebuilt(item: SyncItem) -> bool:
    """An item parked because its record could not be built, sent again: build it now (from the
    dossier as it stands), or park it again with the reason."""
    try:
        event = DomainEvent.objects.select_related("actor").get(pk=item.event_id)
        item.body = sync_record_build(event, Dossier.objects.get(pk=item.dossier_id))
    except Exception as error:
        logger.exception("National sync: cannot build the record of %s", item)
        _settle(item, status=SyncStatus.PARKED, last_error=_build_failure(error)[:500])
        return False
    SyncItem.objects.filter(pk=item.pk, locked_until=item.locked_until).update(body=item.body)
    return True


def sync_items_retry(*, items: QuerySet[SyncItem], actor: Any) -> int:
    """An administrator sends parked or failing items again now."""
    with transaction.atomic():
        ids = list(items.filter(status__in=[SyncStatus.PARKED, SyncStatus.FAILED]).values_list("pk", flat=True))
        SyncItem.objects.filter(pk__in=ids).update(status=SyncStatus.PENDING, next_attempt_at=timezone.now())
        if ids:
            audit_record(
                actor=actor, action="national.sync_retry", object_type="national.syncitem", summary={"items": ids}
            )
    return len(ids)


# --- inbound: dossiers submitted on the national portal ---------------------------------------------


@dataclass
class InboundReport:
    accepted: int = 0
    parked: int = 0
    repeated: int = 0
    waiting: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _applicant(submission: wire.Submission, unit: AdministrativeUnit | None) -> Any:
    """The citizen with this ID number, registered now if new (no verified phone: the portal
    checked who they are)."""
    profile = CitizenProfile.objects.filter(id_number=submission.id_number).select_related("user").first()
    if profile is not None:
        return profile.user
    phone = None
    try:
        phone = validate_vn_phone(submission.phone) if submission.phone else None
    except ValidationError:
        phone = None
    if phone and CitizenProfile.objects.filter(phone=phone).exists():
        phone = None
    user = get_user_model().objects.create_user(username=f"cd-{uuid.uuid4().hex[:12]}", password=None)
    CitizenProfile.objects.create(
        user=user,
        full_name=submission.full_name,
        id_number=submission.id_number,
        phone=phone,
        email=submission.email[:254] if "@" in submission.email else "",
        address_unit=unit,
        address_detail=submission.address,
    )
    audit_record(actor=PORTAL_ACTOR, action="citizen.register_from_national_portal", obj=user)
    return user


def _catalogue_place(submission: wire.Submission) -> tuple[ProcedureVersion, AdministrativeUnit | None]:
    """(procedure version, commune) the submission names; InboundRefusal when the catalogue or
    the directory has no such thing. Checked before the papers are fetched: a record we must
    park is parked with its own reason, whatever the portal's file server does."""
    procedure = (
        Procedure.objects.filter(code=submission.procedure_code, is_active=True)
        .select_related("current_version")
        .first()
    )
    if procedure is None or procedure.current_version is None:
        raise wire.InboundRefusal(
            "unknown_procedure",
            _("Mã thủ tục hành chính “%(code)s” không có trong danh mục thủ tục đang áp dụng của tỉnh.")
            % {"code": submission.procedure_code},
        )
    # The catalogue holds no cases yet: a case code is the procedure's code and a two-digit number.
    if submission.case_code and not re.fullmatch(re.escape(procedure.code) + r"\.\d{2}", submission.case_code):
        raise wire.InboundRefusal(
            "unknown_case",
            _("Mã trường hợp “%(case)s” không thuộc thủ tục %(code)s.")
            % {"case": submission.case_code, "code": procedure.code},
        )
    version = procedure.current_version
    unit = AdministrativeUnit.objects.filter(code=submission.commune_code).first()
    if unit is None and version.level == ProcedureLevel.COMMUNE:
        raise wire.InboundRefusal(
            "unknown_unit", _("Mã xã, phường “%(code)s” không có trong danh mục.") % {"code": submission.commune_code}
        )
    return version, unit


def _dossier_from(submission: wire.Submission) -> Dossier:
    """A draft for the submission, in the agency that receives it; InboundRefusal if it cannot be."""
    from motcua.dossiers.services import dossier_start

    version, unit = _catalogue_place(submission)
    try:
        dossier = dossier_start(
            applicant=_applicant(submission, unit),
            version=version,
            unit_code=submission.commune_code,
            channel=Channel.NATIONAL_PORTAL,
        )
    except ApplicationError as refused:
        raise wire.InboundRefusal(refused.code or "dossier", refused.message) from None
    dossier.form_data = submission.form_data
    dossier.delivery_method = submission.return_method
    dossier.delivery_address = submission.delivery_address
    dossier.save(update_fields=["form_data", "delivery_method", "delivery_address"])
    return dossier


@dataclass(frozen=True)
class _FetchedPaper:
    """A submitted paper as fetched: its content, or why there is none."""

    listed: dict[str, Any]
    content: bytes | None = None
    problem: str = ""


def _papers_fetch(submission: wire.Submission, portal: Any) -> list[_FetchedPaper]:
    """Every submitted paper's file. PortalUnavailable (portal down, error, silent) goes up:
    the record then waits with no dossier, rather than become a dossier missing a paper."""
    fetched = []
    for paper in submission.papers:
        link = paper["DuongDanTaiTepTin"]
        if not link:
            fetched.append(_FetchedPaper(paper, problem=_("Cổng quốc gia không gửi đường dẫn tải tệp.")))
            continue
        try:
            fetched.append(_FetchedPaper(paper, content=portal.paper(link=link)))
        except PortalRefused as refused:
            fetched.append(_FetchedPaper(paper, problem=str(refused)))
    return fetched


def _component_for(dossier: Dossier, code: str) -> Any:
    """The dossier component a MaThanhPhanHoSo names: our own component id (as we send it),
    or "TPnn", the procedure's nn-th paper; None when it names none of this version's."""
    components = dossier.procedure_version.components.all()
    component_id = record_id(code)
    if component_id is not None:
        return components.filter(pk=component_id).first()
    numbered = re.fullmatch(r"TP(\d{1,3})", code.strip().upper())
    if numbered:
        return components.filter(position=int(numbered.group(1)) - 1).first()
    return None


def _papers_attach(dossier: Dossier, papers: list[_FetchedPaper]) -> list[dict[str, str]]:
    """Attach each fetched paper to its component through the upload checks every paper passes;
    what cannot be attached is returned with the reason, for the officer and the administrator."""
    from motcua.dossiers.services import dossier_attach

    problems = []
    for paper in papers:
        name, code = paper.listed["TenTepDinhKem"], paper.listed["MaThanhPhanHoSo"]
        reason, reason_code = paper.problem, "paper_unavailable"
        component = _component_for(dossier, code)
        if not reason and component is None:
            reason = _(
                "Mã thành phần hồ sơ “%(code)s” không thuộc thủ tục này; tệp không được đính kèm, "
                "cán bộ xem trên Cổng quốc gia hoặc yêu cầu bổ sung."
            ) % {"code": code}
            reason_code = "unknown_component"
        if not reason:
            try:
                # The citizen uploaded it on the portal: theirs, checked like any upload.
                dossier_attach(
                    dossier=dossier, actor=dossier.applicant, component_id=component.pk, name=name, data=paper.content
                )
                continue
            except ApplicationError as refused:
                reason, reason_code = refused.message, refused.code or "upload_refused"
        problems.append({"name": name, "component": code, "code": reason_code, "reason": str(reason)})
    return problems


@dataclass(frozen=True)
class _Prepared:
    """A delivered record read and its papers fetched, or what stopped that."""

    submission: wire.Submission | None = None
    papers: list[_FetchedPaper] = field(default_factory=list)
    error: Exception | None = None


def _inbound_prepare(body: Any, portal: Any) -> _Prepared:
    """Read the record, place it and fetch its papers before any lock is taken: downloads must
    never hold a database lock (on SQLite the whole database's). A second worker preparing the
    same record at once only fetches twice; the record's row lock lets one of them accept it."""
    try:
        submission = wire.parse_submission(body)
        _catalogue_place(submission)  # a record to park is parked before any paper is fetched
        return _Prepared(submission=submission, papers=_papers_fetch(submission, portal))
    except Exception as error:  # judged by _try_accept, under the record's lock
        return _Prepared(error=error)


def _try_accept(record: InboundRecord, prepared: _Prepared) -> None:
    """Turn a delivered record into a dossier with its papers in the reception queue, park it with
    the reason, or leave it waiting when a paper cannot be fetched now. The caller holds the
    record's row lock: one dossier per record, however many workers prepared it."""
    from motcua.dossiers.services import dossier_hand_in_submitted_elsewhere

    try:
        if prepared.error is not None:
            raise prepared.error
        assert prepared.submission is not None  # prepared without an error
        with transaction.atomic():
            dossier = _dossier_from(prepared.submission)
            problems = _papers_attach(dossier, prepared.papers)
            # Linked before the hand-in, so the records sent for it carry the portal's id.
            record.dossier, record.status, record.reason, record.reason_code = dossier, InboundStatus.ACCEPTED, "", ""
            record.paper_problems = problems
            record.save()
            record.dossier = dossier_hand_in_submitted_elsewhere(dossier=dossier, actor=PORTAL_ACTOR)
    except wire.InboundRefusal as refusal:
        _park(record, code=refusal.code, reason=refusal.message)
    except PortalUnavailable as down:
        record.dossier, record.status, record.reason_code = None, InboundStatus.WAITING, "papers_unavailable"
        record.reason = _("Chưa tải được giấy tờ từ Cổng quốc gia (%(error)s); sẽ thử lại ở lần nhận sau.") % {
            "error": down
        }
        record.save()
        logger.warning("National inbound %s waits for its papers: %s", record.portal_id, down)
    except Exception as error:
        # A record that trips a bug here must not stop the records after it, nor be lost.
        logger.exception("National inbound %s: unexpected error", record.portal_id)
        _park(
            record,
            code="internal_error",
            reason=_("Lỗi hệ thống khi nhận hồ sơ (%(error)s); báo bộ phận kỹ thuật rồi thử nhận lại.")
            % {"error": type(error).__name__},
        )


def _park(record: InboundRecord, *, code: str, reason: str) -> None:
    record.dossier, record.status, record.reason, record.reason_code = None, InboundStatus.PARKED, reason, code
    record.save()
    logger.warning("National inbound %s parked: %s", record.portal_id, code)


def _acknowledge(record: InboundRecord, portal: Any) -> None:
    """Give the portal our code; a failure is retried by the next pull (the portal still lists it)."""
    assert record.dossier_id is not None  # accepted records have a handed-in dossier
    dossier = Dossier.objects.get(pk=record.dossier_id)
    code = dossier.code or ""
    body = wire.acknowledgement(dossier_code=code, received_at=dossier.submitted_at or timezone.now())
    try:
        portal.acknowledge(portal_id=record.portal_id, dossier_code=code, body=body)
    except PortalUnavailable as down:
        logger.warning("National inbound %s: acknowledgement not delivered: %s", record.portal_id, down)
        return
    except PortalRefused as refused:
        InboundRecord.objects.filter(pk=record.pk).update(reason=str(refused)[:500], reason_code="ack_refused")
        logger.error("National inbound %s: acknowledgement refused: %s", record.portal_id, refused)
        return
    InboundRecord.objects.filter(pk=record.pk).update(acknowledged_at=timezone.now(), reason="", reason_code="")


def inbound_receive(data: Any, *, portal: Any) -> InboundRecord:
    """One delivered record: accepted once, parked with its reason, or recognised as delivered before."""
    portal_id = wire.portal_id_of(data)
    known = InboundRecord.objects.filter(portal_id=portal_id).values("status", "body").first()
    prepared = None
    if known is None or known["status"] == InboundStatus.WAITING:
        prepared = _inbound_prepare(data if known is None else known["body"], portal)
    try:
        with transaction.atomic():
            record = InboundRecord.objects.select_for_update().filter(portal_id=portal_id).first()
            if record is not None:
                InboundRecord.objects.filter(pk=record.pk).update(deliveries=F("deliveries") + 1)
                record.deliveries += 1
                if record.status == InboundStatus.WAITING:
                    _try_accept(record, prepared or _inbound_prepare(record.body, portal))
            else:
                record = InboundRecord.objects.create(portal_id=portal_id, status=InboundStatus.PARKED, body=data)
                _try_accept(record, prepared or _inbound_prepare(data, portal))
    except IntegrityError:
        # Another worker took the same record at the same moment: theirs stands.
        record = InboundRecord.objects.get(portal_id=portal_id)
    if record.status == InboundStatus.ACCEPTED:
        _acknowledge(record, portal)
    return record


def inbound_pull() -> InboundReport:
    """Take the dossiers waiting on the portal. Raises PortalUnavailable when it cannot list them."""
    portal = national_portals.get()
    report = InboundReport()
    for data in portal.submissions():
        record = inbound_receive(data, portal=portal)
        if record.status == InboundStatus.WAITING:
            report.waiting += 1
        elif record.deliveries > 1:
            report.repeated += 1
        elif record.status == InboundStatus.ACCEPTED:
            report.accepted += 1
        else:
            report.parked += 1
    return report


def inbound_retry(*, record: InboundRecord, actor: Any) -> InboundRecord:
    """An administrator fixed what stopped a parked record (the catalogue, a unit): try again."""
    portal = national_portals.get()
    prepared = _inbound_prepare(InboundRecord.objects.values_list("body", flat=True).get(pk=record.pk), portal)
    with transaction.atomic():
        locked = InboundRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status in (InboundStatus.PARKED, InboundStatus.WAITING):
            _try_accept(locked, prepared)
            audit_record(
                actor=actor,
                action="national.inbound_retry",
                obj=locked,
                summary={"status": locked.status, "reason": locked.reason_code},
            )
    if locked.status == InboundStatus.ACCEPTED:
        _acknowledge(locked, portal)
    return locked


# --- reconciliation --------------------------------------------------------------------------------


def _resend(dossier: Dossier) -> int:
    """Queue the dossier's whole stream again (the portal keeps one copy per key); events that
    never got an outbox row get one now."""
    with transaction.atomic():
        missing = DomainEvent.objects.filter(dossier_id=dossier.pk).exclude(
            pk__in=SyncItem.objects.filter(dossier_id=dossier.pk).values("event_id")
        )
        for event in missing.order_by("seq"):
            sync_item_build(event, dossier).save()
        return SyncItem.objects.filter(dossier_id=dossier.pk).update(
            status=SyncStatus.PENDING, next_attempt_at=timezone.now(), locked_until=None
        )


def _reconciled_dossiers(since: datetime.datetime) -> QuerySet[Dossier]:
    """Dossiers with events since `since` and nothing in flight to the portal."""
    unsent = SyncItem.objects.filter(dossier_id=OuterRef("pk"), status__in=UNSENT)
    recent = DomainEvent.objects.filter(dossier_id=OuterRef("pk"), occurred_at__gte=since)
    return (
        Dossier.objects.filter(code__isnull=False)
        .filter(Exists(recent))
        .exclude(Exists(unsent))
        .annotate(event_count=Count("events"))
        .order_by("pk")
    )


def reconcile(*, day: datetime.date | None = None) -> ReconciliationRun | None:
    """Compare per dossier code with the portal; None when the day's run exists already."""
    day = day or timezone.localdate()
    try:
        with transaction.atomic():
            run = ReconciliationRun.objects.create(day=day)
    except IntegrityError:
        return None
    portal = national_portals.get()
    since = timezone.now() - datetime.timedelta(days=settings.MOTCUA_NATIONAL_RECONCILE_DAYS)
    dossiers = list(_reconciled_dossiers(since))
    try:
        for start in range(0, len(dossiers), RECONCILE_CHUNK):
            chunk = dossiers[start : start + RECONCILE_CHUNK]
            states = portal.states(codes=[d.code for d in chunk if d.code])
            for dossier in chunk:
                _compare(run, dossier, states.get(dossier.code or ""))
        _compare_listing(run, portal, since=since)
    except (PortalUnavailable, PortalRefused) as error:
        run.error = str(error)[:500]
    run.checked = len(dossiers)
    run.repaired = run.findings.filter(repaired=True).count()
    run.unresolved = run.findings.filter(repaired=False).count()
    run.finished_at = timezone.now()
    run.save()
    logger.info(
        "National reconciliation %s: %d checked, %d repaired, %d to look at%s",
        day,
        run.checked,
        run.repaired,
        run.unresolved,
        f" (stopped: {run.error})" if run.error else "",
    )
    return run


def _code_of(record: InboundRecord) -> str:
    """Our dossier code of an inbound record, or the portal's id while it has none."""
    code = record.dossier.code if record.dossier is not None else None
    return (code or record.portal_id)[:40]


def _compare_listing(run: ReconciliationRun, portal: Any, *, since: datetime.datetime) -> None:
    """The portal's own list of the period against ours: a dossier submitted there that we never
    took in is taken in now through the inbound path (idempotent by the portal's id); one we took
    in that the portal no longer lists is reported."""
    # A day's margin: the portal lists by submission time, we keep the time we received it.
    listed = portal.listing(since=since - datetime.timedelta(days=1), until=timezone.now())
    known = set(
        InboundRecord.objects.filter(portal_id__in=[row.portal_id for row in listed]).values_list(
            "portal_id", flat=True
        )
    )
    for row in listed:
        if row.portal_id in known:
            continue
        record = inbound_receive(row.record, portal=portal)
        taken = record.status == InboundStatus.ACCEPTED
        ReconciliationFinding.objects.create(
            run=run,
            dossier_id=record.dossier_id,
            dossier_code=_code_of(record),
            kind=FindingKind.ONLY_ON_PORTAL,
            theirs=row.portal_id[:100],
            repaired=taken,
            detail=(
                _("Đã nhận hồ sơ %(id)s từ Cổng quốc gia.") % {"id": row.portal_id}
                if taken
                else _("Hồ sơ %(id)s chưa nhận được: %(reason)s") % {"id": row.portal_id, "reason": record.reason}
            )[:500],
        )
    listed_ids = {row.portal_id for row in listed}
    unlisted = (
        InboundRecord.objects.filter(status=InboundStatus.ACCEPTED, received_at__gte=since)
        .exclude(portal_id__in=listed_ids)
        .select_related("dossier")
    )
    for record in unlisted:
        ReconciliationFinding.objects.create(
            run=run,
            dossier=record.dossier,
            dossier_code=_code_of(record),
            kind=FindingKind.NOT_LISTED_ON_PORTAL,
            ours=record.portal_id[:100],
            detail=_("Cổng quốc gia không liệt kê hồ sơ %(id)s trong kỳ; cần kiểm tra với Cổng quốc gia.")
            % {"id": record.portal_id},
        )


def _compare(run: ReconciliationRun, dossier: Any, theirs: wire.PortalDossierState | None) -> None:
    ours_status = wire.status_code(dossier.status)
    ours = _("%(n)d bản ghi, trạng thái %(s)s") % {"n": dossier.event_count, "s": ours_status}
    finding = ReconciliationFinding(run=run, dossier=dossier, dossier_code=dossier.code, ours=ours)
    if theirs is not None:
        finding.theirs = _("%(n)d bản ghi, trạng thái %(s)s") % {"n": theirs.records, "s": theirs.status}
    if theirs is None or theirs.records < dossier.event_count:
        finding.kind = FindingKind.NOT_ON_PORTAL if theirs is None else FindingKind.MISSING_RECORDS
        finding.repaired = True
        finding.detail = _("Đã đưa %(n)d bản ghi vào hàng đợi gửi lại.") % {"n": _resend(dossier)}
    elif theirs.records > dossier.event_count:
        finding.kind = FindingKind.EXTRA_RECORDS
        finding.detail = _("Cổng quốc gia có bản ghi mà hệ thống tỉnh không có; cần kiểm tra với Cổng quốc gia.")
    elif theirs.status != ours_status:
        finding.kind = FindingKind.STATE_DIFFERS
        finding.detail = _("Cùng số bản ghi nhưng trạng thái khác; cần kiểm tra với Cổng quốc gia.")
    else:
        return
    finding.save()
