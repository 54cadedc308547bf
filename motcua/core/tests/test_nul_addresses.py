"""A NUL character in a page's address is a 400, never a 500: PostgreSQL refuses NUL in any
text it stores or compares, so a code looked up from the address used to crash (found by
fuzzing the API; the API has its own answers, see api/tests/test_api_fuzz.py)."""

import pytest
from django.test import Client

from motcua.core.tests.error_helpers import assert_vietnamese_page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/tra-cuu/H15-a%00b/",
        "/xac-thuc/a%00b/",
        "/thu-tuc/1.00%001/",
        "/lien-thong/a%00b/",
        "/ho-so/bat-dau/a%00b/",
        "/thu-tuc/?q=khai%00sinh",
        "/thu-tuc/?q=a&q%00=b",
    ],
)
def test_a_nul_character_in_the_address_is_a_bad_request(address: str) -> None:
    response = Client(raise_request_exception=False).get(address)
    assert response.status_code == 400
    assert_vietnamese_page(response, "Yêu cầu không hợp lệ")


def test_the_api_keeps_its_own_documented_answer(client: Client) -> None:
    assert client.get("/api/v1/procedures/a%00b/").status_code == 404
