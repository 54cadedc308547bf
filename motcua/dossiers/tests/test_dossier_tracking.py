"""Public tracking by dossier code: status and timeline for anyone with the code, personal data
only with the second factor; unknown codes and floods answer alike; receipts carry the QR."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalog.constants import StepKind
from motcua.catalog.models import Fee
from motcua.core.shared_pages import CSRF_SLOT
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.testing import officer, submitted_dossier
from motcua.dossiers.tests.test_dossier_reception import _officer, _pdf_text, _submitted
from motcua.payments.constants import PaymentMethod
from motcua.payments.counter import counter_payment_record

pytestmark = pytest.mark.django_db
VN = datetime.timezone(datetime.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _clear_limits() -> None:
    cache.clear()


def test_code_alone_shows_status_but_nothing_personal(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    html = client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Chờ tiếp nhận" in html and birth_version.name in html
    for personal in ("Nguyễn Văn Hùng", "0912345678", "066094000103", "5678"):
        assert personal not in html


def test_second_factor_shows_the_full_detail(client, hung, birth_version) -> None:
    """The whole phone number (written any usual way) or the whole ID number."""
    dossier = _submitted(hung, birth_version)
    wrong = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345679"}).content.decode()
    assert "Nguyễn Văn Hùng" not in wrong
    for phone in ("0912345678", "091 234 5678", "+84 912 345 678"):
        right = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": phone}).content.decode()
        assert "Nguyễn Văn Hùng" in right
    by_id = client.post(f"/api/v1/tracking/{dossier.code}", {"xac_minh": "066094000103"}).json()
    assert by_id["verified"] and by_id["applicant"] == "Nguyễn Văn Hùng"


def test_four_digits_are_no_longer_enough(client, hung, birth_version) -> None:
    """Four digits were guessed within a day for about one dossier code in eight."""
    dossier = _submitted(hung, birth_version)
    for last_four in ("5678", "0103"):
        page = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": last_four}).content.decode()
        assert "Nguyễn Văn Hùng" not in page
        assert not client.post(f"/api/v1/tracking/{dossier.code}", {"xac_minh": last_four}).json()["verified"]


def test_the_api_refuses_the_second_factor_in_the_query_string(client, hung, birth_version) -> None:
    """A query string lands in access logs; the factor goes in the POST body."""
    dossier = _submitted(hung, birth_version)
    refused = client.get(f"/api/v1/tracking/{dossier.code}", {"xac_minh": "0912345678"})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "tracking_factor_in_query" and "POST" in refused.json()["detail"]
    assert client.get(f"/api/v1/tracking/{dossier.code}").json()["verified"] is False
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]["/api/v1/tracking/{code}"]
    assert "xac_minh" not in str(schema["get"].get("parameters"))
    body = schema["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/TrackingFactorRequest")


def test_unknown_codes_and_floods_give_nothing_away(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    unknown = client.get("/tra-cuu/", {"ma": "000.01.50.H15-261125-9999"})
    assert unknown.status_code == 404
    for _ in range(40):
        client.get("/tra-cuu/", {"ma": "000.01.50.H15-261125-9998"})
    flooded = client.get("/tra-cuu/", {"ma": dossier.code})
    assert flooded.status_code == 404, "after too many lookups even a real code answers like an unknown one"
    assert client.get(f"/api/v1/tracking/{dossier.code}").status_code == 404


def test_second_factor_guesses_are_limited_per_address(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    for guess in range(5):
        client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": f"091234560{guess}"})
    page = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345678"}).content.decode()
    assert "Nguyễn Văn Hùng" not in page, "the guessing address is held up, even with the right number"


def test_guesses_elsewhere_do_not_lock_the_owner_out(client, hung, birth_version) -> None:
    """Before, five wrong tries from anywhere refused the owner's right one for ten minutes."""
    dossier = _submitted(hung, birth_version)
    for guess in range(10):
        client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": f"09123456{guess:02}"}, REMOTE_ADDR="203.0.113.9")
    owner = Client(REMOTE_ADDR="198.51.100.7")
    for _visit in range(8):  # the right number never counts against its owner
        page = owner.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345678"}).content.decode()
        assert "Nguyễn Văn Hùng" in page


