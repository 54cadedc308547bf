"""Public tracking of a dossier by its code.

Anyone with the code sees the status, the appointment and the timeline, never personal data;
with a second factor (the applicant's whole phone number or whole ID number) they see the full
detail. Lookups are rate-limited per address, and a wrong, unknown or rate-limited code all
answer the same way, so codes cannot be enumerated. Wrong second factors are counted per dossier
*and address*, so someone guessing elsewhere never locks the owner out.
"""

import hmac
import math
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.money import format_amount
from motcua.core.phones import phone_normalize
from motcua.dossiers.constants import DossierStatus, StepStatus, Timeliness
from motcua.dossiers.deadlines import dossier_timeliness, step_is_overdue, step_timeliness
from motcua.dossiers.fees import fees_unpaid, fees_when_text
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_timeline

T = TypeVar("T")
# Wrong second factors one address may try on one dossier per window.
SECOND_FACTOR_TRIES = 5
# The public view is kept until the dossier changes or a deadline passes, within these bounds.
KEPT_SECONDS = 3600
LINKED_SECONDS = 60
# What the lookup loads: the public view; the applicant's profile only when a second factor comes.
TRACKED_FIELDS = [
    "code",
    "status",
    "revision",
    "submitted_at",
    "due_at",
    "processed_at",
    "fees_paid_at",
    "fees_due",
    "delivery_method",
    "applicant_id",
    "group_id",
    "procedure_version__name",
    "procedure_version__payment_timing",
    "agency__name",
]
WINDOW_SECONDS = 600
# While a dossier is in these states its fees can still be owed (a next step waits for them).
FEES_PAYABLE = {
    DossierStatus.SUBMITTED,
    DossierStatus.RECEIVED,
    DossierStatus.IN_PROGRESS,
    DossierStatus.PAUSED,
    DossierStatus.PROCESSED,
}

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
    DossierStatus.STOPPED: _("Cơ quan đã dừng giải quyết hồ sơ; xem lý do trong thông báo dừng giải quyết hồ sơ."),
}


RATED_NEXT_STEP = _("Đã trả kết quả. Người nộp đã đánh giá mức độ hài lòng; cảm ơn ông/bà.")


class FactorCheck(StrEnum):
    """What became of the second factor given with a lookup."""

    NONE = ""
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong ones from this address lately: not even compared


