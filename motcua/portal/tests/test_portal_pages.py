"""Citizen pages: home with search, the results list, and a procedure page with everything."""

import pytest

from motcua.core.testing import BIRTH, DEATH, load_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> None:
    load_catalog(BIRTH, DEATH)


def test_home_offers_search_and_fields(client, catalog) -> None:
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert "Hộ tịch" in html


def test_search_without_accents_lists_birth_first(client, catalog) -> None:
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Thủ tục đăng ký khai sinh" in html and "khai tử" not in html


def test_procedure_page_shows_papers_fees_time_place_and_basis(client, catalog) -> None:
    html = client.get("/thu-tuc/1.001193/").content.decode()
    for expected in [
        "Tờ khai đăng ký khai sinh",
        "Miễn khi đúng hạn",
        "ngày làm việc",
        "Ủy ban nhân dân cấp xã",
        "60/2014/QH13",
        "Luật Hộ tịch",
        "Toàn trình",
        "Nộp hồ sơ trực tuyến",
    ]:
        assert expected in html, expected


def test_unknown_procedure_is_a_404_page(client, catalog) -> None:
    response = client.get("/thu-tuc/9.999999/")
    assert response.status_code == 404


def test_pages_send_security_headers(client, catalog) -> None:
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_asset_comes_from_another_origin(client, catalog) -> None:
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "http://" not in html and "https://" not in html
