from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from motcua.accounts.services import client_ip
from motcua.dossiers.tracking import dossier_track, tracking_page, tracking_public_data

# Stands for the visitor's CSRF token in a cached page; each response gets its own token.
CSRF_SLOT = "csrf-token-slot-0b7e"


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
    if tracking.factor or {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name} & request.COOKIES.keys():
        data = tracking_public_data(tracking)
        return HttpResponse(page(data, personal=data if tracking.verified else None))
    shared = tracking_page(tracking, lambda public: page(public, csrf_token=CSRF_SLOT))
    return HttpResponse(shared.replace(CSRF_SLOT, get_token(request)))


def track_code(request: HttpRequest, code: str) -> HttpResponse:
    """The address printed in the QR code of receipts and slips."""
    return redirect(f"/tra-cuu/?ma={code}")