def test_the_receipt_carries_a_qr_code_to_the_tracking_page(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    slip = dossier_accept(dossier=dossier, officer=_officer(), revision=dossier.revision)
    assert "Quét mã để tra cứu" in _pdf_text(slip)
    assert client.get(f"/tra-cuu/{dossier.code}/")["Location"] == f"/tra-cuu/?ma={dossier.code}"


def test_steps_show_agencies_deadlines_and_marks_but_no_officer(client, hung, birth_version) -> None:
    """Once received, the tracking page lists the steps with early / on time / late marks."""
    dossier = _submitted(hung, birth_version)
    dossier_accept(dossier=dossier, officer=_officer(), revision=dossier.revision)
    data = client.get(f"/api/v1/tracking/{dossier.code}").json()
    names = [step["name"] for step in data["steps"]]
    assert names[0] == "Tiếp nhận hồ sơ" and "Thẩm định, xử lý hồ sơ" in names
    reception = data["steps"][0]
    assert reception["timeliness"]["value"] in {"early", "on_time"} and reception["agency"] == "UBND phường Tân Lập"
    assert data["steps"][1]["finished_at"] is None and data["timeliness"] is None
    html = client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Các bước giải quyết" in html and "Lê Thị Tiếp" not in html


def _token(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def test_the_page_is_built_once_per_revision_and_each_visitor_gets_a_working_token(hung, birth_version) -> None:
    """Anonymous visitors share one rendered page per dossier revision; the CSRF token is put
    in per response, so the second-factor form works for each of them."""
    dossier = _submitted(hung, birth_version)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_a = first.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        page_b = second.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert len(queries) == 1, "a repeated lookup reads only the code's row"
    assert _token(page_a) != _token(page_b) and CSRF_SLOT not in page_b
    assert page_a.replace(_token(page_a), "") == page_b.replace(_token(page_b), "")
    verified = second.post(
        f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345678", "csrfmiddlewaretoken": _token(page_b)}
    )
    assert verified.status_code == 200 and "Nguyễn Văn Hùng" in verified.content.decode()
    forged = first.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345678", "csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 403
    # A verified visit is never kept: the next anonymous visitor sees nothing personal.
    assert "Nguyễn Văn Hùng" not in Client().get("/tra-cuu/", {"ma": dossier.code}).content.decode()


def test_a_change_shows_at_once_despite_the_cached_page(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    assert "Chờ tiếp nhận" in client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    dossier_accept(dossier=dossier, officer=_officer(), revision=dossier.revision)
    html = client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Chờ tiếp nhận" not in html.split("Quá trình xử lý")[0] and "Các bước giải quyết" in html


def test_a_logged_in_citizen_gets_a_page_with_their_own_navigation(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    anonymous = Client().get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Hồ sơ của tôi" not in anonymous and "Đăng nhập" in anonymous
    client.force_login(hung)
    mine = client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Hồ sơ của tôi" in mine
    assert "Hồ sơ của tôi" not in Client().get("/tra-cuu/", {"ma": dossier.code}).content.decode()


def test_a_kept_page_shows_the_overdue_mark_as_soon_as_a_deadline_passes(client, hung, birth_version) -> None:
    """The page is kept per revision, but never past the next open deadline: the "overdue" mark
    appears the minute the step is late, without any change to the dossier."""
    with time_machine.travel(datetime.datetime(2026, 12, 7, 8, 0, tzinfo=VN), tick=False):
        dossier = submitted_dossier(hung, birth_version)
        dossier_accept(dossier=dossier, officer=officer("xa.tn"), revision=dossier.revision)
    due = DossierStep.objects.get(dossier=dossier, kind=StepKind.PROCESS).due_at
    with time_machine.travel(due - datetime.timedelta(minutes=1), tick=False):
        assert "Đang quá hạn" not in client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    with time_machine.travel(due + datetime.timedelta(minutes=1), tick=False):
        assert "Đang quá hạn" in client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
        assert client.get(f"/api/v1/tracking/{dossier.code}").json()["steps"][1]["overdue"] is True


def test_the_next_step_names_the_fees_still_owed(client, hung, birth_version) -> None:
    Fee.objects.filter(version=birth_version).update(amount=8000)
    dossier = _submitted(hung, birth_version)
    reception = _officer()
    dossier_accept(dossier=dossier, officer=reception, revision=dossier.revision)
    owed = "Phí, lệ phí phải nộp: 8.000 đồng. Nộp sau khi hồ sơ được tiếp nhận"
    assert owed in client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    counter_payment_record(dossier=dossier, officer=reception, method=PaymentMethod.CASH, revision=None)
    assert owed not in client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert owed not in client.get(f"/api/v1/tracking/{dossier.code}").json()["next_step"]


def test_a_wrong_second_factor_says_so_and_how_many_tries_are_left(client, hung, birth_version) -> None:
    """Before, a wrong number gave the same page as no number at all."""
    dossier = _submitted(hung, birth_version)
    client.get("/tra-cuu/", {"ma": dossier.code})  # the shared, kept page must not carry the message
    for left in (4, 3, 2, 1):
        page = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345679"}).content.decode()
        assert "không khớp với số điện thoại hay số định danh" in page
        assert f"còn {left} lần thử" in page and 'aria-invalid="true"' in page
        assert "Nguyễn Văn Hùng" not in page
    for _ in range(2):  # the fifth wrong one, then even the right one while held up
        page = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345670"}).content.decode()
        assert "Đã nhập sai quá 5 lần" in page and "thử lại sau 10 phút" in page
    held = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0912345678"}).content.decode()
    assert "Đã nhập sai quá 5 lần" in held and "Nguyễn Văn Hùng" not in held
    fresh = Client().get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "không khớp" not in fresh and "Đã nhập sai" not in fresh


def test_after_rating_the_invitation_gives_way_to_thanks(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.RETURNED, revision=F("revision") + 1)
    anonymous = Client()
    before = anonymous.get("/tra-cuu/", {"ma": dossier.code}).content.decode()  # now kept for this revision
    assert "mời người nộp đăng nhập để đánh giá" in before and "Đến hồ sơ của tôi để đánh giá" in before
    client.force_login(hung)
    assert f"/danh-gia/{dossier.pk}/" in client.get(f"/ho-so/{dossier.pk}/").content.decode()

    client.post(
        f"/danh-gia/{dossier.pk}/",
        {"agency_level": "very_satisfied", "officer_level": "satisfied", "result_level": "satisfied"},
    )

    own = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert f"/danh-gia/{dossier.pk}/" not in own and "Cảm ơn ông/bà đã đánh giá" in own
    assert "Cơ quan: Rất hài lòng" in own
    after = anonymous.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "Đến hồ sơ của tôi để đánh giá" not in after and "mời người nộp" not in after
    assert "Người nộp đã đánh giá mức độ hài lòng; cảm ơn ông/bà." in after
