"""The working-day calendar: holidays, overrides, cut-off, deadline arithmetic and override services."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from motcua.core.constants import CalendarOverrideKind
from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent, CalendarOverride
from motcua.core.workdays import (
    LOCAL_TZ,
    WorkingCalendar,
    calendar_override_delete,
    calendar_override_set,
    get_calendar,
)

OFFICE_HOURS = ["07:30-11:30", "13:30-17:00"]
DAY_OFF = CalendarOverrideKind.DAY_OFF
WORKING_DAY = CalendarOverrideKind.WORKING_DAY

# Lunar New Year's day (mùng 1 Tết) by the Vietnamese calendar (UTC+7). 2030 differs from the
# Chinese calendar (3 February there): a Chinese-calendar library would get Tết 2030 wrong.
TET = {
    2016: dt.date(2016, 2, 8), 2017: dt.date(2017, 1, 28), 2018: dt.date(2018, 2, 16), 2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12), 2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 2), 2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11), 2033: dt.date(2033, 1, 31), 2034: dt.date(2034, 2, 19), 2035: dt.date(2035, 2, 8),
}  # fmt: skip
# Hùng Kings' commemoration day, 10th day of the 3rd lunar month.
HUNG_KINGS = {
    2016: dt.date(2016, 4, 16), 2017: dt.date(2017, 4, 6), 2018: dt.date(2018, 4, 25), 2019: dt.date(2019, 4, 14),
    2020: dt.date(2020, 4, 2), 2021: dt.date(2021, 4, 21), 2022: dt.date(2022, 4, 10), 2023: dt.date(2023, 4, 29),
    2024: dt.date(2024, 4, 18), 2025: dt.date(2025, 4, 7), 2026: dt.date(2026, 4, 26), 2027: dt.date(2027, 4, 16),
    2028: dt.date(2028, 4, 4), 2029: dt.date(2029, 4, 23), 2030: dt.date(2030, 4, 12), 2031: dt.date(2031, 4, 1),
    2032: dt.date(2032, 4, 19), 2033: dt.date(2033, 4, 9), 2034: dt.date(2034, 4, 28), 2035: dt.date(2035, 4, 17),
}  # fmt: skip


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar(office_hours=OFFICE_HOURS, cutoff="16:00")


# --- Holidays ----------------------------------------------------------------------------------


def test_tet_2026_days_are_days_off(calendar: WorkingCalendar) -> None:
    """Tết Bính Ngọ 2026 (lunar New Year's eve 16/2 to the 4th day 20/2) is off; around it is work."""
    for day in range(16, 21):
        assert not calendar.is_working_day(dt.date(2026, 2, day))
    assert calendar.holiday_name(dt.date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert calendar.is_working_day(dt.date(2026, 2, 13))
    assert calendar.is_working_day(dt.date(2026, 2, 23))


@pytest.mark.parametrize(
    "day",
    [dt.date(2026, 1, 1), dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 9, 2), dt.date(2026, 9, 1)],
)
def test_fixed_public_holidays_2026_are_days_off(calendar: WorkingCalendar, day: dt.date) -> None:
    """New Year, 30 April, 1 May and National Day 2 September with its adjacent day (1/9) are off."""
    assert not calendar.is_working_day(day)


def test_hung_kings_day_2026_and_its_observed_day(calendar: WorkingCalendar) -> None:
    """Hùng Kings' day 2026 (10/3 lunar) is Sunday 26 April, so Monday 27 April is off instead."""
    assert calendar.holiday_name(dt.date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương"
    assert not calendar.is_working_day(dt.date(2026, 4, 27))
    assert calendar.is_working_day(dt.date(2026, 4, 28))


def test_official_day_swap_known_to_the_rules(calendar: WorkingCalendar) -> None:
    """The 2025 swap: Saturday 26/4 was worked in exchange for Friday 2/5 off."""
    assert calendar.is_working_day(dt.date(2025, 4, 26))
    assert not calendar.is_working_day(dt.date(2025, 5, 2))


@pytest.mark.parametrize("year", range(2016, 2036))
def test_holidays_for_every_year_2016_to_2035(calendar: WorkingCalendar, year: int) -> None:
    """Each year 2016–2035 has Tết (eve to 4th day off), Hùng Kings' day, 1/1, 30/4, 1/5 and 2/9."""
    tet = TET[year]
    assert calendar.holiday_name(tet) == "Tết Nguyên Đán"
    for offset in range(-1, 4):
        assert not calendar.is_working_day(tet + dt.timedelta(days=offset))
    assert calendar.holiday_name(HUNG_KINGS[year]) == "Ngày Giỗ Tổ Hùng Vương"
    for month, day in [(1, 1), (4, 30), (5, 1), (9, 2)]:
        assert not calendar.is_working_day(dt.date(year, month, day))
        assert calendar.holiday_name(dt.date(year, month, day))
    for day in (HUNG_KINGS[year], *(tet + dt.timedelta(days=n) for n in range(-1, 4))):
        assert "dự kiến" not in (calendar.holiday_name(day) or "")  # not an estimate


def test_weekends_are_days_off(calendar: WorkingCalendar) -> None:
    """Saturdays and Sundays are days off; an ordinary Monday is a working day."""
    assert not calendar.is_working_day(dt.date(2026, 3, 7))
    assert not calendar.is_working_day(dt.date(2026, 3, 8))
    assert calendar.is_working_day(dt.date(2026, 3, 9))
    assert calendar.next_working_day(dt.date(2026, 3, 6)) == dt.date(2026, 3, 9)


# --- Overrides win ------------------------------------------------------------------------------


def test_override_making_a_saturday_a_working_day_wins() -> None:
    """A working Saturday from an official swap counts as a working day in deadlines."""
    calendar = WorkingCalendar(office_hours=OFFICE_HOURS, cutoff="16:00", overrides={dt.date(2026, 3, 7): WORKING_DAY})
    assert calendar.is_working_day(dt.date(2026, 3, 7))
    assert calendar.add_working_days(at(2026, 3, 6, 9), 1) == at(2026, 3, 7, 9)


def test_override_adding_a_day_off_wins_over_a_weekday() -> None:
    """An extra day off on a Tuesday pushes a deadline over it."""
    calendar = WorkingCalendar(office_hours=OFFICE_HOURS, cutoff="16:00", overrides={dt.date(2026, 3, 10): DAY_OFF})
    assert not calendar.is_working_day(dt.date(2026, 3, 10))
    assert calendar.add_working_days(at(2026, 3, 9, 9), 1) == at(2026, 3, 11, 9)


def test_override_wins_over_a_public_holiday() -> None:
    """Overrides win over the holiday rules too, not only over weekends."""
    calendar = WorkingCalendar(office_hours=OFFICE_HOURS, cutoff="16:00", overrides={dt.date(2026, 9, 2): WORKING_DAY})
    assert calendar.is_working_day(dt.date(2026, 9, 2))


def test_unknown_override_kind_is_refused() -> None:
    """A calendar cannot be built with an override kind it does not know."""
    with pytest.raises(ValueError):
        WorkingCalendar(office_hours=OFFICE_HOURS, cutoff="16:00", overrides={dt.date(2026, 3, 9): "holiday"})


# --- Cut-off and counting start -----------------------------------------------------------------


def test_submission_before_cutoff_counts_from_itself(calendar: WorkingCalendar) -> None:
    """At 15:59 on a working day the clock starts at once: 1 working day later is 15:59 tomorrow."""
    assert calendar.counting_start(at(2026, 3, 9, 15, 59)) == at(2026, 3, 9, 15, 59)
    assert calendar.add_working_days(at(2026, 3, 9, 15, 59), 1) == at(2026, 3, 10, 15, 59)


def test_submission_at_or_after_cutoff_counts_from_next_working_day(calendar: WorkingCalendar) -> None:
    """At 16:00 (the cut-off) the clock starts at the next working day's opening."""
    assert calendar.counting_start(at(2026, 3, 9, 16)) == at(2026, 3, 10, 7, 30)
    assert calendar.counting_start(at(2026, 3, 9, 23, 59)) == at(2026, 3, 10, 7, 30)
    assert calendar.add_working_days(at(2026, 3, 9, 16, 30), 1) == at(2026, 3, 11, 7, 30)
    # Friday after the cut-off: counted from Monday.
    assert calendar.counting_start(at(2026, 3, 13, 16, 5)) == at(2026, 3, 16, 7, 30)


def test_submission_on_a_day_off_counts_from_next_working_day(calendar: WorkingCalendar) -> None:
    """A Saturday submission, even in the morning, counts from Monday's opening."""
    assert calendar.counting_start(at(2026, 3, 7, 9)) == at(2026, 3, 9, 7, 30)
    assert calendar.add_working_days(at(2026, 3, 7, 9), 1) == at(2026, 3, 10, 7, 30)


def test_submission_outside_office_hours_before_cutoff_is_moved_into_them(calendar: WorkingCalendar) -> None:
    """Before opening counts from the opening; during lunch from the afternoon opening."""
    assert calendar.counting_start(at(2026, 3, 9, 6)) == at(2026, 3, 9, 7, 30)
    assert calendar.counting_start(at(2026, 3, 9, 12)) == at(2026, 3, 9, 13, 30)
    assert calendar.counting_start(at(2026, 3, 9, 11, 30)) == at(2026, 3, 9, 13, 30)


def test_cutoff_is_configurable() -> None:
    """With a 15:00 cut-off a 15:30 submission counts from the next working day."""
    calendar = WorkingCalendar(office_hours=OFFICE_HOURS, cutoff="15:00")
    assert calendar.counting_start(at(2026, 3, 9, 15, 30)) == at(2026, 3, 10, 7, 30)
    assert calendar.counting_start(at(2026, 3, 9, 14, 59)) == at(2026, 3, 9, 14, 59)


# --- Due-date convention ------------------------------------------------------------------------


def test_due_date_convention_examples(calendar: WorkingCalendar) -> None:
    """N working days keep the reception's clock time on the N-th working day after reception."""
    assert calendar.add_working_days(at(2026, 3, 9, 9), 1) == at(2026, 3, 10, 9)
    assert calendar.add_working_days(at(2026, 3, 9, 9), 5) == at(2026, 3, 16, 9)
    assert calendar.add_working_days(at(2026, 3, 9, 9), 0) == at(2026, 3, 9, 9)


def test_time_ending_at_a_closing_is_due_at_the_next_opening(calendar: WorkingCalendar) -> None:
    """Received at opening, 1 day is due at the next opening: the reception day is not counted."""
    assert calendar.add_working_days(at(2026, 3, 9, 7, 30), 1) == at(2026, 3, 10, 7, 30)
    assert calendar.add_working_hours(at(2026, 3, 9, 10), 1.5) == at(2026, 3, 9, 13, 30)


def test_fractional_working_days(calendar: WorkingCalendar) -> None:
    """Half a day is half of a day's 7 h 30 of office time; Decimal and float amounts both work."""
    assert calendar.add_working_days(at(2026, 3, 9, 7, 30), 0.5) == at(2026, 3, 9, 11, 15)
    assert calendar.add_working_days(at(2026, 3, 9, 13, 30), 0.5) == at(2026, 3, 10, 7, 45)
    assert calendar.add_working_days(at(2026, 3, 9, 9), Decimal("1.5")) == at(2026, 3, 10, 14, 45)


def test_deadline_spanning_tet(calendar: WorkingCalendar) -> None:
    """Deadlines jump the weekends and the Tết holiday (14–22 February 2026 are all days off)."""
    assert calendar.add_working_days(at(2026, 2, 13, 9), 1) == at(2026, 2, 23, 9)
    assert calendar.add_working_days(at(2026, 2, 13, 9), 3) == at(2026, 2, 25, 9)
    assert calendar.add_working_days(at(2026, 2, 9, 9), 10) == at(2026, 3, 2, 9)
    assert calendar.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 23)) == 1


