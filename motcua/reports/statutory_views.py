"""The statutory report pages (docs/reports.md): the report, the drill-down list behind each
cell, and its Excel and PDF files, for an agency's leaders, supervisors and administrators (their
agencies) and the province-wide roles (every agency)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from motcua.catalog.models import Field
from motcua.core.errors import ApplicationError
from motcua.core.periods import END, START, Period, period_parse
from motcua.core.validators import asked_record_id, record_id
from motcua.directory.models import Agency
from motcua.reports import statutory
from motcua.reports.statutory import Drill, StatutoryReport
from motcua.reports.statutory_export import report_context, statutory_pdf, statutory_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request: HttpRequest) -> QuerySet[Agency] | None:
    """The agencies the report covers: the user's, narrowed to the one asked for (`co_quan`).
    Nobody's agencies: 403 before anything is read; `co_quan` not an id: 400; no such agency:
    404; an agency outside the user's: 403, never widened to (agencies are public, so the 404
    tells nothing the portal does not)."""
    agencies = statutory.report_agencies(user=request.user)
    if agencies is not None and not agencies.exists():
        raise PermissionDenied
    pk = asked_record_id(request.GET.get(statutory.AGENCY, ""), _("Cơ quan"))
    if pk is None:
        return agencies
    chosen = Agency.objects.filter(pk=pk)
    if not chosen.exists():
        raise Http404(_("Không có cơ quan này."))
    if agencies is not None and not agencies.filter(pk=pk).exists():
        raise PermissionDenied(_("Ông/bà không được xem báo cáo của cơ quan này."))
    return chosen


def _unit(agencies: QuerySet[Agency] | None) -> str:
    if agencies is None:
        return _("Toàn tỉnh")
    return ", ".join(agencies.order_by("name").values_list("name", flat=True))


def _period(request: HttpRequest) -> Period:
    return period_parse(start=request.GET.get(START, ""), end=request.GET.get(END, ""), so_far=True)


def _refused(request: HttpRequest, template: str, error: ApplicationError) -> HttpResponse:
    """The page with the reason instead of figures (a bad period, agency, column or row)."""
    context = {"error": error.message, "start": request.GET.get(START, "")}
    context["end"] = request.GET.get(END, "")
    return render(request, template, context, status=400)


ReportView = Callable[[HttpRequest, QuerySet[Agency] | None, StatutoryReport], HttpResponse]


def _report_view(view: ReportView) -> Callable[[HttpRequest], HttpResponse]:
    """The page and its files alike: scope, period and the report's figures (one query)."""

    @login_required
    @wraps(view)
    def report_view(request: HttpRequest) -> HttpResponse:
        try:
            agencies = _scope(request)
            period = _period(request)
        except ApplicationError as error:
            return _refused(request, "reports/statutory.html", error)
        return view(request, agencies, statutory.statutory_report(agencies=agencies, period=period))

    return report_view


def _file_query(request: HttpRequest, period: Period) -> str:
    drill = Drill(agency_id=record_id(request.GET.get(statutory.AGENCY, "")))
    return drill.query(period)


@_report_view
def statutory_page(request: HttpRequest, agencies: QuerySet[Agency] | None, report: StatutoryReport) -> HttpResponse:
    context = report_context(report=report, unit=_unit(agencies))
    context.update(
        start=report.period.start.isoformat(),
        end=report.period.end.isoformat(),
        file_query=_file_query(request, report.period),
        choices=(statutory.report_agencies(user=request.user) or Agency.objects.all()).order_by("name"),
        agency=request.GET.get(statutory.AGENCY, ""),
    )
    return render(request, "reports/statutory.html", context)


def _file(content: bytes, content_type: str, report: StatutoryReport, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = f"bao-cao-giai-quyet-tthc-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@_report_view
def statutory_excel(request: HttpRequest, agencies: QuerySet[Agency] | None, report: StatutoryReport) -> HttpResponse:
    return _file(statutory_xlsx(report=report, unit=_unit(agencies)), XLSX, report, "xlsx")


@_report_view
def statutory_pdf_file(
    request: HttpRequest, agencies: QuerySet[Agency] | None, report: StatutoryReport
) -> HttpResponse:
    return _file(statutory_pdf(report=report, unit=_unit(agencies)), "application/pdf", report, "pdf")


class CountedPaginator(Paginator):
    """Pages of a list whose length is already known (a kept count), not counted again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@login_required
def statutory_list(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one cell of the report; their count is the cell's number."""
    try:
        agencies = _scope(request)  # the row's agency too: `co_quan` is both
        period = _period(request)
        drill = statutory.statutory_drill(
            column=request.GET.get(statutory.COLUMN, ""),
            agency=request.GET.get(statutory.AGENCY, ""),
            field_=request.GET.get(statutory.FIELD, ""),
        )
    except ApplicationError as error:
        return _refused(request, "reports/statutory_list.html", error)
    if drill.field_id is not None and not Field.objects.filter(pk=drill.field_id).exists():
        raise Http404(_("Không có lĩnh vực này."))
    dossiers = statutory.drill_dossiers(agencies=agencies, period=period, drill=drill)
    count = statutory.drill_count(agencies=agencies, period=period, drill=drill)
    page = CountedPaginator(dossiers, 50, count=count).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "count": page.paginator.count,
        "period": period,
        "title": statutory.column_title(drill.column),
        "agency": Agency.objects.filter(pk=drill.agency_id).first() if drill.agency_id is not None else None,
        "field_id": drill.field_id,
        "report_query": Drill().query(period),
    }
    return render(request, "reports/statutory_list.html", context)
