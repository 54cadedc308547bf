"""Administration of result templates (catalog.ResultTemplate, registered here beside the code
that renders them): checked when saved, scoped to the agency administrator's procedures."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.catalog.admin import AgencyScopedAdmin
from motcua.catalog.models import ProcedureVersion, ResultTemplate
from motcua.core.errors import ApplicationError
from motcua.directory.constants import Role
from motcua.directory.models import StaffRole
from motcua.documents.results import CONTEXT_NAMES, result_template_check, result_title_check


class ResultTemplateAdminForm(forms.ModelForm[ResultTemplate]):
    class Meta:
        model = ResultTemplate
        fields = ["version", "title", "symbol", "body"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 30, "cols": 110, "class": "vLargeTextField", "spellcheck": "false"}),
        }
        help_texts = {
            "body": format_lazy(
                _(
                    "Mẫu Django (HTML), đặt giữa phần quốc hiệu, tên văn bản và phần ký. "
                    "Biến được dùng: {names}. Xem tài liệu docs/results.md."
                ),
                names=", ".join(sorted(CONTEXT_NAMES)),
            ),
        }

    def clean_body(self) -> str:
        body = str(self.cleaned_data.get("body") or "")
        try:
            result_template_check(body=body)
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from error
        return body

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version, title = cleaned.get("version"), cleaned.get("title")
        if version is not None and title:
            try:
                result_title_check(version=version, title=str(title))
            except ApplicationError as error:
                self.add_error("title", forms.ValidationError(error.message, code=error.code))
        return cleaned


@admin.register(ResultTemplate)
class ResultTemplateAdmin(AgencyScopedAdmin, admin.ModelAdmin[ResultTemplate]):
    """Agency administrators see the templates of the procedures their agency manages."""

    agency_path = "version__managing_agency"
    form = ResultTemplateAdminForm
    list_display = ["procedure_code", "title", "symbol", "version", "updated_at"]
    list_display_links = ["procedure_code", "title"]
    ordering = ["version__procedure__code", "-version__number"]
    search_fields = ["version__procedure__code", "version__name", "title"]
    list_select_related = ["version__procedure"]

    @admin.display(description=_("mã thủ tục"), ordering="version__procedure__code")
    def procedure_code(self, obj: ResultTemplate) -> str:
        return obj.version.procedure.code

    def get_readonly_fields(self, request: HttpRequest, obj: ResultTemplate | None = None) -> list[str]:
        return ["version"] if obj is not None else []

    def _versions_for(self, request: HttpRequest) -> QuerySet[ProcedureVersion]:
        versions = ProcedureVersion.objects.filter(result_template__isnull=True).select_related("procedure")
        if request.user.is_superuser:
            return versions
        agencies = StaffRole.objects.filter(user_id=int(request.user.pk or 0), role=Role.AGENCY_ADMIN).values(
            "agency_id"
        )
        return versions.filter(managing_agency__in=agencies)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            # A new template goes on a version of the administrator's procedures that has none.
            kwargs["queryset"] = self._versions_for(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
