"""The national portal's wire format: the only module that knows its records and field names.

The official specification is not public. The records follow the fields real provincial systems
exchange with the national portal (docs/national-portal.md, and /work/shared/reference
vn-requirements.md §6): the dossier record (HoSo), one progress record per processing step
(TienDoXuLy), the submitted papers (DanhSachTaiLieuNop) and the result papers
(DanhSachGiayToKetQua). The official format replaces this module and nothing else: the adapter
moves JSON, the services hand it dossiers and events and get plain values back.

Every record we send is one envelope per domain event:

    {"PhienBan": ..., "KhoaDongBo": <idempotency key>, "MaHoSo": <our code>, "STT": <seq>,
     "LoaiSuKien": <event kind>, "HoSo": {...}, "TienDoXuLy": {...}, "DuLieuSuKien": {...}}

Rating and feedback events carry what was recorded in DuLieuSuKien (DanhGia / PhanAnhKienNghi).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.validators import validate_id_number
from motcua.directory.constants import UnitKind
from motcua.dossiers.constants import AttachmentSource, Channel, DeliveryMethod, DossierStatus
from motcua.dossiers.demo_answers import birth_registration_answers
from motcua.events.constants import EventKind

VERSION = "motcua.dvcqg/1"
DATE_FORMAT = "%d/%m/%Y %H:%M:%S"

# TrangThaiHoSo / StatusId, as the codes appear in public integration code (to be confirmed
# against the official specification): 1 new, 2 received, 3 refused, 4 processing, 5 supplement
# requested, 7 withdrawn at the citizen's request, 8 stopped, 9 processed, 10 returned.
STATUS_CODES: dict[str, int] = {
    DossierStatus.SUBMITTED: 1,
    DossierStatus.RECEIVED: 2,
    DossierStatus.REJECTED: 3,
    DossierStatus.IN_PROGRESS: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.PAUSED: 5,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.STOPPED: 8,
    DossierStatus.PROCESSED: 9,
    DossierStatus.RETURNED: 10,
}
# KenhThucHien: 1 at the counter, 2 online, 3 by post.
CHANNEL_CODES: dict[str, int] = {
    Channel.COUNTER: 1,
    Channel.ONLINE: 2,
    Channel.NATIONAL_PORTAL: 2,
    Channel.POST_OFFICE: 3,
}
# HinhThucTra: 0 at the one-stop counter, 1 by post, 2 online.
RETURN_CODES: dict[str, int] = {DeliveryMethod.COUNTER: 0, DeliveryMethod.POST: 1, DeliveryMethod.ONLINE: 2}
RETURN_METHODS = {code: method for method, code in RETURN_CODES.items()}
# LoaiDinhDanh: 1 the 12-digit personal identification number, 2 the old 9-digit ID card.
ID_TYPE_PERSONAL = 1

# The parts of the simulator's and the portal's HTTP interface (docs/national-portal.md).
PATH_RECORDS = "/ho-so/dong-bo"
PATH_SUBMISSIONS = "/ho-so/moi"
PATH_RECONCILIATION = "/ho-so/doi-soat"
PATH_LISTING = "/ho-so/danh-sach"
PATH_FILES = "/tep-tin"  # where the simulator serves submitted papers


def acknowledgement_path(portal_id: str) -> str:
    return f"{PATH_SUBMISSIONS}/{portal_id}/xac-nhan"


def format_datetime(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime(DATE_FORMAT) if value else ""


def parse_datetime(value: Any) -> datetime.datetime:
    naive = datetime.datetime.strptime(str(value), DATE_FORMAT)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def status_code(status: str) -> int | None:
    return STATUS_CODES.get(status)


# --- Outbound: our dossier and its events as the portal gets them. ---


def _unit_codes(unit: Any) -> tuple[str, str]:
    """(MaTinh, MaXa) of an administrative unit: the commune/ward and its province."""
    if unit is None:
        return "", ""
    commune, province = unit.code, ""
    node = unit
    for _depth in range(4):
        if node is None:
            break
        if node.kind == UnitKind.PROVINCE:
            province = node.code
            break
        node = node.parent
    return province, commune


# DuocThanhToanTrucTuyen: 1 paid on the national portal's platform, 2 through the province's
# gateway, 0 not paid online (766 indicator 3.6).
ONLINE_PAYMENT_CODES = {"national": 1, "gateway": 2}


def _online_payment_code(dossier: Any) -> int:
    paid = dossier.payments.filter(status="paid").values_list("method", flat=True).first()
    return ONLINE_PAYMENT_CODES.get(paid or "", 0)


def dossier_record(dossier: Any, *, portal_id: str = "") -> dict[str, Any]:
    """HoSo: the dossier as it stands, with its papers, fees and result papers."""
    version = dossier.procedure_version
    profile = getattr(dossier.applicant, "citizen", None)
    province, commune = _unit_codes(getattr(profile, "address_unit", None))
    papers = [
        {
            "TenTepDinhKem": attachment.original_name,
            "MaThanhPhanHoSo": str(attachment.component_id),
            "DuongDanTaiTepTin": "",
            # Every paper we hold is a file: digitised. Taken from the citizen's store: reused.
            "DuocSoHoa": 1,
            "DuocTaiSuDung": int(attachment.source == AttachmentSource.DOCUMENT_STORE),
            "DuocLayTuKhoDMQG": 0,
        }
        for attachment in dossier.attachments.all()
    ]
    # What this applicant owes, line by line, as computed from the answers when the dossier was
    # handed in (catalog/fees.py): a birth without copies syncs its free lệ phí, not the copy fee.
    fees = [
        {"TenPhiLePhi": line["name"], "LoaiPhiLePhi": line["kind"], "MucPhi": line["amount"]}
        for line in dossier.fee_lines
    ]
    results = []
    document = dossier.result_document
    if document is not None:
        results.append(
            {
                "TenGiayTo": document.title,
                "MaGiayToKetQua": document.number or document.verification_code,
                "DuongDanTepTinKetQua": f"{settings.MOTCUA_PUBLIC_URL}/xac-thuc/{document.verification_code}/",
            }
        )
    return {
        "MaHoSo": dossier.code or "",
        "MaHoSoQG": portal_id,
        "KenhThucHien": CHANNEL_CODES.get(dossier.channel, 2),
        "ChuHoSo": profile.full_name if profile else "",
        "LoaiDinhDanh": ID_TYPE_PERSONAL,
        "SoDinhDanh": (profile.id_number or "") if profile else "",
        "MaTinh": province,
        "MaXa": commune,
        "NgayNopHoSo": format_datetime(dossier.submitted_at),
        "NgayTiepNhan": format_datetime(dossier.received_at),
        "NgayHenTra": format_datetime(dossier.due_at or dossier.expected_due_at),
        "NgayKetThucXuLy": format_datetime(dossier.processed_at),
        "NgayTra": format_datetime(dossier.returned_at),
        "TrangThaiHoSo": status_code(dossier.status),
        "HinhThucTra": RETURN_CODES.get(dossier.delivery_method),
        "DiaChiNhanKetQua": dossier.delivery_address,
        "MaTTHC": version.procedure.code,
        "MaTruongHop": "",
        "MaLinhVuc": version.field.code,
        "DonViXuLy": dossier.agency.name,
        "MaDonViXuLy": dossier.agency.electronic_id,
        "HoSoCoThanhPhanSoHoa": int(bool(papers)),
        "DuocThanhToanTrucTuyen": _online_payment_code(dossier),
        "DaNopPhiLePhi": int(dossier.fees_paid_at is not None),
        "DanhSachLePhi": fees,
        "DanhSachTaiLieuNop": papers,
        "DanhSachGiayToKetQua": results,
    }


def _instant(value: Any) -> datetime.datetime | None:
    """An instant of an event's payload (ISO 8601 text), or None."""
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def progress_record(event: Any, dossier: Any, *, position: str, unit: str) -> dict[str, Any]:
    """TienDoXuLy: one step of processing, as the control sheet has it.

    An event that names its step and officer (step fields, the counter's reception fields) is
    the record's source, as it was when it happened; otherwise the actor's role and agency
    (`position`, `unit`, else the dossier's agency) and the dossier's own dates."""
    payload = event.payload or {}
    note = str(payload.get("note") or "")
    label = str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind
    if payload.get("step_name"):
        label = f"{label} ({payload['step_name']})"
    actor = event.actor
    started = _instant(payload.get("started_at")) or dossier.received_at or dossier.submitted_at
    due = _instant(payload.get("due_at")) or dossier.due_at or dossier.expected_due_at
    return {
        "NguoiXuLy": payload.get("officer_name") or event.actor_label,
        "TaiKhoanXuLy": actor.get_username() if actor is not None else "",
        "ChucDanh": payload.get("officer_title") or position,
        "DonViXuLy": payload.get("agency_name") or unit or dossier.agency.name,
        "NoiDungXuLy": f"{label}: {note}" if note else label,
        "ThoiDiemXuLy": format_datetime(event.occurred_at),
        "NgayBatDau": format_datetime(started),
        "NgayKetThucTheoQuyDinh": format_datetime(due),
        "StatusId": status_code(dossier.status),
    }


