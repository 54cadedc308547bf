from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.directory.models import Agency
from motcua.leaders.measures import MEASURES
from motcua.leaders.scopes import PROVINCE, scope_resolve
from motcua.report_templates.exports import report_file
from motcua.report_templates.models import ReportTemplate
from motcua.report_templates.periods import period_covered
from motcua.report_templates.tables import report_table


def _scope_choices() -> list[tuple[str, str]]:
    agencies = Agency.objects.order_by("name").values_list("pk", "name")
    return [(PROVINCE, _("Toàn tỉnh")), *((f"co-quan-{pk}", name) for pk, name in agencies)]


class ReportTemplateForm(forms.ModelForm):
    """Measures ticked from the dashboard's list, the scope chosen among the province and its
    agencies: nothing typed that the report could not compute."""

    measures = forms.MultipleChoiceField(
        label=gettext_lazy("Chỉ tiêu"),
        choices=[(name, measure.label) for name, measure in MEASURES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    scope = forms.ChoiceField(label=gettext_lazy("Phạm vi"), choices=_scope_choices)

    class Meta:
        model = ReportTemplate
        fields = [
            "name",
            "measures",
            "grouping",
            "period",
            "scope",
            "file_format",
            "orientation",
            "footnote",
            "frequency",
            "recipients",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.ModelMultipleChoiceField)
        recipients.queryset = get_user_model().objects.filter(staff_roles__isnull=False).distinct()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        refused = [
            str(user) for user in cleaned.get("recipients") or [] if not _may_see(user, cleaned.get("scope", PROVINCE))
        ]
        if refused:
            raise forms.ValidationError(
                _("Những người sau không được xem số liệu của phạm vi này: %(names)s.") % {"names": ", ".join(refused)}
            )
        return cleaned


def _may_see(user: Any, scope: str) -> bool:
    from django.core.exceptions import PermissionDenied

    try:
        scope_resolve(user=user, key=scope)
    except PermissionDenied:
        return False
    return True


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin[ReportTemplate]):
    form = ReportTemplateForm
    list_display = ["name", "scope", "grouping", "period", "frequency", "file_format", "active"]
    list_filter = ["frequency", "active"]
    filter_horizontal = ["recipients"]
    actions = ["download_last_period"]

    @admin.action(description=gettext_lazy("Tải báo cáo kỳ gần nhất"))
    def download_last_period(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        template = queryset.first()
        if template is None or queryset.count() != 1:
            self.message_user(request, _("Chọn đúng một mẫu báo cáo để tải."), level="warning")
            return None
        start, end = period_covered(template.period, timezone.localdate())
        table = report_table(template, scope=scope_resolve(user=request.user, key=template.scope), start=start, end=end)
        name, content, mimetype = report_file(template, table)
        response = HttpResponse(content, content_type=mimetype)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
