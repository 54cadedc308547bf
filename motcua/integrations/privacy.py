"""Keeping personal data out of logs.

A personal identification number (số định danh cá nhân) is personal data under Decree
13/2023/NĐ-CP: its first six digits alone tell the province of birth registration, the gender
and the birth year. Logs are read by operators and shipped to other systems, so they carry at
most a masked form that lets one line be correlated with another.
"""

import logging
import re

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
        return True


def install_log_masking(logger_name: str) -> None:
    """Attach one `MaskIdNumbersFilter` to the named logger (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, MaskIdNumbersFilter) for existing in logger.filters):
        logger.addFilter(MaskIdNumbersFilter())
