"""A local stand-in for the national portal, speaking the interface in docs/national-portal.md.

`PortalState` is the portal: it keeps the records it was sent (one per idempotency key), the
dossiers citizens submitted on it for us to pull (with their papers' files, and a listing by
period), and our acknowledgements, and it answers each request as (HTTP status, JSON, or the
bytes of a file). Two ways in, answering alike:

* `NationalPortalSimulator`, a local HTTP server (tests start it on a random port and point
  the "http" plugin at it; the demo starts it with `python -m motcua.national.simulator`);
* `motcua.national.portal.InProcessPortal`, the "demo" plugin, which calls the state directly.

It can be told to fail the ways a portal fails: down (503), error 500, no answer in time, or
answers that contradict what we sent.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hmac
import io
import threading
from http import HTTPStatus
from typing import Any, Literal, cast

import pikepdf

from motcua.core.loopback import JsonApiHandler, PausingService
from motcua.national import wire

Mode = Literal["ok", "down", "error", "slow", "contradict"]
# The status `PortalState.handle` gives for "no answer in time": the HTTP server then waits
# until the client gave up; the in-process plugin reports the timeout at once.
NO_ANSWER = 0
PATH_SUBMIT = "/mo-phong/nop-ho-so"  # the simulator's own: a citizen submits on the portal


def _error(code: str, message: str) -> dict[str, str]:
    return {"MaLoi": code, "ThongDiep": message}


def sample_pdf() -> bytes:
    """A one-page blank PDF: the paper of a sample submission."""
    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(out)
    return out.getvalue()


def _submitted_at(record: Any) -> datetime.datetime | None:
    try:
        return wire.parse_datetime(record["NgayNopHoSo"])
    except (KeyError, TypeError, ValueError):
        return None


class PortalState:
    """What the portal holds and how it answers; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.records: dict[str, dict[str, Any]] = {}  # idempotency key -> record
        self.deliveries: dict[str, int] = {}  # idempotency key -> times it arrived
        self.arrivals: list[str] = []  # keys in the order they were first stored
        self.submissions: dict[str, dict[str, Any]] = {}  # portal id -> submitted dossier
        self.acknowledgements: dict[str, dict[str, Any]] = {}  # portal id -> our answer
        self.files: dict[str, bytes] = {}  # path -> a submitted paper's content
        self.hidden: set[str] = set()  # portal ids left out of the waiting list
        self.mode: Mode = "ok"
        self.files_mode: Mode = "ok"  # how the file downloads alone fail
        self.requests = 0
        self._counter = 0

    # --- switches and look-ups for tests and the demo ---

    def fail(self, mode: Mode) -> None:
        self.mode = mode

    def fail_files(self, mode: Mode) -> None:
        self.files_mode = mode

    def recover(self) -> None:
        self.mode = self.files_mode = "ok"

    def submit(self, record: dict[str, Any] | None = None, **sample: Any) -> str:
        """A citizen submits a dossier on the portal (a well-formed sample unless `record` is
        given); returns its portal id."""
        with self._lock:
            self._counter += 1
            portal_id = f"G22.99-{self._counter:06d}"
            if record is None:
                record = wire.submission_sample(portal_id=portal_id, **sample)
                for paper in record["DanhSachTaiLieuNop"]:
                    self.files[paper["DuongDanTaiTepTin"]] = sample_pdf()
            key = wire.portal_id_of(record) if isinstance(record, dict) and record.get("MaHoSoQG") else portal_id
            self.submissions[key] = record
            return key

    def hide_submission(self, portal_id: str) -> None:
        """Leave a dossier out of the waiting list (lost on the portal's side): only the period
        listing still shows it (a planted difference for reconciliation)."""
        with self._lock:
            self.hidden.add(portal_id)

    def stream(self, code: str) -> list[dict[str, Any]]:
        """A dossier's records in STT order."""
        with self._lock:
            return sorted((r for r in self.records.values() if r.get("MaHoSo") == code), key=lambda r: r["STT"])

    def arrival_order(self, code: str) -> list[int]:
        """The STT of a dossier's records in the order they arrived."""
        with self._lock:
            return [self.records[key]["STT"] for key in self.arrivals if self.records[key].get("MaHoSo") == code]

    def forget(self, key: str) -> None:
        """Lose a record (a planted difference for reconciliation)."""
        with self._lock:
            self.records.pop(key, None)
            self.arrivals = [k for k in self.arrivals if k != key]

    def reset(self) -> None:
        with self._lock:
            self.__init__()  # type: ignore[misc]

    # --- the interface ---

    def handle(self, method: str, path: str, body: Any, *, key: str = "") -> tuple[int, Any]:
        with self._lock:
            self.requests += 1
            if self.mode == "down":
                return HTTPStatus.SERVICE_UNAVAILABLE, _error("BAO_TRI", "Hệ thống đang bảo trì")
            if self.mode == "error":
                return HTTPStatus.INTERNAL_SERVER_ERROR, _error("LOI_HE_THONG", "Lỗi hệ thống")
            if self.mode == "slow":
                return NO_ANSWER, None
            if method == "POST" and path == wire.PATH_RECORDS:
                return self._record(body, key)
            if method == "GET" and path == wire.PATH_SUBMISSIONS:
                waiting = [
                    record
                    for pid, record in self.submissions.items()
                    if pid not in self.acknowledgements and pid not in self.hidden
                ]
                return HTTPStatus.OK, {"DanhSach": waiting}
            if method == "POST" and path.startswith(wire.PATH_SUBMISSIONS + "/") and path.endswith("/xac-nhan"):
                return self._acknowledge(path.removeprefix(wire.PATH_SUBMISSIONS + "/").removesuffix("/xac-nhan"), body)
            if method == "POST" and path == wire.PATH_RECONCILIATION:
                return self._reconcile(body)
            if method == "POST" and path == wire.PATH_LISTING:
                return self._listing(body)
            if method == "GET" and path.startswith(wire.PATH_FILES + "/"):
                return self._file(path)
            if method == "POST" and path == PATH_SUBMIT:
                return HTTPStatus.CREATED, {"MaHoSoQG": self.submit(body if isinstance(body, dict) else None)}
            return HTTPStatus.NOT_FOUND, _error("KHONG_TIM_THAY", "Không có chức năng này")

    def _record(self, body: Any, key: str) -> tuple[int, Any]:
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("MaHoSo"), str)
            or not isinstance(body.get("STT"), int)
            or body.get("KhoaDongBo") != key
            or not key
        ):
            return HTTPStatus.BAD_REQUEST, _error("DU_LIEU_KHONG_HOP_LE", "Bản ghi thiếu MaHoSo, STT hoặc khóa đồng bộ")
        if self.mode == "contradict":
            return HTTPStatus.OK, {"KhoaDongBo": key, "MaHoSo": "000.00.00.H99-000000-0000", "TrungLap": False}
        stored = self.records.get(key)
        if stored is not None and stored != body:
            return HTTPStatus.CONFLICT, _error("MAU_THUAN", "Khóa đồng bộ đã được dùng cho một bản ghi khác")
        self.deliveries[key] = self.deliveries.get(key, 0) + 1
        if stored is None:
            self.records[key] = body
            self.arrivals.append(key)
        return HTTPStatus.OK, {"KhoaDongBo": key, "MaHoSo": body["MaHoSo"], "TrungLap": stored is not None}

    def _acknowledge(self, portal_id: str, body: Any) -> tuple[int, Any]:
        if portal_id not in self.submissions:
            return HTTPStatus.NOT_FOUND, _error("KHONG_TIM_THAY", "Không có hồ sơ này")
        if not isinstance(body, dict) or not body.get("MaHoSo"):
            return HTTPStatus.BAD_REQUEST, _error("DU_LIEU_KHONG_HOP_LE", "Thiếu MaHoSo")
        earlier = self.acknowledgements.get(portal_id)
        if earlier is not None and earlier.get("MaHoSo") != body["MaHoSo"]:
            return HTTPStatus.CONFLICT, _error("MAU_THUAN", "Hồ sơ đã được xác nhận với mã khác")
        if self.mode == "contradict":
            return HTTPStatus.OK, {"MaHoSoQG": portal_id, "MaHoSo": "000.00.00.H99-000000-0000"}
        self.acknowledgements[portal_id] = body
        return HTTPStatus.OK, {"MaHoSoQG": portal_id, "MaHoSo": body["MaHoSo"]}

    def _reconcile(self, body: Any) -> tuple[int, Any]:
        codes = body.get("DanhSachMaHoSo") if isinstance(body, dict) else None
        if not isinstance(codes, list):
            return HTTPStatus.BAD_REQUEST, _error("DU_LIEU_KHONG_HOP_LE", "Thiếu DanhSachMaHoSo")
        rows = []
        for code in codes:
            stream = self.stream(str(code))
            if stream:
                last = stream[-1].get("HoSo") or {}
                rows.append({"MaHoSo": code, "TrangThaiHoSo": last.get("TrangThaiHoSo"), "SoBanGhi": len(stream)})
        return HTTPStatus.OK, {"DanhSach": rows}

    def _listing(self, body: Any) -> tuple[int, Any]:
        try:
            since, until = wire.parse_datetime(body["TuNgay"]), wire.parse_datetime(body["DenNgay"])
        except (KeyError, TypeError, ValueError):
            return HTTPStatus.BAD_REQUEST, _error("DU_LIEU_KHONG_HOP_LE", "TuNgay, DenNgay dạng dd/MM/yyyy HH:mm:ss")
        rows = []
        for portal_id, record in self.submissions.items():
            submitted = _submitted_at(record)
            # A record without a readable date is listed: the portal holds it all the same.
            if submitted is None or since <= submitted <= until:
                code = (self.acknowledgements.get(portal_id) or {}).get("MaHoSo") or ""
                rows.append({"MaHoSoQG": portal_id, "MaHoSo": code, "HoSo": record})
        return HTTPStatus.OK, {"DanhSach": rows}

    def _file(self, path: str) -> tuple[int, Any]:
        if self.files_mode == "error":
            return HTTPStatus.INTERNAL_SERVER_ERROR, _error("LOI_HE_THONG", "Lỗi hệ thống")
        if self.files_mode == "slow":
            return NO_ANSWER, None
        content = self.files.get(path)
        if content is None:
            return HTTPStatus.NOT_FOUND, _error("KHONG_TIM_THAY", "Không có tệp này")
        return HTTPStatus.OK, content


