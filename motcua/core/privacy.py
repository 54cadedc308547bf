"""Helpers that keep personal data (phone numbers, ID numbers) out of logs.

Log lines may say *which* record an event concerns, never whose phone it is: use these helpers
for anything personal that a log line has to mention.
"""


def mask_phone(phone: str) -> str:
    """Keep the first three and last three characters: "0912345678" → "091****678".

    Enough for an operator to match a complaint ("my number ends in 678") without the log
    holding the number. Anything too short to mask that way is hidden entirely.
    """
    value = "".join(str(phone or "").split())
    if len(value) <= 6:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 6)}{value[-3:]}"
