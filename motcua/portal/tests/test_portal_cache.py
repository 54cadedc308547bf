"""The public catalogue pages kept per catalogue generation: a change is on the page at the next
request, nothing of one visitor reaches another, and the queries do not grow with the catalogue."""

import re

import pytest
from django.core.cache import cache
from django.core.management.sql import emit_post_migrate_signal
from django.test import Client

from motcua.catalog.generation import catalog_generation
from motcua.catalog.models import Fee, Procedure
from motcua.catalog.selectors import ProcedureFilters, procedure_search
from motcua.catalog.services import catalog_import, procedure_version_clone, procedure_version_publish
from motcua.core.shared_pages import CSRF_SLOT
from motcua.core.testing import BIRTH, DEATH, catalog_document, citizen, load_catalog, procedure

PAGES = ["/", "/thu-tuc/", "/thu-tuc/?q=dang+ky+khai+sinh", "/thu-tuc/1.001193/"]
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def _many(count: int) -> list[dict]:
    return [procedure(f"2.{i:06d}", f"Thủ tục cấp giấy phép số {i}", field="XD") for i in range(count)]


@pytest.mark.django_db(transaction=True)  # real commits: the generation moves on commit
def test_a_published_change_is_on_the_kept_page_at_once(django_assert_num_queries) -> None:
    load_catalog(BIRTH, DEATH)
    anonymous = Client()
    for _ask in range(2):  # a page is kept from its second ask on
        assert "Lệ phí đăng ký khai sinh" in anonymous.get("/thu-tuc/1.001193/").content.decode()
    with django_assert_num_queries(0):  # kept: no query at all
        assert anonymous.get("/thu-tuc/1.001193/").status_code == 200

    birth = Procedure.objects.get(code="1.001193")
    draft = procedure_version_clone(actor="test", procedure=birth)
    draft.name = "Thủ tục đăng ký khai sinh (sửa đổi)"
    draft.save()
    procedure_version_publish(actor="test", version=draft)
    assert "Thủ tục đăng ký khai sinh (sửa đổi)" in anonymous.get("/thu-tuc/1.001193/").content.decode()
    assert "(sửa đổi)" in anonymous.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()

    # An edit of one row (as the admin makes it) is a change too.
    fee = Fee.objects.get(version=draft)
    fee.name = "Lệ phí mới"
    fee.save()
    assert "Lệ phí mới" in anonymous.get("/thu-tuc/1.001193/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_import_is_on_the_home_page_and_in_search_at_once() -> None:
    load_catalog(BIRTH)
    anonymous = Client()
    assert "1 thủ tục" in anonymous.get("/").content.decode()
    assert "Tìm thấy 0 thủ tục" in anonymous.get("/thu-tuc/", {"q": "trich luc khai tu"}).content.decode()
    catalog_import(actor="test", document=catalog_document(DEATH))
    assert "2 thủ tục" in anonymous.get("/").content.decode()
    assert "Thủ tục đăng ký khai tử" in anonymous.get("/thu-tuc/", {"q": "trich luc khai tu"}).content.decode()


@pytest.mark.django_db
def test_nothing_of_a_logged_in_citizen_reaches_an_anonymous_visitor() -> None:
    load_catalog(BIRTH, DEATH)
    first, second = Client(), Client()
    hung = Client()
    hung.force_login(citizen())
    for page in PAGES:
        before = first.get(page).content.decode()  # kept for anonymous visitors
        mine = hung.get(page).content.decode()
        after = second.get(page).content.decode()
        # The citizen's own menu, not the kept page; the visitors' pages, without it.
        assert "Hồ sơ của tôi" in mine, page
        assert "Hồ sơ của tôi" not in before and "Hồ sơ của tôi" not in after, page
        # Each response carries its visitor's own CSRF token, never the slot or another's.
        tokens = [TOKEN.search(html).group(1) for html in (before, mine, after)]  # type: ignore[union-attr]
        assert CSRF_SLOT not in before + mine + after
        assert len(set(tokens)) == 3, page
    # The kept page still works for a form post: its token matches the visitor's cookie.
    anonymous = Client(enforce_csrf_checks=True)
    token = TOKEN.search(anonymous.get("/").content.decode()).group(1)  # type: ignore[union-attr]
    response = anonymous.post("/tra-cuu/?ma=NONE", {"xac_minh": "x"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code != 403


@pytest.mark.django_db
def test_a_visitor_with_a_message_gets_a_page_of_their_own(client) -> None:
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    load_catalog(BIRTH)
    Client().get("/")  # kept without any message
    request = HttpRequest()
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Đã lưu hồ sơ của bạn.")
    response = HttpResponse()
    storage.update(response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value
    assert "Đã lưu hồ sơ của bạn." in client.get("/").content.decode()
    assert "Đã lưu hồ sơ của bạn." not in Client().get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 40])
def test_page_queries_do_not_grow_with_the_catalogue(count: int, django_assert_max_num_queries) -> None:
    """Built for a logged-in citizen (never a kept page), with nothing kept yet; four of the
    queries are the session, the user, their staff roles and the citizen's menu."""
    load_catalog(BIRTH, DEATH, *_many(count))
    hung = Client()
    hung.force_login(citizen())
    budgets = {"/": 5, "/thu-tuc/": 8, "/thu-tuc/?q=cap+giay+phep": 8, "/thu-tuc/1.001193/": 9}
    for page, budget in budgets.items():
        cache.clear()
        with django_assert_max_num_queries(budget):
            assert hung.get(page).status_code == 200, page


@pytest.mark.django_db
def test_search_results_are_kept_per_folded_query(django_assert_num_queries) -> None:
    load_catalog(BIRTH, DEATH)
    for _ask in range(2):  # a result is kept from its second ask on
        with django_assert_num_queries(1):  # matching and ranking
            first = procedure_search(filters=ProcedureFilters(query="dang ky khai sinh"))
    with django_assert_num_queries(0):  # the same words with accents and capitals
        again = procedure_search(filters=ProcedureFilters(query="ĐĂNG KÝ  Khai Sinh"))
    assert [p.code for p in again] == [p.code for p in first] == ["1.001193"]


@pytest.mark.django_db
def test_queries_asked_once_leave_no_page_in_the_cache() -> None:
    """A flood of queries nobody repeats keeps no page: only a marker of a few bytes each."""
    load_catalog(BIRTH, DEATH)
    anonymous = Client()
    for number in range(30):
        assert anonymous.get("/thu-tuc/", {"q": f"khai sinh {number}"}).status_code == 200
    keys = list(cache._cache)  # type: ignore[attr-defined]
    kept = [key for key in keys if (":page:" in key or ":search:" in key) and not key.endswith(":asked")]
    assert kept == [] and len([key for key in keys if key.endswith(":asked")]) >= 60


@pytest.mark.django_db
def test_an_upgrade_starts_a_new_generation() -> None:
    """`migrate` runs at every upgrade: pages kept by the old templates are not served after it."""
    before = catalog_generation()
    emit_post_migrate_signal(0, False, "default")
    assert catalog_generation() != before
