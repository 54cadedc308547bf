"""The model on synthetic histories with a known shape (no database)."""

import datetime as dt
import random
import statistics

import pytest

from motcua.core.workdays import rules_say_working_day
from motcua.forecast.demand_model import (
    HORIZON_WEEKS,
    MIN_HISTORY_WEEKS,
    NotEnoughHistory,
    counters_needed,
    forecast_demand,
)

# Mondays bring the weekend's waiting crowd, Fridays are quiet; offices close at weekends.
WEEKDAY_MEAN = {0: 40, 1: 30, 2: 30, 3: 30, 4: 20, 5: 30}  # a swapped working Saturday: midweek
NOISE_SD = 3
FIRST_DAY = dt.date(2025, 12, 1)
# The horizon from here covers Tết 2027 (5–10 February closed); the history covers Tết 2026.
TODAY = dt.date(2027, 2, 1)


def synthetic_counts(first_day: dt.date, today: dt.date) -> dict[dt.date, int]:
    rng = random.Random(7)
    counts, day = {}, first_day
    while day < today:
        if rules_say_working_day(day):  # closed days (weekends, Tết 2026) receive nothing
            counts[day] = max(0, round(rng.gauss(WEEKDAY_MEAN[day.weekday()], NOISE_SD)))
        day += dt.timedelta(days=1)
    return counts


@pytest.fixture(scope="module")
def forecast():
    return forecast_demand(synthetic_counts(FIRST_DAY, TODAY), first_day=FIRST_DAY, today=TODAY)


def test_the_forecast_covers_the_horizon_day_by_day(forecast):
    days = [one.day for one in forecast.days]
    assert days == [TODAY + dt.timedelta(days=n) for n in range(HORIZON_WEEKS * 7)]


def test_closed_days_including_tet_are_forecast_zero(forecast):
    closed = [one for one in forecast.days if not rules_say_working_day(one.day)]
    assert dt.date(2027, 2, 8) in {one.day for one in closed}  # a Monday inside Tết 2027
    assert len(closed) >= 8 + 3
    assert all(one.expected == one.lower == one.upper == 0 for one in closed)


def test_the_forecast_reproduces_the_weekly_shape(forecast):
    open_days = [one for one in forecast.days if rules_say_working_day(one.day)]
    by_weekday = {
        weekday: statistics.mean(one.expected for one in open_days if one.day.weekday() == weekday)
        for weekday in range(5)
    }
    for weekday, mean in by_weekday.items():
        assert abs(mean - WEEKDAY_MEAN[weekday]) < 4, (weekday, by_weekday)
    assert by_weekday[0] > by_weekday[2] > by_weekday[4]
    for one in open_days:
        assert one.lower <= one.expected <= one.upper


def test_the_backtest_error_is_near_the_noise_and_far_below_a_shapeless_guess(forecast):
    counts = synthetic_counts(FIRST_DAY, TODAY)
    held_out = [day for day in counts if day > TODAY - dt.timedelta(days=1, weeks=4)]
    # The errors cannot go below the noise: the mean absolute value of N(0, 3) is 3·√(2/π) ≈ 2.4.
    # Allowing half as much again for the estimated coefficients, 3.6; a guess ignoring the
    # weekday (the history's mean every day) errs by about 5 here, so the bound needs the shape.
    mean = statistics.mean(counts.values())
    shapeless = statistics.mean(abs(counts[day] - mean) for day in held_out)
    assert forecast.backtest.days == len(held_out)
    assert forecast.backtest.mae < 3.6 < shapeless
    assert forecast.backtest.wape is not None and forecast.backtest.wape < 0.12


def test_too_short_a_history_gives_no_forecast():
    first_day = TODAY - dt.timedelta(weeks=MIN_HISTORY_WEEKS - 1)
    with pytest.raises(NotEnoughHistory):
        forecast_demand(synthetic_counts(first_day, TODAY), first_day=first_day, today=TODAY)


@pytest.mark.parametrize(
    "scattered",
    [
        {},  # nothing received in nine weeks
        {TODAY - dt.timedelta(days=2): 3},  # one dossier, in the held-out weeks (the fit gave NaN)
        {TODAY - dt.timedelta(days=n): 1 for n in range(3, 60, 7)},  # nine days with a dossier
    ],
)
def test_a_long_but_almost_empty_history_gives_no_forecast(scattered: dict[dt.date, int]) -> None:
    with pytest.raises(NotEnoughHistory):
        forecast_demand(scattered, first_day=TODAY - dt.timedelta(weeks=9), today=TODAY)


@pytest.mark.parametrize(
    ("dossier_minutes", "counter_minutes", "counters"),
    [(0, 450, 0), (1, 450, 1), (450, 450, 1), (451, 450, 2), (30.5 * 15, 450, 2), (2000, 450, 5)],
)
def test_counters_needed_round_the_minutes_up_to_whole_counters(dossier_minutes, counter_minutes, counters):
    assert counters_needed(dossier_minutes=dossier_minutes, counter_minutes=counter_minutes) == counters
