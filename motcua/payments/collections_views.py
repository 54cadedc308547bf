"""The collections report pages (docs/collections.md): the report, its drill-down lists and its
Excel export, for finance staff, leaders and agency administrators (their agencies) and the
province-wide roles (every agency and the province total)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.catalog.constants import LineKind
from motcua.core.errors import ApplicationError
from motcua.core.periods import END, START, Period, period_parse
from motcua.directory.models import Agency
from motcua.payments import collections
from motcua.payments.collections import Collections, Drill
from motcua.payments.constants import PaymentMethod
from motcua.payments.export import collections_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request: HttpRequest) -> QuerySet[Agency] | None:
    agencies = collections.collections_agencies(user=request.user)
    if agencies is not None and not agencies.exists():
        raise PermissionDenied
    return agencies


def _period(request: HttpRequest) -> Period:
    return period_parse(start=request.GET.get(START, ""), end=request.GET.get(END, ""))


def _refused(request: HttpRequest, template: str, error: ApplicationError, **context: Any) -> HttpResponse:
    """The page with the reason instead of figures (a bad period, kind or channel)."""
    context.update(error=error.message, start=request.GET.get(START, ""))
    context.update(end=request.GET.get(END, ""))
    return render(request, template, context, status=400)


ReportView = Callable[[HttpRequest, QuerySet[Agency] | None, Period, Collections], HttpResponse]


def _report_view(view: ReportView) -> Callable[[HttpRequest], HttpResponse]:
    """The report's page and its export alike: the user's scope, the period asked for and the
    report's figures; a bad period shows the report page with the reason instead."""

    @login_required
    @wraps(view)
    def report_view(request: HttpRequest) -> HttpResponse:
        agencies = _scope(request)
        try:
            period = _period(request)
        except ApplicationError as error:
            return _refused(request, "payments/collections.html", error, province_wide=agencies is None)
        report = collections.collections_report(agencies=agencies, period=period)
        return view(request, agencies, period, report)

    return report_view


@_report_view
def collections_page(
    request: HttpRequest, agencies: QuerySet[Agency] | None, period: Period, report: Collections
) -> HttpResponse:
    context = {
        "report": report,
        "period": period,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "province_wide": agencies is None,
        "export_query": Drill().query(period),
    }
    return render(request, "payments/collections.html", context)


@login_required
def collections_list(request: HttpRequest) -> HttpResponse:
    """The receipts (or, with `hoan=1`, the refunds) behind one figure of the report."""
    agencies = _scope(request)
    refunds = request.GET.get("hoan") == "1"
    try:
        period = _period(request)
        drill = collections.collections_drill(
            agency=request.GET.get(collections.AGENCY, ""),
            kind="" if refunds else request.GET.get(collections.KIND, ""),
            method=request.GET.get(collections.METHOD, ""),
        )
    except ApplicationError as error:
        return _refused(request, "payments/collections_list.html", error)
    if drill.agency_id is not None and agencies is not None and not agencies.filter(pk=drill.agency_id).exists():
        raise PermissionDenied
    if refunds:
        items: QuerySet[Any] = collections.refunds_done(agencies=agencies, period=period, drill=drill)
        count, amount = collections.drill_totals(items, "amount")
    else:
        items = collections.receipts_collected(agencies=agencies, period=period, drill=drill)
        count, amount = collections.drill_totals(items, "collected")
    context = {
        "page_obj": Paginator(items, 50).get_page(request.GET.get("page")),
        "refunds": refunds,
        "count": count,
        "amount": amount,
        "period": period,
        "agency": Agency.objects.filter(pk=drill.agency_id).first() if drill.agency_id is not None else None,
        "kind_label": dict(LineKind.choices).get(drill.kind or ""),
        "method_label": dict(PaymentMethod.choices).get(drill.method or ""),
        "report_query": Drill().query(period),
    }
    return render(request, "payments/collections_list.html", context)


@_report_view
def collections_export(
    request: HttpRequest, agencies: QuerySet[Agency] | None, period: Period, report: Collections
) -> HttpResponse:
    receipts = collections.receipts_collected(agencies=agencies, period=period)
    refunds = collections.refunds_done(agencies=agencies, period=period)
    content = collections_xlsx(report=report, receipts=receipts, refunds=refunds, province_wide=agencies is None)
    response = HttpResponse(content, content_type=XLSX)
    name = f"thu-phi-le-phi-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
