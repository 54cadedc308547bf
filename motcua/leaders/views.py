import datetime
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
from motcua.core.periods import END, START, period_parse
from motcua.core.validators import record_id
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
from motcua.leaders.scopes import Scope, scope_resolve
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


def _filters(request: HttpRequest) -> Filters:
    """The period (`tu`, `den`; this month by default, refused with the reason when a date is not
    one, reversed or over three years) and the filters."""
    period = period_parse(start=request.GET.get(START, ""), end=request.GET.get(END, ""))
    start, end = period.start, period.end
    field = request.GET.get("linh-vuc", "")
    level = request.GET.get("cap", "")
    return Filters(
        start=start,
        end=end,
        field_id=record_id(field),
        procedure_id=procedure_searched(query=request.GET),
        level=level if level in ProcedureLevel.values else "",
    )


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
    """Resolve the scope (refused with 403 when not the person's) and the filters (a bad period
    is shown on the page with status 400), then render what `build` adds."""
    if not user_is_staff(user=request.user):
        return render(request, "errors/403.html", status=403)
    scope = scope_resolve(user=request.user, key=request.GET.get("pham-vi", ""))
    context: dict[str, Any] = {"scope": scope, "scope_text": request.GET.get(SCOPE_TEXT, scope.label)}
    context |= {
        "fields": Field.objects.order_by("name"),
        "procedure_text": request.GET.get(PROCEDURE_TEXT, ""),
        "levels": ProcedureLevel.choices,
        "grains": [("ngay", _("Ngày")), ("tuan", _("Tuần")), ("thang", _("Tháng"))],
        "chosen": {key: request.GET.get(name, "") for key, name in CHOSEN.items()},
    }
    try:
        scope = scope_searched(user=request.user, scope=scope, text=request.GET.get(SCOPE_TEXT))
        filters = _filters(request)
    except ApplicationError as error:
        today = timezone.localdate()
        context |= {"error": error.message, "start": today, "end": today}
        return render(request, template, context, status=400)
    context |= {"scope": scope, "scope_text": scope.label, "procedure_text": procedure_text(filters.procedure_id)}
    context |= {"start": filters.start, "end": filters.end} | build(scope, filters)
    return render(request, template, context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    grain = request.GET.get("theo", "ngay")
    grain = grain if grain in GRAINS else "ngay"

    def build(scope: Scope, filters: Filters) -> dict[str, Any]:
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
    """One trend chart: its data for Chart.js and the same figures as table rows with links."""
    rows = [row for row in shown["trend"] if any(row[name] for name in names)]
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
    measure = request.GET.get("chi-so", "received")
    if measure not in MEASURES:
        raise Http404(_("Không có chỉ số “%(name)s” trên bảng điều hành.") % {"name": measure[:40]})

    def build(scope: Scope, filters: Filters) -> dict[str, Any]:
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

        agencies = agency_ranking(scope, filters) if scope.count_filter is not None else []
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
