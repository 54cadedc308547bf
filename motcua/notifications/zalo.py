"""Zalo Notification Service (ZNS): template messages to a Zalo account, addressed by phone.

ZNS sends only templates Zalo approved beforehand: we send the template id and the value of
each parameter. Plugins (setting MOTCUA_PLUGINS["zalo"]):
- "demo" (embedded default): sends nothing; the outbox row is the record;
- "http": the ZNS API (POST {base}/message/template with an `access_token` header), simulated
  in tests by motcua.notifications.zalo_simulator.ZaloSimulator.

`tracking_id` is our de-duplication key: the outbox sends the same one on every retry of a
message, and the provider answers a repeated tracking_id with the first message's id.

Access tokens of an Official Account expire after 25 hours. With MOTCUA_ZALO_APP_ID set, the
"http" plugin renews them through Zalo's OAuth v4 API (ZaloOaTokens) and keeps the rotating
pair in ZaloOaToken; without it, MOTCUA_ZALO_ACCESS_TOKEN is used as is (StaticAccessToken).
"""

import datetime
import logging
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.errors import ApplicationError
from motcua.core.plugins import Registry
from motcua.core.privacy import mask_phone
from motcua.notifications.models import ZaloOaToken

logger = logging.getLogger(__name__)

# ZNS error codes that say "our side is misconfigured or Zalo is busy", worth retrying later;
# any other non-zero code refuses this message for good (bad phone, template, parameters…).
# -124: access token invalid or expired; -32: rate limit; -1: internal error.
_RETRYABLE_ERRORS = frozenset({-1, -32, -124})


class ZaloDeliveryError(ApplicationError):
    """The message could not be handed to Zalo. `reason` says why, `retryable` whether to retry."""

    code = "zalo_delivery_failed"

    def __init__(self, reason: str, *, retryable: bool = True, detail: str = ""):
        super().__init__(_("Không gửi được tin Zalo."), extra={"reason": reason, "detail": detail})
        self.reason = reason
        self.retryable = retryable
        self.detail = detail


def zalo_phone(phone: str) -> str:
    """ZNS addresses phones in international form without "+": "0912345678" → "84912345678"."""
    return "84" + phone[1:] if phone.startswith("0") else phone.lstrip("+")


class ZaloGateway(Protocol):
    def send(self, *, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str) -> str:
        """Send a ZNS template message and return Zalo's message id; ZaloDeliveryError if refused."""
        ...


zalo_gateways = Registry[ZaloGateway]("zalo")


class DemoZaloGateway:
    """Sends nothing: the outbox row, visible in the admin, is all the demo keeps."""

    def send(self, *, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str) -> str:
        logger.info("Demo Zalo message: template=%s ref=%s to=%s", template_id, tracking_id, mask_phone(phone))
        return f"demo-zalo-{tracking_id}"


# ZNS's answer to a message sent with an expired or invalid access token.
ZNS_TOKEN_INVALID = -124
# A token this close to its expiry is renewed before sending rather than used.
REFRESH_MARGIN = datetime.timedelta(minutes=5)
# A refresh token lives about three months from when Zalo issued it (Zalo does not say exactly).
REFRESH_TOKEN_LIFETIME = datetime.timedelta(days=90)
# Shortest refresh token an administrator may enter (Zalo's are a few hundred characters).
_MIN_REFRESH_TOKEN_LENGTH = 16


def token_masked(value: str) -> str:
    """A token as staff may see it: its last four characters only ("…x7Qa"); "" when empty."""
    if not value:
        return ""
    return "…" + value[-4:] if len(value) >= _MIN_REFRESH_TOKEN_LENGTH else "…"


class AccessTokens(Protocol):
    """Where the http plugin gets the OA access token from."""

    # Whether renew() can get a new token (False: a -124 answer is final for this attempt).
    renewable: bool

    def current(self) -> str:
        """A token to send with; ZaloDeliveryError if none can be had now."""
        ...

    def renew(self, *, rejected: str) -> str:
        """A token other than `rejected`, which Zalo refused (-124)."""
        ...


class StaticAccessToken:
    """MOTCUA_ZALO_ACCESS_TOKEN as is, for setups without an app id: it stops working when it expires."""

    renewable = False

    def __init__(self, token: str):
        self.token = token

    def current(self) -> str:
        return self.token

    def renew(self, *, rejected: str) -> str:
        raise ZaloDeliveryError("unauthorized")


