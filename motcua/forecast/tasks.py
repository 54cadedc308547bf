"""Periodic job of the demand forecast (MOTCUA_PERIODIC_TASKS)."""

from motcua.core.tasks import task
from motcua.forecast.services import forecasts_computed_today, forecasts_refresh


@task()
def demand_forecasts_nightly() -> dict[str, object]:
    """Recompute the forecasts once a day: the first run of the day does it, the others stop."""
    if forecasts_computed_today():
        return {"forecast": "done today"}
    return dict(forecasts_refresh())
