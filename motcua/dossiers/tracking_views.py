from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from motcua.accounts.services import client_ip
from motcua.dossiers.tracking import dossier_track, tracking_public_data


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """Look a dossier up by its code; the code form is the page without a code."""
    code = request.GET.get("ma", "").strip()[:40]
    if not code:
        return render(request, "dossiers/track.html", {"searched": False})
    tracking = dossier_track(code=code, client_ip=client_ip(request), second_factor=request.POST.get("xac_minh", ""))
    context = {"searched": True, "code": code, "data": tracking_public_data(tracking) if tracking else None}
    return render(request, "dossiers/track.html", context, status=200 if tracking else 404)


def track_code(request: HttpRequest, code: str) -> HttpResponse:
    """The address printed in the QR code of receipts and slips."""
    return redirect(f"/tra-cuu/?ma={code}")
