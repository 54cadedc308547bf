import datetime
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.constants import ProcedureLevel
from motcua.catalog.models import Field
from motcua.core.errors import ApplicationError
from motcua.core.periods import END, START, Period, period_parse
from motcua.core.validators import asked_record_id, parameter_refused
from motcua.directory.selectors import user_is_staff
from motcua.dossiers.constants import Channel
from motcua.leaders.choices import (
    PROCEDURE_TEXT,
    SCOPE_TEXT,
    procedure_options,
    procedure_searched,
    procedure_text,
    scope_options,
    scope_searched,
)
from motcua.leaders.measures import MEASURES, ONLINE_FASTER_TARGET
from motcua.leaders.scopes import Scope, ScopeMalformed, ScopeNotFound, scope_resolve
from motcua.leaders.selectors import (
    GRAINS,
    RANKED,
    Filters,
    agency_ranking,
    drill_down,
    figures,
    officer_ranking,
)

# The dashboard's panels: a title and the measures whose numbers it shows.
PANELS = [
    (_("Tiếp nhận theo kênh"), ["received", *(f"received_{channel}" for channel in Channel.values)]),
    (_("Đã giải quyết"), ["finished", "finished_early", "finished_on_time", "finished_late"]),
    (_("Đang giải quyết"), ["in_progress", "in_progress_on_time", "in_progress_overdue"]),
    (_("Dịch vụ công trực tuyến"), ["received_online_any", "full_online", "fee_payable", "paid_online"]),
    (_("Số hóa"), ["digitised", "scanned"]),
    (_("Kết thúc khác, trả lại"), ["stopped", "withdrawn", "returned"]),
    (_("Mức độ hài lòng"), ["rated", "dissatisfied"]),
]
CHOSEN = {"field": "linh-vuc", "level": "cap"}
RECEIVED_CHART = [f"received_{channel}" for channel in Channel.values]
FINISHED_CHART = ["finished_early", "finished_on_time", "finished_late"]


def _filters(request: HttpRequest, period: Period) -> Filters:
    """The filters of the period: a value not among the filter's is refused naming the filter
    (400), a well-formed id of nothing is a 404; never ignored, which would show unfiltered
    figures under a filter form that says "Tất cả"."""
    field_id = asked_record_id(request.GET.get("linh-vuc", ""), _("Lĩnh vực"))
    if field_id is not None and not Field.objects.filter(pk=field_id).exists():
        raise Http404(_("Không có lĩnh vực này."))
    level = request.GET.get("cap", "")
    if level and level not in ProcedureLevel.values:
        raise parameter_refused(_("Cấp thực hiện"), level)
    procedure_id = procedure_searched(query=request.GET)
    return Filters(start=period.start, end=period.end, field_id=field_id, procedure_id=procedure_id, level=level)


def _scope(request: HttpRequest) -> Scope:
    """The scope asked for (`pham-vi`, or the text typed for it): malformed 400, naming nothing
    404, not the person's 403."""
    try:
        scope = scope_resolve(user=request.user, key=request.GET.get("pham-vi", ""))
        return scope_searched(user=request.user, scope=scope, text=request.GET.get(SCOPE_TEXT))
    except ScopeMalformed as refusal:
        raise ApplicationError(str(refusal), code="bad_parameter") from refusal
    except ScopeNotFound as refusal:
        raise Http404(str(refusal)) from refusal


def _query(scope: Scope, filters: Filters, **overrides: Any) -> str:
    params = {
        "pham-vi": scope.key,
        "tu": filters.start.isoformat(),
        "den": filters.end.isoformat(),
        "linh-vuc": filters.field_id or "",
        "thu-tuc": filters.procedure_id or "",
        "cap": filters.level,
    } | overrides
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


def _list_url(scope: Scope, filters: Filters, measure: str, **overrides: Any) -> str:
    return f"{reverse('leaders:dossiers')}?{_query(scope, filters, **overrides, **{'chi-so': measure})}"


def _page(request: HttpRequest, template: str, build: Any) -> HttpResponse:
    """Resolve the scope and the filters, then render what `build` adds. The period (`tu`, `den`)
    is this month so far by default, refused with the reason when a date is not one, reversed,
    over three years or starting after today, cut at today when it ends later. A malformed
    scope, filter or choice is shown on the page with status 400; see `_scope` and `_filters`."""
    if not user_is_staff(user=request.user):
        return render(request, "errors/403.html", status=403)
    context: dict[str, Any] = {"scope_text": request.GET.get(SCOPE_TEXT, "")}
    context |= {
        "fields": Field.objects.order_by("name"),
        "procedure_text": request.GET.get(PROCEDURE_TEXT, ""),
        "levels": ProcedureLevel.choices,
        "grains": [("ngay", _("Ngày")), ("tuan", _("Tuần")), ("thang", _("Tháng"))],
        "chosen": {key: request.GET.get(name, "") for key, name in CHOSEN.items()},
    }
    try:
        scope = context["scope"] = _scope(request)
        period = period_parse(start=request.GET.get(START, ""), end=request.GET.get(END, ""), so_far=True)
        filters = _filters(request, period)
        built = build(scope, filters)
    except ApplicationError as error:
        today = timezone.localdate()
        context |= {"error": error.message, "start": today, "end": today}
        return render(request, template, context, status=400)
    context |= {"scope": scope, "scope_text": scope.label, "procedure_text": procedure_text(filters.procedure_id)}
    context |= {"period": period, "start": filters.start, "end": filters.end} | built
    return render(request, template, context)