class NationalPortalSimulator(PausingService):
    """The portal state served over HTTP on 127.0.0.1; use as a context manager."""

    name = "national portal simulator"

    def __init__(
        self,
        state: PortalState | None = None,
        *,
        token: str = "simulator-token",  # noqa: S107 - a local test double, not a credential
        port: int = 0,
        delay: float = 5.0,
    ):
        # The portal's modes live on its state (PortalState.fail); "slow" waits `delay`.
        super().__init__(token=token, host="127.0.0.1", port=port, delay=delay)
        self.state = state or PortalState()

    def _authorised(self, header: str | None) -> bool:
        return header is not None and hmac.compare_digest(header.encode(), f"Bearer {self.token}".encode())


class _Handler(JsonApiHandler):
    too_large = ("QUA_LON", "Bản ghi quá lớn")
    not_json = ("DU_LIEU_KHONG_HOP_LE", "Không phải JSON")

    @property
    def simulator(self) -> NationalPortalSimulator:
        return cast(NationalPortalSimulator, self.loopback)

    def _error(self, code: str, message: str) -> dict[str, Any]:
        return _error(code, message)

    def _refusal(self, path: str) -> tuple[int, dict[str, Any]] | None:
        if not self.simulator._authorised(self.headers.get("Authorization")):
            return HTTPStatus.UNAUTHORIZED, _error("KHONG_XAC_THUC", "Sai mã truy cập")
        return None

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        simulator = self.simulator
        status, answer = simulator.state.handle(method, path, body, key=self.headers.get("Idempotency-Key") or "")
        if status == NO_ANSWER:
            simulator.pause()
            return HTTPStatus.GATEWAY_TIMEOUT, _error("QUA_THOI_GIAN", "Không trả lời kịp")
        return status, answer


NationalPortalSimulator.handler = _Handler


def main() -> None:  # pragma: no cover - manual use and the demo
    import os

    import django

    # The sample dossiers' dates are written in the province's time zone (settings).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.conf.embedded")
    django.setup()
    parser = argparse.ArgumentParser(description="Serve a stand-in national portal over HTTP.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--token", default="simulator-token")
    parser.add_argument("--samples", type=int, default=2, help="demo dossiers waiting on the portal at start")
    args = parser.parse_args()
    with NationalPortalSimulator(token=args.token, port=args.port) as simulator:
        for _number in range(args.samples):
            simulator.state.submit()
        # And one the province must park: its ID number names no province (shown in the admin).
        simulator.state.submit(wire.submission_sample(portal_id="G22.99-LOI001", id_number="999094000103"))
        print(f"National portal simulator on {simulator.url} (token {args.token!r}); Ctrl+C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
