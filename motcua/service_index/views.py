"""The Decision 766 index pages: a scope's index, the ranking, and the dossiers behind a count."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.core.errors import ApplicationError
from motcua.core.periods import END, START, Period, period_parse
from motcua.directory.models import Agency
from motcua.service_index.constants import ScopeKind
from motcua.service_index.indicators import BY_CODE
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
    return scope_resolve(
        user=request.user,
        kind=request.GET.get("pham_vi", ""),
        agency_id=request.GET.get("co_quan", ""),
        unit_id=request.GET.get("xa", ""),
    )


def _period(request: HttpRequest) -> Period:
    """This month so far by default; a reversed or impossible period is refused with the reason."""
    return period_parse(start=request.GET.get(START, ""), end=request.GET.get(END, ""))


@login_required
def index_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    allowed = index_agencies(user=request.user)
    context = {
        "scope": scope,
        "scope_kinds": ScopeKind,
        "agencies": (allowed if allowed is not None else Agency.objects.filter(is_active=True)).order_by("name"),
        "communes": communes() if allowed is None else None,
        "province_wide": allowed is None,
    }
    try:
        period = _period(request)
    except ApplicationError as error:
        context.update(error=error.message, start=request.GET.get(START, ""), end=request.GET.get(END, ""))
        return render(request, "service_index/index.html", context, status=400)
    query = urlencode({**scope.query(), **period.query()})
    context.update(start=period.start, end=period.end, card=scorecard(scope=scope, period=period), query=query)
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
    if indicator is None:
        raise Http404
    scope = _scope(request)
    try:
        period = _period(request)
    except ApplicationError as error:
        return render(request, "service_index/dossiers.html", {"error": error.message}, status=400)
    part = request.GET.get("phan", "mau")
    dossiers = indicator_dossiers(indicator, period, scope=scope, part=part)
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    context = {"indicator": indicator, "scope": scope, "start": period.start, "end": period.end, "part": part}
    context.update(page_obj=page, back=urlencode({**scope.query(), **period.query()}))
    return render(request, "service_index/dossiers.html", context)
