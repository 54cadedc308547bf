import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.validators import record_id
from motcua.directory.models import Agency
from motcua.dossiers.selectors import dossier_get_for_applicant
from motcua.reports.constants import FeedbackCategory, Satisfaction
from motcua.reports.models import Feedback
from motcua.reports.selectors import (
    GROUPINGS,
    apology_slips,
    board_rows,
    board_totals,
    feedback_for_officer,
    late_count,
    late_dossiers,
    ratings_by_officer,
    ratings_visible_to,
    satisfaction_summary,
)
from motcua.reports.services import feedback_answer, feedback_submit, rating_submit

MAX_PERIOD_DAYS = 3 * 366


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """The period asked for (`tu`, `den`), this year by default, never longer than three years."""
    today = timezone.localdate()
    end = parse_date(request.GET.get("den", "")) or today
    start = parse_date(request.GET.get("tu", "")) or end.replace(month=1, day=1)
    if start > end:
        start, end = end, start
    return max(start, end - datetime.timedelta(days=MAX_PERIOD_DAYS)), end


def board(request: HttpRequest) -> HttpResponse:
    """The public transparency board: dossiers per agency or field, with their on-time marks."""
    start, end = _period(request)
    grouping = request.GET.get("theo", "co-quan")
    if grouping not in GROUPINGS:
        grouping = "co-quan"
    now = timezone.now()
    rows = board_rows(start=start, end=end, grouping=grouping, now=now)
    context = {
        "rows": rows,
        "totals": board_totals(rows),
        "start": start,
        "end": end,
        "grouping": grouping,
        "satisfaction": satisfaction_summary(start=start, end=end),
        "late_count": late_count(start=start, end=end, now=now),
        "apologies": apology_slips(start=start, end=end)[:20],
    }
    return render(request, "reports/board.html", context)


class CountedPaginator(Paginator):
    """A paginator told its count, for a list whose count is kept elsewhere (reading the whole
    period to count it is what the page must not do)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def late_list(request: HttpRequest) -> HttpResponse:
    """The board's late dossiers, as many as the board says (`late_count`)."""
    start, end = _period(request)
    now = timezone.now()
    dossiers = late_dossiers(start=start, end=end, now=now)
    paginator = CountedPaginator(dossiers, 50, count=late_count(start=start, end=end, now=now))
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "reports/late_list.html", {"page_obj": page, "start": start, "end": end})


@login_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = dossier_get_for_applicant(user=request.user, pk=pk)
    if hasattr(dossier, "rating"):
        return render(request, "reports/rate.html", {"dossier": dossier, "rating": dossier.rating})
    errors = ""
    if request.method == "POST":
        try:
            rating_submit(
                dossier=dossier,
                actor=request.user,
                agency_level=request.POST.get("agency_level", ""),
                officer_level=request.POST.get("officer_level", ""),
                result_level=request.POST.get("result_level", ""),
                comment=request.POST.get("comment", ""),
            )
        except ApplicationError as error:
            errors = error.message
            if error.code == "rating_exists":
                return redirect("reports:rate", pk=dossier.pk)
        else:
            messages.success(request, _("Cảm ơn ông/bà đã đánh giá."))
            return redirect("reports:rate", pk=dossier.pk)
    questions = [
        ("agency_level", _("Cơ quan giải quyết")),
        ("officer_level", _("Cán bộ tiếp nhận hồ sơ")),
        ("result_level", _("Kết quả giải quyết")),
    ]
    context = {"dossier": dossier, "questions": questions, "levels": Satisfaction.choices, "error": errors}
    return render(request, "reports/rate.html", context)


@login_required
def feedback_new(request: HttpRequest) -> HttpResponse:
    values = request.POST if request.method == "POST" else request.GET
    problems: dict[str, str] = {}
    if request.method == "POST":
        dossier_id = record_id(values.get("dossier", ""))
        dossier = dossier_get_for_applicant(user=request.user, pk=dossier_id) if dossier_id is not None else None
        try:
            feedback = feedback_submit(
                author=request.user,
                agency_id=record_id(values.get("agency", "")) or 0,
                category=values.get("category", ""),
                title=values.get("title", ""),
                content=values.get("content", ""),
                dossier=dossier,
            )
        except ApplicationError as error:
            problems = {key: str(value) for key, value in (error.extra or {}).items()}
        else:
            messages.success(
                request,
                _("Đã nhận phản ánh %(code)s; cơ quan sẽ trả lời trước %(due)s.")
                % {"code": feedback.code, "due": timezone.localtime(feedback.due_at).strftime("%d/%m/%Y")},
            )
            return redirect("reports:feedback_list")
    context = {
        "agencies": Agency.objects.filter(is_active=True).order_by("name"),
        "categories": FeedbackCategory.choices,
        "values": values,
        "problems": problems,
    }
    return render(request, "reports/feedback_new.html", context)


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    items = Feedback.objects.filter(author_id=int(request.user.pk or 0)).select_related("agency")
    return render(request, "reports/feedback_list.html", {"items": items})


@login_required
def staff_feedback(request: HttpRequest) -> HttpResponse:
    """Feedback addressed to the officer's agencies, the open ones first, by deadline."""
    items = feedback_for_officer(user=request.user)
    if request.method == "POST":
        feedback_id = record_id(request.POST.get("feedback", ""))
        feedback = items.filter(pk=feedback_id).first() if feedback_id is not None else None
        if feedback is None:
            raise Http404(_("Không tìm thấy phản ánh."))
        try:
            feedback_answer(
                feedback=feedback,
                officer=request.user,
                answer=request.POST.get("answer", ""),
                reject=request.POST.get("action") == "reject",
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã trả lời phản ánh %(code)s.") % {"code": feedback.code})
        return redirect("reports_staff:feedback")
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "reports/staff_feedback.html", {"page_obj": page, "now": timezone.now()})


@login_required
def staff_ratings(request: HttpRequest) -> HttpResponse:
    """Satisfaction per receiving officer, with the latest comments, for the period asked for:
    the whole agency for its leaders and supervisors, one's own ratings for other officers."""
    start, end = _period(request)
    ratings = ratings_visible_to(user=request.user).filter(created_at__date__gte=start, created_at__date__lte=end)
    comments = ratings.exclude(comment="").select_related("dossier", "agency", "officer").order_by("-created_at")[:30]
    context = {
        "rows": ratings_by_officer(ratings),
        "comments": comments,
        "start": start,
        "end": end,
    }
    return render(request, "reports/staff_ratings.html", context)
