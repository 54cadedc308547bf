"""Amounts of money as Vietnamese readers write them."""

from django.utils.translation import gettext as _


def group_thousands(value: int) -> str:
    """100000 → "100.000" (Vietnamese groups thousands with dots, whatever the active language)."""
    return f"{value:,}".replace(",", ".")


def format_amount(value: int | str) -> str:
    """100000 → "100.000 đồng"."""
    if isinstance(value, str):
        return value
    return group_thousands(value) + " " + _("đồng")


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")


def _triple_in_words(number: int, *, leading: bool) -> list[str]:
    """Three digits as read aloud; inside a larger number the hundreds are always said
    ("một triệu không trăm linh năm nghìn")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
        if units:
            words.append(_DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else _DIGITS[units])
    else:
        words += [_DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, _DIGITS[units]))
    return words


def amount_in_words(value: int) -> str:
    """8000 → "Tám nghìn đồng": the amount in words printed on receipts (số tiền bằng chữ)."""
    if value < 0:
        raise ValueError("amounts in words are never negative")
    if value == 0:
        return "Không đồng"
    groups: list[int] = []
    while value:
        groups.append(value % 1000)
        value //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index] == 0:
            continue
        words += _triple_in_words(groups[index], leading=not words)
        # Above a billion the scales repeat: nghìn tỷ, triệu tỷ, tỷ tỷ.
        scale = [_SCALES[index % 3], *["tỷ"] * (index // 3)]
        words += [word for word in scale if word]
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]
