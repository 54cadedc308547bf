"""The post office's page, its hand-over records and the one-stop unit's confirmation; the
services and selectors decide everything (docs/postal.md)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.errors import ApplicationError
from motcua.core.validators import record_id
from motcua.directory.models import PostOffice
from motcua.postal.record_pdf import hand_over_pdf
from motcua.postal.selectors import (
    post_office_page,
    record_get_for,
    record_items,
    record_totals,
    records_in_transit_to,
)
from motcua.postal.services import (
    PostalForbidden,
    clerk_post_office,
    clerk_works_at,
    hand_over_confirm,
    hand_over_create,
    officer_may_confirm,
    user_oversees_province,
)


def _post_office_for(request: HttpRequest, code: str) -> PostOffice:
    """The office, if the user works there or oversees the province; another office's is a 403."""
    post_office = get_object_or_404(PostOffice, code=code)
    user = request.user
    if clerk_works_at(user=user, post_office_id=post_office.pk):
        return post_office
    if user_oversees_province(user):
        return post_office
    raise PermissionDenied(_("Bạn chỉ xem được trang của bưu cục nơi mình làm việc."))


@login_required
def my_post_office(request: HttpRequest) -> HttpResponse:
    post_office = clerk_post_office(request.user)
    if post_office is None:
        raise Http404(_("Tài khoản chưa được gắn với bưu cục nào. Liên hệ quản trị hệ thống."))
    return redirect("postal:office", code=post_office.code)


@login_required
def office(request: HttpRequest, code: str) -> HttpResponse:
    post_office = _post_office_for(request, code)
    context = post_office_page(post_office)
    context["may_hand_over"] = clerk_works_at(user=request.user, post_office_id=post_office.pk)
    return render(request, "postal/office.html", context)


def _dossier_ids(request: HttpRequest) -> list[int]:
    return [pk for value in request.POST.getlist("dossier") if (pk := record_id(value)) is not None]


@login_required
@require_POST
def hand_over_new(request: HttpRequest, code: str) -> HttpResponse:
    post_office = _post_office_for(request, code)
    try:
        record = hand_over_create(
            clerk=request.user,
            post_office=post_office,
            agency_id=record_id(request.POST.get("agency", "")),
            dossier_ids=_dossier_ids(request),
        )
    except PostalForbidden as error:
        raise PermissionDenied(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("postal:office", code=post_office.code)
    messages.success(
        request, _("Đã lập biên bản bàn giao số %(label)s. Hãy in để hai bên ký.") % {"label": record.label}
    )
    return redirect("postal:record", pk=record.pk)


@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    hand_over = record_get_for(user=request.user, pk=pk)
    items = record_items(hand_over)
    context = {
        "record": hand_over,
        "items": items,
        "totals": record_totals(hand_over, items),
        "may_confirm": hand_over.confirmed_at is None and officer_may_confirm(officer=request.user, record=hand_over),
    }
    return render(request, "postal/record.html", context)


@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    hand_over = record_get_for(user=request.user, pk=pk)
    response = HttpResponse(hand_over_pdf(record=hand_over), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-ban-giao-{hand_over.year}-{hand_over.number}.pdf"'
    return response


@login_required
@require_POST
def record_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    hand_over = record_get_for(user=request.user, pk=pk)
    post = request.POST
    item_dossiers = list(hand_over.items.values_list("dossier_id", flat=True))
    try:
        hand_over_confirm(
            officer=request.user,
            record=hand_over,
            received={dossier_id: post.get(f"received-{dossier_id}", "") for dossier_id in item_dossiers},
            notes={dossier_id: post.get(f"note-{dossier_id}", "") for dossier_id in item_dossiers},
        )
    except PostalForbidden as error:
        raise PermissionDenied(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã xác nhận nhận hồ sơ theo biên bản %(label)s.") % {"label": hand_over.label})
    return redirect("postal:record", pk=hand_over.pk)


@login_required
def incoming(request: HttpRequest) -> HttpResponse:
    """The one-stop unit's side: records from post offices whose papers are on their way."""
    return render(request, "postal/incoming.html", {"records": records_in_transit_to(officer=request.user)})
