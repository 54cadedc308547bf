"""Report periods: whole days in Vietnam time, parsed from the `tu` and `den` query parameters.

A date that is not one (2026-02-30), a reversed or an over-long period is refused with the reason
(a 400 through ApplicationError), never silently changed. Used by every page that reports on a
period: collections, the statutory report, the leaders' dashboards, the 766 index. The last three
report on what has happened (`so_far`): a period starting after today is refused, one ending
after today is cut at today and says so (`asked_end`), since "carried over", "in progress" and
"overdue" at a future instant would be guesses presented as figures.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError

START, END = "tu", "den"
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    """Whole days in Vietnam time, `start` and `end` included."""

    start: datetime.date
    end: datetime.date
    # The end asked for when it was after today and the period was cut at today (`so_far`).
    asked_end: datetime.date | None = field(default=None, compare=False)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start 00:00, the day after end 00:00) in the site's time zone (Asia/Ho_Chi_Minh)."""
        zone = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return first, after

    def judged_at(self) -> datetime.datetime:
        """The instant the period's in-progress dossiers are judged on time or overdue at: its end,
        or now while the period is running (a dossier due this afternoon is not overdue yet)."""
        return min(self.bounds()[1], timezone.now())

    def query(self) -> dict[str, str]:
        return {START: self.start.isoformat(), END: self.end.isoformat()}


def _date(text: str, label: str) -> datetime.date | None:
    if not text.strip():
        return None
    try:
        value = parse_date(text.strip())
    except ValueError:  # well formed but impossible, such as 2026-02-30
        value = None
    if value is None or value.year < 1900 or value.year > 9000:
        raise ApplicationError(_("%(label)s không phải là một ngày hợp lệ.") % {"label": label}, code="period_bad_date")
    return value


def period_parse(*, start: str, end: str, so_far: bool = False) -> Period:
    """The period asked for: from the first of the end's month when no start is given, to today
    when no end is; with `so_far`, one starting after today is refused and one ending after today
    is cut at today (its `asked_end` says so)."""
    today = timezone.localdate()
    first, last = _date(start, _("Từ ngày")), _date(end, _("Đến ngày"))
    period = Period(start=first or (last or today).replace(day=1), end=last or today)
    if period.start > period.end:
        raise ApplicationError(
            _("Kỳ báo cáo không hợp lệ: ngày bắt đầu (%(start)s) sau ngày kết thúc (%(end)s).")
            % {"start": period.start.strftime("%d/%m/%Y"), "end": period.end.strftime("%d/%m/%Y")},
            code="period_reversed",
        )
    if (period.end - period.start).days > MAX_PERIOD_DAYS:
        raise ApplicationError(_("Kỳ báo cáo dài quá ba năm; hãy chọn kỳ ngắn hơn."), code="period_too_long")
    if so_far and period.start > today:
        raise ApplicationError(
            _("Kỳ báo cáo bắt đầu sau hôm nay (%(start)s): chưa có số liệu của kỳ này.")
            % {"start": period.start.strftime("%d/%m/%Y")},
            code="period_future",
        )
    if so_far and period.end > today:
        return Period(start=period.start, end=today, asked_end=period.end)
    return period
