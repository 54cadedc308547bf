"""The citizen's journey: start, e-form pages, papers, delivery, check, confirm by SMS code."""

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.models import Representation
from motcua.catalog.selectors import procedure_get_published
from motcua.core.errors import ApplicationError
from motcua.core.validators import record_id
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit
from motcua.documents.models import StoredDocument
from motcua.dossiers import services
from motcua.dossiers.closing import CLOSABLE, withdrawal_request_submit
from motcua.dossiers.constants import DeliveryMethod, DossierStatus
from motcua.dossiers.fees import fees_shown
from motcua.dossiers.models import Dossier
from motcua.dossiers.post_stash import post_stash_keep, post_stash_pending, post_stash_take
from motcua.dossiers.selectors import (
    dossier_get_for_applicant,
    dossier_get_for_editor,
    dossier_group_for_applicant,
    dossier_list_for_applicant,
    dossier_timeline,
    submission_codes_allowance,
)
from motcua.dossiers.tracking import FEES_PAYABLE
from motcua.dossiers.transitions import StaleDossier, posted_revision
from motcua.payments.models import Refund

citizen_required = login_required(login_url="accounts:login")
# Posted with a form page once the person was told which answers will not be kept.
UNUSED_ACKNOWLEDGED = "_eform_unused"
View = Callable[..., HttpResponse]


def keeps_post_across_login(view: View) -> View:
    """If the session expired while a form page was open, keep what was posted for this browser
    session, send the person to log in, and offer the answers back afterwards (post_stash.py)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not request.user.is_authenticated:
            if request.headers.get("X-Motcua-Autosave"):
                # The page's next "save" or "continue" is kept instead; autosaves would only fill
                # the stash and the address's allowance.
                message = _("Phiên đăng nhập đã hết hạn.")
                return JsonResponse({"code": "login_required", "message": message}, status=401)
            try:
                post_stash_keep(request)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.warning(
                    request,
                    _("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại; thông tin bạn vừa nhập được giữ lại."),
                )
            return redirect_to_login(request.path, login_url="accounts:login")
        return view(request, *args, **kwargs)

    return wrapper


def _schema(dossier: Dossier) -> dict[str, Any] | None:
    form = getattr(dossier.procedure_version, "form", None)
    return form.schema if form is not None else None


def _pages(dossier: Dossier) -> list[dict[str, Any]]:
    schema = _schema(dossier)
    return list(schema["pages"]) if schema else []


def handles_application_errors(view: View) -> View:
    """Show a refused action as a message on the page the citizen came from; nothing is lost."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except StaleDossier as error:
            messages.warning(request, error.message)
            return redirect(request.path)
        except ApplicationError as error:
            if request.method != "POST":
                raise
            messages.error(request, error.message)
            return redirect(request.path)

    return wrapper


def _current_units() -> Any:
    return (
        AdministrativeUnit.objects.valid_on(timezone.localdate())
        .filter(kind__in=[UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP])
        .order_by("name")
    )


@citizen_required
@handles_application_errors
def start(request: HttpRequest, code: str) -> HttpResponse:
    procedure = procedure_get_published(code=code)
    if procedure.information_only:
        messages.info(
            request,
            _("Thủ tục này chưa nhận hồ sơ trực tuyến; hãy nộp trực tiếp tại cơ quan thực hiện ghi dưới đây."),
        )
        return redirect("portal:procedure_detail", code=code)
    version = procedure.current_version
    assert version is not None
    profile = getattr(request.user, "citizen", None)
    default_unit = profile.address_unit.code if profile and profile.address_unit else ""
    if request.method == "POST":
        dossier = services.dossier_start(
            applicant=request.user,
            version=version,
            unit_code=request.POST.get("unit") or default_unit,
            representation_id=record_id(request.POST.get("representation", "")),
        )
        return redirect(_first_step(dossier))
    needs_unit = version.level == "commune"
    return render(
        request,
        "dossiers/start.html",
        {
            "procedure": procedure,
            "version": version,
            "needs_unit": needs_unit,
            "units": _current_units() if needs_unit else [],
            "default_unit": default_unit,
            "representations": Representation.objects.filter(user_id=int(request.user.pk or 0)),
            "codes": submission_codes_allowance(user=request.user),
        },
    )


