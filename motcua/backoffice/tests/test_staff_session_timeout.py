"""Finding 10: staff sessions lasted two weeks with no idle timeout. Now a staff session ends after
MOTCUA_STAFF_SESSION_IDLE_MINUTES (30) without a request and MOTCUA_STAFF_SESSION_HOURS (12) after
it started however busy the officer is; the officer lands on the staff login with a Vietnamese
message, which says so when a posted action was not done. Citizens keep their longer session."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages

from motcua.core.testing import citizen, load_catalog
from motcua.dossiers.testing import officer

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
LOGIN = "/can-bo/dang-nhap/"


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer_client(client, clock):  # type: ignore[no-untyped-def]
    load_catalog()
    client.force_login(officer("xa.tn"))
    assert client.get("/can-bo/").status_code == 200
    return client


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_activity_keeps_the_session_and_idleness_ends_it(officer_client, clock) -> None:
    clock.shift(datetime.timedelta(minutes=29))
    assert officer_client.get("/can-bo/viec/").status_code == 200
    clock.shift(datetime.timedelta(minutes=29))
    assert officer_client.get("/can-bo/viec/").status_code == 200
    clock.shift(datetime.timedelta(minutes=31))
    response = officer_client.get("/can-bo/viec/?xem=don-vi")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/can-bo/viec/%3Fxem%3Ddon-vi"
    assert _messages(response) == ["Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."]
    # Logged out for good, not just this once.
    assert officer_client.get("/can-bo/").status_code == 302
    assert officer_client.get(response["Location"]).status_code == 200


def test_a_busy_session_still_ends_after_twelve_hours(officer_client, clock) -> None:
    for _ in range(12 * 3):
        clock.shift(datetime.timedelta(minutes=20))
        assert officer_client.get("/can-bo/").status_code == 200
    clock.shift(datetime.timedelta(minutes=1))
    assert officer_client.get("/can-bo/")["Location"] == f"{LOGIN}?next=/can-bo/"


def test_the_limits_are_settings(officer_client, clock, settings) -> None:
    settings.MOTCUA_STAFF_SESSION_IDLE_MINUTES = 5
    clock.shift(datetime.timedelta(minutes=6))
    assert officer_client.get("/can-bo/").status_code == 302


def test_a_post_after_expiry_is_not_done_and_the_officer_is_told(officer_client, clock) -> None:
    clock.shift(datetime.timedelta(minutes=31))
    response = officer_client.post(
        "/can-bo/ho-so/1/buoc/1/",
        {"action": "finish", "note": "Đủ điều kiện"},
        HTTP_REFERER="http://testserver/can-bo/ho-so/1/",
    )
    # Back to the page the form was on (the action's own URL only takes posts), after logging in.
    assert response["Location"] == f"{LOGIN}?next=/can-bo/ho-so/1/"
    assert _messages(response) == [
        "Phiên làm việc đã hết hạn nên thao tác vừa gửi chưa được thực hiện. "
        "Vui lòng đăng nhập lại rồi làm lại thao tác đó."
    ]
    page = officer_client.get(response["Location"]).content.decode()
    assert "Phiên làm việc đã hết hạn nên thao tác vừa gửi chưa được thực hiện" in page


def test_a_referer_elsewhere_is_not_followed(officer_client, clock) -> None:
    clock.shift(datetime.timedelta(minutes=31))
    response = officer_client.post("/can-bo/ho-so/1/buoc/1/", HTTP_REFERER="https://evil.example/")
    assert response["Location"] == f"{LOGIN}?next=/can-bo/"


def test_citizens_keep_their_longer_session(client, clock) -> None:
    client.force_login(citizen())
    clock.shift(datetime.timedelta(days=3))
    response = client.get("/tai-khoan/")
    assert response.status_code == 200
    assert "_auth_user_id" in client.session
