"""Property-based tests of the working-day calendar over instants in 2016–2035."""

import datetime as dt
from fractions import Fraction

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.constants import CalendarOverrideKind
from motcua.core.errors import ApplicationError
from motcua.core.models import CalendarOverride
from motcua.core.workdays import LOCAL_TZ, WorkingCalendar, calendar_override_delete, calendar_override_set

PROPERTY = settings(max_examples=200, deadline=None)
KINDS = [CalendarOverrideKind.DAY_OFF, CalendarOverrideKind.WORKING_DAY]

# A few overrides so the properties also run over a worked Saturday, an extra day off and a
# holiday turned into a working day.
CALENDAR = WorkingCalendar(
    office_hours=["07:30-11:30", "13:30-17:00"],
    cutoff="16:00",
    overrides={
        dt.date(2026, 3, 7): CalendarOverrideKind.WORKING_DAY,
        dt.date(2026, 3, 10): CalendarOverrideKind.DAY_OFF,
        dt.date(2030, 9, 3): CalendarOverrideKind.WORKING_DAY,
    },
)
DAY = CALENDAR.day_length

dates = st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2035, 12, 31))
# Instants right on the edges (opening, lunch, cut-off, closing, a microsecond either side) find
# the off-by-one mistakes that uniformly drawn instants almost never hit.
edge_times = st.sampled_from(
    [dt.time(h, m) for h, m in [(0, 0), (7, 30), (11, 30), (13, 30), (16, 0), (17, 0)]]
    + [dt.time(7, 29, 59, 999999), dt.time(11, 29, 59, 999999), dt.time(15, 59, 59, 999999), dt.time(23, 59, 59)]
)
edge_instants = st.builds(lambda d, t: dt.datetime.combine(d, t, tzinfo=LOCAL_TZ), dates, edge_times)
any_instants = st.datetimes(
    min_value=dt.datetime(2016, 1, 1),
    max_value=dt.datetime(2035, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([LOCAL_TZ, dt.UTC]),
)
instants = st.one_of(any_instants, edge_instants)
# Amounts in exact steps (an eighth of a day, a minute) so sums compare exactly.
day_amounts = st.integers(min_value=0, max_value=40 * 8).map(lambda k: Fraction(k, 8))
hour_amounts = st.integers(min_value=0, max_value=120 * 60).map(lambda minutes: Fraction(minutes, 60))
whole_days = st.integers(min_value=1, max_value=40)


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LOCAL_TZ).date()


def times(unit: dt.timedelta, amount: Fraction) -> dt.timedelta:
    """`amount` × `unit`, exactly (timedelta does not multiply by a Fraction)."""
    microseconds = unit // dt.timedelta(microseconds=1) * amount
    assert microseconds.denominator == 1
    return dt.timedelta(microseconds=int(microseconds))


@PROPERTY
@given(first=instants, second=instants, days=day_amounts, hours=hour_amounts)
def test_monotonic_in_the_instant(first: dt.datetime, second: dt.datetime, days: Fraction, hours: Fraction) -> None:
    """A later submission is never due earlier, for days and for hours."""
    early, late = sorted([first, second])
    assert CALENDAR.add_working_days(early, days) <= CALENDAR.add_working_days(late, days)
    assert CALENDAR.add_working_hours(early, hours) <= CALENDAR.add_working_hours(late, hours)


@PROPERTY
@given(start=instants, first=day_amounts, second=day_amounts)
def test_strictly_monotonic_in_the_amount(start: dt.datetime, first: Fraction, second: Fraction) -> None:
    """More working time is always due strictly later."""
    small, large = sorted([first, second])
    if small < large:
        assert CALENDAR.add_working_days(start, small) < CALENDAR.add_working_days(start, large)
        assert CALENDAR.add_working_hours(start, small) < CALENDAR.add_working_hours(start, large)


@PROPERTY
@given(start=instants, days=day_amounts, hours=hour_amounts)
def test_result_is_in_office_hours_on_a_working_day(start: dt.datetime, days: Fraction, hours: Fraction) -> None:
    """A due instant never lands on a day off nor outside office hours; neither does a counting start."""
    for result in (
        CALENDAR.add_working_days(start, days),
        CALENDAR.add_working_hours(start, hours),
        CALENDAR.counting_start(start),
    ):
        assert CALENDAR.is_working_day(local_date(result))
        assert CALENDAR.is_office_time(result)


