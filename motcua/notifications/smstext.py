"""SMS text: accents folded for GSM-7 routes, and the number of segments a text costs.

Vietnamese carriers' brandname routes commonly carry GSM-7 only: a text with accents either
arrives garbled or is billed as UCS-2 (70 characters a segment instead of 160). Which route
takes what is a setting (MOTCUA_SMS_ROUTES: route → "gsm7" or "ucs2"); notifications go on the
route MOTCUA_SMS_NOTIFICATION_ROUTE names.
"""

import math
import unicodedata
from dataclasses import dataclass

from django.conf import settings

GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 basic character set, and the extension table (each extension character costs two
# septets: an escape and the character).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
# Typography that has a plain GSM-7 stand-in.
_REPLACEMENTS = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "«": '"', "»": '"', "\u00a0": " "}
)


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: str
    segments: int


def sms_fold(text: str) -> str:
    """Vietnamese without accents, case and punctuation kept: "Hồ sơ đã được tiếp nhận" →
    "Ho so da duoc tiep nhan". Whatever still falls outside GSM-7 becomes "?"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_REPLACEMENTS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return "".join(ch if ch in _GSM7_BASIC or ch in _GSM7_EXTENSION else "?" for ch in stripped)


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text)


def sms_segments(text: str) -> tuple[str, int]:
    """(encoding, segments): GSM-7 carries 160 septets in one SMS and 153 in each part of a
    long one; UCS-2 carries 70 UTF-16 units, 67 in each part."""
    if is_gsm7(text):
        septets = sum(2 if ch in _GSM7_EXTENSION else 1 for ch in text)
        return GSM7, 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return UCS2, 1 if units <= 70 else math.ceil(units / 67)


def sms_text_for_route(text: str, *, route: str | None = None) -> SmsText:
    """`text` as it goes out on `route` (the notification route by default)."""
    route = route or settings.MOTCUA_SMS_NOTIFICATION_ROUTE
    if settings.MOTCUA_SMS_ROUTES.get(route, GSM7) != UCS2:
        text = sms_fold(text)
    encoding, segments = sms_segments(text)
    return SmsText(text=text, encoding=encoding, segments=segments)
