"""Report periods: whole days in Vietnam time, parsed from the `tu` and `den` query parameters.

A date that is not one (2026-02-30), a reversed or an over-long period is refused with the reason
(a 400 through ApplicationError), never silently changed. Used by every page that reports on a
period: collections, the statutory report, the leaders' dashboards, the 766 index.
"""

import datetime
from dataclasses import dataclass

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

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start 00:00, the day after end 00:00) in the site's time zone (Asia/Ho_Chi_Minh)."""
        zone = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return first, after

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


def period_parse(*, start: str, end: str) -> Period:
    """The period asked for: from the first of the end's month when no start is given, to today
    when no end is."""
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
    return period
