"""Vietnamese tax codes (mã số thuế) of businesses and their branches.

A tax code is 10 digits, or 13 for a dependent unit (branch): the parent's 10 digits, a dash
and a 3-digit sequence, e.g. "0314409058-002". Digits 1–2 are the province where the code was
issued, 3–9 a sequence and the 10th a check digit: 10 − (Σ dᵢ·wᵢ mod 11) over the first nine
digits with weights 31, 29, 23, 19, 17, 13, 7, 5, 3. A remainder of 0 would give 10, which is
not a digit: no such code is issued. The rule is the one python-stdnum implements
(stdnum/vn/mst.py) and checks against real codes; see docs/data-exchange.md for what was
verified. It catches mistyped codes before anything is sent; it says nothing of whether the
business exists (that is the registry's answer).
"""

import re

from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_SHAPE = re.compile(r"(\d{10})(?:-(\d{3}))?")


def tax_code_check_digit(first_nine: str) -> str | None:
    """The 10th digit for `first_nine` digits; None when no valid code starts with them."""
    check = 10 - sum(weight * int(digit) for weight, digit in zip(WEIGHTS, first_nine, strict=True)) % 11
    return str(check) if check < 10 else None


def tax_code_clean(value: str) -> str:
    """The tax code in its usual form ("0100233488" or "0314409058-002"); ApplicationError if invalid."""
    text = re.sub(r"[\s.]", "", value or "")
    if len(text) == 13 and text.isdigit():
        text = f"{text[:10]}-{text[10:]}"
    match = _SHAPE.fullmatch(text)
    if match is None:
        raise ApplicationError(
            _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số đối với chi nhánh."),
            code="tax_code_format",
        )
    main, branch = match.groups()
    if main[2:9] == "0000000" or branch == "000" or tax_code_check_digit(main[:9]) != main[9]:
        raise ApplicationError(
            _("Mã số thuế không hợp lệ (sai chữ số kiểm tra); vui lòng kiểm tra lại."), code="tax_code_checksum"
        )
    return text
