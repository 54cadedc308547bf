"""Finding 11: every page under /can-bo/, whichever app adds it, is for staff. A citizen's account
gets the Vietnamese 403 page (it got an empty 200 before), an anonymous visitor the staff login;
the login and logout pages stay open. Pages are taken from the URL resolver, so a new one is
covered without editing this test."""

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from motcua.core.testing import citizen

pytestmark = pytest.mark.django_db
OPEN = {"/can-bo/dang-nhap/", "/can-bo/dang-xuat/"}


def _paths(patterns: list[Any], prefix: str = "") -> list[str]:
    """Every path the resolver serves under `prefix`, its converters filled with 1."""
    found = []
    for entry in patterns:
        route = str(entry.pattern)
        route = re.sub(r"<[^>]+>", "1", route)
        if isinstance(entry, URLResolver):
            found += _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return found


def _staff_pages() -> list[str]:
    return sorted({path for path in _paths(get_resolver().url_patterns) if path.startswith("/can-bo/")} - OPEN)


def test_the_staff_area_is_found_whole() -> None:
    pages = _staff_pages()
    assert {"/can-bo/", "/can-bo/ho-so/1/buoc/1/", "/can-bo/phan-anh/", "/can-bo/danh-gia/"} <= set(pages)
    assert all("<" not in page for page in pages)


@pytest.mark.parametrize("path", _staff_pages())
@pytest.mark.parametrize("method", ["get", "post"])
def test_citizens_are_refused_every_staff_page(client, path, method) -> None:
    client.force_login(citizen())
    response = getattr(client, method)(path)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Bạn không có quyền xem trang này" in page and "Trang này dành cho cán bộ" in page


@pytest.mark.parametrize("path", _staff_pages())
def test_anonymous_visitors_are_sent_to_the_staff_login(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/can-bo/dang-nhap/?next=")


def test_the_staff_login_stays_open(client) -> None:
    assert client.get("/can-bo/dang-nhap/").status_code == 200
    client.force_login(citizen())
    assert client.get("/can-bo/dang-nhap/").status_code == 200
