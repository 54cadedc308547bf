import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.national.selectors import default_since, sync_health, sync_health_agencies


@login_required
def sync_health_page(request: HttpRequest) -> HttpResponse:
    """Sync with the national portal, for administrators and leaders: the whole province for
    province-wide roles, their agencies for leaders and agency administrators."""
    agencies = sync_health_agencies(user=request.user)
    if agencies is not None and not agencies.exists():
        raise PermissionDenied
    try:
        since = datetime.date.fromisoformat(request.GET.get("tu_ngay", ""))
    except ValueError:
        since = default_since()
    health = sync_health(agencies=agencies, since=since)
    return render(request, "national/sync_health.html", {"health": health, "since": since})
