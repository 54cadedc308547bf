"""The demand model: expected dossiers per day for one agency and procedure, from its history.

A regression with AR(1) errors and a linear trend (statsmodels `SARIMAX`, the coefficients
estimated by the Kalman filter, the AR term by maximum likelihood), on the office's working days
only: a closed day (weekend, public holiday, Tết, an administrator's day off) receives nothing at
the counter, so it is forecast 0 and kept out of the fit rather than modelled as a dip. The
regressors (docs/forecast.md):

- the weekday (Monday the baseline), the weekly seasonality;
- the first working day after a closure of three days or more (the queue that waited);
- the working days of the two weeks before Tết (the rush to finish papers before the new year);
- two pairs of Fourier terms of the day of the year, the yearly seasonality, once the history
  covers a year (with less they would only fit noise).

Nothing here reads the database: the caller passes the counts and the calendar's verdict.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.statespace.sarimax import SARIMAX

from motcua.core.workdays import rules_say_working_day

# Below this much history the page says there is not enough data and draws nothing.
MIN_HISTORY_WEEKS = 8
# Nor from a history with receptions on fewer days than this: a model of a few scattered dossiers
# is noise (and a state-space fit of an almost empty series gives no finite forecast).
MIN_RECEIVING_DAYS = 10
# The backtest holds out the last weeks of the history and forecasts them from the rest.
BACKTEST_WEEKS = 4
# How far ahead the nightly forecast looks.
HORIZON_WEEKS = 4
# The yearly terms join the model once the history covers this many days.
YEARLY_TERMS_FROM_DAYS = 365
# The band around the expected count: an 80 % prediction interval.
INTERVAL_ALPHA = 0.2
PRE_TET_DAYS = 14
LONG_CLOSURE_DAYS = 3
_FOURIER_PAIRS = 2
_TET_FIRST_DAY_NAME = "Tết Nguyên Đán"  # its Vietnamese name in the `holidays` package

IsWorkingDay = Callable[[dt.date], bool]


@dataclass(frozen=True)
class DayForecast:
    day: dt.date
    expected: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Backtest:
    """Errors of the forecast of the held-out weeks, over their working days."""

    days: int
    mae: float  # mean absolute error, dossiers per day
    wape: float | None  # sum |error| / sum actual; None when nothing was received then


@dataclass(frozen=True)
class DemandForecast:
    days: list[DayForecast]
    backtest: Backtest


class NotEnoughHistory(Exception):
    """The history is shorter than MIN_HISTORY_WEEKS, or has receptions on fewer than
    MIN_RECEIVING_DAYS days: no forecast rather than a made-up one."""


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _tet_days(years: range) -> list[dt.date]:
    # The first day of the lunar new year, by the same holiday rules the working calendar uses.
    firsts: list[dt.date] = []
    for year in years:
        names = holidays.country_holidays("VN", years=year, language="vi")
        firsts.extend(day for day, name in names.items() if name == _TET_FIRST_DAY_NAME)
    return firsts


def _regressors(days: list[dt.date], is_working_day: IsWorkingDay, *, yearly: bool) -> pd.DataFrame:
    """One row per working day in `days`, the columns described in the module docstring."""
    tets = _tet_days(range(days[0].year - 1, days[-1].year + 2))
    rows = []
    for day in days:
        if not is_working_day(day):
            continue
        closed_before = 0
        previous = day - dt.timedelta(days=1)
        while not is_working_day(previous) and closed_before < 30:
            closed_before += 1
            previous -= dt.timedelta(days=1)
        row = {f"weekday_{n}": float(day.weekday() == n) for n in range(1, 5)}
        row["after_long_closure"] = float(closed_before >= LONG_CLOSURE_DAYS)
        row["before_tet"] = float(any(0 < (tet - day).days <= PRE_TET_DAYS for tet in tets))
        if yearly:
            angle = 2 * math.pi * day.timetuple().tm_yday / 365.25
            for k in range(1, _FOURIER_PAIRS + 1):
                row[f"year_sin_{k}"] = math.sin(k * angle)
                row[f"year_cos_{k}"] = math.cos(k * angle)
        rows.append((day, row))
    return pd.DataFrame([row for _, row in rows], index=pd.Index([day for day, _ in rows]))


def _with_trend(exog: pd.DataFrame, start: dt.date) -> np.ndarray:
    elapsed = [(day - start).days for day in exog.index]
    return np.column_stack([np.ones(len(exog)), np.asarray(elapsed, dtype=float), exog.to_numpy()])


def _fit_and_forecast(
    history: pd.Series, future_days: list[dt.date], is_working_day: IsWorkingDay
) -> list[DayForecast]:
    start, end = history.index[0], future_days[-1]
    yearly = (history.index[-1] - start).days + 1 >= YEARLY_TERMS_FROM_DAYS
    exog = _regressors(_days(start, end), is_working_day, yearly=yearly)
    past = exog.loc[exog.index <= history.index[-1]]
    ahead = exog.loc[exog.index > history.index[-1]]
    # A regressor that never varied in the history (no Tết in it yet) cannot be estimated.
    varying = [column for column in past.columns if past[column].nunique() > 1]
    endog = history.reindex(past.index).to_numpy(dtype=float)
    # The trend (a constant and a slope in days) is a regressor like the others; the Kalman
    # filter estimates the regression coefficients in its state, leaving the optimiser only the
    # AR coefficient and the variance: a second per series instead of tens.
    model = SARIMAX(endog, exog=_with_trend(past[varying], start), order=(1, 0, 0), mle_regression=False)
    with warnings.catch_warnings():
        # Short or flat series converge slowly; the backtest reports how good the result is.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        fitted = model.fit(disp=False, maxiter=200)
    by_day: dict[dt.date, DayForecast] = {}
    if len(ahead):
        prediction = fitted.get_forecast(steps=len(ahead), exog=_with_trend(ahead[varying], start))
        mean = np.clip(prediction.predicted_mean, 0, None)
        band = np.clip(prediction.conf_int(alpha=INTERVAL_ALPHA), 0, None)
        if not (np.isfinite(mean).all() and np.isfinite(band).all()):
            raise ValueError("the model gave no finite forecast")  # the series is reported failed
        for day, expected, (lower, upper) in zip(ahead.index, mean, band, strict=True):
            by_day[day] = DayForecast(day, float(expected), float(lower), float(upper))
    return [by_day.get(day, DayForecast(day, 0.0, 0.0, 0.0)) for day in future_days]


def _backtest(history: pd.Series, is_working_day: IsWorkingDay) -> Backtest:
    cut = history.index[-1] - dt.timedelta(weeks=BACKTEST_WEEKS)
    held_out = [day for day in history.index if day > cut]
    predicted = _fit_and_forecast(history.loc[history.index <= cut], held_out, is_working_day)
    errors, actual_total = [], 0.0
    for forecast in predicted:
        if is_working_day(forecast.day):
            actual = float(history[forecast.day])
            errors.append(abs(forecast.expected - actual))
            actual_total += actual
    total_error = sum(errors)
    return Backtest(
        days=len(errors),
        mae=total_error / len(errors) if errors else 0.0,
        wape=total_error / actual_total if actual_total else None,
    )


def forecast_demand(
    counts: Mapping[dt.date, int],
    *,
    first_day: dt.date,
    today: dt.date,
    is_working_day: IsWorkingDay = rules_say_working_day,
) -> DemandForecast:
    """Forecast from `today` for HORIZON_WEEKS, from the daily `counts` of `first_day`…yesterday
    (a day missing from `counts` received nothing). Raises NotEnoughHistory below
    MIN_HISTORY_WEEKS."""
    last_day = today - dt.timedelta(days=1)
    if (last_day - first_day).days + 1 < MIN_HISTORY_WEEKS * 7:
        raise NotEnoughHistory
    if sum(1 for day, count in counts.items() if count and first_day <= day <= last_day) < MIN_RECEIVING_DAYS:
        raise NotEnoughHistory
    days = _days(first_day, last_day)
    history = pd.Series([counts.get(day, 0) for day in days], index=pd.Index(days), dtype=float)
    future = _days(today, today + dt.timedelta(weeks=HORIZON_WEEKS, days=-1))
    return DemandForecast(
        days=_fit_and_forecast(history, future, is_working_day), backtest=_backtest(history, is_working_day)
    )


def counters_needed(*, dossier_minutes: float, counter_minutes: float) -> int:
    """Counters to open on a day: the minutes the expected dossiers take at the counter over the
    minutes one counter works a day, rounded up (a part-time counter is still a counter)."""
    if dossier_minutes <= 0:
        return 0
    return math.ceil(dossier_minutes / counter_minutes)
