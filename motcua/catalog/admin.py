from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import VersionStatus
from motcua.catalog.eforms import top_fields
from motcua.catalog.exchange import FILE_KINDS, XLSX_CONTENT_TYPE, render_catalog_file
from motcua.catalog.fees import fee_rule_errors
from motcua.catalog.models import (
    CatalogImportJob,
    DossierComponent,
    Fee,
    Field,
    NationalAgencyMapping,
    ParkedNationalRecord,
    Procedure,
    ProcedureVersion,
)
from motcua.catalog.national import version_changes
from motcua.catalog.selectors import catalog_agency_scope
from motcua.catalog.services import (
    catalog_export,
    catalog_import_job_create,
    import_progress_key,
    procedure_version_clone,
    procedure_version_publish,
)
from motcua.core.errors import ApplicationError
from motcua.directory.models import Agency


class AgencyScopedAdmin:
    """An agency administrator sees and edits only the procedures their agency manages, and may
    not give one to another agency; system administrators see the whole catalogue."""

    agency_path = "managing_agency"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return agency_scoped(super().get_queryset(request), request, self.agency_path)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "managing_agency" and catalog_agency_scope(actor=request.user) is not None:
            # Emptying the managing agency would take the procedure out of their agency too.
            kwargs["queryset"] = agency_scoped(Agency.objects.all(), request, "pk")
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


def agency_scoped(queryset: QuerySet[Any], request: HttpRequest, agency_path: str) -> QuerySet[Any]:
    scope = catalog_agency_scope(actor=request.user)
    return queryset if scope is None else queryset.filter(**{f"{agency_path}__in": scope})


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin[Field]):
    list_display = ["code", "name", "managing_agency"]
    search_fields = ["code", "name"]


class CatalogImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp danh mục (.json hoặc .xlsx)"))


