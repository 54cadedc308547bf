"""The dashboard's measures, each one definition for both its number and its list.

A measure is a condition (a Q) over the dossiers received in the period (by the local date of
`received_at`), evaluated on `with_timeliness_facts` rows so the national on-time rule can be
used. The same Q counts the number and filters the drill-down list, so the two cannot differ.
Where the daily counts kept from the events (`reports.DailyDossierCount`) hold the measure,
`columns` names the columns whose sum is the number; the rest are counted live.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Now
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.constants import Channel
from motcua.reports.aggregates import CONDITIONS, ONLINE_CHANNELS, RECEIVED_COLUMNS, received_column
from motcua.reports.selectors import OPEN

IN_PROGRESS = Q(processed_at__isnull=True, status__in=OPEN)


@dataclass(frozen=True)
class Measure:
    name: str
    label: str | Promise
    q: Q
    # DailyDossierCount columns whose sum equals the count; empty: counted live.
    columns: tuple[str, ...] = ()


def kept(name: str, label: str | Promise, *columns: str) -> Measure:
    """A measure the daily counts hold: the sum of `columns` (by default its own), each counted
    with its condition in `reports.aggregates.CONDITIONS`, which also filters its list."""
    columns = columns or (name,)
    q = Q()
    for column in columns:
        q |= CONDITIONS[column]
    return Measure(name, label, q, columns)


def _measures(*items: Measure) -> dict[str, Measure]:
    return {item.name: item for item in items}


MEASURES = _measures(
    kept("received", _("Tiếp nhận"), *RECEIVED_COLUMNS),
    *(kept(received_column(channel), channel.label) for channel in Channel),
    kept("finished", _("Đã giải quyết"), "finished_early", "finished_on_time", "finished_late"),
    kept("finished_early", _("Giải quyết trước hạn")),
    kept("finished_on_time", _("Giải quyết đúng hạn")),
    kept("finished_in_time", _("Giải quyết trước và đúng hạn"), "finished_early", "finished_on_time"),
    kept("finished_late", _("Giải quyết quá hạn")),
    Measure("in_progress", _("Đang giải quyết"), IN_PROGRESS),
    Measure("in_progress_on_time", _("Đang giải quyết trong hạn"), IN_PROGRESS & ~Q(due_at__lt=Now())),
    Measure("in_progress_overdue", _("Đang giải quyết quá hạn"), IN_PROGRESS & Q(due_at__lt=Now())),
    kept(
        "received_online_any",
        _("Nộp trực tuyến (kể cả qua Cổng quốc gia)"),
        *(received_column(channel) for channel in ONLINE_CHANNELS),
    ),
    kept("full_online", _("Trực tuyến toàn trình (nộp và nhận kết quả trực tuyến)")),
    kept("fee_payable", _("Có phí, lệ phí")),
    kept("paid_online", _("Thanh toán trực tuyến")),
    kept("digitised", _("Có thành phần hồ sơ điện tử")),
    kept("scanned", _("Số hóa tại quầy")),
    kept("finished_online", _("Đã giải quyết, nộp trực tuyến")),
    kept("finished_counter", _("Đã giải quyết, nộp tại quầy")),
    kept("returned", _("Bị trả lại hoặc yêu cầu bổ sung")),
    kept("rated", _("Được đánh giá")),
    kept("dissatisfied", _("Không hài lòng")),
    kept("stopped", _("Dừng xử lý")),
    kept("withdrawn", _("Rút hồ sơ")),
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
# Average processing time (result minus reception) of these lists, online against counter: the
# daily counts sum it in these columns.
DURATIONS = {"finished_online": "duration_online", "finished_counter": "duration_counter"}
# The seeds' target: online dossiers processed at least 30 % faster than counter ones.
ONLINE_FASTER_TARGET = 0.30
