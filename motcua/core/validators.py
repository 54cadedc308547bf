"""Validators for Vietnamese identifiers: personal ID number, mobile phone, tax code.

Each returns the value in its canonical form or raises django's ValidationError with a
Vietnamese message that says what is wrong, so forms can show it next to the field.

Sources:

* Personal identification number (số định danh cá nhân, printed on the căn cước / CCCD card):
  12 digits, Circular 59/2021/TT-BCA art. 7 (earlier Circular 07/2016/TT-BCA art. 7, same
  structure), Law on Identity 2023 art. 12: 3 digits for the province (or country) where the
  birth was registered, 1 digit for century and gender, 2 digits for the birth year, 6 random
  digits. The 63 province codes are Annex I of those circulars ("Danh mục mã tỉnh, thành phố
  trực thuộc trung ương nơi công dân đăng ký khai sinh"), checked against the table published
  by thuvienphapluat.vn and the annex of Circular 07/2016 as reproduced by the Hải Phòng city
  portal. The 2025 province mergers did not renumber existing ID numbers, so all 63 codes stay
  valid. The circulars also allow a *country* code for births registered abroad; we found no
  public list of those codes, so none is accepted unless listed in the setting
  ``MOTCUA_ID_NUMBER_EXTRA_PLACE_CODES`` (an iterable of 3-digit strings).
  Century/gender digit: 0/1 = 20th century male/female, 2/3 = 21st, 4/5 = 22nd, 6/7 = 23rd,
  8/9 = 24th. There is no published check digit.
* Mobile numbers: 10 digits since the 2018 renumbering (Decision 798/QĐ-BTTTT), national
  prefixes 03, 05, 07, 08, 09; "+84"/"84" is the country code replacing the leading 0.
* Tax code (mã số thuế): Circular 105/2020/TT-BTC art. 5: 10 digits (N1N2 province,
  N3–N9 sequence, N10 check digit), or 13 digits written ``N1…N10-N11N12N13`` for dependent
  units. The check-digit algorithm is not in the circular; we use the one python-stdnum
  implements (``stdnum.vn.mst``: weights 31, 29, 23, 19, 17, 13, 7, 5, 3 over the first nine
  digits, check digit = 10 − sum mod 11), which accepts real codes such as 0100233488
  (Vietnam Airlines). Since 1 July 2025 (Circular 86/2024/TT-BTC) individuals and household
  businesses use their 12-digit personal ID number as tax code: pass ``allow_id_number=True``.
"""

import datetime
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError

# Annex I, Circular 59/2021/TT-BCA: province (pre-2025 shape) → code.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Thành phố Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MALE = "nam"
FEMALE = "nữ"
# What callers may pass as `gender`: the population registry says "nam"/"nữ".
_GENDER_ALIASES = {"nam": MALE, "male": MALE, "m": MALE, "nữ": FEMALE, "nu": FEMALE, "female": FEMALE, "f": FEMALE}

_SEPARATORS = re.compile(r"[\s.\-()]+")
_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _place_codes() -> Iterable[str]:
    return (*PROVINCE_CODES, *getattr(settings, "MOTCUA_ID_NUMBER_EXTRA_PLACE_CODES", ()))


def _gender_label(gender: str) -> str:
    return _("Nam") if gender == MALE else _("Nữ")


def id_number_birth_year(value: str) -> int:
    """The birth year encoded in a well-formed 12-digit ID number (digits 4–6)."""
    century = int(value[3]) // 2
    return 1900 + 100 * century + int(value[4:6])


def id_number_gender(value: str) -> str:
    """ "nam" or "nữ", from the parity of the 4th digit of a well-formed ID number."""
    return MALE if int(value[3]) % 2 == 0 else FEMALE


