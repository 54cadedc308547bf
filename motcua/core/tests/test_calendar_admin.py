"""Administrators enter calendar overrides in the admin; a past date is refused with the reason."""

import datetime

import pytest
import time_machine

from motcua.core.models import AuditEvent, CalendarOverride

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-11-25 09:00 +0700")
def test_admin_adds_a_working_saturday(admin_client) -> None:
    response = admin_client.post(
        "/quan-tri/core/calendaroverride/add/",
        {"date": "2026-12-05", "kind": "working_day", "reason": "Làm bù ngày 2/1/2027"},
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get().date == datetime.date(2026, 12, 5)
    assert AuditEvent.objects.filter(action="calendar_override.set").exists()


@time_machine.travel("2026-11-25 09:00 +0700")
def test_admin_refuses_a_past_date_with_an_explanation(admin_client) -> None:
    response = admin_client.post(
        "/quan-tri/core/calendaroverride/add/", {"date": "2026-11-20", "kind": "day_off", "reason": "Nghỉ bão"}
    )
    assert response.status_code == 200
    assert "ngày hẹn trả kết quả" in response.content.decode()
    assert not CalendarOverride.objects.exists()
