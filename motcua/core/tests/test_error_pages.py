"""400, 403, 404, 500 and 503 pages are Vietnamese, in the site's look (the portal's for the public,
the back office's under /can-bo/ and /quan-tri/), say what happened and what to do, and link home.
The 500 page renders with the database down; a database outage answers 503 "tạm gián đoạn"."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.core.tests.error_helpers import assert_vietnamese_page, database_unreachable

pytestmark = [pytest.mark.django_db, pytest.mark.urls("motcua.core.tests.urls_errors")]


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def test_404_in_the_portal_look(client) -> None:
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = assert_vietnamese_page(response, "Không tìm thấy trang", "Về trang chủ", 'href="/tra-cuu/"')
    assert "mc-header--blue" not in body and 'href="/"' in body


def test_404_under_the_back_office_keeps_its_look(client) -> None:
    body = assert_vietnamese_page(client.get("/can-bo/khong-co/"), "Không tìm thấy trang", "Về trang chủ cán bộ")
    assert "mc-header--blue" in body and 'href="/can-bo/"' in body


def test_404_shows_our_own_message_only(client) -> None:
    """A selector's Vietnamese message is worth showing; Django's English ones are not."""
    body = assert_vietnamese_page(client.get("/thu-tuc/9.999999/"), "Không tìm thấy thủ tục có mã 9.999999.")
    assert "mc-inset-text" in body


def test_403(client) -> None:
    response = client.get("/_test/forbidden/")
    assert response.status_code == 403
    assert_vietnamese_page(response, "Bạn không có quyền xem trang này", "đăng nhập rồi mở lại trang này")
    client.force_login(get_user_model().objects.create_user(username="canbo403", is_staff=True))
    staff = client.get("/can-bo/_test/forbidden/")
    assert "mc-header--blue" in assert_vietnamese_page(staff, "Bạn không có quyền xem trang này")


def test_400(client) -> None:
    response = client.get("/_test/bad/")
    assert response.status_code == 400
    assert_vietnamese_page(response, "Yêu cầu không hợp lệ", "Về trang chủ")


def test_400_for_a_request_too_large(client, settings) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/tai-khoan/dang-nhap/", {f"field{i}": "x" for i in range(10)})
    assert response.status_code == 400
    assert_vietnamese_page(response, "Dữ liệu bạn gửi lên quá lớn")


def test_500_without_a_traceback(client) -> None:
    response = client.get("/_test/broken/")
    assert response.status_code == 500
    body = assert_vietnamese_page(response, "Rất tiếc, hệ thống gặp lỗi", "Về trang chủ", "main.css")
    assert "secret traceback" not in body and "RuntimeError" not in body


@pytest.mark.django_db(transaction=True)
def test_500_renders_while_the_database_is_down(client, settings) -> None:
    """A logged-in visitor (session and user in the database) still gets the 500 page: it reads
    neither, nor any context processor's data."""
    user = get_user_model().objects.create_user(username="canbo500", password="x-Pass-2026!")
    client.force_login(user)
    # The second-factor check reads the session before any view: with the database down it fails
    # closed, with the outage page.
    with database_unreachable():
        assert client.get("/_test/broken/").status_code == 503
    # Without it the failing view is reached (as when the database goes away mid-request).
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "motcua.accounts.middleware.SecondFactorMiddleware"]
    fresh = Client(raise_request_exception=False)  # a client keeps the middleware it started with
    fresh.force_login(user)
    with database_unreachable():
        response = fresh.get("/_test/broken/")
    assert response.status_code == 500
    assert_vietnamese_page(response, "Rất tiếc, hệ thống gặp lỗi")


@pytest.mark.django_db(transaction=True)
def test_database_outage_is_a_503_with_retry_after(client) -> None:
    with database_unreachable():
        page = client.get("/")
        api = client.get("/api/v1/procedures/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "no-store" in page["Cache-Control"]
    assert_vietnamese_page(page, "Hệ thống tạm gián đoạn", "thử lại sau ít phút")
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "unavailable" and api.json()["status"] == 503


def test_database_error_raised_by_a_view_is_a_503(client) -> None:
    response = client.get("/_test/database-gone/")
    assert response.status_code == 503
    assert_vietnamese_page(response, "Hệ thống tạm gián đoạn")


def test_missing_static_manifest_still_renders_the_500_page(client, settings) -> None:
    """Without collectstatic the stylesheet has no address; the error page must not fail too."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-motcua-static"
    response = client.get("/_test/broken/")
    assert response.status_code == 500
    body = assert_vietnamese_page(response, "Rất tiếc, hệ thống gặp lỗi")
    assert "main.css" not in body


def test_redis_outage_is_a_503_not_a_500(client, settings) -> None:
    """The public tracking lookup counts lookups in the cache: with Redis unreachable the person
    is told the service is interrupted for a moment, not that the system is broken."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    response = client.get("/tra-cuu/", {"ma": "000.00.00.H15-260101-0001"})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert_vietnamese_page(response, "Hệ thống tạm gián đoạn")