def _fresh(row: ZaloOaToken, *, now: datetime.datetime) -> bool:
    expires_at = row.access_token_expires_at
    return bool(row.access_token) and expires_at is not None and expires_at - REFRESH_MARGIN > now


class ZaloOaTokens:
    """The OA's access token, renewed with its refresh token through Zalo's OAuth v4 API.

    A refresh token works once: Zalo answers with a new pair and retires the old refresh token.
    Several workers may find the access token expired at the same time, so renewing is
    serialised on the stored row: lock it, look again (another worker may have renewed it while
    we waited), and only then call Zalo and store the new pair before the lock is released.
    The first refresh token comes from the settings, used only while nothing is stored.
    """

    renewable = True

    def __init__(
        self, *, app_id: str, secret_key: str, oauth_url: str, first_refresh_token: str, timeout_seconds: float
    ):
        if not app_id or not secret_key or not oauth_url:
            raise ImproperlyConfigured(
                "Renewing Zalo access tokens needs MOTCUA_ZALO_APP_ID, MOTCUA_ZALO_SECRET_KEY and "
                "MOTCUA_ZALO_OAUTH_URL."
            )
        self.app_id = app_id
        self.secret_key = secret_key
        self.oauth_url = oauth_url
        self.first_refresh_token = first_refresh_token
        self.timeout = httpx.Timeout(timeout_seconds)

    def current(self) -> str:
        row = ZaloOaToken.objects.filter(app_id=self.app_id).first()
        if row is not None and _fresh(row, now=timezone.now()):
            return row.access_token
        return self.renew(rejected="")

    def renew(self, *, rejected: str) -> str:
        # Seeded in a transaction of its own: two workers seeding at once get one row.
        ZaloOaToken.objects.get_or_create(app_id=self.app_id, defaults={"refresh_token": self.first_refresh_token})
        with transaction.atomic():
            row = ZaloOaToken.objects.select_for_update().get(app_id=self.app_id)
            if _fresh(row, now=timezone.now()) and row.access_token != rejected:
                return row.access_token  # renewed by another worker while we waited for the lock
            outcome = self._refresh_locked(row)
        if isinstance(outcome, ZaloDeliveryError):
            raise outcome
        return outcome

    def _refresh_locked(self, row: ZaloOaToken) -> str | ZaloDeliveryError:
        """Trade the row's refresh token for a new pair and store it; the new access token, or
        the error to raise once the failure is recorded on the row (committed, not rolled back)."""
        now = timezone.now()
        if not row.refresh_token or row.refresh_rejected_at is not None:
            # Sending a refused refresh token again would only be refused again.
            logger.error(
                "Zalo access token of app %s cannot be renewed: %s. An administrator must enter a new "
                "refresh token (admin: “Token Zalo OA”); Zalo messages wait until then.",
                self.app_id,
                "Zalo refused the stored refresh token" if row.refresh_token else "no refresh token is stored",
            )
            if not row.refresh_token:
                return ZaloDeliveryError("no_refresh_token")
            # The detail of the refusal, as recorded then ("token_refresh_rejected: -14014 …").
            return ZaloDeliveryError("token_refresh_rejected", detail=row.last_error.partition(": ")[2])
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.post(
                    self.oauth_url,
                    data={"refresh_token": row.refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"},
                    headers={"secret_key": self.secret_key, "Accept": "application/json"},
                )
        except httpx.HTTPError as exc:
            # The refresh token is kept: if Zalo never saw it, it still works next time.
            logger.error(
                "Zalo OAuth unreachable, access token of app %s not renewed: error=%s; retried with the next message",
                self.app_id,
                type(exc).__name__,
            )
            return self._failed(row, now=now, reason="token_refresh_unreachable", detail=type(exc).__name__)
        return self._store(row, response=response, now=now)

    def _store(self, row: ZaloOaToken, *, response: httpx.Response, now: datetime.datetime) -> str | ZaloDeliveryError:
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 or not isinstance(body, dict):
            logger.error(
                "Zalo OAuth answered unexpectedly, access token of app %s not renewed: status=%d; retried with the "
                "next message",
                self.app_id,
                response.status_code,
            )
            return self._failed(row, now=now, reason="token_refresh_unavailable", detail=str(response.status_code))
        error = body.get("error", 0)
        if error not in (0, "0", None):
            name = str(body.get("error_name", ""))[:80]
            logger.error(
                "Zalo rejected the refresh token of app %s: error=%s %s. An administrator must enter a new refresh "
                "token (admin: “Token Zalo OA”), or check MOTCUA_ZALO_APP_ID and MOTCUA_ZALO_SECRET_KEY; Zalo "
                "messages wait until then.",
                self.app_id,
                error,
                name,
            )
            return self._failed(row, now=now, reason="token_refresh_rejected", detail=f"{error} {name}", rejected=True)
        access, refresh, lifetime = body.get("access_token"), body.get("refresh_token"), body.get("expires_in")
        seconds = int(lifetime) if isinstance(lifetime, int | str) and str(lifetime).isdigit() else 0
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh and seconds > 0):
            logger.error(
                "Zalo OAuth answered without a token pair: app=%s status=%d", self.app_id, response.status_code
            )
            return self._failed(row, now=now, reason="token_refresh_unavailable", detail="bad_response")
        row.access_token, row.refresh_token = access, refresh
        # Counted from before the call: the token cannot outlive what we note.
        row.access_token_expires_at = now + datetime.timedelta(seconds=seconds)
        row.refresh_token_issued_at = row.refreshed_at = now
        row.refresh_rejected_at, row.last_error, row.last_error_at = None, "", None
        row.save()
        logger.info(
            "Zalo access token renewed: app=%s expires=%s", self.app_id, row.access_token_expires_at.isoformat()
        )
        return access

    def _failed(
        self, row: ZaloOaToken, *, now: datetime.datetime, reason: str, detail: str, rejected: bool = False
    ) -> ZaloDeliveryError:
        row.last_error, row.last_error_at = f"{reason}: {detail}"[:255], now
        if rejected:
            row.refresh_rejected_at = now
        row.save(update_fields=["last_error", "last_error_at", "refresh_rejected_at"])
        # Retryable: the outbox keeps the messages, which go once a token can be had again.
        return ZaloDeliveryError(reason, detail=detail)


