"""Vietnamese phone numbers in one form, so a number typed any way is the same number everywhere
(rate limits, search, notifications)."""

import re

# Separators people type inside phone numbers: "0912 345 678", "0912.345.678", "(091) 234-5678".
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Vietnamese numbers in national format: mobiles have 10 digits, landlines 11 (area code 02x).
_NATIONAL_PHONE = re.compile(r"0\d{9,10}")


def phone_normalize(phone: str) -> str:
    """The national form of a Vietnamese phone number: "+84 912 345 678" → "0912345678".

    One form everywhere means one rate limit per phone, whatever way it was typed. Raises
    ValueError when the input is not a Vietnamese phone number.
    """
    value = _PHONE_SEPARATORS.sub("", str(phone or ""))
    if value.startswith("+84"):
        value = "0" + value[3:]
    elif value.startswith("84") and len(value) == 11:
        value = "0" + value[2:]
    if not _NATIONAL_PHONE.fullmatch(value):
        raise ValueError("not a Vietnamese phone number")
    return value
