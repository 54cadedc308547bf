"""Handing the papers a post office received to the one-stop unit, and the unit's confirmation.

Who: a postal clerk of the post office that received the dossiers makes the record; a reception
officer of the receiving agency confirms it. A refusal changes nothing, is audited in its own
transaction (it survives the refusal) and is a `PostalForbidden` (the pages answer 403).

Numbers run without gaps per post office and year: the next one is taken with the post office
row locked, so two clerks at once get consecutive numbers and a rolled-back record gives its
number back. A second click with the same dossiers finds them in the first record and gets it
back instead of a second one.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.directory.constants import PROVINCE_WIDE_ROLES, Role
from motcua.directory.models import Agency, PostOffice, StaffRole
from motcua.dossiers.constants import Channel, DossierStatus
from motcua.dossiers.models import Dossier
from motcua.postal.models import PaperHandOver, PaperHandOverItem

# A dossier's papers stay at the post office until handed over; not yet submitted or withdrawn
# before the unit received it, there is nothing to hand over.
NOT_TO_HAND_OVER = [DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION, DossierStatus.WITHDRAWN]
DISCREPANCY_MAX = 500


class PostalForbidden(ApplicationError):
    code = "postal_forbidden"


def clerk_post_office(user: Any) -> PostOffice | None:
    """The post office where the user works as a postal clerk, if any."""
    role = (
        StaffRole.objects.filter(user=user, role=Role.POSTAL, post_office__isnull=False)
        .select_related("post_office")
        .order_by("pk")
        .first()
    )
    return role.post_office if role else None


def clerk_works_at(*, user: Any, post_office_id: int) -> bool:
    return StaffRole.objects.filter(user=user, role=Role.POSTAL, post_office_id=post_office_id).exists()


def user_oversees_province(user: Any) -> bool:
    return StaffRole.objects.filter(user=user, role__in=PROVINCE_WIDE_ROLES).exists()


def officer_receives(user: Any) -> bool:
    """A one-stop reception officer somewhere: records from post offices may come to them."""
    return StaffRole.objects.filter(user=user, role=Role.RECEPTION).exists()


def officer_may_confirm(*, officer: Any, record: PaperHandOver) -> bool:
    """The papers are received by the one-stop unit of the agency they were sent to."""
    return StaffRole.objects.filter(user=officer, role=Role.RECEPTION, agency_id=record.agency_id).exists()


def postal_forbidden(*, user: Any, obj: Any, attempted: str, message: str) -> PostalForbidden:
    """Record a refused attempt on its own (outside the refused action's transaction)."""
    with transaction.atomic():
        audit_record(actor=user, action="postal.forbidden", obj=obj, summary={"attempted": attempted})
    return PostalForbidden(message)


def received_at_post_office(post_office: PostOffice) -> Any:
    """Dossiers the office's clerks received for citizens (the clerk who typed one names the office)."""
    clerks = StaffRole.objects.filter(role=Role.POSTAL, post_office=post_office).values("user_id")
    return (
        Dossier.objects.filter(channel=Channel.POST_OFFICE, submitted_by__in=clerks)
        .exclude(status__in=NOT_TO_HAND_OVER)
        .filter(submitted_at__isnull=False)
    )


def _counts(dossier_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Papers (one per file) and originals (as the catalogue asks of each paper given) by dossier."""
    papers = dict(Dossier.objects.filter(pk__in=dossier_ids).annotate(n=Count("attachments")).values_list("pk", "n"))
    originals: dict[int, int] = {}
    rows = (
        Dossier.objects.filter(pk__in=dossier_ids, attachments__isnull=False)
        .values_list("pk", "attachments__component_id", "attachments__component__original_copies")
        .distinct()
    )
    for dossier_id, _component, copies in rows:
        originals[dossier_id] = originals.get(dossier_id, 0) + copies
    return {pk: (papers[pk], originals.get(pk, 0)) for pk in papers}


def _next_number(*, post_office_id: int, year: int) -> int:
    """The next number of the office's year, with the office's row locked until commit."""
    PostOffice.objects.select_for_update().get(pk=post_office_id)
    last = PaperHandOver.objects.filter(post_office_id=post_office_id, year=year).aggregate(m=Max("number"))["m"]
    return (last or 0) + 1


def hand_over_create(
    *, clerk: Any, post_office: PostOffice, agency_id: int | None, dossier_ids: list[int]
) -> PaperHandOver:
    """Record the papers of the chosen dossiers handed to the agency's one-stop unit."""
    if not clerk_works_at(user=clerk, post_office_id=post_office.pk):
        raise postal_forbidden(
            user=clerk,
            obj=post_office,
            attempted="hand_over_create",
            message=_("Chỉ nhân viên của %(office)s được lập biên bản bàn giao của bưu cục này.")
            % {"office": post_office.name},
        )
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        raise ApplicationError(_("Không xác định được cơ quan nhận hồ sơ; hãy tải lại trang."), code="hand_over_agency")
    chosen = sorted(set(dossier_ids))
    if not chosen:
        raise ApplicationError(_("Hãy chọn ít nhất một hồ sơ để bàn giao."), code="hand_over_empty")
    with transaction.atomic():
        now = timezone.localtime()
        number = _next_number(post_office_id=post_office.pk, year=now.year)
        # Read under the office's lock: a record made meanwhile by a colleague is seen here.
        taken = dict(PaperHandOverItem.objects.filter(dossier_id__in=chosen).values_list("dossier_id", "record_id"))
        if taken:
            records = set(taken.values())
            if len(taken) == len(chosen) and len(records) == 1:
                # The same dossiers, all in one record already: a second click or a resent form.
                same = PaperHandOver.objects.filter(pk=records.pop(), post_office=post_office, agency=agency).first()
                if same is not None:
                    return same
            raise ApplicationError(
                _("Có hồ sơ đã được bàn giao trong biên bản khác; hãy tải lại trang và chọn lại."),
                code="hand_over_taken",
            )
        eligible = set(
            received_at_post_office(post_office).filter(pk__in=chosen, agency=agency).values_list("pk", flat=True)
        )
        if eligible != set(chosen):
            raise ApplicationError(
                _("Chỉ bàn giao được hồ sơ do bưu cục tiếp nhận và gửi tới %(agency)s; hãy tải lại trang và chọn lại.")
                % {"agency": agency.name},
                code="hand_over_ineligible",
            )
        record = PaperHandOver.objects.create(
            post_office=post_office,
            year=now.year,
            number=number,
            agency=agency,
            created_at=now,
            created_by=clerk,
            clerk_name=clerk.get_full_name() or clerk.get_username(),
        )
        counts = _counts(chosen)
        PaperHandOverItem.objects.bulk_create(
            PaperHandOverItem(record=record, dossier_id=pk, papers_sent=counts[pk][0], originals=counts[pk][1])
            for pk in chosen
        )
        audit_record(
            actor=clerk,
            action="postal.hand_over_created",
            obj=record,
            summary={"number": record.label, "agency": agency.code, "dossiers": len(chosen)},
        )
    return record


def _count(value: str, *, dossier: Dossier) -> int:
    try:
        count = int(value.strip())
    except (ValueError, AttributeError):
        count = -1
    if count < 0:
        raise ApplicationError(
            _("Số giấy tờ nhận của hồ sơ %(code)s phải là số tự nhiên.") % {"code": dossier.code},
            code="hand_over_count",
        )
    return count


def hand_over_confirm(
    *, officer: Any, record: PaperHandOver, received: Mapping[int, str], notes: Mapping[int, str]
) -> PaperHandOver:
    """The one-stop unit confirms receipt with the papers it counted for each dossier; a count
    that differs from what was sent needs a note of what is missing or extra."""
    if not officer_may_confirm(officer=officer, record=record):
        raise postal_forbidden(
            user=officer,
            obj=record,
            attempted="hand_over_confirm",
            message=_("Chỉ cán bộ tiếp nhận của %(agency)s được xác nhận biên bản này.")
            % {"agency": record.agency.name},
        )
    with transaction.atomic():
        locked = PaperHandOver.objects.select_for_update().get(pk=record.pk)
        if locked.confirmed_at is not None:
            raise ApplicationError(
                _("Biên bản này đã được xác nhận lúc %(at)s.")
                % {"at": timezone.localtime(locked.confirmed_at).strftime("%H:%M %d/%m/%Y")},
                code="hand_over_confirmed",
            )
        items = list(locked.items.select_related("dossier"))
        for item in items:
            item.papers_received = _count(received.get(item.dossier_id, ""), dossier=item.dossier)
            item.discrepancy = notes.get(item.dossier_id, "").strip()[:DISCREPANCY_MAX]
            if item.papers_received != item.papers_sent and not item.discrepancy:
                raise ApplicationError(
                    _("Hồ sơ %(code)s: số giấy tờ nhận khác số bàn giao, hãy ghi rõ sai lệch.")
                    % {"code": item.dossier.code},
                    code="hand_over_discrepancy",
                )
        PaperHandOverItem.objects.bulk_update(items, ["papers_received", "discrepancy"])
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = officer
        locked.receiver_name = officer.get_full_name() or officer.get_username()
        locked.save(update_fields=["confirmed_at", "confirmed_by", "receiver_name"])
        audit_record(
            actor=officer,
            action="postal.hand_over_confirmed",
            obj=locked,
            summary={
                "number": locked.label,
                "received": sum(item.papers_received or 0 for item in items),
                "discrepancies": [item.dossier.code for item in items if item.discrepancy],
            },
        )
    return locked
