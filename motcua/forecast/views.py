from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.forecast.demand_model import BACKTEST_WEEKS, INTERVAL_ALPHA, MIN_HISTORY_WEEKS
from motcua.forecast.selectors import agency_forecast, forecast_agencies


@login_required
def demand_forecast_page(request: HttpRequest) -> HttpResponse:
    """Expected dossiers per procedure and the counters needed per day, for one agency the
    user oversees (`?co_quan=<id>`, the first one by name without it); another agency is refused."""
    agencies = list(forecast_agencies(user=request.user))
    if not agencies:
        raise PermissionDenied
    asked = request.GET.get("co_quan", "")
    agency = next((a for a in agencies if str(a.pk) == asked), None) if asked else agencies[0]
    if agency is None:
        raise PermissionDenied
    context = {
        "agencies": agencies,
        "agency": agency,
        "forecast": agency_forecast(agency),
        "min_history_weeks": MIN_HISTORY_WEEKS,
        "backtest_weeks": BACKTEST_WEEKS,
        "interval_percent": round(100 * (1 - INTERVAL_ALPHA)),
    }
    return render(request, "forecast/demand.html", context)
