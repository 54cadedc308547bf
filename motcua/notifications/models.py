from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoSmsMessage(models.Model):
    """A text message the "demo" SMS plugin pretended to send.

    The embedded demo has no SMS provider: messages land here so the citizen can read their
    code on the "Hộp thư SMS mô phỏng" page. Never used by the real adapters.
    """

    phone = models.CharField(_("số điện thoại"), max_length=15)
    text = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("thời điểm gửi"), default=timezone.now)

    class Meta:
        verbose_name = _("tin nhắn SMS mô phỏng")
        verbose_name_plural = _("tin nhắn SMS mô phỏng")
        indexes = [models.Index(fields=["phone", "-created_at"], name="demosms_phone_created")]

    def __str__(self) -> str:
        # No phone number here: __str__ ends up in admin logs and audit summaries.
        return f"SMS #{self.pk}"