def _choice(request: HttpRequest, name: str, label: str, choices: Iterable[str], default: str) -> str:
    """A query parameter that is one of `choices` (`default` when not given), else a 400 naming it."""
    value = request.GET.get(name, default)
    if value not in choices:
        raise parameter_refused(label, value)
    return value


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    def build(scope: Scope, filters: Filters) -> dict[str, Any]:
        grain = _choice(request, "theo", _("Xu hướng theo"), GRAINS, "ngay")
        shown = figures(scope, filters, grain=grain)
        numbers = shown["numbers"]
        panels = [
            (title, [(MEASURES[name].label, numbers[name], _list_url(scope, filters, name)) for name in names])
            for title, names in PANELS
        ]
        online, counter = (_days(shown["durations"][name]) for name in ("finished_online", "finished_counter"))
        faster = round(100 * (1 - online / counter), 1) if online is not None and counter else None
        return {
            "panels": panels,
            "shares": shown["shares"],
            "durations": {
                "online": online,
                "counter": counter,
                "online_url": _list_url(scope, filters, "finished_online"),
                "counter_url": _list_url(scope, filters, "finished_counter"),
                "online_count": numbers["finished_online"],
                "counter_count": numbers["finished_counter"],
                "faster": faster,
                "target": round(100 * ONLINE_FASTER_TARGET),
                "met": faster is not None and faster >= 100 * ONLINE_FASTER_TARGET,
            },
            "grain": grain,
            "charts": [
                _chart("received-chart", _("Hồ sơ tiếp nhận theo kênh"), scope, filters, grain, shown, RECEIVED_CHART),
                _chart(
                    "finished-chart",
                    _("Hồ sơ đã giải quyết theo tiến độ"),
                    scope,
                    filters,
                    grain,
                    shown,
                    FINISHED_CHART,
                ),
            ],
        }

    return _page(request, "leaders/dashboard.html", build)


def _days(average: datetime.timedelta | None) -> float | None:
    """An average processing time in days (calendar time from reception to result)."""
    return None if average is None else round(average.total_seconds() / 86400, 2)


def _chart(
    key: str, title: str, scope: Scope, filters: Filters, grain: str, shown: dict[str, Any], names: list[str]
) -> dict[str, Any]:
    """One trend chart: its data for Chart.js and the same figures as table rows with links,
    every day, week or month of the period (zeros too)."""
    rows = shown["trend"]
    table = []
    for row in rows:
        first = max(row["key"], filters.start)
        last = min(_bucket_end(row["key"], grain), filters.end)
        # Each cell carries its column's name: on a phone the table stacks, one labelled line a cell.
        cells = [
            (
                MEASURES[name].label,
                row[name],
                _list_url(scope, filters, name, tu=first.isoformat(), den=last.isoformat()),
            )
            for name in names
        ]
        table.append((first, last, cells))
    data = {
        "labels": [first.strftime("%d/%m/%Y") for first, _last, _cells in table],
        "datasets": [{"label": str(MEASURES[name].label), "data": [row[name] for row in rows]} for name in names],
    }
    return {
        "id": key,
        "data_id": f"{key}-data",
        "title": title,
        "columns": [MEASURES[name].label for name in names],
        "rows": table,
        "data": data,
    }


def _bucket_end(first: datetime.date, grain: str) -> datetime.date:
    if grain == "tuan":
        return first + datetime.timedelta(days=6)
    if grain == "thang":
        following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    return first


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one number of the dashboard: same scope, period, filters and measure."""

    def build(scope: Scope, filters: Filters) -> dict[str, Any]:
        measure = _choice(request, "chi-so", _("Chỉ số"), MEASURES, "received")
        page = Paginator(drill_down(scope, filters, measure), 50).get_page(request.GET.get("page"))
        return {
            "measure": MEASURES[measure],
            "page_obj": page,
            "back": f"{reverse('leaders:dashboard')}?{_query(scope, filters)}",
            "page_query": _query(scope, filters, **{"chi-so": measure}),
        }

    return _page(request, "leaders/dossier_list.html", build)


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    """Officers' workload, on-time share, returns and ratings, and the ranking of agencies."""

    def build(scope: Scope, filters: Filters) -> dict[str, Any]:
        def linked(rows: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
            for row in rows:
                key = f"{prefix}-{row['key']}"
                row["urls"] = {name: _list_url(scope, filters, name, **{"pham-vi": key}) for name in RANKED}
            return rows

        # Agencies are ranked for the province or an agency, not within a unit or for one officer.
        agencies = agency_ranking(scope, filters) if scope.count_filter is not None and scope.officer_id is None else []
        return {
            "agencies": linked(agencies, "co-quan"),
            "officers": linked(officer_ranking(scope, filters), "can-bo"),
        }

    return _page(request, "leaders/performance.html", build)


@login_required
def choices(request: HttpRequest) -> HttpResponse:
    """Suggestions for the filters' scope (`loai=pham-vi`: only the person's) or procedure field,
    as {"results": [{"value", "label"}]}: the same staff check as the dashboard's pages."""
    if not user_is_staff(user=request.user):
        return render(request, "errors/403.html", status=403)
    text = request.GET.get("q", "").strip()[:100]
    if len(text) < 2:
        found: list[tuple[Any, str]] = []
    elif request.GET.get("loai") == "thu-tuc":
        found = list(procedure_options(text=text))
    else:
        found = list(scope_options(user=request.user, text=text))
    return JsonResponse({"results": [{"value": value, "label": label} for value, label in found]})
