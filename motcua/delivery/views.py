"""The back-office pages that hand a result over or post it; the services decide everything."""

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from motcua.core.errors import ApplicationError
from motcua.delivery.models import HandOver
from motcua.delivery.notes import handover_note_pdf
from motcua.delivery.services import (
    DeliveryForbidden,
    handover_record,
    shipment_delivered,
    shipment_failed,
    shipment_send,
)
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_get_for_officer
from motcua.dossiers.transitions import posted_revision


def _local(value: str) -> datetime.datetime | None:
    """A datetime-local field (YYYY-MM-DDTHH:MM) in the province's time zone."""
    parsed = parse_datetime(value.strip()) if value.strip() else None
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _date(value: str) -> datetime.date | None:
    try:
        return parse_date(value.strip())
    except ValueError:
        return None


def _act(request: HttpRequest, dossier: Dossier, action: Callable[[], object], done: str) -> HttpResponse:
    """Run a service; a refusal of the officer is a 403, a refused action a message on the page."""
    try:
        action()
    except DeliveryForbidden as error:
        raise PermissionDenied(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("backoffice:dossier_detail", pk=dossier.pk)


@login_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    post = request.POST
    return _act(
        request,
        dossier,
        lambda: handover_record(
            dossier=dossier,
            officer=request.user,
            recipient_kind=post.get("recipient_kind", ""),
            recipient_name=post.get("recipient_name", ""),
            authorisation=post.get("authorisation", ""),
            id_paper_kind=post.get("id_paper_kind", ""),
            id_paper_number=post.get("id_paper_number", ""),
            note=post.get("note", ""),
            revision=posted_revision(request.POST),
        ),
        str(_("Đã trả kết quả tại quầy. Hãy in biên bản giao nhận để hai bên ký.")),
    )


@login_required
def hand_over_note(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    record = HandOver.objects.filter(dossier=dossier).select_related("officer").first()
    if record is None:
        raise Http404(_("Hồ sơ chưa được trả kết quả tại quầy."))
    response = HttpResponse(handover_note_pdf(hand_over=record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-giao-nhan-{dossier.code}.pdf"'
    return response


@login_required
@require_POST
def shipment_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    post = request.POST
    return _act(
        request,
        dossier,
        lambda: shipment_send(
            dossier=dossier,
            officer=request.user,
            carrier=post.get("carrier", ""),
            tracking_number=post.get("tracking_number", ""),
            sent_on=_date(post.get("sent_on", "")),
            revision=posted_revision(request.POST),
        ),
        str(_("Đã ghi nhận gửi kết quả qua bưu chính.")),
    )


@login_required
@require_POST
def shipment_delivered_view(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    return _act(
        request,
        dossier,
        lambda: shipment_delivered(
            dossier=dossier,
            officer=request.user,
            recipient_name=request.POST.get("recipient_name", ""),
            delivered_at=_local(request.POST.get("delivered_at", "")),
            revision=posted_revision(request.POST),
        ),
        str(_("Đã xác nhận bưu chính giao kết quả; hồ sơ đã trả kết quả.")),
    )


@login_required
@require_POST
def shipment_failed_view(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    return _act(
        request,
        dossier,
        lambda: shipment_failed(
            dossier=dossier,
            officer=request.user,
            reason=request.POST.get("reason", ""),
            revision=posted_revision(request.POST),
        ),
        str(_("Đã ghi nhận bưu gửi không giao được; kết quả chờ gửi lại hoặc trả tại quầy.")),
    )
