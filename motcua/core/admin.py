from typing import Any

# Registered on import (allauth comes after core in INSTALLED_APPS); taken out again below.
from allauth.account import admin as _account_admin  # noqa: F401
from allauth.account.models import EmailAddress
from allauth.socialaccount import admin as _socialaccount_admin  # noqa: F401
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps as django_apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _l
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from knox.models import AuthToken
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from motcua.core.errors import ApplicationError
from motcua.core.models import AuditEvent, CalendarOverride
from motcua.core.read_only_admin import ReadOnlyAdmin
from motcua.core.workdays import calendar_override_check, calendar_override_delete, calendar_override_set


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The trail can be read and searched, never changed."""

    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "created_at"


class CalendarOverrideForm(forms.ModelForm[CalendarOverride]):
    class Meta:
        model = CalendarOverride
        fields = ["date", "kind", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date") and cleaned.get("kind"):
            try:
                calendar_override_check(date=cleaned["date"], kind=cleaned["kind"])
            except ApplicationError as error:
                raise ValidationError(error.message) from error
        return cleaned


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    """Every write goes through the calendar services, which refuse past dates and audit."""

    form = CalendarOverrideForm
    list_display = ["date", "kind", "reason", "created_by"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        calendar_override_set(actor=request.user, date=obj.date, kind=obj.kind, reason=obj.reason)

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        try:
            calendar_override_delete(actor=request.user, date=obj.date)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


# --- Third-party models in the admin ---------------------------------------------------------
# Their apps ship no Vietnamese; staff screens are Vietnamese only. Pages staff have no use for
# are taken out; the rest get Vietnamese names and lists of our own (no detail pages, whose
# labels would be the apps' English field names).

# allauth only carries the SSO plumbing: the provider is configured in settings, tokens are not
# stored and who a citizen is lives in our own User (motcua.accounts.sso).
admin.site.unregister([EmailAddress, SocialAccount, SocialApp, SocialToken])
# Successful logins are not logged (AXES_DISABLE_ACCESS_LOG).
admin.site.unregister([AccessLog, AccessAttempt, AccessFailureLog, AuthToken, DBTaskResult])
# Other systems are registered on "Hệ thống kết nối API" (motcua.api.admin), which makes their
# OAuth2 application; they use the client-credentials grant only (no grants, refresh or ID
# tokens), and deactivating a system stops its tokens at once.
admin.site.unregister([Application, AccessToken, Grant, IDToken, RefreshToken])

_NAMES: dict[str, tuple[Any, dict[type[models.Model], tuple[Any, Any]]]] = {
    "axes": (
        _l("Khoá đăng nhập"),
        {
            AccessAttempt: (_l("lượt đăng nhập sai"), _l("Các lượt đăng nhập sai đang tính")),
            AccessFailureLog: (_l("lần đăng nhập sai"), _l("Nhật ký đăng nhập sai")),
        },
    ),
    "knox": (_l("Giao diện lập trình (API)"), {AuthToken: (_l("mã truy cập API"), _l("Mã truy cập API"))}),
    "django_tasks_database": (_l("Tác vụ nền"), {DBTaskResult: (_l("tác vụ nền"), _l("Kết quả tác vụ nền"))}),
}


def vendor_names_set() -> None:
    """Give third-party apps and models Vietnamese names (display only: migrations read the
    models' Meta, not these attributes)."""
    for label, (app_name, names) in _NAMES.items():
        django_apps.get_app_config(label).verbose_name = app_name
        for model, (singular, plural) in names.items():
            model._meta.verbose_name = singular
            model._meta.verbose_name_plural = plural


vendor_names_set()


class ListOnlyAdmin(admin.ModelAdmin[Any]):
    """A list to read (and to delete from where `deletable`); nothing to add or edit."""

    list_display_links = None
    deletable = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ListOnlyAdmin):
    """Read only: unlocking goes through the audited user action or the axes_reset commands."""

    list_display = ["attempt_at", "account", "address", "failures"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]

    @admin.display(description=_l("Lần sai gần nhất"), ordering="attempt_time")
    def attempt_at(self, obj: AccessAttempt) -> Any:
        return obj.attempt_time

    @admin.display(description=_l("Tên đăng nhập"), ordering="username")
    def account(self, obj: AccessAttempt | AccessFailureLog) -> str:
        return obj.username or ""

    @admin.display(description=_l("Địa chỉ IP"), ordering="ip_address")
    def address(self, obj: AccessAttempt | AccessFailureLog) -> str:
        return obj.ip_address or ""

    @admin.display(description=_l("Số lần sai"))
    def failures(self, obj: AccessAttempt) -> int:
        return obj.failures_since_start


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ListOnlyAdmin):
    """The log lengthens the next lockout of a repeat offender."""

    list_display = ["attempt_at", "account", "address", "locked"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    attempt_at = AccessAttemptAdmin.attempt_at
    account = AccessAttemptAdmin.account
    address = AccessAttemptAdmin.address

    @admin.display(description=_l("Bị khoá"), boolean=True)
    def locked(self, obj: AccessFailureLog) -> bool:
        return obj.locked_out


@admin.register(AuthToken)
class AuthTokenAdmin(ListOnlyAdmin):
    """Tokens are issued through the API; here an administrator revokes one by deleting it."""

    deletable = True
    list_display = ["owner", "created_at", "expires_at"]
    search_fields = ["user__username"]
    ordering = ["-created"]

    @admin.display(description=_l("Người dùng"), ordering="user__username")
    def owner(self, obj: AuthToken) -> str:
        return str(obj.user)

    @admin.display(description=_l("Tạo lúc"), ordering="created")
    def created_at(self, obj: AuthToken) -> Any:
        return obj.created

    @admin.display(description=_l("Hết hạn lúc"), ordering="expiry")
    def expires_at(self, obj: AuthToken) -> Any:
        return obj.expiry


_TASK_STATUS = {
    TaskResultStatus.READY: _l("Chờ chạy"),
    TaskResultStatus.RUNNING: _l("Đang chạy"),
    TaskResultStatus.FAILED: _l("Lỗi"),
    TaskResultStatus.SUCCESSFUL: _l("Xong"),
}


@admin.register(DBTaskResult)
class TaskResultAdmin(ListOnlyAdmin):
    """For the operator: which background tasks ran, failed or wait (details are in the logs)."""

    list_display = ["task", "state", "enqueued", "finished"]
    ordering = ["-enqueued_at"]

    @admin.display(description=_l("Tác vụ"), ordering="task_path")
    def task(self, obj: DBTaskResult) -> str:
        return str(obj.task_path)

    @admin.display(description=_l("Trạng thái"), ordering="status")
    def state(self, obj: DBTaskResult) -> Any:
        return _TASK_STATUS.get(obj.status, obj.status)

    @admin.display(description=_l("Đưa vào hàng đợi lúc"), ordering="enqueued_at")
    def enqueued(self, obj: DBTaskResult) -> Any:
        return obj.enqueued_at

    @admin.display(description=_l("Kết thúc lúc"), ordering="finished_at")
    def finished(self, obj: DBTaskResult) -> Any:
        return obj.finished_at