@dataclass
class Tracking:
    """A found dossier. The lookup reads only its key and revision, which is all a cached page
    needs; the row itself is loaded when something has to be built."""

    dossier_id: int
    code: str
    revision: int
    factor: FactorCheck = FactorCheck.NONE
    tries_left: int = 0  # wrong second factors this address may still give, after a wrong one

    @property
    def verified(self) -> bool:
        return self.factor == FactorCheck.RIGHT

    @property
    def factor_error(self) -> str:
        """Why the second factor opened nothing, for the person who typed it."""
        if self.factor == FactorCheck.WRONG and self.tries_left:
            return gettext(
                "Số vừa nhập không khớp với số điện thoại hay số định danh của người nộp hồ sơ này. "
                "Hãy nhập đủ cả số, như khi nộp hồ sơ (còn %(tries)s lần thử)."
            ) % {"tries": self.tries_left}
        if self.factor in (FactorCheck.WRONG, FactorCheck.LOCKED):
            return gettext(
                "Đã nhập sai quá %(tries)s lần. Để bảo vệ thông tin của người nộp, hãy thử lại sau %(minutes)s phút."
            ) % {"tries": SECOND_FACTOR_TRIES, "minutes": WINDOW_SECONDS // 60}
        return ""

    @cached_property
    def dossier(self) -> Dossier:
        return (
            Dossier.objects.select_related("procedure_version", "agency").only(*TRACKED_FIELDS).get(pk=self.dossier_id)
        )

    @property
    def next_step(self) -> str:
        """What the applicant must do next, with the fees still owed while the dossier is open."""
        if self.rated:
            return str(RATED_NEXT_STEP)
        return next_step_text(self.dossier)

    @cached_property
    def rated(self) -> bool:
        """The applicant has rated the returned dossier (rating bumps the revision: pages renew)."""
        return self.dossier.status == DossierStatus.RETURNED and hasattr(self.dossier, "rating")

    @cached_property
    def linked(self) -> list[Dossier]:
        """The other dossiers of the same interconnected submission (hồ sơ liên thông), if any."""
        return _linked(self.dossier)


def _count(key: str) -> int:
    """Count one use of `key` in the window; how many there were in it, this one included."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def _hit(key: str, limit: int) -> bool:
    """Count one use of `key` in the window; False once the limit is passed."""
    return _count(key) <= limit


def _second_factor_matches(dossier: Dossier, value: str) -> bool:
    """Whether `value` is the applicant's whole phone number (as typed any usual way) or whole ID
    number; each stored value is compared in constant time."""
    typed = {"".join(value.split())}
    with suppress(ValueError):
        typed.add(phone_normalize(value))
    profile = getattr(dossier.applicant, "citizen", None)
    stored = [own for own in (profile.phone, profile.id_number) if own] if profile else []
    # Every pair is compared, so the time taken does not tell which one matched.
    matches = [hmac.compare_digest(own.encode(), guess.encode()) for own in stored for guess in typed if guess]
    return any(matches)


def _second_factor_check(tracking: Tracking, value: str, client_ip: str) -> None:
    """Check a second factor, counting wrong ones per dossier and address; a right one given
    back, so the owner who knows it is never held up by their own lookups."""
    key = f"track-2fa:{tracking.dossier_id}:{client_ip}"
    count = _count(key)
    if count > SECOND_FACTOR_TRIES:
        tracking.factor = FactorCheck.LOCKED
    elif _second_factor_matches(tracking.dossier, value[:40]):
        with suppress(ValueError):  # the window may have just ended
            cache.decr(key)
        tracking.factor = FactorCheck.RIGHT
    else:
        tracking.factor = FactorCheck.WRONG
        tracking.tries_left = SECOND_FACTOR_TRIES - count


def dossier_track(*, code: str, client_ip: str, second_factor: str = "") -> Tracking | None:
    """The tracking view of a submitted dossier, or None (unknown code, draft, or too many tries)."""
    if not _hit(f"track-ip:{client_ip}", settings.MOTCUA_TRACKING_LOOKUPS_PER_WINDOW):
        return None
    code = code.strip().upper()
    # The hottest public read, one row by its unique code, is written in SQL: building the ORM
    # query costs several times the read itself (docs/benchmarks.md).
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, revision, status FROM dossiers_dossier WHERE code = %s", [code])
        found = cursor.fetchone()
    if found is None or found[2] in (DossierStatus.DRAFT, DossierStatus.AWAITING_CONFIRMATION):
        return None
    tracking = Tracking(dossier_id=found[0], code=code, revision=found[1])
    if second_factor:
        _second_factor_check(tracking, second_factor, client_ip)
    return tracking


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
    detail when the second factor was right. The public part is kept like the page below."""
    public = _kept(tracking, "data", lambda public: public)
    data = {**public, "verified": tracking.verified}
    if tracking.verified:
        data.update(_personal_data(tracking))
    return data


def tracking_page(tracking: Tracking, render: Callable[[dict[str, Any]], str]) -> str:
    """The public tracking page, as `render` makes it from the public data.

    It is kept per dossier revision (every change bumps it) and language until the next open
    deadline passes and its "overdue" mark appears, an hour at most; a repeated lookup then
    costs the code's row and a cache read.
    """
    return _kept(tracking, f"page:{get_language()}", render)


def _kept(tracking: Tracking, kind: str, build: Callable[[dict[str, Any]], T]) -> T:
    key = f"track-{kind}:{tracking.dossier_id}:{tracking.revision}"
    value = cache.get(key)
    if value is None:
        public = _public_data(tracking)
        value = build(public)
        cache.set(key, value, _seconds_true(public))
    return cast(T, value)


def _seconds_true(public: dict[str, Any]) -> int:
    """How long the public view stays true without a change to the dossier."""
    if public["linked"]:
        return LINKED_SECONDS  # the linked dossiers change on their own revisions
    now = timezone.now()
    upcoming = [step["due_at"] for step in public["steps"] if step["finished_at"] is None and step["due_at"] > now]
    if not upcoming:
        return KEPT_SECONDS
    return max(1, min(KEPT_SECONDS, math.ceil((min(upcoming) - now).total_seconds())))


def _personal_data(tracking: Tracking) -> dict[str, Any]:
    """The applicant's detail, only for a verified lookup; never cached."""
    dossier = tracking.dossier
    profile = getattr(dossier.applicant, "citizen", None)
    return {
        "applicant": profile.full_name if profile else "",
        "delivery_method": dossier.get_delivery_method_display(),
        "notes": list(dossier.history.exclude(note="").values_list("note", flat=True)),
    }


def _public_data(tracking: Tracking) -> dict[str, Any]:
    # Plain rows and enum labels: a lookup is a handful of indexed reads, not model instances.
    from motcua.delivery.selectors import shipment_public_state  # delivery builds on dossiers

    dossier = tracking.dossier
    steps = (
        dossier.steps.exclude(status=StepStatus.CANCELLED)
        .values_list("name", "agency__name", "status", "started_at", "due_at", "finished_at", named=True)
        .order_by("started_at", "id")
    )
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "agency": dossier.agency.name,
        "status": dossier.status,
        "status_label": str(DossierStatus(dossier.status).label),
        "submitted_at": dossier.submitted_at,
        "due_at": dossier.due_at,
        "next_step": tracking.next_step,
        # Where the applicant pays online (their own page, after logging in) while fees are owed.
        "pay_url": reverse("dossiers:detail", args=[dossier.pk])
        if dossier.status in FEES_PAYABLE and fees_unpaid(dossier)
        else "",
        "rated": tracking.rated,
        "timeline": [
            {"status": entry.status, "label": entry.label, "at": entry.at} for entry in dossier_timeline(dossier)
        ],
        # Agencies, deadlines and marks only: no officer's name.
        "steps": [_public_step(step) for step in steps],
        "timeliness": _label(dossier_timeliness(dossier)),
        # A result sent by post: its state, carrier and dates, never the parcel's number.
        "shipment": shipment_public_state(dossier_id=dossier.pk),
        # Codes, procedures, agencies and states only: the same public view as the tracked one.
        "group_code": (dossier.group.code or "") if dossier.group is not None else "",
        "linked": [
            {
                "code": linked.code,
                "procedure": linked.procedure_version.name,
                "agency": linked.agency.name,
                "status": linked.status,
                "status_label": str(DossierStatus(linked.status).label),
            }
            for linked in tracking.linked
        ],
    }


