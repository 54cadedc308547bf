import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from motcua.accounts.forms import StaffAuthenticationForm
from motcua.backoffice.forms import DossierSearchForm
from motcua.catalog.constants import StepKind
from motcua.catalog.models import Procedure
from motcua.core.errors import ApplicationError
from motcua.core.middleware import CONTENT_SECURITY_POLICY
from motcua.core.validators import record_id
from motcua.directory.constants import AgencyKind, Role, UnitKind
from motcua.directory.models import AdministrativeUnit, Agency, StaffRole
from motcua.directory.selectors import agencies_overseen, staff_roles_for_user, user_is_staff
from motcua.documents.files import private_file_response
from motcua.documents.results import result_preview_pdf
from motcua.dossiers.assisted import assisted_identity_challenge, dossier_start_assisted
from motcua.dossiers.constants import Channel, DossierStatus, Outcome, QueueView, StepStatus
from motcua.dossiers.deadlines import dossier_timeliness, step_is_overdue, step_timeliness
from motcua.dossiers.fees import fees_shown
from motcua.dossiers.groups import dossier_group_shared_attachments
from motcua.dossiers.models import Dossier, DossierSlip
from motcua.dossiers.papers import dossier_papers
from motcua.dossiers.processing import (
    consultation_answer,
    dossier_extend,
    officer_holds_step,
    officer_may_extend,
    step_approve,
    step_assign,
    step_candidates,
    step_consult,
    step_file_add,
    step_forward,
    step_issue,
    step_request_supplement,
    step_return,
    step_signing_code_send,
    step_take,
)
from motcua.dossiers.reception import dossier_accept, dossier_refuse, dossier_request_supplement, officer_may_receive
from motcua.dossiers.records import control_sheet_pdf, register_xlsx
from motcua.dossiers.search import dossier_search_for_officer
from motcua.dossiers.selectors import (
    dossier_get_for_officer,
    dossier_list_for_officer,
    dossier_reception_queue,
    step_get_for_officer,
    step_queue,
)
from motcua.dossiers.transitions import posted_revision
from motcua.exchange.services import officer_may_look_up_business
from motcua.forecast.selectors import forecast_agencies
from motcua.national.selectors import sync_health_agencies
from motcua.payments.collections import collections_agencies
from motcua.payments.constants import PAYABLE_STATUSES
from motcua.payments.counter import COUNTER_METHODS
from motcua.payments.models import Refund
from motcua.payments.receipts import fee_agencies, officer_may_handle_fees
from motcua.postal.services import clerk_post_office, officer_receives
from motcua.reports.statutory import report_agencies
from motcua.service_index.selectors import INDEX_ROLES
from motcua.signatures.signing import signers


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    # Staff accounts only; failures are counted and locked out by django-axes (accounts.lockout).
    authentication_form = StaffAuthenticationForm
    extra_context = {"title": _("Đăng nhập cán bộ")}

    @property
    def redirect_authenticated_user(self) -> bool:  # type: ignore[override]
        # A citizen logged in on this browser may still log in as an officer here.
        return user_is_staff(user=self.request.user)


class LogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    overseen = sync_health_agencies(user=request.user)
    collected = collections_agencies(user=request.user)
    context = {
        "roles": staff_roles_for_user(user=request.user),
        "sees_national_sync": overseen is None or overseen.exists(),
        "sees_collections": collected is None or collected.exists(),
        "sees_forecast": forecast_agencies(user=request.user).exists(),
        "sees_statutory": (reported := report_agencies(user=request.user)) is None or reported.exists(),
        "sees_index": (indexed := agencies_overseen(user=request.user, roles=INDEX_ROLES)) is None or indexed.exists(),
        "sees_finance": (finance_agencies := fee_agencies(request.user)) is None or finance_agencies.exists(),
        "post_office": clerk_post_office(request.user),
        "receives_by_post": officer_receives(request.user),
    }
    return render(request, "backoffice/home.html", context)