def validate_id_number(
    value: str,
    *,
    birth_date: datetime.date | None = None,
    gender: str | None = None,
    birth_year: int | None = None,
) -> str:
    """Check a personal identification number and return its 12 digits.

    Spaces are ignored (people copy "066 090 123 456" from the card). When the birth date
    (or only the year) and the gender are known, they must agree with digits 4–6.
    """
    compact = re.sub(r"\s+", "", str(value or ""))
    if not compact:
        raise ValidationError(_("Vui lòng nhập số định danh cá nhân."), code="id_number_required")
    if not compact.isdigit() or not compact.isascii():
        raise ValidationError(_("Số định danh cá nhân chỉ gồm chữ số."), code="id_number_digits")
    if len(compact) == 9:
        raise ValidationError(
            _(
                "Số chứng minh nhân dân 9 số không còn được dùng; hãy nhập số định danh cá nhân "
                "gồm 12 chữ số in trên thẻ căn cước."
            ),
            code="id_number_old_cmnd",
        )
    if len(compact) != 12:
        raise ValidationError(
            _("Số định danh cá nhân phải gồm đúng 12 chữ số (bạn đã nhập %(n)d chữ số).") % {"n": len(compact)},
            code="id_number_length",
        )
    place = compact[:3]
    if place not in _place_codes():
        raise ValidationError(
            _("Mã tỉnh nơi đăng ký khai sinh “%(code)s” không tồn tại; vui lòng kiểm tra 3 chữ số đầu.")
            % {"code": place},
            code="id_number_province",
        )
    year = id_number_birth_year(compact)
    if year > timezone.localdate().year:
        raise ValidationError(
            _("Số định danh cho thấy năm sinh %(year)d, là năm trong tương lai; vui lòng kiểm tra chữ số thứ 4 đến 6.")
            % {"year": year},
            code="id_number_future",
        )
    expected_year = birth_date.year if birth_date is not None else birth_year
    if expected_year is not None and expected_year != year:
        raise ValidationError(
            _("Năm sinh trong số định danh (%(year)d) không khớp với ngày sinh (năm %(expected)d).")
            % {"year": year, "expected": expected_year},
            code="id_number_birth_year",
        )
    if gender:
        declared = _GENDER_ALIASES.get(gender.strip().casefold())
        encoded = id_number_gender(compact)
        if declared is not None and declared != encoded:
            raise ValidationError(
                _("Giới tính trong số định danh (%(encoded)s) không khớp với giới tính đã khai (%(declared)s).")
                % {"encoded": _gender_label(encoded), "declared": _gender_label(declared)},
                code="id_number_gender",
            )
    return compact


def validate_vn_phone(value: str) -> str:
    """Normalise a Vietnamese mobile number to its 10-digit national form (0912345678)."""
    raw = _SEPARATORS.sub("", str(value or ""))
    if not raw:
        raise ValidationError(_("Vui lòng nhập số điện thoại di động."), code="phone_required")
    digits = raw[1:] if raw.startswith("+") else raw
    if not digits.isdigit() or not digits.isascii():
        raise ValidationError(
            _("Số điện thoại chỉ gồm chữ số, có thể bắt đầu bằng +84, ví dụ 0912 345 678."), code="phone_digits"
        )
    if raw.startswith("+") and not digits.startswith("84"):
        raise ValidationError(_("Chỉ nhận số điện thoại di động Việt Nam (+84)."), code="phone_country")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif digits.startswith("84") and len(digits) == 12 and digits[2] == "0":
        digits = digits[2:]  # "+84 0912…": the 0 typed after the country code
    if len(digits) == 11 and digits.startswith("01"):
        raise ValidationError(
            _("Số 11 chữ số đầu 01… đã được chuyển sang 10 chữ số từ năm 2018; vui lòng nhập số mới."),
            code="phone_old_prefix",
        )
    if len(digits) != 10 or not digits.startswith("0"):
        raise ValidationError(_("Số điện thoại di động phải gồm 10 chữ số, ví dụ 0912 345 678."), code="phone_length")
    if not digits.startswith(_MOBILE_PREFIXES):
        raise ValidationError(_("Số điện thoại di động phải bắt đầu bằng 03, 05, 07, 08 hoặc 09."), code="phone_prefix")
    return digits