def zalo_refresh_token_clean(value: str) -> str:
    """`value` stripped, or ApplicationError if it cannot be a refresh token (a paste gone wrong)."""
    value = value.strip()
    if len(value) < _MIN_REFRESH_TOKEN_LENGTH or any(char.isspace() for char in value):
        raise ApplicationError(
            _("Refresh token không hợp lệ: cần dán nguyên chuỗi token, không có khoảng trắng."),
            code="zalo_refresh_token_invalid",
        )
    return value


def zalo_refresh_token_set(*, actor: Any, app_id: str, refresh_token: str) -> ZaloOaToken:
    """An administrator enters a refresh token of the OA (from Zalo's developer tools), after
    Zalo refused the stored one or it expired unused. Audited; the token itself is not."""
    value = zalo_refresh_token_clean(refresh_token)
    with transaction.atomic():
        ZaloOaToken.objects.get_or_create(app_id=app_id)
        row = ZaloOaToken.objects.select_for_update().get(app_id=app_id)
        was_rejected = row.refresh_rejected_at is not None
        row.refresh_token = value
        row.refresh_token_issued_at = timezone.now()
        row.refresh_rejected_at, row.last_error, row.last_error_at = None, "", None
        # Renewed with the next message, so a refresh token that does not work shows at once.
        row.access_token, row.access_token_expires_at = "", None
        row.save()
        # Zalo messages waiting for a working token go at the next pass, not after the pause.
        from motcua.notifications.outbox import outbox_channel_resume

        outbox_channel_resume(channel="zalo")
        audit_record(
            actor=actor,
            action="zalo_oa_token.refresh_token_set",
            obj=row,
            summary={"app_id": app_id, "replaced_rejected": was_rejected},
        )
    return row