@login_required
def reception_queue(request: HttpRequest) -> HttpResponse:
    """Dossiers waiting at the officer's one-stop units, oldest first, with search and filters."""
    query, channel = request.GET.get("q", "")[:100], request.GET.get("channel", "")
    dossiers = dossier_reception_queue(user=request.user, query=query, channel=channel)
    # A post office's dossier shows where its papers are (docs/postal.md).
    dossiers = dossiers.select_related("applicant__citizen", "paper_hand_over__record")
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    context = {"page_obj": page, "q": query, "channel": channel, "channels": Channel.choices}
    return render(request, "backoffice/reception_queue.html", context)


SEARCH_PAGE_SIZE = 50
# Past this, narrow the search; it also keeps a forged page number inside SQL's integers.
SEARCH_MAX_PAGE = 1000


@login_required
def dossier_search(request: HttpRequest) -> HttpResponse:
    """Every dossier the officer may read, by code, applicant, ID number, phone and filters.

    Pages by offset without a total: counting every match costs more than the page itself at
    a million dossiers, and a page more tells whether there is a next one.
    """
    form = DossierSearchForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {"form": form, "dossiers": None}
    if form.is_bound and form.is_valid():
        try:
            page = min(max(1, int(request.GET.get("page", "1"))), SEARCH_MAX_PAGE)
        except ValueError:
            page = 1
        start = (page - 1) * SEARCH_PAGE_SIZE
        rows = list(
            dossier_search_for_officer(user=request.user, search=form.search()).select_related("applicant__citizen")[
                start : start + SEARCH_PAGE_SIZE + 1
            ]
        )
        context |= {
            "dossiers": rows[:SEARCH_PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > SEARCH_PAGE_SIZE,
        }
    return render(request, "backoffice/dossier_search.html", context)


@login_required
def work_queue(request: HttpRequest) -> HttpResponse:
    """The officer's open steps: assigned to me, my unit's, due soon, overdue."""
    view = request.GET.get("xem", QueueView.MINE)
    if view not in QueueView.values:
        view = QueueView.MINE
    now = timezone.now()
    steps = step_queue(user=request.user, view=view, now=now)
    page = Paginator(steps, 50).get_page(request.GET.get("page"))
    counts = {value: step_queue(user=request.user, view=value, now=now).count() for value in QueueView.values}
    context = {"page_obj": page, "view": view, "views": [(v, label, counts[v]) for v, label in QueueView.choices]}
    return render(request, "backoffice/work_queue.html", {**context, "now": now})


def _step_rows(dossier: Dossier, user: Any) -> list[dict[str, Any]]:
    """Every step of the dossier with its timeliness and what this officer may do there."""
    now = timezone.now()
    leads = {
        agency_id
        for agency_id in StaffRole.objects.filter(user=user, role=Role.LEADER).values_list("agency_id", flat=True)
    }
    rows = []
    steps = dossier.steps.select_related("agency", "org_unit", "assignee", "finished_by", "process_step")
    for step in steps.prefetch_related("files"):
        active = step.status == StepStatus.ACTIVE
        row: dict[str, Any] = {
            "step": step,
            "timeliness": step_timeliness(step),
            "overdue": step_is_overdue(step, now=now),
            "may_act": active
            and dossier.status == DossierStatus.IN_PROGRESS
            and officer_holds_step(officer=user, step=step),
            "may_assign": active and step.agency_id in leads,
        }
        if row["may_assign"]:
            roles = step_candidates(agency_id=step.agency_id, role=step.role, org_unit_id=step.org_unit_id)
            row["candidates"] = sorted({r.user for r in roles.select_related("user")}, key=lambda u: u.get_full_name())
        if row["may_act"] and step.process_step is not None and dossier.process is not None:
            row["returns"] = dossier.process.steps.filter(code__in=step.process_step.return_to)
        rows.append(row)
    return rows


@login_required
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    if request.method == "POST":
        return _reception_action(request, dossier)
    rows = _step_rows(dossier, request.user)
    acting = [row for row in rows if row["may_act"]]
    context = {
        "dossier": dossier,
        "history": dossier.history.all(),
        "papers": dossier_papers(dossier=dossier),
        "shared_attachments": dossier_group_shared_attachments(dossier=dossier),
        "slips": dossier.slips.all(),
        "steps": rows,
        "acting": acting,
        "assigning": [row for row in rows if row["may_assign"]],
        "timeliness": dossier_timeliness(dossier),
        "consult_agencies": Agency.objects.filter(is_active=True).exclude(kind=AgencyKind.COMMUNE_COMMITTEE)
        if any(row["step"].kind == StepKind.PROCESS for row in acting)
        else [],
        "may_receive": dossier.status == DossierStatus.SUBMITTED
        and officer_may_receive(officer=request.user, dossier=dossier),
        # Whenever something is owed and can be paid: a procedure paid at submission is paid
        # at the counter before it can be accepted.
        "may_collect_fees": dossier.fees_paid_at is None
        and dossier.fees_due > 0
        and dossier.status in PAYABLE_STATUSES
        and officer_may_handle_fees(officer=request.user, agency_id=dossier.agency_id),
        "counter_methods": COUNTER_METHODS,
        # What the counter takes, line by line, before it presses the button.
        "fees": fees_shown(dossier),
        "receipts": dossier.receipts.select_related("series").order_by("issued_at"),
        "refunds": Refund.objects.filter(payment__dossier=dossier),
        "may_extend": dossier.status in {DossierStatus.IN_PROGRESS, DossierStatus.PAUSED}
        and officer_may_extend(officer=request.user, dossier=dossier),
        "may_look_up_business": officer_may_look_up_business(officer=request.user, dossier=dossier),
        # What the approval and issue forms ask for the signing plugin: nothing, a PIN, a code.
        "signing_confirmation": signers.get().confirmation,
    }
    return render(request, "backoffice/dossier_detail.html", context)


def _reception_action(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    action = request.POST.get("action", "")
    revision = posted_revision(request.POST)
    reasons = request.POST.get("reasons", "")
    try:
        if action == "accept":
            slip = dossier_accept(dossier=dossier, officer=request.user, revision=revision)
        elif action == "supplement":
            slip = dossier_request_supplement(dossier=dossier, officer=request.user, reasons=reasons, revision=revision)
        elif action == "refuse":
            slip = dossier_refuse(dossier=dossier, officer=request.user, reasons=reasons, revision=revision)
        elif action == "extend":
            slip = dossier_extend(
                dossier=dossier,
                officer=request.user,
                reason=request.POST.get("reason", ""),
                new_due=_local_datetime(request.POST.get("new_due", "")),
                revision=revision,
            )
        else:
            raise ApplicationError(str(_("Thao tác không hợp lệ.")), code="unknown_action")
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã lập %(slip)s.") % {"slip": slip.get_kind_display()})
    return redirect("backoffice:dossier_detail", pk=dossier.pk)


def _local_datetime(value: str) -> datetime.datetime:
    """A datetime-local field (YYYY-MM-DDTHH:MM) in the province's time zone."""
    parsed = parse_datetime(value.strip()) if value.strip() else None
    if parsed is None:
        raise ApplicationError(str(_("Hãy nhập ngày giờ hẹn mới.")), code="datetime_required")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value.replace(",", ".").strip() or "0")
    except InvalidOperation:
        raise ApplicationError(str(_("Số ngày không hợp lệ.")), code="number_invalid") from None


STEP_DONE_MESSAGES = {
    "take": _("Bạn đã nhận xử lý bước này."),
    "assign": _("Đã phân công cán bộ xử lý."),
    "forward": _("Đã hoàn thành bước và chuyển hồ sơ."),
    "return": _("Đã trả hồ sơ về bước trước."),
    "consult": _("Đã gửi xin ý kiến."),
    "answer": _("Đã gửi ý kiến."),
    "supplement": _("Đã lập phiếu yêu cầu bổ sung; hồ sơ tạm dừng tính thời gian."),
    "approve": _("Đã phê duyệt và ký số kết quả."),
    "refuse": _("Đã ký số văn bản trả lời không giải quyết."),
    "issue": _("Đã vào sổ và phát hành kết quả."),
    "signing_code": _("Đã gửi mã xác nhận ký số đến điện thoại của bạn; hãy nhập mã rồi ký."),
    "file": _("Đã đính kèm tệp vào bước xử lý."),
}


@login_required
@require_POST
@sensitive_post_parameters("signing_confirmation")  # a token's PIN never reaches an error report
def step_action(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    """Every action on a step goes through the processing services, which check role and state."""
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    step = step_get_for_officer(user=request.user, dossier=dossier, step_id=step_id)
    action, post, user = request.POST.get("action", ""), request.POST, request.user
    revision = posted_revision(post)
    try:
        if action == "take":
            step_take(step=step, officer=user, revision=revision)
        elif action == "assign":
            step_assign(step=step, leader=user, assignee_id=record_id(post.get("assignee", "")) or 0, revision=revision)
        elif action == "forward":
            step_forward(
                step=step, officer=user, note=post.get("note", ""), draft=post.get("draft", ""), revision=revision
            )
        elif action == "return":
            step_return(
                step=step, officer=user, to_code=post.get("to", ""), reason=post.get("reason", ""), revision=revision
            )
        elif action == "consult":
            step_consult(
                step=step,
                officer=user,
                agency_id=record_id(post.get("agency", "")) or 0,
                question=post.get("question", ""),
                days=_decimal(post.get("days", "")),
                revision=revision,
            )
        elif action == "answer":
            consultation_answer(step=step, officer=user, answer=post.get("answer", ""), revision=revision)
        elif action == "supplement":
            step_request_supplement(step=step, officer=user, reasons=post.get("reasons", ""), revision=revision)
        elif action in {"approve", "refuse"}:
            decision = Outcome.GRANTED if action == "approve" else Outcome.REFUSED
            step_approve(
                step=step,
                leader=user,
                decision=decision,
                note=post.get("note", ""),
                revision=revision,
                confirmation=post.get("signing_confirmation", ""),
            )
        elif action == "issue":
            step_issue(step=step, clerk=user, revision=revision, confirmation=post.get("signing_confirmation", ""))
        elif action == "signing_code":
            step_signing_code_send(step=step, officer=user)
        elif action == "file":
            upload = request.FILES.get("file")
            if upload is None:
                raise ApplicationError(str(_("Hãy chọn tệp để đính kèm.")), code="upload_missing")
            step_file_add(step=step, officer=user, name=upload.name or "", data=upload)
        else:
            raise ApplicationError(str(_("Thao tác không hợp lệ.")), code="unknown_action")
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, STEP_DONE_MESSAGES[action])
    return redirect("backoffice:dossier_detail", pk=dossier.pk)


@login_required
def step_file_download(request: HttpRequest, pk: int, step_id: int, file_id: int) -> HttpResponseBase:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    step = step_get_for_officer(user=request.user, dossier=dossier, step_id=step_id)
    attached = step.files.filter(pk=file_id).first()
    if attached is None:
        raise Http404(_("Không tìm thấy tệp."))
    return private_file_response(file=attached.file, download_name=attached.original_name, inline=True)


@login_required
def control_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    response = HttpResponse(control_sheet_pdf(dossier=dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-kiem-soat-{dossier.code}.pdf"'
    return response


@login_required
@xframe_options_sameorigin  # embedded in the dossier page beside "Phê duyệt và ký số"
def result_preview(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    """The result the approval step `step_id` would sign, rendered by the signing path itself
    (`result_preview_pdf`), unsigned and marked as a draft: the leader reads the document,
    not a summary, before "Phê duyệt và ký số". For officers who may read the dossier, while
    the approval step is open."""
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    step = step_get_for_officer(user=request.user, dossier=dossier, step_id=step_id)
    if step.kind != StepKind.APPROVE or step.status != StepStatus.ACTIVE:
        raise Http404(_("Bước này không có kết quả chờ phê duyệt."))
    try:
        pdf = result_preview_pdf(dossier=dossier, agency=step.agency, approver=step.assignee or request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("backoffice:dossier_detail", pk=dossier.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="du-thao-ket-qua-{dossier.code}.pdf"'
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    return response


@login_required
def result_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    if dossier.result_document is None:
        raise Http404(_("Hồ sơ chưa có kết quả."))
    return private_file_response(
        file=dossier.result_document.file, download_name=f"ket-qua-{dossier.code}.pdf", inline=True
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The dossier register (sổ theo dõi hồ sơ) of the officer's agencies for a period, in Excel."""
    today = timezone.localdate()
    start = parse_date(request.GET.get("tu", "")) or today.replace(day=1)
    end = parse_date(request.GET.get("den", "")) or today
    if "tai" not in request.GET:
        return render(request, "backoffice/register.html", {"start": start, "end": end})
    dossiers = (
        dossier_list_for_officer(user=request.user)
        .filter(received_at__date__gte=start, received_at__date__lte=end)
        .order_by("received_at", "id")
    )
    title = str(
        _("SỔ THEO DÕI HỒ SƠ TỪ %(a)s ĐẾN %(b)s") % {"a": start.strftime("%d/%m/%Y"), "b": end.strftime("%d/%m/%Y")}
    )
    response = HttpResponse(
        register_xlsx(dossiers=dossiers, title=title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-ho-so-{start}-{end}.xlsx"'
    return response


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    """A paper of the dossier, or one it shares with the lead dossier of its group."""
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    attachment = (
        dossier.attachments.filter(pk=attachment_id).first()
        or dossier_group_shared_attachments(dossier=dossier).filter(pk=attachment_id).first()
    )
    if attachment is None:
        raise Http404(_("Không tìm thấy tệp."))
    return private_file_response(file=attachment.file, download_name=attachment.original_name, inline=True)


@login_required
def slip_download(request: HttpRequest, pk: int, slip_id: int) -> HttpResponseBase:
    dossier = dossier_get_for_officer(user=request.user, pk=pk)
    slip = get_object_or_404(DossierSlip, pk=slip_id, dossier=dossier)
    return private_file_response(
        file=slip.file, download_name=f"{slip.get_kind_display()} {dossier.code}.pdf", inline=True
    )


@login_required
def assisted_start(request: HttpRequest) -> HttpResponse:
    """Start a dossier for a citizen at the counter or the post office: first a code to the
    citizen (or the ID card check), then the form, pre-filled only once the code is confirmed."""
    values = request.POST if request.method == "POST" else {}
    challenge = None
    if request.method == "POST":
        procedure = Procedure.objects.filter(code=request.POST.get("procedure", ""), is_active=True).first()
        identity: dict[str, Any] = {
            "officer": request.user,
            "id_number": request.POST.get("id_number", ""),
            "phone": request.POST.get("phone", ""),
            "id_card_checked": bool(request.POST.get("id_card_checked")),
            "id_card_number": request.POST.get("id_card_number", ""),
        }
        try:
            if procedure is None or procedure.current_version is None:
                raise ApplicationError(str(_("Hãy chọn thủ tục.")), code="dossier_assist_procedure")
            if "send_code" in request.POST:
                challenge = assisted_identity_challenge(version=procedure.current_version, **identity)
                messages.success(
                    request,
                    _("Đã gửi mã xác nhận tới số %(phone)s. Hãy nhập mã công dân đọc cho bạn.")
                    % {"phone": challenge.sent_to},
                )
            else:
                dossier = dossier_start_assisted(
                    version=procedure.current_version,
                    full_name=request.POST.get("full_name", ""),
                    unit_code=request.POST.get("unit") or None,
                    code=request.POST.get("code", ""),
                    **identity,
                )
                return redirect("dossiers:resume", pk=dossier.pk)
        except ApplicationError as error:
            messages.error(request, error.message)
    units = AdministrativeUnit.objects.valid_on(timezone.localdate()).filter(
        kind__in=[UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP]
    )
    context = {
        "procedures": Procedure.objects.filter(is_active=True).order_by("name").only("code", "name"),
        "units": units.order_by("name"),
        "values": values,
        "challenge": challenge,
    }
    return render(request, "backoffice/assisted_start.html", context)
