"""Public tracking of a dossier by its code.

Anyone with the code sees the status, the appointment and the timeline, never personal data;
with a second factor (the last four digits of the applicant's phone or ID number) they see the
full detail. Lookups are rate-limited per address, and a wrong, unknown or rate-limited code
all answer the same way, so codes cannot be enumerated.
"""

import hmac
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier, DossierStatusChange

LOOKUPS_PER_WINDOW = 30
SECOND_FACTOR_TRIES = 5
WINDOW_SECONDS = 600

NEXT_STEP = {
    DossierStatus.SUBMITTED: _("Chờ Bộ phận Một cửa kiểm tra và tiếp nhận hồ sơ."),
    DossierStatus.RECEIVED: _("Hồ sơ đang được giải quyết; chờ kết quả theo ngày hẹn."),
    DossierStatus.IN_PROGRESS: _("Hồ sơ đang được giải quyết; chờ kết quả theo ngày hẹn."),
    DossierStatus.PAUSED: _("Bổ sung giấy tờ theo phiếu yêu cầu; thời gian giải quyết tạm dừng đến khi nhận đủ."),
    DossierStatus.PROCESSED: _("Đã có kết quả; nhận kết quả theo hình thức đã chọn."),
    DossierStatus.RETURNED: _("Đã trả kết quả; hồ sơ đã hoàn thành."),
    DossierStatus.SUPPLEMENT_REQUESTED: _("Bổ sung giấy tờ theo yêu cầu rồi gửi lại hồ sơ."),
    DossierStatus.REJECTED: _("Hồ sơ bị từ chối tiếp nhận; xem lý do trong phiếu từ chối."),
    DossierStatus.WITHDRAWN: _("Hồ sơ đã được rút theo yêu cầu của người nộp."),
}


@dataclass
class Tracking:
    dossier: Dossier
    verified: bool
    timeline: list[DossierStatusChange] = field(default_factory=list)
    # The other dossiers of the same interconnected submission (hồ sơ liên thông), if any.
    linked: list[Dossier] = field(default_factory=list)

    @property
    def next_step(self) -> str:
        return str(NEXT_STEP.get(DossierStatus(self.dossier.status), ""))


def _hit(key: str, limit: int) -> bool:
    """Count one use of `key` in the window; False once the limit is passed."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= limit


def _second_factor_matches(dossier: Dossier, value: str) -> bool:
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 4:
        return False
    profile = getattr(dossier.applicant, "citizen", None)
    candidates = [str(profile.phone or "")[-4:], str(profile.id_number or "")[-4:]] if profile else []
    return any(candidate and hmac.compare_digest(candidate, digits) for candidate in candidates)


def dossier_track(*, code: str, client_ip: str, second_factor: str = "") -> Tracking | None:
    """The tracking view of a submitted dossier, or None (unknown code, draft, or too many tries)."""
    if not _hit(f"track-ip:{client_ip}", LOOKUPS_PER_WINDOW):
        return None
    dossier = (
        Dossier.objects.select_related("procedure_version", "agency", "applicant__citizen", "group")
        .exclude(status__in=[DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION])
        .filter(code=code.strip().upper())
        .first()
    )
    if dossier is None:
        return None
    verified = False
    if second_factor:
        verified = _hit(f"track-2fa:{dossier.pk}", SECOND_FACTOR_TRIES) and _second_factor_matches(
            dossier, second_factor
        )
    return Tracking(dossier=dossier, verified=verified, timeline=list(dossier.history.all()), linked=_linked(dossier))


def _linked(dossier: Dossier) -> list[Dossier]:
    """The submitted dossiers sharing the tracked one's interconnected submission."""
    if dossier.group_id is None:
        return []
    return list(
        Dossier.objects.filter(group_id=dossier.group_id)
        .exclude(pk=dossier.pk)
        .exclude(status__in=[DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION])
        .select_related("procedure_version", "agency")
        .order_by("id")
    )


def tracking_public_data(tracking: Tracking) -> dict[str, Any]:
    """What anyone holding the code may see (no names, numbers or addresses)."""
    dossier = tracking.dossier
    data: dict[str, Any] = {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "agency": dossier.agency.name,
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
        "submitted_at": dossier.submitted_at,
        "due_at": dossier.due_at,
        "next_step": tracking.next_step,
        "timeline": [
            {"status": c.to_status, "label": c.get_to_status_display(), "at": c.created_at} for c in tracking.timeline
        ],
        "verified": tracking.verified,
        # Codes, procedures, agencies and states only: the same public view as the tracked one.
        "group_code": (dossier.group.code or "") if dossier.group is not None else "",
        "linked": [
            {
                "code": linked.code,
                "procedure": linked.procedure_version.name,
                "agency": linked.agency.name,
                "status": linked.status,
                "status_label": linked.get_status_display(),
            }
            for linked in tracking.linked
        ],
    }
    if tracking.verified:
        profile = getattr(dossier.applicant, "citizen", None)
        data["applicant"] = profile.full_name if profile else ""
        data["delivery_method"] = dossier.get_delivery_method_display()
        data["notes"] = [c.note for c in tracking.timeline if c.note]
    return data


def tracking_url(dossier: Dossier) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/{dossier.code}/"


def tracking_qr(dossier: Dossier) -> str:
    """The QR code printed on receipts and slips: it opens the public tracking page."""
    from motcua.documents.qr import qr_svg

    return qr_svg(tracking_url(dossier))