def event_record(
    event: Any, dossier: Any, *, key: str, position: str, unit: str, portal_id: str = ""
) -> dict[str, Any]:
    """The envelope sent for one domain event: the dossier as it stood then and the step."""
    return {
        "PhienBan": VERSION,
        "KhoaDongBo": key,
        "MaHoSo": dossier.code or "",
        "STT": event.seq,
        "LoaiSuKien": event.kind,
        "HoSo": dossier_record(dossier, portal_id=portal_id),
        "TienDoXuLy": progress_record(event, dossier, position=position, unit=unit),
        "DuLieuSuKien": event.payload or {},
    }


class PortalContradiction(Exception):
    """The portal answered something that does not fit what we sent or hold."""


def check_receipt(answer: Any, *, key: str, code: str) -> None:
    """The portal's answer to a record must name the record we sent; anything else is a contradiction."""
    if not isinstance(answer, dict) or answer.get("KhoaDongBo") != key or answer.get("MaHoSo") != code:
        shown = json.dumps(answer, ensure_ascii=False)[:200] if isinstance(answer, dict) else type(answer).__name__
        raise PortalContradiction(
            _("Cổng quốc gia xác nhận một bản ghi khác với bản ghi đã gửi (%(code)s, khóa %(key)s): %(answer)s")
            % {"code": code, "key": key, "answer": shown}
        )