@PROPERTY
@given(
    overrides=st.dictionaries(dates, st.sampled_from(KINDS), max_size=12),
    start=instants,
    days=day_amounts,
)
def test_overrides_always_win(overrides: dict[dt.date, str], start: dt.datetime, days: Fraction) -> None:
    """Whatever the overrides say about a date is what the calendar says, and deadlines obey it."""
    calendar = WorkingCalendar(office_hours=["07:30-11:30", "13:30-17:00"], cutoff="16:00", overrides=overrides)
    for day, kind in overrides.items():
        assert calendar.is_working_day(day) == (kind == CalendarOverrideKind.WORKING_DAY)
    assert calendar.is_office_time(calendar.add_working_days(start, days))


@PROPERTY
@given(start=instants, hours=hour_amounts)
def test_counting_hours_gives_back_what_was_added(start: dt.datetime, hours: Fraction) -> None:
    """working_time_between(s, add_working_hours(s, h)) == h, from any instant."""
    due = CALENDAR.add_working_hours(start, hours)
    assert CALENDAR.working_time_between(start, due) == times(dt.timedelta(hours=1), hours)


@PROPERTY
@given(start=instants, days=day_amounts)
def test_counting_days_gives_back_what_was_added(start: dt.datetime, days: Fraction) -> None:
    """From the counting start to the due instant lies exactly `days` days of office time."""
    due = CALENDAR.add_working_days(start, days)
    assert CALENDAR.working_time_between(CALENDAR.counting_start(start), due) == times(DAY, days)


@PROPERTY
@given(start=instants, days=whole_days)
def test_whole_days_land_on_the_nth_working_day_at_the_same_clock_time(start: dt.datetime, days: int) -> None:
    """N whole days are due on the N-th working day after the counting start, at its clock time."""
    begin = CALENDAR.counting_start(start)
    due = CALENDAR.add_working_days(start, days)
    assert CALENDAR.working_days_between(local_date(begin), local_date(due)) == days
    assert CALENDAR.is_working_day(local_date(due))
    assert due.astimezone(LOCAL_TZ).time() == begin.astimezone(LOCAL_TZ).time()


@PROPERTY
@given(start=instants, first=day_amounts, second=day_amounts)
def test_days_compose(start: dt.datetime, first: Fraction, second: Fraction) -> None:
    """a + b days end where a days then b more days of working time end (steps share out time)."""
    after_first = CALENDAR.add_working_days(start, first)
    assert CALENDAR.add_working_days(start, first + second) == CALENDAR.add_working_time(
        after_first, times(DAY, second)
    )
    if after_first.astimezone(LOCAL_TZ).time() < dt.time(16):
        # Before the cut-off the intermediate due instant is its own counting start.
        assert CALENDAR.add_working_days(after_first, second) == CALENDAR.add_working_days(start, first + second)


@PROPERTY
@given(start=instants, first=hour_amounts, second=hour_amounts)
def test_hours_compose(start: dt.datetime, first: Fraction, second: Fraction) -> None:
    """a + b hours end where a hours then b more hours end."""
    after_first = CALENDAR.add_working_hours(start, first)
    assert CALENDAR.add_working_hours(after_first, second) == CALENDAR.add_working_hours(start, first + second)


@PROPERTY
@given(points=st.lists(instants, min_size=3, max_size=3))
def test_working_time_between_is_additive(points: list[dt.datetime]) -> None:
    """The working time from a to c is that from a to b plus that from b to c, for a <= b <= c."""
    a, b, c = sorted(points)
    between = CALENDAR.working_time_between
    assert between(a, c) == between(a, b) + between(b, c)
    assert between(c, a) == dt.timedelta(0)


@PROPERTY
@given(start=instants)
def test_counting_start_is_not_earlier_and_is_stable(start: dt.datetime) -> None:
    """The counting start is at or after the submission, and a counting start before the cut-off is its own."""
    begin = CALENDAR.counting_start(start)
    assert begin >= start
    if begin.astimezone(LOCAL_TZ).time() < dt.time(16):
        assert CALENDAR.counting_start(begin) == begin


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(today=dates, days_back=st.integers(min_value=1, max_value=3000), kind=st.sampled_from(KINDS))
def test_past_dates_are_always_refused(today: dt.date, days_back: int, kind: str) -> None:
    """Any override, set or delete, for a date before today is refused and writes nothing."""
    past = today - dt.timedelta(days=days_back)
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=LOCAL_TZ)
    with time_machine.travel(noon, tick=False):
        with pytest.raises(ApplicationError) as set_refused:
            calendar_override_set(actor=None, date=past, kind=kind, reason="Điều chỉnh")
        with pytest.raises(ApplicationError) as delete_refused:
            calendar_override_delete(actor=None, date=past)
    assert set_refused.value.code == delete_refused.value.code == "calendar_past_date"
    assert not CalendarOverride.objects.exists()