class VersionInline(admin.TabularInline[ProcedureVersion, Procedure]):
    model = ProcedureVersion
    fields = ("number", "status", "published_at", "name", "processing_time", "processing_time_unit")
    readonly_fields = fields

    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(AgencyScopedAdmin, admin.ModelAdmin[Procedure]):
    list_display = ["code", "name", "field", "level", "online_level", "source", "is_active"]
    list_filter = ["level", "online_level", "source", "field", "is_active"]
    search_fields = ["code", "name", "name_folded"]
    readonly_fields = (
        "code",
        "name",
        "field",
        "level",
        "online_level",
        "managing_agency",
        "source",
        "current_version",
    )
    fields = (*readonly_fields, "is_active")
    inlines = [VersionInline]
    actions = ["create_draft"]

    change_list_template = "admin/catalog/procedure/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # procedures come from the national database through the catalogue import

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="catalog_procedure_import"),
            path("import/<int:job_id>/", wrap(self.import_status_view), name="catalog_procedure_import_status"),
            path("export/<str:file_kind>/", wrap(self.export_view), name="catalog_procedure_export"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("catalog.change_procedure"):
            raise PermissionDenied
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = catalog_import_job_create(actor=request.user, upload=form.cleaned_data["file"])
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                return redirect("admin:catalog_procedure_import_status", job_id=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Nhập danh mục thủ tục"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/procedure/import.html", context)

    def import_status_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = get_object_or_404(CatalogImportJob, pk=job_id, created_by=request.user)
        done, total = cache.get(import_progress_key(job.pk)) or (job.done, job.total)
        context = {
            **self.admin_site.each_context(request),
            "job": job,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "title": _("Tiến trình nhập danh mục"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/procedure/import_status.html", context)

    def export_view(self, request: HttpRequest, file_kind: str) -> HttpResponse:
        if not request.user.has_perm("catalog.view_procedure"):
            raise PermissionDenied
        if file_kind not in FILE_KINDS:
            raise Http404
        content = render_catalog_file(catalog_export(), file_kind=file_kind)
        content_type = XLSX_CONTENT_TYPE if file_kind == "xlsx" else "application/json"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc.{file_kind}"'
        return response

    @admin.action(description=_("Tạo phiên bản nháp mới từ phiên bản đang áp dụng"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset:
            try:
                draft = procedure_version_clone(actor=request.user, procedure=procedure)
                self.message_user(request, _("Đã tạo %(v)s.") % {"v": draft})
            except ApplicationError as error:
                self.message_user(request, f"{procedure.code}: {error.message}", messages.ERROR)


class DraftOnlyInline:
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.is_editable

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.is_editable


class FeeAdminForm(forms.ModelForm[Fee]):
    """A fee line with its rule, checked against the version's e-form: the rule can only read
    answers the form asks for (docs/fees.md)."""

    class Meta:
        model = Fee
        fields = [
            "kind",
            "name",
            "amount",
            "basis",
            "quantity_field",
            "channel",
            "condition",
            "reductions",
            "description",
            "exemption",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version = getattr(self.instance, "version", None)
        schema = getattr(getattr(version, "form", None), "schema", None) if version is not None else None
        fields = top_fields(schema) if schema else {}
        for key, problems in fee_rule_errors(cleaned, fields=fields).items():
            if key in cleaned:
                self.add_error(key, problems)
        return cleaned


class FeeInline(DraftOnlyInline, admin.StackedInline[Fee, ProcedureVersion]):
    model = Fee
    form = FeeAdminForm


class ComponentInline(DraftOnlyInline, admin.StackedInline[DossierComponent, ProcedureVersion]):
    model = DossierComponent


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(AgencyScopedAdmin, admin.ModelAdmin[ProcedureVersion]):
    """Published versions are read-only; administrators edit a draft and then publish it."""

    list_display = ["procedure", "number", "status", "published_at", "name"]
    list_filter = ["status", "level", "online_level"]
    search_fields = ["procedure__code", "name"]
    readonly_fields = [
        "procedure",
        "number",
        "status",
        "published_at",
        "national_id",
        "national_state",
        "national_updated_at",
        "changes",
    ]
    exclude = ["content_hash"]
    inlines = [ComponentInline, FeeInline]
    actions = ["publish"]

    @admin.display(description=_("Thay đổi so với phiên bản trước"))
    def changes(self, obj: ProcedureVersion) -> SafeString | str:
        previous = (
            ProcedureVersion.objects.filter(procedure_id=obj.procedure_id, number__lt=obj.number)
            .order_by("-number")
            .first()
        )
        if previous is None:
            return str(_("Phiên bản đầu tiên."))
        changes = version_changes(before=previous, after=obj)
        if not changes:
            return _("Nội dung giống phiên bản %(n)d.") % {"n": previous.number}
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (
                    change.label,
                    format_html_join("", "<div>− {}</div>", ((text,) for text in change.before)),
                    format_html_join("", "<div>+ {}</div>", ((text,) for text in change.after)),
                )
                for change in changes
            ),
        )
        return format_html(
            "<table class='mc-version-diff'><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("Mục"),
            _("Phiên bản %(n)d (bỏ, cũ)") % {"n": previous.number},
            _("Phiên bản %(n)d (thêm, mới)") % {"n": obj.number},
            rows,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.status == VersionStatus.DRAFT)

    @admin.action(description=_("Áp dụng các phiên bản nháp đã chọn"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset:
            try:
                procedure_version_publish(actor=request.user, version=version)
                self.message_user(request, _("Đã áp dụng %(v)s.") % {"v": version})
            except ApplicationError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)


@admin.register(CatalogImportJob)
class CatalogImportJobAdmin(admin.ModelAdmin[CatalogImportJob]):
    list_display = ["created_at", "created_by", "file", "status"]
    readonly_fields = ["created_at", "created_by", "file", "file_kind", "status", "total", "done", "errors", "report"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# --- E-forms (catalog/eforms.py): edited as JSON, checked on save, previewed as citizens see them.
# Imported here, not at the top, so this section stays self-contained at the end of the module.
import json  # noqa: E402

from django.urls import reverse  # noqa: E402

from motcua.catalog.eforms import (  # noqa: E402
    form_clean,
    form_initial,
    form_schema_errors,
    is_item_action,
    parse_posted,
)
from motcua.catalog.models import ProcedureForm  # noqa: E402


class PrettyJSONField(forms.JSONField):
    """Shows the stored definition indented, with Vietnamese text unescaped."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):  # the administrator's own (possibly invalid) input
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class ProcedureFormAdminForm(forms.ModelForm[ProcedureForm]):
    schema = PrettyJSONField(
        label=_("Định nghĩa biểu mẫu (JSON)"),
        help_text=_("Cấu trúc: trang, trường, điều kiện hiển thị, kiểm tra dữ liệu; xem tài liệu docs/eforms.md."),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 110, "class": "vLargeTextField", "spellcheck": "false"}),
    )

    class Meta:
        model = ProcedureForm
        fields = ["version", "schema"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version = self.instance.version if self.instance.pk else cleaned.get("version")
        if version is not None and not version.is_editable:
            raise forms.ValidationError(_("Chỉ sửa được biểu mẫu của phiên bản nháp."))
        if "schema" in cleaned:
            count = version.components.count() if version is not None else None
            problems = form_schema_errors(cleaned["schema"], component_count=count)
            if problems:
                self.add_error("schema", problems)
        return cleaned


@admin.register(ProcedureForm)
class ProcedureFormAdmin(AgencyScopedAdmin, admin.ModelAdmin[ProcedureForm]):
    agency_path = "version__managing_agency"

    """Forms of draft versions are editable; a published version's form is read-only, like the
    version itself (a dossier keeps the form it was filled in with)."""

    form = ProcedureFormAdminForm
    list_display = ["version", "form_title", "version_status", "updated_at"]
    list_filter = ["version__status"]
    search_fields = ["version__procedure__code", "version__name"]
    list_select_related = ["version__procedure"]
    change_form_template = "admin/catalog/procedureform/change_form.html"

    @admin.display(description=_("tên biểu mẫu"))
    def form_title(self, obj: ProcedureForm) -> str:
        return str(obj.schema.get("title", "")) if isinstance(obj.schema, dict) else ""

    @admin.display(description=_("trạng thái phiên bản"))
    def version_status(self, obj: ProcedureForm) -> str:
        return obj.version.get_status_display()

    def get_readonly_fields(self, request: HttpRequest, obj: ProcedureForm | None = None) -> list[str]:
        return ["version"] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: ProcedureForm | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.version.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: ProcedureForm | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.version.is_editable)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            # A new form goes on a draft version that has none yet, of the administrator's agency.
            drafts = ProcedureVersion.objects.filter(status=VersionStatus.DRAFT, form__isnull=True)
            kwargs["queryset"] = agency_scoped(drafts, request, "managing_agency").select_related("procedure")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("xem-truoc/", wrap(self.preview_view), name="catalog_procedureform_preview_unsaved"),
            path("<int:object_id>/xem-truoc/", wrap(self.preview_view), name="catalog_procedureform_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: int | None = None) -> HttpResponse:
        """Every page of the form as a citizen sees it; submitting it runs the real validation.

        Posting the change form here (its "Xem trước nội dung đang sửa" button) previews the
        definition being edited before it is saved.
        """
        obj = (
            get_object_or_404(ProcedureForm.objects.select_related("version__procedure"), pk=object_id)
            if object_id
            else None
        )
        if not self.has_view_permission(request, obj) and not self.has_add_permission(request):
            raise PermissionDenied
        schema: Any = obj.schema if obj is not None else None
        schema_errors: list[str] = []
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        cleaned_json = ""
        if request.method == "POST":
            text = request.POST.get("schema_json") or request.POST.get("schema") or ""
            try:
                schema = json.loads(text)
            except ValueError as error:
                schema_errors = [_("JSON không hợp lệ: %(error)s") % {"error": error}]
        if schema is None and not schema_errors:
            raise Http404
        if not schema_errors:
            count = obj.version.components.count() if obj is not None else None
            schema_errors = form_schema_errors(schema, component_count=count)
        if not schema_errors and request.method != "POST":
            values = form_initial(schema, lambda _path: None)  # defaults, as a citizen would first see them
        if not schema_errors and request.method == "POST" and "_eform_page" in request.POST:
            values = parse_posted(schema, request.POST, request.FILES)
            if not is_item_action(request.POST):
                cleaned, errors = form_clean(schema, values)
                if not errors:
                    cleaned_json = json.dumps(cleaned, ensure_ascii=False, indent=2, default=str)
        context = {
            "schema": schema,
            "schema_json": json.dumps(schema, ensure_ascii=False),
            "schema_errors": schema_errors,
            "values": values,
            "errors": errors,
            "cleaned_json": cleaned_json,
            "version": obj.version if obj is not None else None,
            "back_url": (
                reverse("admin:catalog_procedureform_change", args=[obj.pk])
                if obj is not None
                else reverse("admin:catalog_procedureform_changelist")
            ),
        }
        return TemplateResponse(request, "admin/catalog/procedureform/preview.html", context)


# --- Processes (catalog/processes.py): steps as data, edited as a draft and then published.
# Imported here, not at the top, so this section stays self-contained at the end of the module.
import re  # noqa: E402

from django.db.models.fields import BLANK_CHOICE_DASH  # noqa: E402
from django.utils.safestring import SafeString  # noqa: E402

from motcua.catalog.constants import StepKind  # noqa: E402
from motcua.catalog.models import Process, ProcessStep  # noqa: E402
from motcua.catalog.processes import (  # noqa: E402
    PROCESS_ROLES,
    process_diagram_html,
    process_draft_from,
    process_publish,
    process_validate,
)


def _process_is_draft(process: Process | None) -> bool:
    return process is None or process.status == VersionStatus.DRAFT


class StepCodesField(forms.CharField):
    """A list of step codes typed as "tham-dinh, phe-duyet" (stored as a JSON list)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(code) for code in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return [str(code) for code in value]
        return [code for code in re.split(r"[\s,;]+", str(value or "")) if code]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class ProcessStepForm(forms.ModelForm[ProcessStep]):
    return_to = StepCodesField(
        label=_("được trả về bước"),
        required=False,
        help_text=_("Mã các bước đứng trước, cách nhau bằng dấu phẩy."),
    )

    class Meta:
        model = ProcessStep
        fields = [
            "position",
            "code",
            "name",
            "kind",
            "agency_source",
            "agency",
            "org_unit_kind",
            "role",
            "allotted",
            "allotted_unit",
            "return_to",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An opinion from another agency is asked during a step, never a step of its own.
        kind = self.fields["kind"]
        if isinstance(kind, forms.ChoiceField):
            kind.choices = [*BLANK_CHOICE_DASH, *((k.value, k.label) for k in StepKind if k != StepKind.CONSULT)]
        role = self.fields["role"]
        if isinstance(role, forms.ChoiceField):
            role.choices = [*BLANK_CHOICE_DASH, *((r.value, r.label) for r in PROCESS_ROLES)]


class ProcessStepInline(admin.TabularInline[ProcessStep, Process]):
    """Steps are edited only while their process is a draft."""

    model = ProcessStep
    form = ProcessStepForm
    extra = 0
    raw_id_fields = ["agency"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _process_is_draft(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and _process_is_draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and _process_is_draft(obj)


@admin.register(Process)
class ProcessAdmin(AgencyScopedAdmin, admin.ModelAdmin[Process]):
    """A published process is read-only (dossiers keep the process they were received under);
    administrators make a draft from it, edit the steps, check the problems and publish."""

    agency_path = "version__managing_agency"
    list_display = ["procedure_code", "procedure_name", "number", "name", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["version__procedure__code", "version__procedure__name", "version__name"]
    list_select_related = ["version__procedure"]
    readonly_fields = ["version", "number", "status", "published_at", "diagram", "problems"]
    inlines = [ProcessStepInline]
    actions = ["publish", "create_draft"]

    class Media:
        css = {"all": ["motcua/process-diagram.css"]}

    @admin.display(description=_("mã thủ tục"), ordering="version__procedure__code")
    def procedure_code(self, obj: Process) -> str:
        return obj.version.procedure.code

    @admin.display(description=_("tên thủ tục"), ordering="version__procedure__name")
    def procedure_name(self, obj: Process) -> str:
        return obj.version.procedure.name

    @admin.display(description=_("Sơ đồ quy trình"))
    def diagram(self, obj: Process) -> SafeString:
        return process_diagram_html(process=obj)

    @admin.display(description=_("Các lỗi cần sửa trước khi công bố"))
    def problems(self, obj: Process) -> SafeString:
        found = process_validate(process=obj)
        if not found:
            return format_html(
                '<p class="mc-process-problems mc-process-problems--none">{}</p>',
                _("Không có lỗi: quy trình có thể công bố."),
            )
        return format_html(
            '<ul class="mc-process-problems">{}</ul>', format_html_join("", "<li>{}</li>", ((p,) for p in found))
        )

    def get_fields(self, request: HttpRequest, obj: Process | None = None) -> list[str]:  # type: ignore[override]
        fields = ["version", "number", "name", "status", "published_at", "diagram"]
        if obj is not None and obj.status == VersionStatus.DRAFT:
            fields.append("problems")
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a process starts as the default one, or as a draft copied from another

    def has_change_permission(self, request: HttpRequest, obj: Process | None = None) -> bool:
        return super().has_change_permission(request, obj) and _process_is_draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Process | None = None) -> bool:
        return super().has_delete_permission(request, obj) and _process_is_draft(obj)

    def has_draft_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.add_process")

    @admin.action(description=_("Công bố quy trình"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Process]) -> None:
        for process in queryset.select_related("version__procedure"):
            label = f"{process.version.procedure.code} – {process}"
            try:
                process_publish(process=process, actor=request.user)
            except ApplicationError as error:
                for problem in error.extra.get("problems") or [error.message]:
                    messages.error(request, f"{label}: {problem}")
            else:
                messages.success(request, _("Đã công bố %(p)s.") % {"p": label})

    @admin.action(description=_("Tạo bản nháp mới từ quy trình này"), permissions=["draft"])
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Process]) -> None:
        for process in queryset.select_related("version__procedure"):
            label = f"{process.version.procedure.code} – {process}"
            try:
                draft = process_draft_from(process=process, actor=request.user)
            except ApplicationError as error:
                messages.error(request, f"{label}: {error.message}")
            else:
                messages.success(request, _("Đã tạo bản nháp %(p)s.") % {"p": draft})


@admin.register(NationalAgencyMapping)
class NationalAgencyMappingAdmin(admin.ModelAdmin[NationalAgencyMapping]):
    """Administrators say which agency of the province settles what the national database
    assigns to a named agency; re-running the national import then takes in parked records."""

    list_display = ["pattern", "target", "agency", "note"]
    list_filter = ["target"]
    search_fields = ["pattern", "note"]
    autocomplete_fields = ["agency"]

    def save_model(self, request: HttpRequest, obj: NationalAgencyMapping, form: Any, change: bool) -> None:
        from motcua.core.text import fold

        obj.pattern = fold(obj.pattern)  # matched against folded names
        super().save_model(request, obj, form, change)


@admin.register(ParkedNationalRecord)
class ParkedNationalRecordAdmin(admin.ModelAdmin[ParkedNationalRecord]):
    """National records the import could not take in, each with the reason; read-only."""

    list_display = ["code", "name", "from_index", "reason", "parked_at"]
    list_filter = ["from_index"]
    search_fields = ["code", "name", "reason"]
    readonly_fields = ["code", "name", "from_index", "reason", "parked_at", "record"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