class HttpZaloGateway:
    def __init__(
        self,
        *,
        base_url: str,
        timeout_seconds: float,
        access_token: str = "",
        tokens: AccessTokens | None = None,
    ):
        if not base_url or (tokens is None and not access_token):
            raise ImproperlyConfigured(
                "The http Zalo plugin needs MOTCUA_ZALO_HTTP_URL, and MOTCUA_ZALO_APP_ID (renewed tokens) "
                "or MOTCUA_ZALO_ACCESS_TOKEN."
            )
        self.url = base_url.rstrip("/") + "/message/template"
        self.tokens: AccessTokens = tokens if tokens is not None else StaticAccessToken(access_token)
        self.timeout = httpx.Timeout(timeout_seconds)

    def send(self, *, phone: str, template_id: str, template_data: dict[str, str], tracking_id: str) -> str:
        payload = {
            "phone": zalo_phone(phone),
            "template_id": template_id,
            "template_data": template_data,
            "tracking_id": tracking_id,
        }
        masked = mask_phone(phone)
        token = self.tokens.current()
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            response = self._post(client, payload, token=token, tracking_id=tracking_id, masked=masked)
            if self.tokens.renewable and _zns_error(response) == ZNS_TOKEN_INVALID:
                # Zalo did not take the message, so sending it again (same tracking_id) cannot
                # send it twice. Once only: a second -124 goes to the outbox as a failure.
                logger.warning(
                    "Zalo refused the access token (-124): renewing it and sending again: ref=%s", tracking_id
                )
                token = self.tokens.renew(rejected=token)
                response = self._post(client, payload, token=token, tracking_id=tracking_id, masked=masked)
        return self._message_id(response, tracking_id=tracking_id, masked=masked)

    def _post(
        self, client: httpx.Client, payload: dict[str, Any], *, token: str, tracking_id: str, masked: str
    ) -> httpx.Response:
        headers = {"access_token": token, "Accept": "application/json"}
        for attempt in (1, 2):
            try:
                return client.post(self.url, json=payload, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Never reached Zalo: trying again cannot send twice.
                logger.warning(
                    "Zalo unreachable (try %d of 2): ref=%s error=%s", attempt, tracking_id, type(exc).__name__
                )
            except httpx.HTTPError as exc:
                # Zalo may have the message; the retry (same tracking_id) is the outbox's.
                logger.error("Zalo request failed: ref=%s to=%s error=%s", tracking_id, masked, type(exc).__name__)
                raise ZaloDeliveryError("timeout" if isinstance(exc, httpx.TimeoutException) else "transport") from exc
        raise ZaloDeliveryError("unreachable")

    def _message_id(self, response: httpx.Response, *, tracking_id: str, masked: str) -> str:
        if response.status_code in (401, 403):
            raise ZaloDeliveryError("unauthorized")
        if response.status_code >= 500:
            logger.error("Zalo unavailable: status=%d ref=%s", response.status_code, tracking_id)
            raise ZaloDeliveryError("unavailable")
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("error"), int):
            logger.error("Zalo answered unexpectedly: status=%d ref=%s", response.status_code, tracking_id)
            raise ZaloDeliveryError("bad_response", retryable=response.status_code != 400)
        error = body["error"]
        if error != 0:
            detail = f"{error} {str(body.get('message', ''))[:200]}"
            logger.error("Zalo refused the message: error=%s ref=%s to=%s", error, tracking_id, masked)
            retryable = error in _RETRYABLE_ERRORS
            raise ZaloDeliveryError(
                "unauthorized" if error == ZNS_TOKEN_INVALID else "rejected", retryable=retryable, detail=detail
            )
        data = body.get("data")
        message_id = data.get("msg_id") if isinstance(data, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise ZaloDeliveryError("bad_response")
        logger.info("Zalo accepted: id=%s ref=%s to=%s", message_id, tracking_id, masked)
        return message_id


def _zns_error(response: httpx.Response) -> int | None:
    """The ZNS error code of a 200 answer, if it has one."""
    if response.status_code != 200:
        return None
    try:
        body: Any = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, int) else None


@zalo_gateways.register("demo")
def _demo_gateway() -> ZaloGateway:
    return DemoZaloGateway()


def zalo_oa_tokens() -> ZaloOaTokens | None:
    """The renewing token store when this deployment sends ZNS with an app id; None otherwise."""
    if settings.MOTCUA_PLUGINS.get("zalo") != "http" or not settings.MOTCUA_ZALO_APP_ID:
        return None
    return ZaloOaTokens(
        app_id=settings.MOTCUA_ZALO_APP_ID,
        secret_key=settings.MOTCUA_ZALO_SECRET_KEY,
        oauth_url=settings.MOTCUA_ZALO_OAUTH_URL,
        first_refresh_token=settings.MOTCUA_ZALO_REFRESH_TOKEN,
        timeout_seconds=settings.MOTCUA_HTTP_TIMEOUT_SECONDS,
    )


@zalo_gateways.register("http")
def _http_gateway() -> ZaloGateway:
    return HttpZaloGateway(
        base_url=settings.MOTCUA_ZALO_HTTP_URL,
        access_token=settings.MOTCUA_ZALO_ACCESS_TOKEN,
        tokens=zalo_oa_tokens(),
        timeout_seconds=settings.MOTCUA_HTTP_TIMEOUT_SECONDS,
    )
