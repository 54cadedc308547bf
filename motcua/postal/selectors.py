"""Reads for the post office's page and the hand-over records (docs/postal.md)."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.catalog.constants import StepKind
from motcua.delivery.constants import ShipmentStatus
from motcua.delivery.models import Shipment
from motcua.directory.constants import Role
from motcua.directory.models import PostOffice, StaffRole
from motcua.dossiers.constants import DeliveryMethod, DossierStatus, StepStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.postal.models import PaperHandOver, PaperHandOverItem
from motcua.postal.services import (
    clerk_works_at,
    officer_may_confirm,
    received_at_post_office,
    user_oversees_province,
)


def dossiers_to_hand_over(post_office: PostOffice) -> QuerySet[Dossier]:
    """Received at the office, in no record yet, by receiving agency then oldest first."""
    return (
        received_at_post_office(post_office)
        .filter(paper_hand_over__isnull=True)
        .select_related("agency", "procedure_version", "applicant__citizen")
        .annotate(papers=Count("attachments"))
        .order_by("agency__name", "submitted_at", "pk")
    )


def hand_over_groups(post_office: PostOffice) -> list[dict[str, Any]]:
    """The dossiers to hand over, one group per receiving agency (one record each)."""
    groups: dict[int, dict[str, Any]] = {}
    for dossier in dossiers_to_hand_over(post_office):
        groups.setdefault(dossier.agency_id, {"agency": dossier.agency, "dossiers": []})["dossiers"].append(dossier)
    return list(groups.values())


def _records() -> QuerySet[PaperHandOver]:
    return PaperHandOver.objects.select_related("post_office", "agency").annotate(
        dossiers=Count("items"), papers=Sum("items__papers_sent")
    )


def records_awaiting_confirmation(post_office: PostOffice) -> QuerySet[PaperHandOver]:
    return _records().filter(post_office=post_office, confirmed_at__isnull=True).order_by("created_at", "pk")


def records_recent(post_office: PostOffice, limit: int = 20) -> list[PaperHandOver]:
    return list(_records().filter(post_office=post_office, confirmed_at__isnull=False)[:limit])


def records_in_transit_to(*, officer: Any) -> QuerySet[PaperHandOver]:
    """Records sent to the agencies where the officer receives, not confirmed yet: their
    dossiers are on their way ("đang chuyển")."""
    agencies = StaffRole.objects.filter(user=officer, role=Role.RECEPTION).values("agency_id")
    return _records().filter(agency_id__in=agencies, confirmed_at__isnull=True).order_by("created_at", "pk")


def _served(post_office: PostOffice) -> QuerySet[Dossier]:
    return Dossier.objects.filter(agency__in=post_office.agencies.all())


def results_to_pick_up(post_office: PostOffice) -> QuerySet[Dossier]:
    """Results of the agencies the office serves waiting to go by post: an open return step,
    the applicant chose post, and no shipment on its way."""
    open_return = DossierStep.objects.filter(dossier=OuterRef("pk"), kind=StepKind.RETURN, status=StepStatus.ACTIVE)
    in_transit = Shipment.objects.filter(dossier=OuterRef("pk"), status=ShipmentStatus.SENT)
    return (
        _served(post_office)
        .filter(status=DossierStatus.PROCESSED, delivery_method=DeliveryMethod.POST)
        .filter(Exists(open_return))
        .exclude(Exists(in_transit))
        .select_related("agency", "applicant__citizen")
        .order_by("processed_at", "pk")
    )


def shipments(post_office: PostOffice, which: Q) -> QuerySet[Shipment]:
    """Shipments of the results of the agencies the office serves, matching `which`."""
    return (
        Shipment.objects.filter(which, dossier__in=_served(post_office))
        .select_related("dossier__agency")
        .order_by("-created_at", "-id")
    )


# A shipment still "sent" but flagged (lost, silent for days, a report the system could not
# apply) needs the post office's action as much as one that came back.
_FLAGGED = Q(status=ShipmentStatus.SENT) & ~Q(attention="")


def post_office_page(post_office: PostOffice) -> dict[str, Any]:
    return {
        "post_office": post_office,
        "groups": hand_over_groups(post_office),
        "awaiting": records_awaiting_confirmation(post_office),
        "confirmed": records_recent(post_office),
        "to_pick_up": results_to_pick_up(post_office),
        "out": shipments(post_office, Q(status=ShipmentStatus.SENT, attention="")),
        "failed": shipments(post_office, Q(status=ShipmentStatus.FAILED) | _FLAGGED),
    }


def record_get_for(*, user: Any, pk: int) -> PaperHandOver:
    """A record, for its post office's clerks, the receiving agency's one-stop officers and the
    province-wide roles; 404 for anyone else (its existence is nobody else's business)."""
    record = PaperHandOver.objects.select_related("post_office", "agency__unit").filter(pk=pk).first()
    if record is None or not record_readable(user=user, record=record):
        raise Http404(_("Không tìm thấy biên bản bàn giao hoặc bạn không có quyền xem."))
    return record


def record_readable(*, user: Any, record: PaperHandOver) -> bool:
    return (
        clerk_works_at(user=user, post_office_id=record.post_office_id)
        or officer_may_confirm(officer=user, record=record)
        or user_oversees_province(user)
    )


def record_items(record: PaperHandOver) -> list[PaperHandOverItem]:
    return list(record.items.select_related("dossier__procedure_version", "dossier__applicant__citizen"))


def record_totals(record: PaperHandOver, items: list[PaperHandOverItem]) -> dict[str, int | None]:
    return {
        "dossiers": len(items),
        "papers": sum(item.papers_sent for item in items),
        "originals": sum(item.originals for item in items),
        "received": sum(item.papers_received or 0 for item in items) if record.confirmed_at else None,
    }
