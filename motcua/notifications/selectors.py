"""Reads for notifications."""

from motcua.core.phones import phone_normalize
from motcua.notifications.models import DemoSmsMessage


def demo_sms_for_phone(*, phone: str, limit: int = 10) -> list[DemoSmsMessage]:
    """The newest messages the demo SMS plugin "sent" to `phone`, newest first.

    For the "Hộp thư SMS mô phỏng" page: pass the logged-in citizen's own phone, never a
    number taken from the request, or anyone could read anyone's codes.
    """
    try:
        phone = phone_normalize(phone)
    except ValueError:
        return []
    return list(DemoSmsMessage.objects.filter(phone=phone).order_by("-created_at", "-id")[: max(limit, 0)])
