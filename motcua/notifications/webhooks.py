"""Signatures of provider webhooks (delivery receipts, inbound texts).

The provider signs each call with the channel's shared secret:

    X-Motcua-Timestamp: <Unix seconds>
    X-Motcua-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

Signing the timestamp with the body means an old call cannot be replayed with a new time; calls
older (or newer) than MOTCUA_WEBHOOK_MAX_AGE_SECONDS are refused, and each event id is
accepted once (models.WebhookEvent), so a replay inside the window is refused too.
"""

import hashlib
import hmac
import time

from django.conf import settings

from motcua.core.validators import unix_seconds
from motcua.notifications.constants import NotificationChannel

TIMESTAMP_HEADER = "X-Motcua-Timestamp"
SIGNATURE_HEADER = "X-Motcua-Signature"


def webhook_secret(channel: str) -> str:
    if channel == NotificationChannel.SMS:
        return str(settings.MOTCUA_SMS_WEBHOOK_SECRET)
    if channel == NotificationChannel.ZALO:
        return str(settings.MOTCUA_ZALO_WEBHOOK_SECRET)
    return ""


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_headers(*, secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers a provider (or a simulator, or a test) sends with `body`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=stamp, body=body)}


def webhook_check(*, channel: str, timestamp: str | None, signature: str | None, body: bytes) -> str | None:
    """Why the call must be refused ("not_configured", "bad_signature", "stale"), or None."""
    secret = webhook_secret(channel)
    if not secret:
        return "not_configured"
    seconds = unix_seconds(timestamp)
    if not timestamp or not signature or seconds is None:
        return "bad_signature"
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return "bad_signature"
    if abs(time.time() - seconds) > settings.MOTCUA_WEBHOOK_MAX_AGE_SECONDS:
        return "stale"
    return None