# --- Hours arithmetic ---------------------------------------------------------------------------


def test_hours_across_lunch(calendar: WorkingCalendar) -> None:
    """10:00 + 2 h: 1 h 30 before lunch, 30 min after it → 14:00."""
    assert calendar.add_working_hours(at(2026, 3, 9, 10), 2) == at(2026, 3, 9, 14)


def test_hours_across_the_night(calendar: WorkingCalendar) -> None:
    """16:30 + 1 h: 30 min today, 30 min tomorrow morning → 08:00 (no cut-off for hours)."""
    assert calendar.add_working_hours(at(2026, 3, 9, 16, 30), 1) == at(2026, 3, 10, 8)


def test_hours_across_a_weekend(calendar: WorkingCalendar) -> None:
    """Friday 16:30 + 1 h → Monday 08:00."""
    assert calendar.add_working_hours(at(2026, 3, 13, 16, 30), 1) == at(2026, 3, 16, 8)


def test_hours_across_tet(calendar: WorkingCalendar) -> None:
    """Friday 13 February 2026 16:00 + 2 h → Monday 23 February 08:30, after Tết."""
    assert calendar.add_working_hours(at(2026, 2, 13, 16), 2) == at(2026, 2, 23, 8, 30)


def test_hours_from_outside_office_hours_start_at_next_opening(calendar: WorkingCalendar) -> None:
    """Hours added at night or on a Sunday start counting at the next opening."""
    assert calendar.add_working_hours(at(2026, 3, 9, 20), 1) == at(2026, 3, 10, 8, 30)
    assert calendar.add_working_hours(at(2026, 3, 8, 10), 0) == at(2026, 3, 9, 7, 30)


