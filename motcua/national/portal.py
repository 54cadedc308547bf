"""The national portal (Cổng Dịch vụ công quốc gia) behind a plugin registry.

Two plugins, both answering through `_interpret`, so they fail alike:

* "demo" (the default): `InProcessPortal`, the simulator's portal state in this process;
* "http": `HttpNationalPortal`, the portal's HTTP interface (docs/national-portal.md) with a
  bearer token and the HTTP timeout; tests run it against the local simulator.

Errors say what the caller should do: `PortalUnavailable` (down, 5xx, no answer in time, an
unusable answer) means try again later; `PortalRefused` (the portal refused the request or
contradicted us) means it will not go through by itself: an administrator looks at it.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.outbound import unanswered_raises
from motcua.core.plugins import Registry
from motcua.national import wire
from motcua.national.simulator import NO_ANSWER, PortalState

logger = logging.getLogger(__name__)


class PortalUnavailable(Exception):
    """The portal cannot take the request now; retry later."""


class PortalRefused(Exception):
    """The portal refused the request, or answered something that contradicts ours."""


class NationalPortal(Protocol):
    def deliver(self, *, key: str, record: dict[str, Any]) -> None:
        """Hand over one record under its idempotency key; raises unless the portal took it."""
        ...

    def submissions(self) -> list[Any]:
        """The dossiers citizens submitted on the portal that we have not acknowledged yet."""
        ...

    def acknowledge(self, *, portal_id: str, dossier_code: str, body: dict[str, Any]) -> None:
        """Tell the portal we accepted `portal_id` as `dossier_code`."""
        ...

    def states(self, *, codes: list[str]) -> dict[str, wire.PortalDossierState]:
        """What the portal holds of these dossiers (absent: unknown to it)."""
        ...

    def listing(self, *, since: datetime.datetime, until: datetime.datetime) -> list[wire.PortalListedDossier]:
        """Every dossier submitted on the portal for us in the period, acknowledged or not."""
        ...

    def paper(self, *, link: str) -> bytes:
        """A submitted paper's content (DuongDanTaiTepTin), cut off one byte past the upload
        limit so an oversized file is refused by the upload checks without being read whole."""
        ...


national_portals = Registry[NationalPortal]("national")


def _interpret(status: int, answer: Any) -> Any:
    """The answer of a 2xx; the matching error otherwise."""
    if status == NO_ANSWER:
        raise PortalUnavailable(_("Cổng quốc gia không trả lời kịp thời."))
    if 200 <= status < 300:
        return answer
    reason = wire.refusal_message(answer)
    if status >= 500 or status in (401, 403, 408, 429):
        # Down, overloaded, or our credentials refused (fixed in settings, not per record).
        raise PortalUnavailable(
            _("Cổng quốc gia trả lời lỗi %(status)s. %(reason)s") % {"status": status, "reason": reason}
        )
    raise PortalRefused(_("Cổng quốc gia từ chối (mã %(status)s): %(reason)s") % {"status": status, "reason": reason})


class _Portal:
    """The operations on top of one `_call(method, path, body, key)`."""

    origin = ""  # scheme and host a paper's absolute link must have

    def _call(self, method: str, path: str, body: Any = None, *, key: str = "", raw: bool = False) -> Any:
        """The answer's JSON, or its bytes when `raw` (at most one byte past the upload limit)."""
        raise NotImplementedError

    def deliver(self, *, key: str, record: dict[str, Any]) -> None:
        answer = self._call("POST", wire.PATH_RECORDS, record, key=key)
        try:
            wire.check_receipt(answer, key=key, code=record.get("MaHoSo", ""))
        except wire.PortalContradiction as contradiction:
            raise PortalRefused(str(contradiction)) from None

    def submissions(self) -> list[Any]:
        try:
            return wire.parse_submissions(self._call("GET", wire.PATH_SUBMISSIONS))
        except ValueError:
            raise PortalUnavailable(_("Cổng quốc gia trả về danh sách hồ sơ không đọc được.")) from None

    def acknowledge(self, *, portal_id: str, dossier_code: str, body: dict[str, Any]) -> None:
        answer = self._call("POST", wire.acknowledgement_path(portal_id), body)
        if not isinstance(answer, dict) or answer.get("MaHoSo") != dossier_code:
            raise PortalRefused(
                _("Cổng quốc gia xác nhận hồ sơ %(id)s với mã khác mã %(code)s đã cấp.")
                % {"id": portal_id, "code": dossier_code}
            )

    def states(self, *, codes: list[str]) -> dict[str, wire.PortalDossierState]:
        try:
            return wire.parse_reconciliation(
                self._call("POST", wire.PATH_RECONCILIATION, wire.reconciliation_request(codes))
            )
        except (ValueError, TypeError):
            raise PortalUnavailable(_("Cổng quốc gia trả về số liệu đối soát không đọc được.")) from None

    def listing(self, *, since: datetime.datetime, until: datetime.datetime) -> list[wire.PortalListedDossier]:
        answer = self._call("POST", wire.PATH_LISTING, wire.listing_request(since=since, until=until))
        try:
            return wire.parse_listing(answer)
        except ValueError:
            raise PortalUnavailable(_("Cổng quốc gia trả về danh sách hồ sơ theo kỳ không đọc được.")) from None

    def paper(self, *, link: str) -> bytes:
        try:
            path = wire.paper_path(link, origin=self.origin)
        except ValueError:
            raise PortalRefused(
                _("Đường dẫn tệp “%(link)s” không thuộc Cổng quốc gia, không tải về.") % {"link": link[:200]}
            ) from None
        content = self._call("GET", path, raw=True)
        if not isinstance(content, bytes):
            raise PortalUnavailable(_("Cổng quốc gia trả về tệp không đọc được."))
        return content[: settings.MOTCUA_UPLOAD_MAX_BYTES + 1]


