"""Catalogue search ignores accents, case and đ/d, ranks sensibly and filters; the same on
SQLite and PostgreSQL (the suite runs on both)."""

import pytest

from motcua.catalog.selectors import ProcedureFilters, procedure_search
from motcua.catalog.services import catalog_import
from motcua.core.testing import BIRTH, catalog_document, procedure

pytestmark = pytest.mark.django_db

CATALOG = [
    procedure("1.000689", "Thủ tục đăng ký khai sinh kết hợp nhận cha, mẹ, con"),
    procedure("2.000528", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài", level="province", online_level="partial"),
    procedure("1.004884", "Thủ tục đăng ký lại khai sinh"),
    BIRTH,
    procedure("1.000656", "Thủ tục đăng ký khai tử", results=["Trích lục khai tử"]),
    procedure(
        "1.013225",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        field="XD",
        level="province",
        managing_agency="",
        results=["Giấy phép xây dựng"],
    ),
]


@pytest.fixture
def catalog(agencies) -> None:  # type: ignore[no-untyped-def]
    catalog_import(actor="test", document=catalog_document(*CATALOG))


def codes(**filters: str) -> list[str]:
    return [p.code for p in procedure_search(filters=ProcedureFilters(**filters))]


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "Đăng ký khai sinh", "KHAI  SINH"]
)
def test_birth_registration_comes_first(catalog, query: str) -> None:
    result = codes(query=query)
    assert result[0] == "1.001193"
    assert "1.000656" not in result, "death registration does not match 'khai sinh'"


def test_every_word_must_match_and_order_is_by_rank(catalog) -> None:
    assert codes(query="khai sinh nuoc ngoai") == ["2.000528"]
    ranked = codes(query="dang ky khai sinh")
    assert ranked.index("1.004884") > ranked.index("1.000689"), "a contiguous phrase outranks scattered words"


def test_search_reaches_results_and_code(catalog) -> None:
    assert codes(query="giay phep xay dung") == ["1.013225"]
    assert codes(query="1.013225") == ["1.013225"]


def test_unknown_words_find_nothing(catalog) -> None:
    assert codes(query="khai sinh xyzzy") == []


def test_filters_combine_with_search(catalog) -> None:
    assert codes(query="khai sinh", level="province") == ["2.000528"]
    assert codes(online_level="partial") == ["2.000528"]
    assert codes(field="XD") == ["1.013225"]
    assert "1.013225" not in codes(agency="STP")
    assert set(codes(agency="UBND-24121")) == {"1.000689", "1.004884", "1.001193", "1.000656"}
    assert codes(agency="TTPVHCC") == ["1.013225", "2.000528"]
    assert codes(agency="NOPE") == []


def test_pages_load_only_their_rows(catalog, django_assert_num_queries) -> None:
    results = procedure_search(filters=ProcedureFilters(query="khai sinh"))
    with django_assert_num_queries(1):
        page = results[0:2]
    assert [p.code for p in page] == codes(query="khai sinh")[:2]
