from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from motcua.accounts.services import client_ip
from motcua.core.shared_pages import CSRF_SLOT, shared_page_response, visitor_is_anonymous
from motcua.dossiers.tracking import dossier_track, tracking_page, tracking_public_data


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """Look a dossier up by its code; the code form is the page without a code."""
    code = request.GET.get("ma", "").strip()[:40]
    if not code:
        return render(request, "dossiers/track.html", {"searched": False})
    tracking = dossier_track(code=code, client_ip=client_ip(request), second_factor=request.POST.get("xac_minh", ""))
    if tracking is None:
        return render(request, "dossiers/track.html", {"searched": True, "code": code}, status=404)

    def page(public: dict[str, Any], **extra: object) -> str:
        context = {"searched": True, "code": tracking.code, "tracking": tracking, "public": public, **extra}
        return render_to_string("dossiers/track.html", context, request)

    # The same page for every anonymous visitor without a session (nothing per person in it
    # but the CSRF token), so it is built once per revision; others get theirs fresh.
    # A second factor's answer (the detail, or why not) is this visitor's alone.
    if tracking.factor or not visitor_is_anonymous(request):
        data = tracking_public_data(tracking)
        return HttpResponse(page(data, personal=data if tracking.verified else None))
    shared = tracking_page(tracking, lambda public: page(public, csrf_token=CSRF_SLOT))
    return shared_page_response(request, shared)


def track_code(request: HttpRequest, code: str) -> HttpResponse:
    """The address printed in the QR code of receipts and slips."""
    return redirect(f"/tra-cuu/?ma={code}")