def _label(value: Timeliness | None) -> dict[str, str] | None:
    return {"value": value.value, "label": str(value.label)} if value is not None else None


def _public_step(step: Any) -> dict[str, Any]:
    return {
        "name": step.name,
        "agency": step.agency__name,
        "status": step.status,
        "started_at": step.started_at,
        "due_at": step.due_at,
        "finished_at": step.finished_at,
        "timeliness": _label(step_timeliness(step)),
        "overdue": step_is_overdue(step),
    }


def next_step_text(dossier: Dossier) -> str:
    """What the applicant must do next, with the fees still owed while the dossier is open (the
    tracking page, and the `next_step` of the messages)."""
    text = str(NEXT_STEP.get(DossierStatus(dossier.status), ""))
    if dossier.status in FEES_PAYABLE and (owed := fees_unpaid(dossier)):
        text += " " + _("Phí, lệ phí phải nộp: %(amount)s. %(when)s") % {
            "amount": format_amount(owed),
            "when": fees_when_text(dossier.procedure_version.payment_timing),
        }
    return text


def tracking_url(dossier: Dossier) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/{dossier.code}/"


def tracking_qr(dossier: Dossier) -> str:
    """The QR code printed on receipts and slips: it opens the public tracking page."""
    from motcua.documents.qr import qr_svg

    return qr_svg(tracking_url(dossier))