def acknowledgement(*, dossier_code: str, received_at: datetime.datetime) -> dict[str, Any]:
    """Our answer to a dossier the portal delivered: accepted, under our code."""
    return {"KetQua": "DaTiepNhan", "MaHoSo": dossier_code, "NgayTiepNhan": format_datetime(received_at)}


def refusal_message(answer: Any) -> str:
    """The portal's own reason in an error answer, or nothing."""
    if isinstance(answer, dict):
        return str(answer.get("ThongDiep") or answer.get("MaLoi") or "")[:300]
    return ""


# --- Reconciliation. ---


def reconciliation_request(codes: list[str]) -> dict[str, Any]:
    return {"DanhSachMaHoSo": codes}


@dataclass(frozen=True)
class PortalDossierState:
    """What the portal holds of one of our dossiers: its state and how many records."""

    status: int | None
    records: int


def parse_reconciliation(answer: Any) -> dict[str, PortalDossierState]:
    """Per dossier code; a code the portal does not know is absent. ValueError when malformed."""
    if not isinstance(answer, dict) or not isinstance(answer.get("DanhSach"), list):
        raise ValueError("DanhSach missing")
    states = {}
    for row in answer["DanhSach"]:
        if not isinstance(row, dict) or not isinstance(row.get("MaHoSo"), str):
            raise ValueError("row without MaHoSo")
        status = row.get("TrangThaiHoSo")
        states[row["MaHoSo"]] = PortalDossierState(
            status=int(status) if status is not None else None, records=int(row.get("SoBanGhi") or 0)
        )
    return states


def listing_request(*, since: datetime.datetime, until: datetime.datetime) -> dict[str, Any]:
    return {"TuNgay": format_datetime(since), "DenNgay": format_datetime(until)}


@dataclass(frozen=True)
class PortalListedDossier:
    """One dossier submitted on the portal in a period: its id, our code if we acknowledged it,
    and the record as it was submitted (to take it in again through the inbound path)."""

    portal_id: str
    dossier_code: str
    record: Any


def parse_listing(answer: Any) -> list[PortalListedDossier]:
    """The portal's dossiers of a period. ValueError when malformed."""
    if not isinstance(answer, dict) or not isinstance(answer.get("DanhSach"), list):
        raise ValueError("DanhSach missing")
    rows = []
    for row in answer["DanhSach"]:
        if not isinstance(row, dict) or not isinstance(row.get("MaHoSoQG"), str) or not row["MaHoSoQG"].strip():
            raise ValueError("row without MaHoSoQG")
        rows.append(
            PortalListedDossier(
                portal_id=row["MaHoSoQG"].strip()[:80],
                dossier_code=str(row.get("MaHoSo") or ""),
                record=row.get("HoSo"),
            )
        )
    return rows


