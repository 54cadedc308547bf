"""The nightly forecast: every agency and procedure with dossiers received in the look-back
window, fitted from its daily counts and stored for the page (docs/forecast.md)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from numpy.linalg import LinAlgError

from motcua.core.periods import Period
from motcua.core.workdays import get_calendar
from motcua.dossiers.models import Dossier
from motcua.forecast.demand_model import NotEnoughHistory, forecast_demand
from motcua.forecast.models import ForecastDay, ForecastSeries

logger = logging.getLogger(__name__)

# Older history adds little to a model of this season and trend, and costs fitting time.
LOOKBACK_DAYS = 3 * 365

SeriesKey = tuple[int, int]  # (agency id, procedure id)


def daily_received_counts(*, since: dt.date, until: dt.date) -> dict[SeriesKey, dict[dt.date, int]]:
    """Dossiers received per agency, procedure and local day in since…until, in one grouped query."""
    start, end = Period(since, until).bounds()
    rows = (
        # A range on the column itself rather than on its local date: no conversion per row.
        Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at"))
        .values_list("agency_id", "procedure_version__procedure_id", "day")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[SeriesKey, dict[dt.date, int]] = defaultdict(dict)
    for agency_id, procedure_id, day, count in rows:
        counts[(agency_id, procedure_id)][day] = count
    return counts


def forecasts_refresh(*, today: dt.date | None = None) -> dict[str, int]:
    """Recompute and store every series' forecast from `today` (local); returns how many series
    were computed and how many failed to fit.

    A series starts on its first reception day in the window: a procedure offered since last
    month has a month of history, not years of zeros. Each series is replaced in its own
    transaction, so the page always reads a whole forecast. One the optimiser cannot fit keeps
    its previous forecast, whose date the page shows, rather than stopping the others."""
    today = today or timezone.localdate()
    calendar = get_calendar()
    counts = daily_received_counts(since=today - dt.timedelta(days=LOOKBACK_DAYS), until=today - dt.timedelta(days=1))
    computed_at = timezone.now()
    failed = 0
    for (agency_id, procedure_id), by_day in counts.items():
        first_day = min(by_day)
        series_fields: dict[str, object] = {
            "computed_at": computed_at,
            "history_start": first_day,
            "history_days": (today - first_day).days,
            "enough_history": False,
            "backtest_days": None,
            "backtest_mae": None,
            "backtest_wape": None,
        }
        days: list[ForecastDay] = []
        try:
            forecast = forecast_demand(by_day, first_day=first_day, today=today, is_working_day=calendar.is_working_day)
        except NotEnoughHistory:
            pass
        except (ValueError, LinAlgError):
            logger.exception("Demand forecast: agency %s, procedure %s could not be fitted", agency_id, procedure_id)
            failed += 1
            continue
        else:
            series_fields |= {
                "enough_history": True,
                "backtest_days": forecast.backtest.days,
                "backtest_mae": forecast.backtest.mae,
                "backtest_wape": forecast.backtest.wape,
            }
            days = [ForecastDay(day=f.day, expected=f.expected, lower=f.lower, upper=f.upper) for f in forecast.days]
        with transaction.atomic():
            series, _ = ForecastSeries.objects.update_or_create(
                agency_id=agency_id, procedure_id=procedure_id, defaults=series_fields
            )
            series.days.all().delete()
            for day in days:
                day.series = series
            ForecastDay.objects.bulk_create(days)
    # A series with no reception in the whole window has nothing left to forecast from.
    stale = ForecastSeries.objects.filter(computed_at__lt=computed_at).values_list("pk", "agency_id", "procedure_id")
    ForecastSeries.objects.filter(pk__in=[pk for pk, *key in stale if tuple(key) not in counts]).delete()
    logger.info("Demand forecast for %s: %d series computed, %d failed", today, len(counts) - failed, failed)
    return {"series": len(counts) - failed, "failed": failed}


def forecasts_computed_today() -> bool:
    today = timezone.localdate()
    latest = ForecastSeries.objects.order_by("-computed_at").values_list("computed_at", flat=True).first()
    return latest is not None and timezone.localdate(latest) == today
