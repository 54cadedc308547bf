from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from motcua.catalog.generation import catalog_kept
from motcua.catalog.groups import procedure_group_get_published, procedure_group_lead, procedure_groups_led_by
from motcua.catalog.selectors import (
    field_list_with_counts,
    procedure_get_published,
    procedure_search,
    procedure_version_detail,
)
from motcua.core.shared_pages import CSRF_SLOT, shared_page_response, visitor_is_anonymous
from motcua.portal.forms import ProcedureSearchForm

# The search page's parameters: any other in the address changes nothing on the page.
SEARCH_PARAMETERS = ("q", "field", "agency", "level", "online_level", "page")


def catalog_page(
    request: HttpRequest, template_name: str, context: Callable[[], dict[str, Any]], variant: object = None
) -> HttpResponse:
    """A public catalogue page; the same for every anonymous visitor, so it is built once per
    catalogue generation, language, address and `variant` (what else the page depends on) and
    kept in the shared cache. A visitor with a session (logged in, messages) gets theirs rendered.
    """
    if not visitor_is_anonymous(request):
        return render(request, template_name, context())
    html = catalog_kept(
        "page",
        (get_language(), request.path, variant),
        lambda: render_to_string(template_name, {**context(), "csrf_token": CSRF_SLOT}, request),
    )
    return shared_page_response(request, html)


def home(request: HttpRequest) -> HttpResponse:
    return catalog_page(request, "portal/home.html", lambda: {"fields": field_list_with_counts()})


def procedure_list(request: HttpRequest) -> HttpResponse:
    def context() -> dict[str, Any]:
        form = ProcedureSearchForm(request.GET or None)
        filters = form.filters()
        page = Paginator(procedure_search(filters=filters), 20).get_page(request.GET.get("page"))
        return {"form": form, "page_obj": page, "filters": filters}

    return catalog_page(
        request,
        "portal/procedure_list.html",
        context,
        variant=[(name, request.GET.getlist(name)) for name in SEARCH_PARAMETERS],
    )


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    def context() -> dict[str, Any]:
        procedure = procedure_get_published(code=code)
        assert procedure.current_version is not None  # guaranteed by the selector
        version = procedure_version_detail(version=procedure.current_version)
        return {"procedure": procedure, "version": version, "groups": procedure_groups_led_by(procedure=procedure)}

    return catalog_page(request, "portal/procedure_detail.html", context)


def procedure_group_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An interconnected procedure group: what one submission opens, where, and how long each takes."""

    def context() -> dict[str, Any]:
        group = procedure_group_get_published(code=code)
        return {"group": group, "members": list(group.members.all()), "lead": procedure_group_lead(group)}

    return catalog_page(request, "portal/procedure_group.html", context)


def trivial(request: HttpRequest) -> HttpResponse:
    """A page that does nothing, the baseline the benchmark compares real pages with."""
    return HttpResponse("ok", content_type="text/plain")