@citizen_required
@handles_application_errors
def group_start(request: HttpRequest, code: str) -> HttpResponse:
    """Start an interconnected submission: the citizen fills in the lead procedure's dossier and
    the other agencies' dossiers are opened from it on confirmation."""
    from motcua.catalog.groups import procedure_group_get_published, procedure_group_lead
    from motcua.dossiers.groups import dossier_group_start

    group = procedure_group_get_published(code=code)
    members = list(group.members.all())
    profile = getattr(request.user, "citizen", None)
    default_unit = profile.address_unit.code if profile and profile.address_unit else ""
    if request.method == "POST":
        dossier = dossier_group_start(
            applicant=request.user, group=group, unit_code=request.POST.get("unit") or default_unit or None
        )
        return redirect(_first_step(dossier))
    needs_unit = any(member.procedure.level == "commune" for member in members)
    return render(
        request,
        "dossiers/group_start.html",
        {
            "group": group,
            "members": members,
            "lead": procedure_group_lead(group),
            "needs_unit": needs_unit,
            "units": _current_units() if needs_unit else [],
            "default_unit": default_unit,
            "codes": submission_codes_allowance(user=request.user),
        },
    )


@citizen_required
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Carry on with a draft from its first step (on this or another device)."""
    return redirect(_first_step(dossier_get_for_editor(user=request.user, pk=pk)))


def _first_step(dossier: Dossier) -> str:
    pages = _pages(dossier)
    if pages:
        return reverse("dossiers:form_page", args=[dossier.pk, pages[0]["id"]])
    return reverse("dossiers:papers", args=[dossier.pk])


def _steps(dossier: Dossier) -> list[tuple[str, str]]:
    """(title, url) of every step, for the progress list at the top of each page."""
    steps = [(page["title"], reverse("dossiers:form_page", args=[dossier.pk, page["id"]])) for page in _pages(dossier)]
    steps += [
        (_("Giấy tờ"), reverse("dossiers:papers", args=[dossier.pk])),
        (_("Nhận kết quả"), reverse("dossiers:delivery", args=[dossier.pk])),
        (_("Kiểm tra và nộp"), reverse("dossiers:review", args=[dossier.pk])),
    ]
    return steps


def _next_url(dossier: Dossier, current_url: str) -> str:
    urls = [url for _title, url in _steps(dossier)]
    return urls[min(urls.index(current_url) + 1, len(urls) - 1)]


def _journey_context(dossier: Dossier, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "dossier": dossier,
        "version": dossier.procedure_version,
        "steps": _steps(dossier),
        "current_url": request.path,
        **extra,
    }


@keeps_post_across_login
@citizen_required
@handles_application_errors
def form_page(request: HttpRequest, pk: int, page_id: str) -> HttpResponse:
    from motcua.catalog.eforms import (
        display_value,
        form_clean,
        form_initial,
        form_unused_answers,
        is_item_action,
        parse_posted,
    )
    from motcua.integrations.prefill import Prefill

    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    schema = _schema(dossier)
    if schema is None or page_id not in {page["id"] for page in schema["pages"]}:
        return redirect("dossiers:papers", pk=dossier.pk)
    if dossier.status not in services.EDITABLE:
        return redirect("dossiers:detail", pk=dossier.pk)
    errors: dict[str, str] = {}
    warnings: list[str] = []
    if request.method == "POST" and "stash_action" in request.POST:
        # Only this session's own stash, and only when the person confirms it on this page.
        taken = post_stash_take(request)
        if taken is not None and request.POST["stash_action"] == "apply":
            services.dossier_save_form(
                dossier=dossier, actor=request.user, data=parse_posted(schema, taken.as_querydict()), revision=None
            )
            messages.success(request, _("Đã áp dụng thông tin bạn nhập trước khi đăng nhập."))
        elif taken is not None:
            messages.info(request, _("Đã bỏ thông tin bạn nhập trước khi đăng nhập."))
        return redirect(request.path)
    if request.method == "POST" and request.headers.get("X-Motcua-Autosave"):
        try:
            dossier = services.dossier_save_form(
                dossier=dossier,
                actor=request.user,
                data=parse_posted(schema, request.POST),
                revision=posted_revision(request.POST),
            )
        except StaleDossier as stale:
            return JsonResponse({"code": stale.code, "message": stale.message}, status=409)
        return JsonResponse({"revision": dossier.revision})
    unused: list[tuple[dict[str, Any], Any]] = []
    if request.method == "POST":
        posted = parse_posted(schema, request.POST)
        if is_item_action(request.POST) or "save_draft" in request.POST:
            services.dossier_save_form(
                dossier=dossier, actor=request.user, data=posted, revision=posted_revision(request.POST)
            )
            if "save_draft" in request.POST:
                messages.success(request, _("Đã lưu nháp. Bạn có thể tiếp tục trên thiết bị khác."))
            return redirect(request.path)
        # Answers that no longer apply are dropped only once the person has been told which.
        unused = form_unused_answers(schema, dossier.form_data, posted, page_id=page_id)
        if {field["name"] for field, _value in unused} <= set(request.POST.getlist(UNUSED_ACKNOWLEDGED)):
            posted.update({field["name"]: None for field, _value in unused})
            unused = []
        else:
            posted.update({field["name"]: value for field, value in unused})
        dossier = services.dossier_save_form(
            dossier=dossier, actor=request.user, data=posted, revision=posted_revision(request.POST)
        )
        # Papers are checked on their own step; here every paper counts as given.
        every_component = set(dossier.procedure_version.components.values_list("position", flat=True))
        _cleaned, errors = form_clean(schema, dossier.form_data, page_id=page_id, attached_components=every_component)
        if not errors and not unused:
            return redirect(_next_url(dossier, request.path))
    values = dossier.form_data
    if not values:
        prefill = Prefill.for_user(
            dossier.applicant,
            looked_up_by=request.user if request.user != dossier.applicant else None,
            reason={"dossier": dossier.pk, "procedure": dossier.procedure_version.procedure.code},
        )
        values = form_initial(schema, prefill.value)
        warnings = list(prefill.warnings)
        dossier = services.dossier_save_form(dossier=dossier, actor=request.user, data=values, revision=None)
    page = next(page for page in schema["pages"] if page["id"] == page_id)
    stashed = None
    if stash := post_stash_pending(request):
        # Shown as this page's summary, over the saved answers so conditions on other pages hold.
        stashed = {
            "schema": {**schema, "pages": [page]},
            "values": {**values, **parse_posted(schema, stash.as_querydict())},
        }
    context = _journey_context(
        dossier,
        request,
        schema=schema,
        page=page,
        values=values,
        errors=errors,
        warnings=warnings,
        stashed=stashed,
        unused=[{"name": f["name"], "label": f["label"], "value": display_value(f, v)} for f, v in unused],
        unused_acknowledged=UNUSED_ACKNOWLEDGED,
        fees=fees_shown(dossier),
        estimate_url=reverse("dossiers:fee_estimate", args=[dossier.pk]),
    )
    return render(request, "dossiers/form_page.html", context, status=400 if errors else 200)


@citizen_required
@handles_application_errors
def papers(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    if request.method == "POST":
        # An id no record can have is one no record has: the services answer "not found".
        component_id = record_id(request.POST.get("component", "")) or 0
        action = request.POST.get("action", "")
        if action == "upload":
            files = request.FILES.getlist("files")
            if not files:
                raise ApplicationError(_("Hãy chọn tệp cần tải lên."), code="upload_empty")
            if request.POST.get("join_photos") and len(files) > 1:
                services.dossier_attach_photos(
                    dossier=dossier,
                    actor=request.user,
                    component_id=component_id,
                    photos=[(f.name or "", f) for f in files],
                )
            else:
                for upload in files:
                    services.dossier_attach(
                        dossier=dossier,
                        actor=request.user,
                        component_id=component_id,
                        name=upload.name or "",
                        data=upload,
                    )
            messages.success(request, _("Đã đính kèm giấy tờ."))
        elif action == "reuse":
            services.dossier_attach_stored(
                dossier=dossier,
                actor=request.user,
                component_id=component_id,
                stored_id=record_id(request.POST.get("stored", "")) or 0,
            )
            messages.success(request, _("Đã dùng lại giấy tờ từ kho dữ liệu."))
        elif action == "delete":
            services.dossier_detach(
                dossier=dossier, actor=request.user, attachment_id=record_id(request.POST.get("attachment", "")) or 0
            )
        elif action == "continue":
            return redirect("dossiers:delivery", pk=dossier.pk)
        return redirect(request.path)
    components = _paper_rows(dossier)
    context = _journey_context(
        dossier, request, components=components, max_mb=settings.MOTCUA_UPLOAD_MAX_BYTES // (1024 * 1024)
    )
    return render(request, "dossiers/papers.html", context)


def _paper_rows(dossier: Dossier) -> list[dict[str, Any]]:
    """Each paper with what the citizen must do about it (papers.dossier_papers): nothing (the
    e-form replaces it, or their answers make it unnecessary), upload it, or reuse one from
    their document store."""
    from motcua.catalog.eforms import PaperNeed
    from motcua.dossiers.papers import dossier_papers
    from motcua.integrations.prefill import stored_documents_for_component

    return [
        {
            "component": paper.component,
            "state": paper.need.value,
            "attachments": paper.attachments,
            "stored": stored_documents_for_component(
                user=dossier.applicant, component_name=paper.component.name, dossier_id=dossier.pk
            )
            if paper.need in {PaperNeed.REQUIRED, PaperNeed.OPTIONAL}
            else [],
        }
        for paper in dossier_papers(dossier=dossier)
    ]


@citizen_required
@handles_application_errors
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    if request.method == "POST":
        services.dossier_set_delivery(
            dossier=dossier,
            actor=request.user,
            method=request.POST.get("method", ""),
            address=request.POST.get("address", ""),
            revision=posted_revision(request.POST),
        )
        return redirect("dossiers:review", pk=dossier.pk)
    from motcua.delivery.postage import postage_estimate_text  # delivery builds on dossiers

    context = _journey_context(dossier, request, methods=DeliveryMethod.choices)
    return render(request, "dossiers/delivery.html", {**context, "postage_estimate": postage_estimate_text(dossier)})


@citizen_required
@handles_application_errors
def review(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    if dossier.status == DossierStatus.SUBMITTED:
        return redirect("dossiers:done", pk=dossier.pk)
    if request.method == "POST":
        try:
            services.dossier_submit(
                dossier=dossier,
                actor=request.user,
                declaration=bool(request.POST.get("declaration")),
                revision=posted_revision(request.POST),
            )
        except ApplicationError as error:
            if error.code == "otp_rate_limited":
                # Nothing was changed (the submission rolled back): the draft waits, intact.
                retry_at = datetime.datetime.fromisoformat(error.extra["retry_at"])
                messages.error(
                    request,
                    _(
                        "Chưa nộp được: số điện thoại của bạn đã nhận đủ số mã xác nhận cho một giờ. "
                        "Hồ sơ vẫn được lưu nguyên ở dạng nháp; bạn có thể nộp từ %(time)s."
                    )
                    % {"time": formats.time_format(timezone.localtime(retry_at), "H:i")},
                )
            elif error.code in {"dossier_incomplete", "dossier_declaration"}:
                messages.error(request, error.message)
            else:
                raise
        else:
            return redirect("dossiers:confirm", pk=dossier.pk)
    from motcua.dossiers.groups import dossier_group_plan

    problems = services.dossier_problems(dossier=dossier)
    page_urls = {page["id"]: reverse("dossiers:form_page", args=[dossier.pk, page["id"]]) for page in _pages(dossier)}
    context = _journey_context(
        dossier,
        request,
        problems=problems,
        schema=_schema(dossier),
        page_urls=page_urls,
        group_plan=dossier_group_plan(lead=dossier),
        codes=submission_codes_allowance(user=request.user),
        # Recomputed from the saved answers on every view, never taken from the browser.
        fees=fees_shown(dossier),
    )
    return render(request, "dossiers/review.html", context)


@citizen_required
@require_POST
def fee_estimate(request: HttpRequest, pk: int) -> HttpResponse:
    """The fee box of an e-form page for answers typed but not yet saved (the page's script
    asks for it as answers change; without it the box shows the saved answers and the review
    page the final amount). Nothing is saved."""
    from motcua.catalog.eforms import parse_posted

    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    if dossier.status not in services.EDITABLE:
        return HttpResponse(status=204)
    schema = _schema(dossier)
    answers = {**dossier.form_data, **(parse_posted(schema, request.POST) if schema else {})}
    fees = fees_shown(dossier, answers=answers)
    if fees is None:
        return HttpResponse(status=204)
    return render(
        request,
        "dossiers/_fees.html",
        {"fees": fees, "dossier": dossier, "estimate_url": reverse("dossiers:fee_estimate", args=[dossier.pk])},
    )


@citizen_required
@handles_application_errors
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    if dossier.status == DossierStatus.SUBMITTED:
        return redirect("dossiers:done", pk=dossier.pk)
    if dossier.status != DossierStatus.AWAITING_CONFIRMATION:
        return redirect("dossiers:review", pk=dossier.pk)
    error = ""
    if request.method == "POST":
        if "resend" in request.POST:
            services.dossier_submit(dossier=dossier, actor=request.user, declaration=True, revision=None)
            messages.success(request, _("Đã gửi lại mã xác nhận."))
            return redirect(request.path)
        try:
            services.dossier_confirm(dossier=dossier, actor=request.user, code=request.POST.get("code", "").strip())
        except ApplicationError as refused:
            if not refused.code.startswith("otp_"):
                raise
            error = refused.message
        else:
            return redirect("dossiers:done", pk=dossier.pk)
    demo_sms = settings.MOTCUA_PLUGINS.get("sms") == "demo"
    codes = submission_codes_allowance(user=request.user)
    context = _journey_context(dossier, request, error=error, demo_sms=demo_sms, codes=codes)
    return render(request, "dossiers/confirm.html", context, status=400 if error else 200)


@citizen_required
def done(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    if dossier.status == DossierStatus.AWAITING_CONFIRMATION:
        return redirect("dossiers:confirm", pk=dossier.pk)
    context = {"dossier": dossier, "version": dossier.procedure_version, **_group_context(dossier)}
    return render(request, "dossiers/done.html", context)


def _group_context(dossier: Dossier) -> dict[str, Any]:
    """The interconnected submission of a dossier the user may already see, with all its
    dossiers (same applicant); empty for a lone dossier."""
    from motcua.dossiers.groups import dossier_group_dossiers

    if dossier.group_id is None:
        return {}
    dossier_group = dossier_group_for_applicant(user=dossier.applicant, pk=dossier.group_id)
    return {"dossier_group": dossier_group, "group_dossiers": list(dossier_group_dossiers(dossier_group=dossier_group))}


@citizen_required
def acknowledgement(request: HttpRequest, pk: int) -> HttpResponse:
    from motcua.dossiers.acknowledgement import acknowledgement_pdf

    dossier = dossier_get_for_editor(user=request.user, pk=pk)
    if not dossier.code:
        return redirect("dossiers:detail", pk=dossier.pk)
    response = HttpResponse(acknowledgement_pdf(dossier=dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="xac-nhan-{dossier.code}.pdf"'
    return response


@citizen_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    context = {
        "dossiers": dossier_list_for_applicant(user=request.user)[:100],
        # Owing is marked, with the way to pay, while a step still waits for the fees.
        "fees_payable": FEES_PAYABLE,
    }
    return render(request, "dossiers/my_list.html", context)


@citizen_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    from motcua.dossiers.groups import dossier_group_shared_attachments

    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    return render(
        request,
        "dossiers/detail.html",
        {
            **_group_context(dossier),
            # A linked dossier's papers are its lead's, shared by the whole submission.
            "shared_attachments": dossier_group_shared_attachments(dossier=dossier),
            "dossier": dossier,
            "version": dossier.procedure_version,
            "history": dossier.history.all(),
            "timeline": dossier_timeline(dossier),
            "attachments": dossier.attachments.select_related("component"),
            "slips": dossier.slips.all(),
            "receipts": dossier.receipts.select_related("series").order_by("issued_at"),
            "refunds": Refund.objects.filter(payment__dossier=dossier),
            # Results are issued into the citizen's document store, linked to their dossier.
            "results": StoredDocument.objects.filter(owner=dossier.applicant, source_dossier=dossier),
            # Once rated, the invitation to rate gives way to the citizen's own rating.
            "rating": getattr(dossier, "rating", None),
            # After acceptance a withdrawal is a request the agency decides on.
            "withdrawal_open": dossier.status in CLOSABLE,
            "withdrawal_requests": dossier.withdrawal_requests.all(),
            "fees": fees_shown(dossier),
        },
    )


@citizen_required
@require_POST
@handles_application_errors
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    services.dossier_withdraw(dossier=dossier, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("Đã rút hồ sơ %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:detail", pk=dossier.pk)


@citizen_required
@require_POST
def withdrawal_request(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    try:
        withdrawal_request_submit(
            dossier=dossier,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            revision=posted_revision(request.POST),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Đã gửi đề nghị rút hồ sơ %(code)s; cơ quan sẽ trả lời ông/bà.") % {"code": dossier.code}
        )
    return redirect("dossiers:detail", pk=dossier.pk)


@citizen_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    from django.http import Http404

    from motcua.documents.files import private_file_response

    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    attachment = dossier.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("Không tìm thấy tệp."))
    return private_file_response(file=attachment.file, download_name=attachment.original_name, inline=True)


@citizen_required
@require_POST
@handles_application_errors
def supplement_send(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    services.dossier_supplement_send(dossier=dossier, actor=request.user, note=request.POST.get("note", ""))
    messages.success(request, _("Đã gửi hồ sơ bổ sung %(code)s.") % {"code": dossier.code})
    return redirect("dossiers:detail", pk=dossier.pk)


@citizen_required
def slip_download(request: HttpRequest, pk: int, slip_id: int) -> HttpResponseBase:
    from django.http import Http404

    from motcua.documents.files import private_file_response

    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    slip = dossier.slips.filter(pk=slip_id).first()
    if slip is None:
        raise Http404(_("Không tìm thấy phiếu."))
    return private_file_response(
        file=slip.file, download_name=f"{slip.get_kind_display()} {dossier.code}.pdf", inline=True
    )
