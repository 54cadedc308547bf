"""Which period a scheduled report covers, and on which days it is sent."""

import datetime

from motcua.report_templates.constants import Frequency, Period


def _quarter_start(day: datetime.date) -> datetime.date:
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def period_covered(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last whole period of kind `period` that ended before `today`, as (first, last) day."""
    yesterday = today - datetime.timedelta(days=1)
    if period == Period.YESTERDAY:
        return yesterday, yesterday
    if period == Period.LAST_WEEK:
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        return monday, monday + datetime.timedelta(days=6)
    if period == Period.LAST_MONTH:
        end = today.replace(day=1) - datetime.timedelta(days=1)
        return end.replace(day=1), end
    if period == Period.LAST_QUARTER:
        end = _quarter_start(today) - datetime.timedelta(days=1)
        return _quarter_start(end), end
    if period == Period.LAST_YEAR:
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    raise ValueError(f"unknown period {period!r}")


def sending_day(frequency: str, today: datetime.date) -> bool:
    """Whether a report of `frequency` is due on `today`."""
    return {
        Frequency.DAILY: True,
        Frequency.WEEKLY: today.weekday() == 0,
        Frequency.MONTHLY: today.day == 1,
        Frequency.QUARTERLY: today.day == 1 and today.month in (1, 4, 7, 10),
        Frequency.YEARLY: today.day == 1 and today.month == 1,
    }[Frequency(frequency)]