class InProcessPortal(_Portal):
    """The simulator's portal in this process: the demo, and the contract tests' reference."""

    def __init__(self, state: PortalState):
        self.state = state

    def _call(self, method: str, path: str, body: Any = None, *, key: str = "", raw: bool = False) -> Any:
        return _interpret(*self.state.handle(method, path, body, key=key))


class HttpNationalPortal(_Portal):
    def __init__(self, *, base_url: str, token: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.origin = self.base_url

    @classmethod
    def from_settings(cls) -> HttpNationalPortal:
        return cls(
            base_url=settings.MOTCUA_NATIONAL_HTTP_URL,
            token=settings.MOTCUA_NATIONAL_HTTP_TOKEN,
            timeout=float(settings.MOTCUA_HTTP_TIMEOUT_SECONDS),
        )

    def _call(self, method: str, path: str, body: Any = None, *, key: str = "", raw: bool = False) -> Any:
        if not self.base_url:
            raise PortalUnavailable(_("Chưa cấu hình địa chỉ Cổng quốc gia (MOTCUA_NATIONAL_HTTP_URL)."))
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        with unanswered_raises(
            timed_out=PortalUnavailable(_("Cổng quốc gia không trả lời kịp thời.")),
            unreachable=PortalUnavailable(_("Không kết nối được Cổng quốc gia.")),
            log=logger,
            call=f"National portal {method} {path}",
            timeout=self.timeout,
        ):
            if raw:
                return self._download(path, headers)
            response = httpx.request(method, self.base_url + path, json=body, headers=headers, timeout=self.timeout)
        try:
            answer = response.json() if response.content else None
        except ValueError:
            if response.is_success:
                raise PortalUnavailable(_("Cổng quốc gia trả lời không đọc được.")) from None
            answer = None
        return _interpret(response.status_code, answer)

    def _download(self, path: str, headers: dict[str, str]) -> Any:
        """GET a file, reading at most one byte past the upload limit (the checks refuse it)."""
        limit = settings.MOTCUA_UPLOAD_MAX_BYTES + 1
        with httpx.stream("GET", self.base_url + path, headers=headers, timeout=self.timeout) as response:
            if not response.is_success:
                response.read()
                try:
                    answer = response.json() if response.content else None
                except ValueError:
                    answer = None
                return _interpret(response.status_code, answer)
            content = bytearray()
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) >= limit:
                    break
            return _interpret(response.status_code, bytes(content[:limit]))


# The demo plugin's portal: one per process, like a real one (tests reset it).
DEMO_STATE = PortalState()


@national_portals.register("demo")
def _demo_portal() -> NationalPortal:
    return InProcessPortal(DEMO_STATE)


@national_portals.register("http")
def _http_portal() -> NationalPortal:
    return HttpNationalPortal.from_settings()
