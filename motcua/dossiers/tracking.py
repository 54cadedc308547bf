"""Public tracking of a dossier by its code.

Anyone with the code sees the status, the appointment and the timeline, never personal data;
with a second factor (the last four digits of the applicant's phone or ID number) they see the
full detail. Lookups are rate-limited per address, and a wrong, unknown or rate-limited code
all answer the same way, so codes cannot be enumerated.
"""

import hmac
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.constants import DossierStatus, StepStatus, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness, step_is_overdue, step_timeliness
from motcua.dossiers.models import Dossier, DossierStatusChange, DossierStep

SECOND_FACTOR_TRIES = 5
PUBLIC_DATA_SECONDS = 60
# What the lookup loads: the public view; the applicant's profile only when a second factor comes.
TRACKED_FIELDS = [
    "code",
    "status",
    "revision",
    "submitted_at",
    "due_at",
    "processed_at",
    "delivery_method",
    "applicant_id",
    "group_id",
    "procedure_version__name",
    "agency__name",
]
WINDOW_SECONDS = 600

NEXT_STEP = {
    DossierStatus.SUBMITTED: _("Chờ Bộ phận Một cửa kiểm tra và tiếp nhận hồ sơ."),
    DossierStatus.RECEIVED: _("Hồ sơ đang được giải quyết; chờ kết quả theo ngày hẹn."),
    DossierStatus.IN_PROGRESS: _("Hồ sơ đang được giải quyết; chờ kết quả theo ngày hẹn."),
    DossierStatus.PAUSED: _("Bổ sung giấy tờ theo phiếu yêu cầu; thời gian giải quyết tạm dừng đến khi nhận đủ."),
    DossierStatus.PROCESSED: _("Đã có kết quả; nhận kết quả theo hình thức đã chọn."),
    DossierStatus.RETURNED: _("Đã trả kết quả; mời người nộp đăng nhập để đánh giá mức độ hài lòng."),
    DossierStatus.SUPPLEMENT_REQUESTED: _("Bổ sung giấy tờ theo yêu cầu rồi gửi lại hồ sơ."),
    DossierStatus.REJECTED: _("Hồ sơ bị từ chối tiếp nhận; xem lý do trong phiếu từ chối."),
    DossierStatus.WITHDRAWN: _("Hồ sơ đã được rút theo yêu cầu của người nộp."),
}


@dataclass
class Tracking:
    dossier: Dossier
    verified: bool

    @property
    def next_step(self) -> str:
        return str(NEXT_STEP.get(DossierStatus(self.dossier.status), ""))

    @cached_property
    def timeline(self) -> list[DossierStatusChange]:
        return list(self.dossier.history.all())

    @cached_property
    def steps(self) -> list[DossierStep]:
        """The processing steps, with their deadlines and early / on time / late marks."""
        return list(
            self.dossier.steps.exclude(status=StepStatus.CANCELLED)
            .select_related("agency")
            .only("name", "status", "started_at", "due_at", "finished_at", "agency__name")
        )

    @cached_property
    def linked(self) -> list[Dossier]:
        """The other dossiers of the same interconnected submission (hồ sơ liên thông), if any."""
        return _linked(self.dossier)


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
    if not _hit(f"track-ip:{client_ip}", settings.MOTCUA_TRACKING_LOOKUPS_PER_WINDOW):
        return None
    dossier = (
        Dossier.objects.select_related("procedure_version", "agency")
        .only(*TRACKED_FIELDS)
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
    return Tracking(dossier=dossier, verified=verified)


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
    """What anyone holding the code may see (no names, numbers or addresses), plus the personal
    detail when the second factor was right.

    The public part is cached per dossier revision (every change bumps it) for a minute, the
    time an "overdue" mark may lag behind.
    """
    dossier = tracking.dossier
    key = f"track-data:{dossier.pk}:{dossier.revision}"
    public = cache.get(key)
    if public is None:
        public = _public_data(tracking)
        cache.set(key, public, PUBLIC_DATA_SECONDS)
    data = {**public, "verified": tracking.verified}
    if tracking.verified:
        profile = getattr(dossier.applicant, "citizen", None)
        data["applicant"] = profile.full_name if profile else ""
        data["delivery_method"] = dossier.get_delivery_method_display()
        data["notes"] = [c.note for c in tracking.timeline if c.note]
    return data


def _public_data(tracking: Tracking) -> dict[str, Any]:
    dossier = tracking.dossier
    return {
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
        # Agencies, deadlines and marks only: no officer's name.
        "steps": [_public_step(step) for step in tracking.steps],
        "timeliness": _label(dossier_timeliness(dossier)),
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


def _label(value: Timeliness | None) -> dict[str, str] | None:
    return {"value": value.value, "label": str(value.label)} if value is not None else None


def _public_step(step: DossierStep) -> dict[str, Any]:
    return {
        "name": step.name,
        "agency": step.agency.name,
        "status": step.status,
        "started_at": step.started_at,
        "due_at": step.due_at,
        "finished_at": step.finished_at,
        "timeliness": _label(step_timeliness(step)),
        "overdue": step_is_overdue(step),
    }


def tracking_url(dossier: Dossier) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/{dossier.code}/"


def tracking_qr(dossier: Dossier) -> str:
    """The QR code printed on receipts and slips: it opens the public tracking page."""
    from motcua.documents.qr import qr_svg

    return qr_svg(tracking_url(dossier))
