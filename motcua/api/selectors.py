"""Reads for the back-office API's clients (motcua.api.models.ApiClient)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractApplication
from oauth2_provider.settings import oauth2_settings

from motcua.dossiers.selectors import officer_agency_ids

if TYPE_CHECKING:
    from motcua.api.models import ApiClient

READ_SCOPE = "dossiers:read"
WRITE_SCOPE = "dossiers:write"
# Described in settings.OAUTH2_PROVIDER["SCOPES"], where django-oauth-toolkit reads them.
SCOPES = oauth2_settings.SCOPES


def api_client_problems(*, client: "ApiClient") -> str:
    """Why the client may not call the API as registered ("" when it may).

    Checked when an administrator saves it and again on every request, so a role given to the
    service account elsewhere later, or a deactivated account, stops the client at once.
    """
    application, account = client.application, client.service_account
    if application.authorization_grant_type != AbstractApplication.GRANT_CLIENT_CREDENTIALS:
        return _("Ứng dụng OAuth2 của hệ thống phải dùng kiểu cấp quyền “Client credentials”.")
    if application.client_type != AbstractApplication.CLIENT_CONFIDENTIAL:
        return _("Ứng dụng OAuth2 của hệ thống phải là loại “Confidential” (có mã bí mật).")
    unknown = set(client.scope_list()) - set(SCOPES)
    if not client.scope_list() or unknown:
        return _("Phạm vi chỉ được gồm: %(scopes)s.") % {"scopes": ", ".join(SCOPES)}
    if not account.is_active or account.is_staff or account.is_superuser or account.has_usable_password():
        return _("Tài khoản hệ thống phải đang hoạt động, không có quyền quản trị và không có mật khẩu.")
    if officer_agency_ids(user=account) != [client.agency_id]:
        return _("Tài khoản hệ thống chỉ được có vai trò tại %(agency)s.") % {"agency": client.agency}
    return ""
