import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import (
    AgencySource,
    CatalogSource,
    FeeBasis,
    FeeChannel,
    FeeKind,
    ImportJobStatus,
    MappingTarget,
    OnlineLevel,
    PaymentTiming,
    ProcedureLevel,
    StepKind,
    TimeUnit,
    VersionStatus,
)
from motcua.directory.constants import OrgUnitKind, Role
from motcua.directory.models import Agency


class Field(models.Model):
    """A field of procedures (lĩnh vực), e.g. G15-TP07 Hộ tịch."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    managing_agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan quản lý"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """A procedure by its national code; its content lives in immutable versions.

    The columns below copy the published version's values that search and filters need, so
    a catalogue query touches one table.
    """

    code = models.CharField(_("mã thủ tục"), max_length=20, unique=True)
    current_version = models.OneToOneField(
        "ProcedureVersion",
        verbose_name=_("phiên bản đang áp dụng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=ProcedureLevel.choices)
    online_level = models.CharField(_("mức độ trực tuyến"), max_length=16, choices=OnlineLevel.choices)
    managing_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan quản lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_procedures",
    )
    name_folded = models.CharField(max_length=500, editable=False)
    search_folded = models.TextField(editable=False)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    source = models.CharField(
        _("nguồn dữ liệu"), max_length=16, choices=CatalogSource.choices, default=CatalogSource.LOCAL
    )
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        indexes = [models.Index(fields=["level", "online_level"]), models.Index(fields=["name_folded"])]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def information_only(self) -> bool:
        """Known only from the national index: shown for citizens to find, filed at the counter."""
        return self.source == CatalogSource.NATIONAL_INDEX


class ProcedureVersion(models.Model):
    """One version of a procedure's content. Published versions never change: a dossier keeps
    the version it was submitted under."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("phiên bản số"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("áp dụng từ"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)

    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=ProcedureLevel.choices)
    implementing_agency = models.CharField(_("cơ quan thực hiện"), max_length=500)
    managing_agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan quản lý"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicants = models.JSONField(_("đối tượng thực hiện"), default=list, blank=True)
    methods = models.JSONField(_("cách thức thực hiện"), default=list, blank=True)
    processing_time = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=2)
    processing_time_unit = models.CharField(_("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices)
    processing_time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    # The appointment rules the procedure itself states ("trong ngày; nhận sau 15 giờ thì trả
    # trong ngày làm việc tiếp theo"); a version that states none keeps the global cut-off.
    same_day = models.BooleanField(
        _("trả kết quả trong ngày"),
        default=False,
        help_text=_(
            "Hẹn trả kết quả trước khi hết giờ làm việc của ngày tiếp nhận; hồ sơ tiếp nhận từ giờ chốt trở đi "
            "hoặc vào ngày nghỉ được hẹn trả trong ngày làm việc tiếp theo."
        ),
    )
    reception_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận"),
        null=True,
        blank=True,
        help_text=_(
            "Hồ sơ tiếp nhận từ giờ này trở đi được tính từ ngày làm việc tiếp theo (ví dụ 15:00). Để trống: "
            "dùng giờ chốt chung của hệ thống."
        ),
    )
    online_level = models.CharField(_("mức độ trực tuyến"), max_length=16, choices=OnlineLevel.choices)
    full_process_eligible = models.BooleanField(_("đủ điều kiện toàn trình"), default=False)
    paper_result_required = models.BooleanField(_("yêu cầu trả kết quả bằng giấy"), default=False)
    payment_timing = models.CharField(
        _("thời điểm nộp phí, lệ phí"), max_length=12, choices=PaymentTiming.choices, default=PaymentTiming.ACCEPTANCE
    )
    steps = models.JSONField(_("trình tự thực hiện"), default=list, blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    results = models.JSONField(_("kết quả thực hiện"), default=list, blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    verification = models.JSONField(_("nguồn dữ liệu"), default=dict, blank=True)
    # The national record this version was made from (docs/national-catalog.md), not content:
    # a record touched nationally without a change in content makes no new version.
    national_id = models.CharField(_("mã bản ghi quốc gia"), max_length=64, blank=True)
    national_state = models.CharField(_("trạng thái bản ghi quốc gia"), max_length=32, blank=True)
    national_updated_at = models.DateTimeField(_("cập nhật ở CSDL quốc gia"), null=True, blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="procedureversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def cutoff_in_force(self) -> datetime.time:
        """The cut-off that applies to this version: its own, else the global one."""
        return self.reception_cutoff or datetime.time.fromisoformat(settings.MOTCUA_SUBMISSION_CUTOFF)


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    kind = models.CharField(_("loại"), max_length=8, choices=FeeKind.choices)
    name = models.CharField(_("tên"), max_length=500)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    description = models.TextField(_("mô tả"), blank=True)
    exemption = models.TextField(_("miễn, giảm"), blank=True)
    # The rule that turns the form's answers into the amount due (catalog/fees.py, docs/fees.md).
    basis = models.CharField(_("cách tính"), max_length=10, choices=FeeBasis.choices, default=FeeBasis.FIXED)
    quantity_field = models.CharField(
        _("trường số lượng"),
        max_length=64,
        blank=True,
        help_text=_("Tên trường của tờ khai cho biết số bản, số đơn vị (khi tính theo số bản)."),
    )
    condition = models.JSONField(
        _("điều kiện áp dụng"),
        default=dict,
        blank=True,
        help_text=_('Chỉ thu khi câu trả lời thỏa điều kiện, ví dụ {"field": "case", "equals": "qua_han"}.'),
    )
    channel = models.CharField(_("kênh nộp áp dụng"), max_length=8, choices=FeeChannel.choices, default=FeeChannel.ANY)
    reductions = models.JSONField(
        _("miễn, giảm theo đối tượng"),
        default=list,
        blank=True,
        help_text=_(
            'Danh sách {"when": điều kiện, "percent": 100, "reason": "Hộ nghèo"}; áp dụng mức giảm lớn nhất thỏa.'
        ),
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return self.name


class DossierComponent(models.Model):
    """A paper the applicant provides (thành phần hồ sơ)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.TextField(_("tên giấy tờ"))
    original_copies = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copy_copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    template = models.CharField(_("mẫu đơn, tờ khai"), max_length=500, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name[:80]


class CatalogImportJob(models.Model):
    """A catalogue file uploaded by an administrator and imported by the task worker."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    file = models.FileField(_("tệp"), upload_to="catalog-imports/%Y/%m/")
    file_kind = models.CharField(_("định dạng"), max_length=8)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.PENDING
    )
    # When a worker claimed it: a run that died (its transaction gone) is started again by the sweep.
    claimed_at = models.DateTimeField(_("bắt đầu chạy lúc"), null=True, blank=True)
    total = models.PositiveIntegerField(_("tổng số thủ tục"), default=0)
    done = models.PositiveIntegerField(_("đã xử lý"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    report = models.JSONField(_("kết quả"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lượt nhập danh mục")
        verbose_name_plural = _("lượt nhập danh mục")

    def __str__(self) -> str:
        return f"{self.file.name} ({self.get_status_display()})"


class ProcedureForm(models.Model):
    """The e-form of one procedure version, as data (see catalog/eforms.py for the schema)."""

    version = models.OneToOneField(ProcedureVersion, on_delete=models.CASCADE, related_name="form")
    schema = models.JSONField(_("định nghĩa biểu mẫu"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("biểu mẫu điện tử")
        verbose_name_plural = _("biểu mẫu điện tử")

    def __str__(self) -> str:
        return f"{self.version}"


class Process(models.Model):
    """The route dossiers of one procedure version take, as data.

    A process is edited as a draft and published; a published process never changes, and a
    dossier keeps the process it was received under. A newer published process of the same
    version applies to dossiers received from then on.
    """

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("thủ tục (phiên bản)"), on_delete=models.CASCADE, related_name="processes"
    )
    number = models.PositiveIntegerField(_("phiên bản quy trình"))
    name = models.CharField(_("tên quy trình"), max_length=255)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("áp dụng từ"), null=True, blank=True)

    class Meta:
        ordering = ["version", "-number"]
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="process_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"


class ProcessStep(models.Model):
    """One step of a process: who does it, what they do and how long they have.

    Steps with the same position run in parallel; the next position starts when all of them
    are done. `return_to` lists the codes of earlier steps a dossier may be sent back to.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.SlugField(_("mã bước"), max_length=40)
    name = models.CharField(_("tên bước"), max_length=255)
    kind = models.CharField(_("loại bước"), max_length=16, choices=StepKind.choices)
    agency_source = models.CharField(
        _("cơ quan thực hiện"), max_length=16, choices=AgencySource.choices, default=AgencySource.PROCESSING
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan (nếu cố định)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_unit_kind = models.CharField(_("bộ phận"), max_length=16, choices=OrgUnitKind.choices, blank=True)
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    allotted = models.DecimalField(_("thời gian"), max_digits=6, decimal_places=2)
    allotted_unit = models.CharField(
        _("đơn vị thời gian"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_HOUR
    )
    return_to = models.JSONField(_("được trả về bước"), default=list, blank=True)

    class Meta:
        ordering = ["process", "position", "id"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("các bước xử lý")
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="processstep_code_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ResultTemplate(models.Model):
    """How the result of one procedure version is written, as a Django template body.

    The frame (national emblem line, agency, number, place and date, signature block, QR code)
    is common to every result; administrators edit the title, the number symbol and the body.
    """

    version = models.OneToOneField(ProcedureVersion, on_delete=models.CASCADE, related_name="result_template")
    title = models.CharField(_("tên văn bản kết quả"), max_length=255)
    symbol = models.CharField(
        _("ký hiệu số văn bản"), max_length=40, help_text=_("Phần sau số thứ tự, ví dụ TLKS hoặc GP-UBND.")
    )
    body = models.TextField(_("nội dung (mẫu Django)"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu văn bản kết quả")
        verbose_name_plural = _("mẫu văn bản kết quả")

    def __str__(self) -> str:
        return self.title


class ProcedureGroup(models.Model):
    """An interconnected procedure group (nhóm thủ tục hành chính liên thông): one submission
    that opens linked dossiers in several agencies, e.g. birth registration, permanent
    residence and a health-insurance card for a child under 6 (Nghị định 63/2024/NĐ-CP)."""

    code = models.CharField(_("mã nhóm"), max_length=40, unique=True)
    name = models.CharField(_("tên nhóm thủ tục liên thông"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("nhóm thủ tục liên thông")
        verbose_name_plural = _("nhóm thủ tục liên thông")

    def __str__(self) -> str:
        return self.name


class ProcedureGroupMember(models.Model):
    """A procedure of a group. The lead (exactly one per group) is the procedure whose e-form
    and papers the citizen fills in; the other members' dossiers are opened from it."""

    group = models.ForeignKey(
        ProcedureGroup, verbose_name=_("nhóm thủ tục liên thông"), on_delete=models.CASCADE, related_name="members"
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="group_memberships"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_lead = models.BooleanField(_("thủ tục chính"), default=False)

    class Meta:
        ordering = ["group", "position", "id"]
        verbose_name = _("thủ tục trong nhóm liên thông")
        verbose_name_plural = _("thủ tục trong nhóm liên thông")
        constraints = [
            models.UniqueConstraint(fields=["group", "procedure"], name="proceduregroupmember_unique_procedure"),
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(is_lead=True), name="proceduregroupmember_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group.code}: {self.procedure.code}"


class NationalAgencyMapping(models.Model):
    """How an agency named in the national database maps to the province's agencies.

    A national record names its implementing agencies generically ("Ủy ban nhân dân cấp xã",
    "Sở Tư pháp", "Văn phòng đăng ký đất đai"); a row matches every name that contains its
    pattern (accents, case and punctuation ignored). Commune rows win over agency rows, then
    the longest pattern wins.
    """

    pattern = models.CharField(
        _("tên cơ quan (hoặc một phần tên) ở CSDL quốc gia"),
        max_length=255,
        unique=True,
        help_text=_("Không phân biệt dấu, hoa thường; ví dụ “văn phòng đăng ký đất đai”."),
    )
    target = models.CharField(_("ánh xạ tới"), max_length=16, choices=MappingTarget.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan của tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["pattern"]
        verbose_name = _("ánh xạ cơ quan CSDL quốc gia")
        verbose_name_plural = _("ánh xạ cơ quan CSDL quốc gia")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target=MappingTarget.COMMUNE, agency__isnull=True)
                | models.Q(target=MappingTarget.AGENCY, agency__isnull=False),
                name="nationalagencymapping_agency_matches_target",
            )
        ]

    def __str__(self) -> str:
        return self.pattern


class ParkedNationalRecord(models.Model):
    """A national record the import could not take in (no agency of the province matches,
    or the record is malformed), kept whole with the reason until an administrator acts."""

    code = models.CharField(_("mã thủ tục"), max_length=40, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=1000, blank=True)
    from_index = models.BooleanField(_("chỉ có trong danh mục tra cứu"), default=False)
    reason = models.TextField(_("lý do chưa nhập"))
    record = models.JSONField(_("bản ghi quốc gia"))
    parked_at = models.DateTimeField(_("lần nhập gần nhất"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bản ghi quốc gia chưa nhập")
        verbose_name_plural = _("bản ghi quốc gia chưa nhập")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"
