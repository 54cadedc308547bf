"""The working-day calendar: which days the offices work, office hours, and deadline arithmetic.

A day is a working day unless it is a Saturday, a Sunday or a Vietnamese public holiday, and an
administrator's override (`CalendarOverride`) always wins over those rules. Public holidays come
from the `holidays` package (country "VN", observed days included): New Year, Tết (lunar New
Year, five days including the observed ones), Hùng Kings' day (10/3 lunar), 30 April, 1 May,
2 September with its adjacent day, and the official day swaps the package knows (a Saturday
worked in exchange for a bridge day off). Years 2016–2035 are checked by the tests; any other
year works the same way but nobody has looked at it.

All arithmetic happens in local time (Asia/Ho_Chi_Minh by default). Instants must be aware;
results are aware datetimes in the local zone.

Due-date convention (read this before using `add_working_days`)
--------------------------------------------------------------
A deadline of N working days is N times the office time of one working day (7 h 30 with the
default hours), counted from the *counting start*: the reception instant itself when the dossier
arrives on a working day before the cut-off (moved forward into office hours if it arrived before
opening or during the lunch break), otherwise the opening of the next working day. The due
instant therefore keeps the clock time of the counting start, on the N-th working day after it:

* received Monday 09:00, 1 working day → due Tuesday 09:00;
* received Monday 16:30 (after the 16:00 cut-off), 1 working day → counted from Tuesday 07:30 →
  due Wednesday 07:30 (Tuesday is the whole working day the office gets);
* received Saturday, 1 working day → counted from Monday 07:30 → due Tuesday 07:30.

When the time runs out exactly at a closing time (lunch or evening) the due instant is the next
opening, not the closing: no working time separates the two, and this keeps the due *date* equal
to the date the Civil Code count gives.

Why this convention:

* It is what Vietnamese one-stop software does. The appointment calculation of the "TD"
  public-service platform (`CaculateTime.TinhNgayHenTra`, published in
  github.com/HuanVu201/DichVuCong_KhoaLuan_PASETO,
  DichVuCongApi/src/Core/Application/Common/Business/CaculateTime.cs) stores processing time in
  working hours (8 h = 1 day), moves a reception before opening to the opening, during lunch to
  the afternoon opening and after closing to the next morning, and returns the reception time
  plus that many office hours, so "Monday 09:00 + 1 day" is "Tuesday 09:00". We do the same,
  with the day's length taken from the configured office hours instead of a fixed 8 h.
* The date agrees with the Civil Code 2015, art. 147(2)-(3): a time limit counted in days does
  not count the day of the event that starts it; counting begins the next day. The reception
  day is never counted here either: the due date is the N-th working day after the reception
  day (after the next working day when the dossier came after the cut-off or on a day off).
* It is exact arithmetic on one quantity, working time. Process steps can share out the legal
  time (0.5 + 1.5 + 1 days ends where 3 days ends), a paused clock resumes with the working time
  that was left, and `working_time_between(start, due)` gives back exactly what was added.
"""

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.audit import audit_record
from motcua.core.constants import CalendarOverrideKind
from motcua.core.errors import ApplicationError
from motcua.core.models import CalendarOverride

LOCAL_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")
# An amount of working days or hours; fractions are allowed (0.5 day is half a day's office time).
Amount = int | float | Decimal | Fraction

_ZERO: Final = dt.timedelta(0)
_ONE_DAY: Final = dt.timedelta(days=1)
_MICROSECOND: Final = dt.timedelta(microseconds=1)
_SATURDAY: Final = 5


# --- The public-holiday rules (the `holidays` package) ------------------------------------------


@dataclass(frozen=True)
class _HolidayYear:
    days_off: Mapping[dt.date, str]  # date → Vietnamese holiday name
    working_weekends: frozenset[dt.date]  # Saturdays/Sundays worked in an official swap


@lru_cache(maxsize=256)
def _holiday_year(year: int) -> _HolidayYear:
    # Building one year costs a few milliseconds, so each year is built once per process.
    vn = holidays.country_holidays("VN", years=year, language="vi")
    return _HolidayYear(days_off=MappingProxyType(dict(vn)), working_weekends=frozenset(vn.weekend_workdays))


