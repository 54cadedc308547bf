from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.catalog.groups import procedure_group_get_published, procedure_group_lead, procedure_groups_led_by
from motcua.catalog.selectors import (
    ProcedureFilters,
    field_list_with_counts,
    procedure_get_published,
    procedure_search,
    procedure_version_detail,
)
from motcua.portal.forms import ProcedureSearchForm


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"form": ProcedureSearchForm(), "fields": field_list_with_counts()})


def procedure_list(request: HttpRequest) -> HttpResponse:
    form = ProcedureSearchForm(request.GET or None)
    filters = ProcedureFilters()
    if form.is_valid():
        filters = ProcedureFilters(
            query=form.cleaned_data["q"],
            field=form.cleaned_data["field"],
            agency=form.cleaned_data["agency"],
            level=form.cleaned_data["level"],
            online_level=form.cleaned_data["online_level"],
        )
    page = Paginator(procedure_search(filters=filters), 20).get_page(request.GET.get("page"))
    return render(request, "portal/procedure_list.html", {"form": form, "page_obj": page, "filters": filters})


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = procedure_get_published(code=code)
    assert procedure.current_version is not None  # guaranteed by the selector
    version = procedure_version_detail(version=procedure.current_version)
    context = {"procedure": procedure, "version": version, "groups": procedure_groups_led_by(procedure=procedure)}
    return render(request, "portal/procedure_detail.html", context)


def procedure_group_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An interconnected procedure group: what one submission opens, where, and how long each takes."""
    group = procedure_group_get_published(code=code)
    return render(
        request,
        "portal/procedure_group.html",
        {"group": group, "members": list(group.members.all()), "lead": procedure_group_lead(group)},
    )


def trivial(request: HttpRequest) -> HttpResponse:
    """A page that does nothing, the baseline the benchmark compares real pages with."""
    return HttpResponse("ok", content_type="text/plain")
