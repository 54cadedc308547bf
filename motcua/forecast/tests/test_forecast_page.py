"""The nightly task stores forecasts from the dossiers received; the page shows them to those
who oversee the agency, with the counters needed, and says when the history is too short."""

import datetime as dt
import math
import random
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from numpy.linalg import LinAlgError

from motcua.core.testing import citizen
from motcua.core.workdays import LOCAL_TZ, get_calendar
from motcua.directory.constants import Role
from motcua.directory.models import Agency
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import officer
from motcua.forecast.demand_model import HORIZON_WEEKS
from motcua.forecast.models import CounterNorm, ForecastDay, ForecastSeries
from motcua.forecast.services import forecasts_refresh
from motcua.forecast.tasks import demand_forecasts_nightly

WARD = "UBND-24121"
NOT_ENOUGH = "Chưa đủ dữ liệu để dự báo"


def receive_history(version: Any, *, weeks: int) -> None:
    """About 10 dossiers every working day for `weeks` weeks up to yesterday, 4 more on Mondays."""
    agency = Agency.objects.get(code=WARD)
    applicant = citizen()
    calendar = get_calendar()
    rng = random.Random(3)
    today = timezone.localdate()
    rows = []
    for back in range(weeks * 7, 0, -1):
        day = today - dt.timedelta(days=back)
        if not calendar.is_working_day(day):
            continue
        at = dt.datetime.combine(day, dt.time(9), tzinfo=LOCAL_TZ)
        for _ in range(10 + (4 if day.weekday() == 0 else 0) + rng.randint(-1, 1)):
            rows.append(
                Dossier(
                    code=f"T-{len(rows):06d}",
                    procedure_version=version,
                    agency=agency,
                    applicant=applicant,
                    status=DossierStatus.IN_PROGRESS,
                    submitted_at=at,
                    received_at=at,
                )
            )
    Dossier.objects.bulk_create(rows)


@pytest.fixture
def leader(birth_version: Any) -> Any:
    return officer("xa.ld", role=Role.LEADER)


def test_the_nightly_task_stores_a_forecast_once_a_day(birth_version: Any) -> None:
    receive_history(birth_version, weeks=10)
    assert demand_forecasts_nightly.call() == {"series": 1, "failed": 0}
    series = ForecastSeries.objects.get()
    assert series.enough_history and series.procedure_id == birth_version.procedure_id
    assert series.backtest_days and series.backtest_mae is not None and series.backtest_mae < 2
    days = list(series.days.all())
    assert len(days) == HORIZON_WEEKS * 7 and days[0].day == timezone.localdate()
    calendar = get_calendar()
    assert all((one.expected == 0) != calendar.is_working_day(one.day) for one in days)
    assert demand_forecasts_nightly.call() == {"forecast": "done today"}
    assert ForecastDay.objects.count() == HORIZON_WEEKS * 7


def test_a_series_that_cannot_be_fitted_keeps_its_previous_forecast(birth_version: Any, monkeypatch: Any) -> None:
    receive_history(birth_version, weeks=10)
    demand_forecasts_nightly.call()
    before = ForecastSeries.objects.get()

    def singular(*args: Any, **kwargs: Any) -> None:
        raise LinAlgError("Singular matrix")

    monkeypatch.setattr("motcua.forecast.services.forecast_demand", singular)
    assert forecasts_refresh() == {"series": 0, "failed": 1}
    after = ForecastSeries.objects.get()
    assert after.computed_at == before.computed_at and after.days.count() == HORIZON_WEEKS * 7


def test_the_page_shows_the_forecast_its_error_and_the_counters_needed(
    client: Any, birth_version: Any, leader: Any
) -> None:
    receive_history(birth_version, weeks=10)
    CounterNorm.objects.create(procedure_id=birth_version.procedure_id, minutes_per_dossier=45)
    demand_forecasts_nightly.call()
    client.force_login(leader)
    page = client.get(reverse("forecast:demand")).content.decode()
    assert NOT_ENOUGH not in page
    assert 'data-testid="mae"' in page and 'data-testid="wape"' in page
    counter_minutes = get_calendar().day_length.total_seconds() / 60
    first = ForecastDay.objects.filter(expected__gt=0).first()
    assert first is not None
    counters = math.ceil(first.expected * 45 / counter_minutes)
    assert counters >= 1
    # The counters table comes first: its row for that day ends with the counters needed.
    row = page.split(f"{first.day:%d/%m/%Y}</th>", 1)[1].split("</tr>", 1)[0]
    assert row.rstrip().endswith(f">{counters}</td>")


def test_too_short_a_history_says_so_and_draws_nothing(client: Any, birth_version: Any, leader: Any) -> None:
    receive_history(birth_version, weeks=3)
    demand_forecasts_nightly.call()
    series = ForecastSeries.objects.get()
    assert not series.enough_history and series.backtest_mae is None
    assert not ForecastDay.objects.exists()
    client.force_login(leader)
    page = client.get(reverse("forecast:demand")).content.decode()
    assert NOT_ENOUGH in page
    assert 'data-testid="forecast-days"' not in page and 'data-testid="counters"' not in page


def test_an_agency_the_user_does_not_oversee_is_refused(client: Any, birth_version: Any) -> None:
    receive_history(birth_version, weeks=10)
    demand_forecasts_nightly.call()
    ward = Agency.objects.get(code=WARD)
    department_leader = officer("stp.ld", agency="STP", role=Role.LEADER)
    client.force_login(department_leader)
    assert client.get(reverse("forecast:demand"), {"co_quan": ward.pk}).status_code == 403
    own = client.get(reverse("forecast:demand")).content.decode()
    assert "Sở Tư pháp" in own and "Chưa có dự báo cho cơ quan này." in own
    client.force_login(officer("xa.tn"))  # a one-stop officer, no leader
    assert client.get(reverse("forecast:demand")).status_code == 403
