from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.lockout import login_lockout_lift
from motcua.accounts.models import User


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