def _holiday_name(day: dt.date) -> str | None:
    return _holiday_year(day.year).days_off.get(day)


def _is_swapped_working_weekend(day: dt.date) -> bool:
    # A swap is filed under the year of its holiday, which may be the neighbouring year
    # (29 December worked for a day off on 2 January).
    return any(day in _holiday_year(year).working_weekends for year in (day.year - 1, day.year, day.year + 1))


def rules_say_working_day(day: dt.date) -> bool:
    """Whether `day` is a working day by the national rules alone, before any override."""
    if _holiday_name(day) is not None:
        return False
    if day.weekday() >= _SATURDAY:
        return _is_swapped_working_weekend(day)
    return True


# --- Parsing the settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """One stretch of office time, as offsets from local midnight."""

    start: dt.timedelta
    end: dt.timedelta


def _since_midnight(value: dt.time) -> dt.timedelta:
    return dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)


def _parse_time(value: str | dt.time) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value.strip())


def _parse_segment(value: str | tuple[dt.time, dt.time]) -> _Segment:
    if isinstance(value, str):
        start_text, separator, end_text = value.partition("-")
        if not separator:
            raise ValueError(f"Office hours must look like '07:30-11:30', not {value!r}.")
        start, end = _parse_time(start_text), _parse_time(end_text)
    else:
        start, end = value
    return _Segment(_since_midnight(start), _since_midnight(end))


def _parse_office_hours(values: Sequence[str | tuple[dt.time, dt.time]]) -> tuple[_Segment, ...]:
    segments = tuple(sorted((_parse_segment(value) for value in values), key=lambda segment: segment.start))
    if not segments:
        raise ValueError("At least one stretch of office hours is needed.")
    for segment in segments:
        if segment.end <= segment.start:
            raise ValueError("Each stretch of office hours must end after it starts.")
    for earlier, later in pairwise(segments):
        if later.start < earlier.end:
            raise ValueError("Stretches of office hours must not overlap.")
    return segments


def _override_is_working(kind: str) -> bool:
    if kind not in CalendarOverrideKind.values:
        raise ValueError(f"Unknown calendar override kind {kind!r}.")
    return kind == CalendarOverrideKind.WORKING_DAY


