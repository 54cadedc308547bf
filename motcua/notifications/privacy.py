"""Recipients in logs and admin lists: a phone or an e-mail address, masked."""

from motcua.core.privacy import mask_phone


def mask_recipient(recipient: str) -> str:
    """ "0912345678" → "091****678"; "hung@example.vn" → "h***@example.vn"."""
    if "@" in recipient:
        local, _at, domain = recipient.rpartition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(recipient)
