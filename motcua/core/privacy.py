"""Helpers that keep personal data (phone numbers, ID numbers) out of logs.

Log lines may say *which* record an event concerns, never whose phone it is: use these helpers
for anything personal that a log line has to mention.
"""

import logging
import re

from django.core.exceptions import PermissionDenied


def mask_phone(phone: str) -> str:
    """Keep the first three and last three characters: "0912345678" → "091****678".

    Enough for an operator to match a complaint ("my number ends in 678") without the log
    holding the number. Anything too short to mask that way is hidden entirely.
    """
    value = "".join(str(phone or "").split())
    if len(value) <= 6:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 6)}{value[-3:]}"


# --- Personal identification numbers (số định danh cá nhân) --------------------------------
# Personal data under Decree 13/2023/NĐ-CP: the first six digits alone tell the province of
# birth registration, the gender and the birth year.

# Twelve digits standing alone: the shape of a personal identification number.
_ID_NUMBER = re.compile(r"(?<!\d)\d{12}(?!\d)")
_VISIBLE_DIGITS = 3


def mask_id(value: str | None) -> str:
    """`value` with all but its last three characters replaced by "*" ("*********345").

    Short values (under nine characters) are masked entirely: three visible characters of a
    short value would give too much of it away.
    """
    if not value:
        return "<empty>"
    visible = _VISIBLE_DIGITS if len(value) >= 9 else 0
    return "*" * (len(value) - visible) + value[len(value) - visible :]


def mask_id_numbers(text: str) -> str:
    """`text` with every twelve-digit run masked by `mask_id`."""
    return _ID_NUMBER.sub(lambda match: mask_id(match.group(0)), text)


_TRACEBACKS = logging.Formatter()


class MaskIdNumbersFilter(logging.Filter):
    """A logging filter that masks identification numbers inside any log message.

    Third-party libraries log what they see: httpx logs every request URL at INFO level, and
    the population registry's URL ends with the citizen's ID number. Attach this filter to a
    logger (or, better, to the handlers in settings.LOGGING) so such lines are masked.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            # An expected refusal (Django logs its 403s with the exception): the line says enough.
            record.exc_info = record.exc_text = None
        elif record.exc_info:
            # An exception's text can quote what it choked on; formatters reuse exc_text when set.
            record.exc_text = mask_id_numbers(_TRACEBACKS.formatException(record.exc_info))
        return True


def install_log_masking(logger_name: str) -> None:
    """Attach one `MaskIdNumbersFilter` to the named logger (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, MaskIdNumbersFilter) for existing in logger.filters):
        logger.addFilter(MaskIdNumbersFilter())
