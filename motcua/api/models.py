from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from motcua.api.selectors import api_client_problems


class ApiClient(models.Model):
    """A system calling the back-office API (a sector's software, the officers' mobile app server):
    an OAuth2 client-credentials application bound to one agency and acting as one service account.

    The service account is an ordinary officer account with roles at that agency only: the API
    hands it to the same selectors and services as the staff pages, so its roles decide what the
    system may read and do, and the audit trail names it on every change.
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        verbose_name=_("ứng dụng OAuth2"),
        on_delete=models.CASCADE,
        related_name="api_client",
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="api_clients"
    )
    service_account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản hệ thống"),
        on_delete=models.PROTECT,
        related_name="api_client",
        help_text=_("Tài khoản cán bộ riêng của hệ thống, chỉ có vai trò tại cơ quan trên, không mật khẩu."),
    )
    scopes = models.CharField(
        _("phạm vi được cấp"),
        max_length=200,
        help_text=_("Các phạm vi (scope) cách nhau bởi dấu cách, ví dụ: dossiers:read dossiers:write"),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hệ thống kết nối API")
        verbose_name_plural = _("hệ thống kết nối API")

    def __str__(self) -> str:
        return str(self.application.name or self.application.client_id)

    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def clean(self) -> None:
        complete = self.application_id and self.agency_id and self.service_account_id  # else a field says so
        if complete and (problem := api_client_problems(client=self)):
            raise ValidationError(problem)