def tax_code_check_digit(first_nine: str) -> int | None:
    """The 10th digit for the first nine digits of a tax code; None if no digit can be valid."""
    total = sum(weight * int(digit) for weight, digit in zip(_TAX_WEIGHTS, first_nine, strict=True))
    check = 10 - total % 11
    return check if check < 10 else None


def validate_tax_code(value: str, *, allow_id_number: bool = False) -> str:
    """Check a tax code; return "0123456789" or "0123456789-001" (dependent unit).

    With `allow_id_number`, a 12-digit personal ID number is accepted too (individuals and
    household businesses use it as their tax code since 1 July 2025).
    """
    raw = re.sub(r"[\s.]+", "", str(value or ""))
    if not raw:
        raise ValidationError(_("Vui lòng nhập mã số thuế."), code="tax_code_required")
    if allow_id_number and raw.isdigit() and len(raw) == 12:
        return validate_id_number(raw)
    match = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", raw) if raw.isascii() else None
    if match is None:
        if allow_id_number:
            message = _(
                "Mã số thuế gồm 10 chữ số (đơn vị phụ thuộc: 10 chữ số, dấu gạch ngang và 3 chữ số, "
                "ví dụ 0100233488-001), hoặc là số định danh cá nhân 12 chữ số."
            )
        else:
            message = _(
                "Mã số thuế gồm 10 chữ số; đơn vị phụ thuộc ghi thêm dấu gạch ngang và 3 chữ số, ví dụ 0100233488-001."
            )
        raise ValidationError(message, code="tax_code_format")
    main, branch = match.group(1), match.group(2)
    if main[2:9] == "0000000":
        raise ValidationError(_("Mã số thuế “%(code)s” không hợp lệ.") % {"code": main}, code="tax_code_sequence")
    if tax_code_check_digit(main[:9]) != int(main[9]):
        raise ValidationError(
            _("Mã số thuế “%(code)s” sai chữ số kiểm tra (chữ số cuối); vui lòng kiểm tra lại.") % {"code": main},
            code="tax_code_checksum",
        )
    if branch is None:
        return main
    if branch == "000":
        raise ValidationError(
            _("Ba chữ số cuối của mã số thuế đơn vị phụ thuộc phải từ 001 đến 999."), code="tax_code_branch"
        )
    return f"{main}-{branch}"


# The largest id the databases hold: a signed 64-bit integer in PostgreSQL and in SQLite.
MAX_RECORD_ID = 2**63 - 1


def record_id(text: str) -> int | None:
    """A record's id given in a query string or a form field: ASCII digits within the databases'
    range, else None (int() fails on "²" and Python refuses over 4,300 digits; a number past the
    range makes the database driver fail instead of finding nothing)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_RECORD_ID)):
        return None
    value = int(text)
    return value if value <= MAX_RECORD_ID else None


def asked_record_id(text: str, label: str) -> int | None:
    """The record id a query parameter names: None when it is not given, refused (a 400 with the
    parameter's `label`) when it is given but is not an id; whether the record exists, and is the
    person's to see, is the caller's 404 or 403."""
    if not text:
        return None
    pk = record_id(text)
    if pk is None:
        raise parameter_refused(label, text)
    return pk


def parameter_refused(label: str, value: str) -> ApplicationError:
    """A query parameter that is not one of its values (a 400 naming it): never ignored, since the
    page would then pretend to show what was not asked for."""
    return ApplicationError(
        _("%(label)s không hợp lệ: “%(value)s”.") % {"label": label, "value": value[:40]}, code="bad_parameter"
    )


def unix_seconds(text: str | None) -> int | None:
    """A Unix time in seconds sent in a header: at most 12 ASCII digits (the year 33658), else None
    (int() fails on "²", and a longer number cannot be compared with the clock's float)."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    return int(text)
