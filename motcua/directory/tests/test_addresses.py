"""An address is shown with place names, never unit codes, in the order Vietnamese addresses are
written (number and street, ward, [district,] province), the kind words in lower case inside
the line (Decree 30/2020, appendix II); an abolished unit is named and marked, an unknown
code is marked rather than dropped, and nothing crashes."""

import datetime

import pytest

from motcua.directory.addresses import address_text, unit_name_in_text, units_by_code
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture
def units(db: None) -> None:
    province = AdministrativeUnit.objects.create(code="66", name="Tỉnh Đắk Lắk", kind=UnitKind.PROVINCE)
    AdministrativeUnit.objects.create(
        code="24121", name="Phường Tân Lập", kind=UnitKind.WARD, parent=province, valid_from="2025-07-01"
    )
    city = AdministrativeUnit.objects.create(
        code="643", name="Thành phố Buôn Ma Thuột", kind=UnitKind.DISTRICT, parent=province, valid_to="2025-06-30"
    )
    AdministrativeUnit.objects.create(
        code="24124", name="Phường Tân Hòa", kind=UnitKind.WARD, parent=city, valid_to="2025-06-30"
    )


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Tỉnh Đắk Lắk", "tỉnh Đắk Lắk"),
        ("Phường Tân Lập", "phường Tân Lập"),
        ("Xã Ea Kao", "xã Ea Kao"),
        ("Thị trấn Ea Drăng", "thị trấn Ea Drăng"),
        ("Thành phố Buôn Ma Thuột", "thành phố Buôn Ma Thuột"),
        ("Phường 5", "Phường 5"),  # a number keeps its kind word capitalised
        ("Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"),  # so does a person's name
        ("Bệnh viện Đa khoa", "Bệnh viện Đa khoa"),  # not a unit: unchanged
    ],
)
def test_unit_names_inside_a_line_write_the_kind_in_lower_case(name: str, written: str) -> None:
    assert unit_name_in_text(name) == written


def test_a_ward_and_its_province_follow_the_street(units: None) -> None:
    assert (
        address_text({"unit": "24121", "detail": "Số 12 Y Ngông"}, today=TODAY)
        == "Số 12 Y Ngông, phường Tân Lập, tỉnh Đắk Lắk"
    )


def test_without_a_detail_the_line_starts_with_a_capital(units: None) -> None:
    assert address_text({"unit": "24121", "detail": ""}, today=TODAY) == "Phường Tân Lập, tỉnh Đắk Lắk"


def test_names_the_registry_already_wrote_are_not_repeated(units: None) -> None:
    """The population registry gives the whole address as the detail: its ward and province
    are not written twice, nor put before the street."""
    stored = {"unit": "24121", "detail": "Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk"}
    assert address_text(stored, today=TODAY) == "Số 18, tổ dân phố 5, phường Tân Lập, tỉnh Đắk Lắk"
    stored = {"unit": "24121", "detail": "Số 18, Tân Lập, Đắk Lắk"}
    assert address_text(stored, today=TODAY) == "Số 18, phường Tân Lập, tỉnh Đắk Lắk"


def test_a_stored_name_or_text_is_ignored_the_code_decides(units: None) -> None:
    stored = {"unit": "24121", "unit_name": "Xã Khác", "detail": "Số 1", "text": "Số 1, 24121"}
    assert address_text(stored, today=TODAY) == "Số 1, phường Tân Lập, tỉnh Đắk Lắk"


def test_an_abolished_ward_is_named_with_its_district_and_marked(units: None) -> None:
    assert address_text({"unit": "24124", "detail": "Số 3"}, today=TODAY) == (
        "Số 3, phường Tân Hòa, thành phố Buôn Ma Thuột, tỉnh Đắk Lắk (đơn vị hành chính cũ, đến 30/06/2025)"
    )
    # On a day the ward still existed, it is simply its name.
    assert "cũ" not in address_text({"unit": "24124", "detail": "Số 3"}, today=datetime.date(2024, 1, 1))


def test_an_unknown_code_is_shown_marked_not_dropped(units: None) -> None:
    assert address_text({"unit": "99999", "detail": "Số 3"}, today=TODAY) == (
        "Số 3, xã, phường mã 99999 (không có trong danh mục đơn vị hành chính)"
    )


def test_an_address_outside_the_province_and_plain_text_are_kept_as_written(db: None) -> None:
    assert address_text({"unit": None, "detail": "12 Lê Lợi, phường Bến Nghé, TP Hồ Chí Minh"}) == (
        "12 Lê Lợi, phường Bến Nghé, TP Hồ Chí Minh"
    )
    assert address_text({"unit": "_outside", "detail": "Số 1  Hà Nội"}) == "Số 1 Hà Nội"
    assert address_text("Số 1 Lê Duẩn") == "Số 1 Lê Duẩn"
    assert address_text(None) == "" and address_text({}) == ""


def test_many_addresses_ask_once_per_unit(units: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    loaded = units_by_code(["24121"])
    with django_assert_num_queries(1):  # only the unit not loaded yet
        for code in ("24121", "24124", "24124", "24121"):
            address_text({"unit": code, "detail": "Số 1"}, units=loaded, today=TODAY)
    assert set(loaded) == {"24121", "24124"}