def _scaled(unit: dt.timedelta, amount: Amount) -> dt.timedelta:
    """`amount` units as a timedelta, exact to the microsecond (Fraction avoids float drift)."""
    if isinstance(amount, float) and not math.isfinite(amount):
        raise ValueError("The amount of working time must be a finite number.")
    fraction = Fraction(amount)
    if fraction < 0:
        raise ValueError("The amount of working time cannot be negative.")
    return dt.timedelta(microseconds=round(fraction * (unit // _MICROSECOND)))


# --- The calendar ------------------------------------------------------------------------------


class WorkingCalendar:
    """Working days, office hours and the submission cut-off, with deadline arithmetic.

    Immutable once built. `get_calendar()` builds the one the application uses from the settings
    and the override table; tests build their own.
    """

    def __init__(
        self,
        *,
        office_hours: Sequence[str | tuple[dt.time, dt.time]],
        cutoff: str | dt.time,
        overrides: Mapping[dt.date, str] | None = None,
        tz: dt.tzinfo = LOCAL_TZ,
    ) -> None:
        self._segments = _parse_office_hours(office_hours)
        self._cutoff = _since_midnight(_parse_time(cutoff))
        self._overrides = {day: _override_is_working(kind) for day, kind in (overrides or {}).items()}
        self._tz = tz
        self.day_length: dt.timedelta = sum((s.end - s.start for s in self._segments), _ZERO)

    # Days.

    def is_working_day(self, day: dt.date) -> bool:
        """An override for `day` wins; otherwise weekends and public holidays are days off."""
        override = self._overrides.get(day)
        return rules_say_working_day(day) if override is None else override

    def holiday_name(self, day: dt.date) -> str | None:
        """The Vietnamese name of the public holiday on `day`, if the national rules have one."""
        return _holiday_name(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def working_days_between(self, start_date: dt.date, end_date: dt.date) -> int:
        """How many working days d satisfy start_date < d <= end_date (0 if end_date <= start_date).

        The start day is not counted, as in the Civil Code's count of days, so
        `working_days_between(reception_date, due_date)` is the number of days the office had.
        """
        count = 0
        day = start_date + _ONE_DAY
        while day <= end_date:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    # Instants.

    def opening_time(self, day: dt.date) -> dt.datetime:
        """When office hours begin on `day` (whether or not it is a working day)."""
        return self._at(day, self._segments[0].start)

    def closing_time(self, day: dt.date) -> dt.datetime:
        """When office hours end on `day` (whether or not it is a working day)."""
        return self._at(day, self._segments[-1].end)

    def is_office_time(self, instant: dt.datetime) -> bool:
        """Whether `instant` falls in office hours [opening, closing) of a working day."""
        day, offset = self._local(instant)
        return self.is_working_day(day) and any(s.start <= offset < s.end for s in self._segments)

    def counting_start(self, instant: dt.datetime, *, cutoff: dt.time | None = None) -> dt.datetime:
        """The instant from which a deadline counts for something submitted at `instant`.

        On a working day before the cut-off: `instant` itself, moved forward into office hours
        (before opening → opening; lunch break → afternoon opening). At or after the cut-off, or
        on a day off: the opening of the next working day. `cutoff` is a procedure's own cut-off
        in place of the calendar's.
        """
        day, offset = self._local(instant)
        if self.is_working_day(day) and offset < (self._cutoff if cutoff is None else _since_midnight(cutoff)):
            day, offset = self._office_point_from(day, offset)
        else:
            day, offset = self.next_working_day(day), self._segments[0].start
        return self._at(day, offset)

    def add_working_time(self, instant: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """`instant` plus `duration` of office time on working days; no cut-off applies.

        Time before the next office moment does not count. The result lies in office hours; when
        `duration` runs out exactly at a closing time, the result is the next opening. Use it to
        chain process steps and to resume a paused clock with the working time that was left.
        """
        if duration < _ZERO:
            raise ValueError("The amount of working time cannot be negative.")
        day, offset = self._office_point_from(*self._local(instant))
        return self._at(*self._advance(day, offset, duration))

    def add_working_hours(self, instant: dt.datetime, hours: Amount) -> dt.datetime:
        """`instant` plus `hours` office hours (see `add_working_time`); no cut-off applies.

        For a procedure whose legal time is in working hours, start from the counting start:
        `add_working_hours(calendar.counting_start(received_at), hours)`.
        """
        return self.add_working_time(instant, _scaled(dt.timedelta(hours=1), hours))

    def add_working_days(self, instant: dt.datetime, days: Amount, *, cutoff: dt.time | None = None) -> dt.datetime:
        """The due instant for something submitted at `instant` with `days` working days.

        `days` × the office time of one working day, counted from `counting_start(instant)`, so
        the cut-off applies. With whole days the result is the counting start's clock time on
        the `days`-th working day after it (Monday 09:00 + 1 → Tuesday 09:00); fractions are
        parts of a day's office time (0.5 day = 3 h 45 with the default hours). The module
        docstring explains this convention and its sources. `cutoff` as in `counting_start`.
        """
        return self.add_working_time(self.counting_start(instant, cutoff=cutoff), _scaled(self.day_length, days))

    def same_day_due(self, instant: dt.datetime, *, cutoff: dt.time | None = None) -> dt.datetime:
        """The due instant of a same-day procedure submitted at `instant`: the closing time of the
        working day its deadline counts from ("trong ngày; nhận sau 15 giờ thì trả trong ngày làm
        việc tiếp theo"). Unlike `add_working_time` the due instant is the closing itself, so the
        appointment stays on that day. `cutoff` as in `counting_start`.
        """
        day, _offset = self._local(self.counting_start(instant, cutoff=cutoff))
        return self.closing_time(day)

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """The office time on working days between two instants (zero if end <= start)."""
        if end <= start:
            return _ZERO
        start_day, start_offset = self._local(start)
        end_day, end_offset = self._local(end)
        if start_day == end_day:
            return self._office_time_within(start_day, start_offset, end_offset)
        whole_days = self.working_days_between(start_day, end_day - _ONE_DAY)
        return (
            self._office_time_within(start_day, start_offset, _ONE_DAY)
            + self.day_length * whole_days
            + self._office_time_within(end_day, _ZERO, end_offset)
        )

    # Helpers, all in (local date, offset from local midnight).

    def _local(self, instant: dt.datetime) -> tuple[dt.date, dt.timedelta]:
        if timezone.is_naive(instant):
            raise ValueError("Working-day arithmetic needs an aware datetime.")
        local = instant.astimezone(self._tz)
        return local.date(), _since_midnight(local.time())

    def _at(self, day: dt.date, offset: dt.timedelta) -> dt.datetime:
        # Wall-clock addition; Vietnam has had no daylight-saving time since 1975.
        return dt.datetime.combine(day, dt.time(), tzinfo=self._tz) + offset

    def _office_point_from(self, day: dt.date, offset: dt.timedelta) -> tuple[dt.date, dt.timedelta]:
        """The first office moment at or after (day, offset)."""
        if self.is_working_day(day):
            for segment in self._segments:
                if offset < segment.end:
                    return day, max(offset, segment.start)
        return self.next_working_day(day), self._segments[0].start

    def _advance(self, day: dt.date, offset: dt.timedelta, remaining: dt.timedelta) -> tuple[dt.date, dt.timedelta]:
        """Walk `remaining` office time forward from an office moment."""
        while True:
            for segment in self._segments:
                if segment.end <= offset:
                    continue
                begin = max(offset, segment.start)
                available = segment.end - begin
                # Strictly less: time ending exactly at a closing moves on to the next opening.
                if remaining < available:
                    return day, begin + remaining
                remaining -= available
            day, offset = self.next_working_day(day), _ZERO
            # Whole days at once, so a deadline of months does not walk every stretch.
            while remaining >= self.day_length:
                remaining -= self.day_length
                day = self.next_working_day(day)

    def _office_time_within(self, day: dt.date, start: dt.timedelta, end: dt.timedelta) -> dt.timedelta:
        if not self.is_working_day(day):
            return _ZERO
        total = _ZERO
        for segment in self._segments:
            total += max(_ZERO, min(end, segment.end) - max(start, segment.start))
        return total


# --- The application's calendar ------------------------------------------------------------------


class _CalendarCache:
    """The last calendar built, keyed by everything it was built from."""

    key: tuple[Any, ...] | None = None
    calendar: WorkingCalendar | None = None


def get_calendar() -> WorkingCalendar:
    """The calendar from the settings and the override table.

    Costs one query on the (small) override table and rebuilds only when the settings or the
    overrides differ from the last build. The key is the table's content rather than a version
    bumped by the services because the embedded profile's cache is per process (the task worker
    would never see a bump), and because tests roll the table back but not the cache. It also
    sees an override written earlier in the same transaction. Hold on to the result in loops.
    """
    rows = tuple(CalendarOverride.objects.order_by("date").values_list("date", "kind"))
    key = (tuple(settings.MOTCUA_OFFICE_HOURS), settings.MOTCUA_SUBMISSION_CUTOFF, settings.TIME_ZONE, rows)
    calendar = _CalendarCache.calendar
    if calendar is None or _CalendarCache.key != key:
        calendar = WorkingCalendar(
            office_hours=settings.MOTCUA_OFFICE_HOURS,
            cutoff=settings.MOTCUA_SUBMISSION_CUTOFF,
            overrides=dict(rows),
            tz=ZoneInfo(settings.TIME_ZONE),
        )
        # Two threads racing here at worst build the same calendar twice.
        _CalendarCache.key, _CalendarCache.calendar = key, calendar
    return calendar


# --- Services: administrator overrides -----------------------------------------------------------


def _refuse_past(day: dt.date) -> None:
    # Due dates already issued were computed with the calendar as it was; changing a day that
    # has passed would silently move them. Today stays editable: a same-day closure (a storm)
    # must be recordable.
    if day < timezone.localdate():
        raise ApplicationError(
            _(
                "Không thể điều chỉnh lịch làm việc của ngày %(date)s vì ngày này đã qua: việc đó sẽ "
                "làm thay đổi ngày hẹn trả kết quả của các hồ sơ đã tiếp nhận."
            )
            % {"date": f"{day:%d/%m/%Y}"},
            code="calendar_past_date",
            extra={"date": day.isoformat()},
        )


def _refuse_noop(day: dt.date, kind: str, existing: CalendarOverride | None) -> None:
    if rules_say_working_day(day) != (kind == CalendarOverrideKind.WORKING_DAY):
        return
    if kind == CalendarOverrideKind.WORKING_DAY:
        message = _("Ngày %(date)s vốn là ngày làm việc theo lịch chung nên không cần điều chỉnh.")
    else:
        message = _("Ngày %(date)s vốn là ngày nghỉ theo lịch chung nên không cần điều chỉnh.")
    if existing is not None:
        message += " " + _("Hãy xoá điều chỉnh hiện có để trở lại lịch chung.")
    raise ApplicationError(message % {"date": f"{day:%d/%m/%Y}"}, code="calendar_override_noop")


def _snapshot(override: CalendarOverride | None) -> dict[str, str] | None:
    return None if override is None else {"kind": override.kind, "reason": override.reason}


def _check_date(day: dt.date) -> None:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError("A calendar override is for a date, not an instant.")


def calendar_override_check(*, date: dt.date, kind: str) -> None:
    """The refusals of `calendar_override_set`, for a form to show next to the date field."""
    _refuse_past(date)
    _refuse_noop(date, kind, CalendarOverride.objects.filter(date=date).first())


def calendar_override_set(*, actor: Any, date: dt.date, kind: str, reason: str) -> CalendarOverride:
    """Create or change the override for `date`: an extra day off or a worked day (day swap).

    Refused for a date before today (local date), for an unknown kind, without a reason, and when
    the override would say what the national rules already say.
    """
    _check_date(date)
    if kind not in CalendarOverrideKind.values:
        raise ApplicationError(_("Loại điều chỉnh lịch không hợp lệ."), code="calendar_override_invalid_kind")
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Cần ghi lý do điều chỉnh lịch làm việc."), code="calendar_override_reason_required")
    with transaction.atomic():
        _refuse_past(date)
        override = CalendarOverride.objects.select_for_update().filter(date=date).first()
        _refuse_noop(date, kind, override)
        before = _snapshot(override)
        if override is None:
            user = actor if getattr(actor, "is_authenticated", False) else None
            override = CalendarOverride.objects.create(date=date, kind=kind, reason=reason, created_by=user)
        else:
            override.kind, override.reason = kind, reason
            override.save(update_fields=["kind", "reason"])
        audit_record(
            actor=actor,
            action="calendar_override.set",
            obj=override,
            summary={"date": date.isoformat(), "before": before, "after": _snapshot(override)},
        )
    return override


def calendar_override_delete(*, actor: Any, date: dt.date) -> None:
    """Remove the override for `date`, so the national rules apply again. Refused for past dates."""
    _check_date(date)
    with transaction.atomic():
        _refuse_past(date)
        override = CalendarOverride.objects.select_for_update().filter(date=date).first()
        if override is None:
            raise ApplicationError(
                _("Ngày %(date)s không có điều chỉnh lịch nào để xoá.") % {"date": f"{date:%d/%m/%Y}"},
                code="calendar_override_not_found",
            )
        # Recorded before the delete, while the row still has its id.
        audit_record(
            actor=actor,
            action="calendar_override.delete",
            obj=override,
            summary={"date": date.isoformat(), "before": _snapshot(override), "after": None},
        )
        override.delete()