def test_working_time_between(calendar: WorkingCalendar) -> None:
    """Office time on working days between two instants; zero when the end is not after the start."""
    assert calendar.working_time_between(at(2026, 3, 9, 9), at(2026, 3, 10, 9)) == dt.timedelta(hours=7, minutes=30)
    assert calendar.working_time_between(at(2026, 3, 10, 9), at(2026, 3, 9, 9)) == dt.timedelta(0)
    assert calendar.working_time_between(at(2026, 3, 13, 16), at(2026, 3, 16, 8)) == dt.timedelta(hours=1, minutes=30)
    assert calendar.working_time_between(at(2026, 3, 9, 11, 40), at(2026, 3, 9, 13, 20)) == dt.timedelta(0)
    assert calendar.working_time_between(at(2026, 2, 13, 16), at(2026, 2, 23, 8, 30)) == dt.timedelta(hours=2)


def test_working_days_between(calendar: WorkingCalendar) -> None:
    """Counts working days after the start date up to and including the end date."""
    assert calendar.working_days_between(dt.date(2026, 3, 9), dt.date(2026, 3, 16)) == 5
    assert calendar.working_days_between(dt.date(2026, 3, 9), dt.date(2026, 3, 9)) == 0
    assert calendar.working_days_between(dt.date(2026, 3, 16), dt.date(2026, 3, 9)) == 0


