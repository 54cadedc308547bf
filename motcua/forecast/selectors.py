"""What the forecast page shows: the stored forecasts of one agency and the counters they need."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from motcua.core.workdays import get_calendar
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.directory.selectors import agencies_overseen
from motcua.forecast.demand_model import counters_needed
from motcua.forecast.models import CounterNorm, ForecastDay, ForecastSeries


def forecast_agencies(*, user: Any) -> QuerySet[Agency]:
    """The agencies whose forecast `user` may see: every agency for province-wide roles and
    administrators, their own for leaders and agency administrators; none for anyone else."""
    overseen = agencies_overseen(user=user, roles=[Role.LEADER, Role.AGENCY_ADMIN])
    return (Agency.objects.all() if overseen is None else overseen).order_by("name")


@dataclass(frozen=True)
class CounterDay:
    day: dt.date
    expected: float
    counters: int


@dataclass(frozen=True)
class AgencyForecast:
    series: list[ForecastSeries]  # their days prefetched (none without enough history)
    counter_days: list[CounterDay]
    counter_minutes: int
    default_dossier_minutes: int


def agency_forecast(agency: Agency) -> AgencyForecast:
    """The agency's stored forecasts per procedure, and per day the counters its expected
    dossiers need: their minutes by the procedures' norms over one counter's working minutes."""
    series = list(
        ForecastSeries.objects.filter(agency=agency)
        .select_related("procedure")
        .prefetch_related("days")
        .order_by("procedure__code")
    )
    norms = dict(
        CounterNorm.objects.filter(procedure_id__in=[s.procedure_id for s in series]).values_list(
            "procedure_id", "minutes_per_dossier"
        )
    )
    default_minutes = settings.MOTCUA_COUNTER_MINUTES_PER_DOSSIER
    counter_minutes = int(get_calendar().day_length.total_seconds() // 60)
    expected: dict[dt.date, float] = defaultdict(float)
    minutes: dict[dt.date, float] = defaultdict(float)
    for one in series:
        day: ForecastDay
        for day in one.days.all():
            expected[day.day] += day.expected
            minutes[day.day] += day.expected * norms.get(one.procedure_id, default_minutes)
    counter_days = [
        CounterDay(day, expected[day], counters_needed(dossier_minutes=minutes[day], counter_minutes=counter_minutes))
        for day in sorted(expected)
    ]
    return AgencyForecast(
        series=series,
        counter_days=counter_days,
        counter_minutes=counter_minutes,
        default_dossier_minutes=default_minutes,
    )
