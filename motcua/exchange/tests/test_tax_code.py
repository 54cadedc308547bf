"""Tax codes are checked before anything is sent: 10 digits with the check digit, or a branch's
10-3 form; spaces and dots are forgiven, a wrong digit is not."""

import pytest

from motcua.core.errors import ApplicationError
from motcua.exchange.taxcode import tax_code_check_digit, tax_code_clean


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        # python-stdnum's examples of real codes (stdnum/vn/mst.py).
        ("0100233488", "0100233488"),
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        ("01.00.233 488", "0100233488"),
        ("6001234562", "6001234562"),
    ],
)
def test_valid_codes(typed, clean):
    assert tax_code_clean(typed) == clean


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("0100233480", "tax_code_checksum"),  # stdnum's example of a wrong check digit
        ("6001234563", "tax_code_checksum"),
        ("0100000000", "tax_code_checksum"),  # no sequence number
        ("0314409058-000", "tax_code_checksum"),  # branch 000 is the parent itself
        ("12345", "tax_code_format"),
        ("066094000103", "tax_code_format"),  # a personal ID number, not a tax code
        ("01002334AB", "tax_code_format"),
        ("", "tax_code_format"),
    ],
)
def test_invalid_codes_refused_in_vietnamese(typed, code):
    with pytest.raises(ApplicationError) as raised:
        tax_code_clean(typed)
    assert raised.value.code == code and "Mã số thuế" in raised.value.message


def test_remainder_zero_has_no_check_digit():
    """10 − 0 = 10 is not a digit: no code starts with nine digits whose weighted sum is 0 mod 11."""
    assert tax_code_check_digit("000000000") is None
    assert tax_code_check_digit("010023348") == "8"