def test_instants_in_other_zones_are_converted(calendar: WorkingCalendar) -> None:
    """An instant stored in UTC is read in local time; results come back in local time."""
    received = dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hanoi
    due = calendar.add_working_days(received, 1)
    assert due == at(2026, 3, 10, 9)
    assert due.tzinfo == LOCAL_TZ


def test_bad_inputs_are_refused(calendar: WorkingCalendar) -> None:
    """Naive datetimes, negative or non-finite amounts and malformed office hours are errors."""
    with pytest.raises(ValueError):
        calendar.add_working_days(dt.datetime(2026, 3, 9, 9), 1)
    with pytest.raises(ValueError):
        calendar.add_working_days(at(2026, 3, 9, 9), -1)
    with pytest.raises(ValueError):
        calendar.add_working_hours(at(2026, 3, 9, 9), float("nan"))
    with pytest.raises(ValueError):
        WorkingCalendar(office_hours=["07:30 to 11:30"], cutoff="16:00")
    with pytest.raises(ValueError):
        WorkingCalendar(office_hours=["07:30-11:30", "11:00-17:00"], cutoff="16:00")
    with pytest.raises(ValueError):
        WorkingCalendar(office_hours=[], cutoff="16:00")


# --- The application's calendar and the override services ----------------------------------------

TODAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=LOCAL_TZ)  # a Tuesday


@pytest.mark.django_db
def test_get_calendar_reads_settings_and_overrides() -> None:
    """The application's calendar follows the office-hour settings and sees a new override at once."""
    with time_machine.travel(TODAY, tick=False):
        assert get_calendar().add_working_days(at(2026, 3, 13, 9), 1) == at(2026, 3, 16, 9)
        calendar_override_set(actor=None, date=dt.date(2026, 3, 14), kind=WORKING_DAY, reason="Làm bù")
        assert get_calendar().add_working_days(at(2026, 3, 13, 9), 1) == at(2026, 3, 14, 9)
    with override_settings(MOTCUA_OFFICE_HOURS=["08:00-12:00", "13:00-17:00"]):
        assert get_calendar().day_length == dt.timedelta(hours=8)
    assert get_calendar().day_length == dt.timedelta(hours=7, minutes=30)


@pytest.mark.django_db
def test_override_set_creates_updates_and_audits(django_user_model: Any) -> None:
    """Setting an override stores it with its author and writes an audit event with before/after."""
    admin = django_user_model.objects.create_user(username="quantri", password="x")
    with time_machine.travel(TODAY, tick=False):
        override = calendar_override_set(actor=admin, date=dt.date(2026, 3, 20), kind=DAY_OFF, reason="Nghỉ bão")
        assert override.created_by == admin
        calendar_override_set(actor=admin, date=dt.date(2026, 3, 20), kind=DAY_OFF, reason="Nghỉ do bão số 3")
    override.refresh_from_db()
    assert override.reason == "Nghỉ do bão số 3"
    events = list(AuditEvent.objects.filter(action="calendar_override.set").order_by("id"))
    assert len(events) == 2
    assert events[0].summary["before"] is None
    assert events[1].summary["before"] == {"kind": "day_off", "reason": "Nghỉ bão"}
    assert events[1].summary["after"] == {"kind": "day_off", "reason": "Nghỉ do bão số 3"}
    assert events[1].actor == admin


