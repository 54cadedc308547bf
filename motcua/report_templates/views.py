from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from motcua.directory.selectors import agencies_overseen, user_is_staff
from motcua.leaders.scopes import OVERSEEING_ROLES, scope_resolve
from motcua.report_templates.exports import report_file
from motcua.report_templates.models import ReportTemplate
from motcua.report_templates.periods import period_covered
from motcua.report_templates.tables import report_table


def _visible(request: HttpRequest) -> QuerySet[ReportTemplate]:
    """The templates a person receives; every one for province-wide roles and superusers."""
    if not user_is_staff(user=request.user):
        raise Http404
    templates = ReportTemplate.objects.all()
    if agencies_overseen(user=request.user, roles=OVERSEEING_ROLES) is None:
        return templates
    return templates.filter(Q(recipients=request.user)).distinct()


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [(template, *period_covered(template.period, today)) for template in _visible(request)]
    return render(request, "report_templates/list.html", {"rows": rows})


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of the last finished period, computed now; the scope is checked for the
    person asking (PermissionDenied, a 403, when it is not theirs)."""
    template = get_object_or_404(_visible(request), pk=pk)
    scope = scope_resolve(user=request.user, key=template.scope)
    start, end = period_covered(template.period, timezone.localdate())
    name, content, mimetype = report_file(template, report_table(template, scope=scope, start=start, end=end))
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
