from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Registered on import; taken out again below.
from django_otp.plugins.otp_static import admin as _static_admin  # noqa: F401
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _totp_admin  # noqa: F401
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.lockout import login_lockout_lift
from motcua.accounts.models import User

# Second-factor devices are managed by their owners on the security page and by the operator's
# reset command, both audited; django-otp's admin pages would show and change their secrets
# (app keys, backup codes) with no audit event.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class MotcuaUserAdmin(UserAdmin):
    actions = ["unlock_login"]

    @admin.action(description=gettext_lazy("Mở khoá đăng nhập (xoá các lần nhập sai mật khẩu)"), permissions=["change"])
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for user in queryset:
            login_lockout_lift(user=user, actor=request.user)
        self.message_user(
            request, _("Đã mở khoá đăng nhập cho %(count)d tài khoản.") % {"count": queryset.count()}, messages.SUCCESS
        )