@pytest.mark.django_db
def test_override_for_a_past_date_is_refused() -> None:
    """Changing a day that has passed would move due dates already issued, so it is refused."""
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(ApplicationError) as refused:
            calendar_override_set(actor=None, date=dt.date(2026, 3, 9), kind=DAY_OFF, reason="Nghỉ")
        assert refused.value.code == "calendar_past_date"
        assert "đã qua" in refused.value.message
        assert "ngày hẹn trả" in refused.value.message
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_deleting_a_past_override_is_refused() -> None:
    """An override already in force on a past day stays: deleting it would move issued due dates."""
    with time_machine.travel(TODAY - dt.timedelta(days=7), tick=False):
        calendar_override_set(actor=None, date=dt.date(2026, 3, 9), kind=DAY_OFF, reason="Nghỉ")
    with time_machine.travel(TODAY, tick=False), pytest.raises(ApplicationError) as refused:
        calendar_override_delete(actor=None, date=dt.date(2026, 3, 9))
    assert refused.value.code == "calendar_past_date"
    assert CalendarOverride.objects.filter(date=dt.date(2026, 3, 9)).exists()


@pytest.mark.django_db
def test_override_for_today_is_allowed() -> None:
    """Today stays editable, so a same-day closure (a storm) can be recorded."""
    with time_machine.travel(TODAY, tick=False):
        calendar_override_set(actor=None, date=TODAY.date(), kind=DAY_OFF, reason="Nghỉ do bão")
    assert CalendarOverride.objects.get(date=TODAY.date()).kind == DAY_OFF


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (dt.date(2026, 3, 11), WORKING_DAY),  # an ordinary Wednesday
        (dt.date(2026, 3, 15), DAY_OFF),  # a Sunday
        (dt.date(2026, 4, 30), DAY_OFF),  # a public holiday
    ],
)
def test_override_that_changes_nothing_is_refused(day: dt.date, kind: str) -> None:
    """An override saying what the national rules already say is refused with an explanation."""
    with time_machine.travel(TODAY, tick=False), pytest.raises(ApplicationError) as refused:
        calendar_override_set(actor=None, date=day, kind=kind, reason="Thử")
    assert refused.value.code == "calendar_override_noop"
    assert "không cần điều chỉnh" in refused.value.message


@pytest.mark.django_db
def test_override_back_to_the_rules_asks_for_a_delete() -> None:
    """Turning an override into what the rules say is refused, pointing to deleting it instead."""
    with time_machine.travel(TODAY, tick=False):
        calendar_override_set(actor=None, date=dt.date(2026, 3, 11), kind=DAY_OFF, reason="Nghỉ")
        with pytest.raises(ApplicationError) as refused:
            calendar_override_set(actor=None, date=dt.date(2026, 3, 11), kind=WORKING_DAY, reason="Đi làm")
    assert "xoá" in refused.value.message


@pytest.mark.django_db
def test_override_delete_removes_and_audits() -> None:
    """Deleting an override restores the rules and writes an audit event; a missing one is an error."""
    with time_machine.travel(TODAY, tick=False):
        calendar_override_set(actor=None, date=dt.date(2026, 3, 14), kind=WORKING_DAY, reason="Làm bù")
        calendar_override_delete(actor=None, date=dt.date(2026, 3, 14))
        assert not get_calendar().is_working_day(dt.date(2026, 3, 14))
        with pytest.raises(ApplicationError) as refused:
            calendar_override_delete(actor=None, date=dt.date(2026, 3, 14))
    assert refused.value.code == "calendar_override_not_found"
    event = AuditEvent.objects.get(action="calendar_override.delete")
    assert event.summary["before"] == {"kind": "working_day", "reason": "Làm bù"}


@pytest.mark.django_db
def test_override_needs_a_reason_and_a_known_kind() -> None:
    """A blank reason or an unknown kind is refused before anything is written."""
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(ApplicationError) as no_reason:
            calendar_override_set(actor=None, date=dt.date(2026, 3, 14), kind=WORKING_DAY, reason="  ")
        with pytest.raises(ApplicationError) as bad_kind:
            calendar_override_set(actor=None, date=dt.date(2026, 3, 14), kind="holiday", reason="Lễ")
    assert no_reason.value.code == "calendar_override_reason_required"
    assert bad_kind.value.code == "calendar_override_invalid_kind"
    assert not CalendarOverride.objects.exists()
