import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.notifications.selectors import demo_sms_for_phone
from motcua.notifications.services import (
    WebhookInvalid,
    WebhookReplayed,
    webhook_delivery_receive,
    webhook_inbound_receive,
)
from motcua.notifications.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_check

logger = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 64 * 1024


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


# --- provider webhooks (docs/notifications.md) ---------------------------------------------------


def _refuse(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": code, "message": message}, status=status)


@csrf_exempt  # called by the provider, authenticated by its signature
@require_POST
def provider_webhook(request: HttpRequest, *, channel: str, kind: str) -> JsonResponse:
    """A provider's delivery receipt or inbound text (`kind`) for `channel`, mounted once per
    pair in urls.py: check the signature over the raw body, then hand the JSON payload on.

    Refusals are visible (a JSON body with a Vietnamese message) and logged with the channel,
    the reason and the client address only: never the body, which may hold a phone number.
    """
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_WEBHOOK_BYTES:
        return _refuse(413, "too_large", _("Nội dung yêu cầu quá lớn."))
    body = request.body
    problem = webhook_check(
        channel=channel,
        timestamp=request.headers.get(TIMESTAMP_HEADER),
        signature=request.headers.get(SIGNATURE_HEADER),
        body=body,
    )
    if problem is not None:
        logger.warning(
            "Webhook refused: channel=%s kind=%s reason=%s client=%s",
            channel,
            kind,
            problem,
            request.META.get("REMOTE_ADDR", ""),
        )
        message = {
            "not_configured": _("Kênh này chưa được cấu hình nhận webhook."),
            "stale": _("Yêu cầu đã quá hạn: dấu thời gian lệch quá 5 phút."),
        }.get(problem, _("Chữ ký không hợp lệ."))
        return _refuse(403, problem, message)
    try:
        payload = json.loads(body)
    except ValueError:
        return _refuse(400, "webhook_invalid", _("Nội dung yêu cầu không phải JSON hợp lệ."))
    receive, answer = _RECEIVERS[kind]
    try:
        result = receive(channel=channel, payload=payload)
    except WebhookReplayed as error:
        return _refuse(409, error.code, error.message)
    except WebhookInvalid as error:
        logger.warning("Webhook payload refused: channel=%s kind=%s field=%s", channel, kind, error.extra.get("field"))
        return _refuse(400, error.code, error.message)
    return JsonResponse({"ok": True, **answer(result)})


def _delivery_answer(message: Any) -> dict:
    return {"matched": message is not None}


def _inbound_answer(inbound: Any) -> dict:
    return {"outcome": inbound.outcome}


# What each kind of webhook does with a checked payload, and what it answers.
_RECEIVERS: dict[str, tuple[Callable[..., Any], Callable[[Any], dict]]] = {
    "delivery": (webhook_delivery_receive, _delivery_answer),
    "inbound": (webhook_inbound_receive, _inbound_answer),
}
