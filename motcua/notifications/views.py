from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.notifications.selectors import demo_sms_for_phone


@login_required(login_url="accounts:login")
def demo_sms_inbox(request: HttpRequest) -> HttpResponse:
    """The demo's stand-in for a phone: the last texts "sent" to the citizen's own number.

    Exists only while the demo SMS plugin is in use; a real deployment answers 404.
    """
    if settings.MOTCUA_PLUGINS.get("sms") != "demo":
        raise Http404
    profile = getattr(request.user, "citizen", None)
    messages = demo_sms_for_phone(phone=profile.phone or "", limit=10) if profile else []
    return render(request, "notifications/demo_sms_inbox.html", {"sms_messages": messages})
