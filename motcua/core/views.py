from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from motcua.core.health import health_detail_allowed, health_report, health_summary


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    body = report if health_detail_allowed(request) else health_summary(report)
    return JsonResponse(body, status=200 if report["ok"] else 503)
