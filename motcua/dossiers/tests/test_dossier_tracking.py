"""Public tracking by dossier code: status and timeline for anyone with the code, personal data
only with the second factor; unknown codes and floods answer alike; receipts carry the QR."""

import pytest
from django.core.cache import cache

from motcua.dossiers.reception import dossier_accept
from motcua.dossiers.tests.test_dossier_reception import _officer, _pdf_text, _submitted

pytestmark = pytest.mark.django_db


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
    dossier = _submitted(hung, birth_version)
    wrong = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "0000"}).content.decode()
    assert "Nguyễn Văn Hùng" not in wrong
    right = client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "5678"}).content.decode()
    assert "Nguyễn Văn Hùng" in right
    by_id = client.get(f"/api/v1/tracking/{dossier.code}", {"xac_minh": "0103"}).json()
    assert by_id["verified"] and by_id["applicant"] == "Nguyễn Văn Hùng"


def test_unknown_codes_and_floods_give_nothing_away(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    unknown = client.get("/tra-cuu/", {"ma": "000.01.50.H15-261125-9999"})
    assert unknown.status_code == 404
    for _ in range(40):
        client.get("/tra-cuu/", {"ma": "000.01.50.H15-261125-9998"})
    flooded = client.get("/tra-cuu/", {"ma": dossier.code})
    assert flooded.status_code == 404, "after too many lookups even a real code answers like an unknown one"
    assert client.get(f"/api/v1/tracking/{dossier.code}").status_code == 404


def test_second_factor_guesses_are_limited(client, hung, birth_version) -> None:
    dossier = _submitted(hung, birth_version)
    for guess in range(5):
        client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": f"000{guess}"})
    assert "Nguyễn Văn Hùng" not in client.post(f"/tra-cuu/?ma={dossier.code}", {"xac_minh": "5678"}).content.decode()


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