def paper_path(link: str, *, origin: str) -> str:
    """The path, under the portal's address (`origin`), to fetch a submitted paper from: the link
    is a path, or a full address under `origin`. ValueError for anything else: we never fetch
    from a host a record names (the record is not trusted)."""
    link = link.strip()
    if urlsplit(link).scheme or link.startswith("//"):
        base = origin.rstrip("/")
        if not base or not link.startswith(base + "/"):
            raise ValueError("not on the portal")
        link = link[len(base) :]
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or ".." in parts.path.split("/"):
        raise ValueError("not a path")
    if re.search(r"[\\\s]", parts.path):
        raise ValueError("not a path")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def parse_submissions(answer: Any) -> list[Any]:
    """The dossiers waiting for us, each still raw: one unusable record must not hide the others."""
    if not isinstance(answer, dict) or not isinstance(answer.get("DanhSach"), list):
        raise ValueError("DanhSach missing")
    return list(answer["DanhSach"])


# --- Inbound: a dossier submitted on the national portal. ---


class InboundRefusal(Exception):
    """A record we cannot accept as it is; `code` is stable, `message` says why in Vietnamese."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Submission:
    portal_id: str
    procedure_code: str
    case_code: str
    full_name: str
    id_number: str
    phone: str
    email: str
    province_code: str
    commune_code: str
    address: str
    submitted_at: datetime.datetime
    return_method: str
    delivery_address: str
    papers: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)
    form_data: dict[str, Any] = field(default_factory=dict)


REQUIRED = ("MaHoSoQG", "MaTTHC", "ChuHoSo", "LoaiDinhDanh", "SoDinhDanh", "MaXa", "NgayNopHoSo", "HinhThucTra")


def portal_id_of(data: Any) -> str:
    """The portal's id of a delivered record, or a digest of it when it has none (so a malformed
    record delivered twice is still parked once)."""
    if isinstance(data, dict) and isinstance(data.get("MaHoSoQG"), str) and data["MaHoSoQG"].strip():
        return data["MaHoSoQG"].strip()[:80]
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return f"sha256:{digest[:64]}"


def _flag(value: Any, name: str) -> int:
    if value in (0, 1, "0", "1", None, ""):
        return int(value or 0)
    raise InboundRefusal("bad_flag", _("Trường %(name)s chỉ nhận giá trị 0 hoặc 1.") % {"name": name})


def _papers(value: Any) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(paper, dict) for paper in value):
        raise InboundRefusal("bad_papers", _("DanhSachTaiLieuNop phải là danh sách các tài liệu."))
    papers = []
    for paper in value:
        name = str(paper.get("TenTepDinhKem") or "").strip()
        if not name:
            raise InboundRefusal("bad_papers", _("Một tài liệu trong DanhSachTaiLieuNop không có TenTepDinhKem."))
        papers.append(
            {
                "TenTepDinhKem": name[:255],
                "MaThanhPhanHoSo": str(paper.get("MaThanhPhanHoSo") or "")[:80],
                "DuongDanTaiTepTin": str(paper.get("DuongDanTaiTepTin") or "")[:500],
                "DuocSoHoa": _flag(paper.get("DuocSoHoa"), "DuocSoHoa"),
                "DuocTaiSuDung": _flag(paper.get("DuocTaiSuDung"), "DuocTaiSuDung"),
            }
        )
    return papers


def parse_submission(data: Any) -> Submission:
    """A delivered dossier record checked field by field; InboundRefusal says what is wrong."""
    if not isinstance(data, dict):
        raise InboundRefusal("not_a_record", _("Bản ghi không phải một hồ sơ (không đúng định dạng JSON đối tượng)."))
    missing = [name for name in REQUIRED if data.get(name) in (None, "")]
    if missing:
        raise InboundRefusal("missing_fields", _("Thiếu trường bắt buộc: %(names)s.") % {"names": ", ".join(missing)})
    if str(data["LoaiDinhDanh"]) != str(ID_TYPE_PERSONAL):
        raise InboundRefusal(
            "id_type",
            _(
                "Loại định danh %(type)s không được nhận; hồ sơ phải có số định danh cá nhân "
                "12 chữ số (LoaiDinhDanh = 1)."
            )
            % {"type": data["LoaiDinhDanh"]},
        )
    try:
        id_number = validate_id_number(str(data["SoDinhDanh"]))
    except ValidationError as invalid:
        raise InboundRefusal(
            "id_number", _("Số định danh không hợp lệ: %(reason)s") % {"reason": " ".join(invalid.messages)}
        ) from None
    try:
        submitted_at = parse_datetime(data["NgayNopHoSo"])
    except ValueError:
        raise InboundRefusal(
            "bad_date",
            _("NgayNopHoSo “%(value)s” không đúng dạng dd/MM/yyyy HH:mm:ss.") % {"value": data["NgayNopHoSo"]},
        ) from None
    try:
        return_method = RETURN_METHODS[int(data["HinhThucTra"])]
    except (KeyError, TypeError, ValueError):
        raise InboundRefusal(
            "return_method", _("HinhThucTra “%(value)s” không hợp lệ (0, 1 hoặc 2).") % {"value": data["HinhThucTra"]}
        ) from None
    delivery_address = str(data.get("DiaChiNhanKetQua") or "").strip()
    if return_method == DeliveryMethod.POST and not delivery_address:
        raise InboundRefusal("delivery_address", _("Nhận kết quả qua bưu chính nhưng thiếu DiaChiNhanKetQua."))
    form_data = data.get("DuLieuToKhai") or {}
    if not isinstance(form_data, dict):
        raise InboundRefusal("bad_form", _("DuLieuToKhai phải là một đối tượng."))
    fees = data.get("DanhSachLePhi") or []
    if not isinstance(fees, list):
        raise InboundRefusal("bad_fees", _("DanhSachLePhi phải là danh sách."))
    return Submission(
        portal_id=portal_id_of(data),
        procedure_code=str(data["MaTTHC"]).strip(),
        case_code=str(data.get("MaTruongHop") or "").strip(),
        full_name=str(data["ChuHoSo"]).strip()[:200],
        id_number=id_number,
        phone=str(data.get("SoDienThoai") or "").strip(),
        email=str(data.get("Email") or "").strip(),
        province_code=str(data.get("MaTinh") or "").strip(),
        commune_code=str(data["MaXa"]).strip(),
        address=str(data.get("DiaChi") or "").strip()[:255],
        submitted_at=submitted_at,
        return_method=return_method,
        delivery_address=delivery_address[:500],
        papers=_papers(data.get("DanhSachTaiLieuNop")),
        fees=fees,
        form_data=form_data,
    )


def submission_sample(
    *,
    portal_id: str,
    procedure_code: str = "1.001193",
    id_number: str = "066094000103",
    commune_code: str = "24121",
    full_name: str = "Nguyễn Văn Hùng",
    submitted_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """A well-formed submission as the portal sends it: the simulator's demo data and tests.
    A birth registration carries the e-form's answers, as the portal's own e-form collects them."""
    answers = (
        birth_registration_answers("Nguyễn Gia Bảo", birth_unit=commune_code) if procedure_code == "1.001193" else {}
    )
    return {
        "MaHoSoQG": portal_id,
        "KenhThucHien": 2,
        "MaTTHC": procedure_code,
        "MaTruongHop": "",
        "ChuHoSo": full_name,
        "LoaiDinhDanh": ID_TYPE_PERSONAL,
        "SoDinhDanh": id_number,
        "SoDienThoai": "",
        "MaTinh": "66",
        "MaXa": commune_code,
        "DiaChi": "Số 1 Lê Duẩn",
        "NgayNopHoSo": format_datetime(submitted_at or timezone.now()),
        "HinhThucTra": RETURN_CODES[DeliveryMethod.COUNTER],
        "DanhSachTaiLieuNop": [
            {
                "TenTepDinhKem": "to-khai.pdf",
                "MaThanhPhanHoSo": "TP01",
                "DuongDanTaiTepTin": f"{PATH_FILES}/{portal_id}/to-khai.pdf",
                "DuocSoHoa": 1,
                "DuocTaiSuDung": 0,
            }
        ],
        "DanhSachLePhi": [],
        "DuLieuToKhai": answers,
    }
