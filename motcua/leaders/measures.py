"""The dashboard's measures, each one definition for both its number and its list.

A measure is a condition (a Q) over the dossiers received in the period (by the local date of
`received_at`), evaluated on `with_timeliness_facts` rows so the national on-time rule can be
used. The same Q counts the number and filters the drill-down list, so the two cannot differ.
Where the daily counts kept from the events (`reports.DailyDossierCount`) hold the measure,
`columns` names the columns whose sum is the number; the rest are counted live.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.constants import AttachmentSource, Channel, DeliveryMethod, DossierStatus, SlipKind, StepStatus
from motcua.dossiers.deadlines import EARLY, FINISHED, LATE
from motcua.dossiers.models import DossierAttachment, DossierSlip, DossierStep
from motcua.payments.constants import ONLINE_METHODS, PaymentStatus
from motcua.payments.models import Payment
from motcua.reports.aggregates import ON_TIME, received_column
from motcua.reports.selectors import OPEN, disliked

# National portal submissions are online submissions that arrived through the portal.
ONLINE_CHANNELS = [Channel.ONLINE, Channel.NATIONAL_PORTAL]
IN_PROGRESS = Q(processed_at__isnull=True, status__in=OPEN)


@dataclass(frozen=True)
class Measure:
    name: str
    label: str | Promise
    q: Q
    # DailyDossierCount columns whose sum equals the count; empty: counted live.
    columns: tuple[str, ...] = ()


def _measures(*items: Measure) -> dict[str, Measure]:
    return {item.name: item for item in items}


MEASURES = _measures(
    Measure("received", _("Tiếp nhận"), Q(), tuple(received_column(channel) for channel in Channel.values)),
    *(
        Measure(f"received_{channel.value}", channel.label, Q(channel=channel), (received_column(channel),))
        for channel in Channel
    ),
    Measure("finished", _("Đã giải quyết"), FINISHED, ("finished_early", "finished_on_time", "finished_late")),
    Measure("finished_early", _("Giải quyết trước hạn"), EARLY, ("finished_early",)),
    Measure("finished_on_time", _("Giải quyết đúng hạn"), ON_TIME, ("finished_on_time",)),
    Measure(
        "finished_in_time", _("Giải quyết trước và đúng hạn"), FINISHED & ~LATE, ("finished_early", "finished_on_time")
    ),
    Measure("finished_late", _("Giải quyết quá hạn"), LATE, ("finished_late",)),
    Measure("in_progress", _("Đang giải quyết"), IN_PROGRESS),
    Measure("in_progress_on_time", _("Đang giải quyết trong hạn"), IN_PROGRESS & ~Q(due_at__lt=Now())),
    Measure("in_progress_overdue", _("Đang giải quyết quá hạn"), IN_PROGRESS & Q(due_at__lt=Now())),
    Measure("received_online_any", _("Nộp trực tuyến (kể cả qua Cổng quốc gia)"), Q(channel__in=ONLINE_CHANNELS)),
    Measure(
        "full_online",
        _("Trực tuyến toàn trình (nộp và nhận kết quả trực tuyến)"),
        Q(channel__in=ONLINE_CHANNELS, delivery_method=DeliveryMethod.ONLINE, returned_at__isnull=False),
    ),
    Measure("fee_payable", _("Có phí, lệ phí"), Q(fees_due__gt=0)),
    Measure(
        "paid_online",
        _("Thanh toán trực tuyến"),
        Q(fees_due__gt=0)
        & Q(
            Exists(Payment.objects.filter(dossier=OuterRef("pk"), method__in=ONLINE_METHODS, status=PaymentStatus.PAID))
        ),
    ),
    Measure(
        "digitised",
        _("Có thành phần hồ sơ điện tử"),
        Q(Exists(DossierAttachment.objects.filter(dossier=OuterRef("pk")))),
    ),
    Measure(
        "scanned",
        _("Số hóa tại quầy"),
        Q(Exists(DossierAttachment.objects.filter(dossier=OuterRef("pk"), source=AttachmentSource.SCAN))),
    ),
    Measure("finished_online", _("Đã giải quyết, nộp trực tuyến"), FINISHED & Q(channel__in=ONLINE_CHANNELS)),
    Measure("finished_counter", _("Đã giải quyết, nộp tại quầy"), FINISHED & Q(channel=Channel.COUNTER)),
    # What the data records of a dossier sent back: a step returned to the previous one, or a
    # supplement slip (at reception or during processing).
    Measure(
        "returned",
        _("Bị trả lại hoặc yêu cầu bổ sung"),
        Q(Exists(DossierStep.objects.filter(dossier=OuterRef("pk"), status=StepStatus.RETURNED)))
        | Q(Exists(DossierSlip.objects.filter(dossier=OuterRef("pk"), kind=SlipKind.SUPPLEMENT))),
    ),
    Measure("rated", _("Được đánh giá"), Q(rating__isnull=False), ("rated",)),
    Measure("dissatisfied", _("Không hài lòng"), Q(rating__isnull=False) & disliked("rating__"), ("dissatisfied",)),
    Measure("stopped", _("Dừng xử lý"), Q(status=DossierStatus.STOPPED), ("stopped",)),
    Measure("withdrawn", _("Rút hồ sơ"), Q(status=DossierStatus.WITHDRAWN), ("withdrawn",)),
)


# Shares shown as per cent: (numerator, denominator).
SHARES = {
    "online_share": ("received_online_any", "received"),
    "full_online_share": ("full_online", "received"),
    "paid_online_share": ("paid_online", "fee_payable"),
    "digitised_share": ("digitised", "received"),
    "in_time_share": ("finished_in_time", "finished"),
    "dissatisfied_share": ("dissatisfied", "rated"),
}
# Average processing time (result minus reception) of these lists, online against counter.
DURATIONS = ("finished_online", "finished_counter")
# The seeds' target: online dossiers processed at least 30 % faster than counter ones.
ONLINE_FASTER_TARGET = 0.30
