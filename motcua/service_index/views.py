"""The Decision 766 index pages: a scope's index, the ranking, and the dossiers behind a count."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.periods import END, START, Period, period_parse
from motcua.core.validators import asked_record_id, parameter_refused
from motcua.directory.models import Agency
from motcua.service_index.constants import ScopeKind
from motcua.service_index.indicators import BY_CODE, Measure
from motcua.service_index.selectors import (
    RankingRow,
    Scope,
    communes,
    index_agencies,
    indicator_dossiers,
    ranking,
    scope_resolve,
    scorecard,
)

# Rows of a ranking shown at once: with every agency and commune (over two hundred) on one page
# the page was metres long on a phone; the rest are a page further.
RANKING_PAGE_SIZE = 20


@dataclass(frozen=True)
class RankingPage:
    page: Page[RankingRow]
    previous_url: str | None
    next_url: str | None


def _ranking_page(request: HttpRequest, rows: list[RankingRow], param: str) -> RankingPage:
    """One page of a ranking; `param` names its page number, so the two rankings page apart."""
    page = Paginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get(param))

    def url(number: int) -> str:
        return "?" + urlencode({**request.GET.dict(), param: number})

    return RankingPage(
        page,
        url(page.previous_page_number()) if page.has_previous() else None,
        url(page.next_page_number()) if page.has_next() else None,
    )


def _scope(request: HttpRequest) -> Scope:
    """The scope asked for: a malformed one (an unknown `pham_vi`, an agency or commune missing or
    not an id) is refused with the reason (400); then `scope_resolve` answers 404 for an agency or
    commune that does not exist and 403 for one that is not the user's (agencies and communes are
    public, so the 404 tells nothing the portal does not)."""
    kind, agency, unit = (request.GET.get(name, "") for name in ("pham_vi", "co_quan", "xa"))
    if kind and kind not in ScopeKind.values:
        raise parameter_refused(_("Phạm vi"), kind)
    agency_id, unit_id = asked_record_id(agency, _("Cơ quan")), asked_record_id(unit, _("Xã, phường"))
    if kind == ScopeKind.AGENCY and agency_id is None:
        raise ApplicationError(_("Hãy chọn cơ quan."), code="bad_parameter")
    if kind == ScopeKind.COMMUNE and unit_id is None:
        raise ApplicationError(_("Hãy chọn xã, phường."), code="bad_parameter")
    return scope_resolve(user=request.user, kind=kind, agency_id=agency, unit_id=unit)


def _period(request: HttpRequest) -> Period:
    """This month so far by default; a reversed, impossible or future period is refused with the
    reason, one ending after today is cut at today."""
    return period_parse(start=request.GET.get(START, ""), end=request.GET.get(END, ""), so_far=True)


def _part(request: HttpRequest, measure: Measure) -> str:
    """Which list: "mau" (the denominator's dossiers) or, where the numerator is a list, "tu"."""
    part = request.GET.get("phan", "mau")
    if part not in ("mau", "tu") or (part == "tu" and measure.numerator is None):
        raise parameter_refused(_("Phần của chỉ số"), part)
    return part


@login_required
def index_page(request: HttpRequest) -> HttpResponse:
    allowed = index_agencies(user=request.user)
    context: dict[str, Any] = {
        "scope_kinds": ScopeKind,
        "agencies": (allowed if allowed is not None else Agency.objects.filter(is_active=True)).order_by("name"),
        "communes": communes() if allowed is None else None,
        "province_wide": allowed is None,
    }
    try:
        scope = _scope(request)
        period = _period(request)
    except ApplicationError as error:
        context.update(error=error.message, start=request.GET.get(START, ""), end=request.GET.get(END, ""))
        return render(request, "service_index/index.html", context, status=400)
    query = urlencode({**scope.query(), **period.query()})
    context.update(scope=scope, start=period.start, end=period.end, period=period, query=query)
    context.update(card=scorecard(scope=scope, period=period))
    if allowed is None:
        context.update(
            agency_ranking=_ranking_page(request, ranking(period=period, by=ScopeKind.AGENCY), "hang_co_quan"),
            commune_ranking=_ranking_page(request, ranking(period=period, by=ScopeKind.COMMUNE), "hang_xa"),
            period_query=urlencode(period.query()),
        )
    return render(request, "service_index/index.html", context)


@login_required
def index_dossiers(request: HttpRequest, code: str) -> HttpResponse:
    """The dossiers a count is made of; the list's length is the count on the index page."""
    indicator = BY_CODE.get(code)
    if indicator is None or indicator.measure is None or not indicator.measure.lists_dossiers:
        raise Http404(_("Chỉ số này không có danh sách hồ sơ."))
    index_agencies(user=request.user)  # 403 for whoever may not see the index, before the rest
    try:
        scope = _scope(request)
        period = _period(request)
        part = _part(request, indicator.measure)
    except ApplicationError as error:
        return render(request, "service_index/dossiers.html", {"error": error.message}, status=400)
    dossiers = indicator_dossiers(indicator, period, scope=scope, part=part)
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    context = {"indicator": indicator, "scope": scope, "start": period.start, "end": period.end, "part": part}
    context.update(page_obj=page, back=urlencode({**scope.query(), **period.query()}))
    return render(request, "service_index/dossiers.html", context)
