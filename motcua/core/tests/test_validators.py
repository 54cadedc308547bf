"""Vietnamese identifiers are checked with precise messages: personal ID numbers (Circular
59/2021/TT-BCA), mobile numbers and tax codes."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from motcua.core.validators import (
    PROVINCE_CODES,
    tax_code_check_digit,
    validate_id_number,
    validate_tax_code,
    validate_vn_phone,
)

# A made-up number of a man born in 1990 whose birth was registered in Đắk Lắk (066).
MAN_1990 = "066090123456"
# A woman born in 2005, registered in Hà Nội (001).
WOMAN_2005 = "001305000123"


def _message(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(excinfo.value.messages[0])


def test_the_63_province_codes_of_the_circular() -> None:
    """The list holds exactly the 63 codes 001–096 of Annex I, with the well-known anchors."""
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["066"] == "Đắk Lắk"
    assert PROVINCE_CODES["079"] == "Thành phố Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert "003" not in PROVINCE_CODES and "000" not in PROVINCE_CODES


@pytest.mark.parametrize("typed", [MAN_1990, "066 090 123 456", " 066090123456 "])
def test_a_valid_id_number_is_returned_without_spaces(typed: str) -> None:
    """People copy the number with the spaces printed on the card; those are dropped."""
    assert validate_id_number(typed) == MAN_1990


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("06609012345", "Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập 11 chữ số)."),
        ("0660901234567", "Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập 13 chữ số)."),
        ("06609012345O", "Số định danh cá nhân chỉ gồm chữ số."),
        ("066-090-123456", "Số định danh cá nhân chỉ gồm chữ số."),
    ],
)
def test_wrong_length_or_characters_are_explained(typed: str, expected: str) -> None:
    """A mistyped number gets a message that says what is wrong with it."""
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(typed)
    assert _message(excinfo) == expected


def test_an_old_nine_digit_identity_card_number_is_recognised() -> None:
    """A 9-digit CMND is not silently refused as "wrong length": the message says what to enter."""
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number("241234567")
    assert "chứng minh nhân dân 9 số" in _message(excinfo)


@pytest.mark.parametrize("province", ["999", "003", "000", "097"])
def test_an_unknown_province_code_is_refused(province: str) -> None:
    """The first three digits must be a province code of the circular."""
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(province + "090123456")
    assert f"Mã tỉnh nơi đăng ký khai sinh “{province}” không tồn tại" in _message(excinfo)


def test_extra_place_codes_can_be_allowed_by_setting(settings) -> None:  # type: ignore[no-untyped-def]
    """Country codes for births registered abroad are not published; a deployment can add them."""
    settings.MOTCUA_ID_NUMBER_EXTRA_PLACE_CODES = ["999"]
    assert validate_id_number("999090123456") == "999090123456"


def test_a_birth_year_in_the_future_is_refused() -> None:
    """Digit 4 = 4 means the 22nd century: for a person alive now it is a typo."""
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number("066490123456")
    assert "năm sinh 2190" in _message(excinfo)


def test_birth_date_must_agree_with_the_number() -> None:
    """Digits 4–6 encode the birth year; a different birth date is a mistyped number."""
    assert validate_id_number(MAN_1990, birth_date=datetime.date(1990, 5, 17)) == MAN_1990
    assert validate_id_number(WOMAN_2005, birth_date=datetime.date(2005, 1, 2)) == WOMAN_2005
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(MAN_1990, birth_date=datetime.date(1991, 5, 17))
    assert _message(excinfo) == "Năm sinh trong số định danh (1990) không khớp với ngày sinh (năm 1991)."
    with pytest.raises(ValidationError):
        validate_id_number(MAN_1990, birth_year=2090)


@pytest.mark.parametrize("gender", ["nam", "Nam", "male"])
def test_gender_must_agree_with_the_number(gender: str) -> None:
    """Even 4th digit = male, odd = female."""
    assert validate_id_number(MAN_1990, gender=gender) == MAN_1990
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(WOMAN_2005, gender=gender)
    assert _message(excinfo) == "Giới tính trong số định danh (Nữ) không khớp với giới tính đã khai (Nam)."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("+84 0912345678", "0912345678"),
        ("0356789012", "0356789012"),
        ("0589123456", "0589123456"),
        ("0701234567", "0701234567"),
        ("0812345678", "0812345678"),
    ],
)
def test_mobile_numbers_are_normalised(typed: str, expected: str) -> None:
    """+84, 84 and spaces or dots all lead to the 10-digit national number."""
    assert validate_vn_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("01681234567", "đã được chuyển sang 10 chữ số"),
        ("091234567", "phải gồm 10 chữ số"),
        ("02623812345", "phải gồm 10 chữ số"),
        ("0212345678", "phải bắt đầu bằng 03, 05, 07, 08 hoặc 09"),
        ("0412345678", "phải bắt đầu bằng 03, 05, 07, 08 hoặc 09"),
        ("+1 202 555 0100", "Chỉ nhận số điện thoại di động Việt Nam"),
        ("09123abc78", "chỉ gồm chữ số"),
    ],
)
def test_bad_mobile_numbers_are_explained(typed: str, fragment: str) -> None:
    """Landlines, old 11-digit numbers and foreign numbers are refused with a reason."""
    with pytest.raises(ValidationError) as excinfo:
        validate_vn_phone(typed)
    assert fragment in _message(excinfo)


def test_tax_code_check_digit() -> None:
    """The 10th digit is the weighted check digit (Vietnam Airlines' code 0100233488 is valid)."""
    assert tax_code_check_digit("010023348") == 8
    assert validate_tax_code("0100233488") == "0100233488"
    assert validate_tax_code("01.00.233.488") == "0100233488"
    assert validate_tax_code("0100233488-001") == "0100233488-001"
    assert validate_tax_code("0100233488001") == "0100233488-001"


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("0100233480", "sai chữ số kiểm tra"),
        ("0100233489", "sai chữ số kiểm tra"),
        ("010023348", "gồm 10 chữ số"),
        ("0100233488-01", "gồm 10 chữ số"),
        ("0100233488-000", "từ 001 đến 999"),
        ("0100000000", "không hợp lệ"),
    ],
)
def test_bad_tax_codes_are_explained(typed: str, fragment: str) -> None:
    """Wrong length, wrong check digit and a zero branch number each get their own message."""
    with pytest.raises(ValidationError) as excinfo:
        validate_tax_code(typed)
    assert fragment in _message(excinfo)


def test_personal_id_number_as_tax_code_only_when_allowed() -> None:
    """Since 1 July 2025 individuals use their ID number as tax code; a field must opt in."""
    assert validate_tax_code(MAN_1990, allow_id_number=True) == MAN_1990
    with pytest.raises(ValidationError):
        validate_tax_code(MAN_1990)
    with pytest.raises(ValidationError) as excinfo:
        validate_tax_code("999090123456", allow_id_number=True)
    assert "Mã tỉnh" in _message(excinfo)
