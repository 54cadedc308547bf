from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import StepKind
from motcua.directory.constants import Role
from motcua.dossiers.constants import (
    AttachmentSource,
    Channel,
    DeliveryMethod,
    DossierStatus,
    Outcome,
    SlipKind,
    StepStatus,
    WithdrawalStatus,
)


class Dossier(models.Model):
    """An application for one procedure version, from draft to its result.

    `status` is changed only by the transition service (dossiers/transitions.py).
    """

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    # The applicant's name folded (motcua.core.text.fold) when the dossier is handed in, so the
    # back office finds "Hùng" by "hung"; indexed by word (dossiers/search.py).
    applicant_folded = models.CharField(max_length=200, blank=True, default="", editable=False)
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", verbose_name=_("thủ tục (phiên bản)"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "directory.Agency", verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), on_delete=models.PROTECT, related_name="dossiers"
    )
    # The officer or postal staff who typed the dossier for a citizen who came in person.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    representation = models.ForeignKey(
        "accounts.Representation",
        verbose_name=_("nộp thay cho tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    channel = models.CharField(_("kênh nộp"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(
        _("trạng thái"), max_length=24, choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    form_data = models.JSONField(_("dữ liệu tờ khai"), default=dict, blank=True)
    delivery_method = models.CharField(
        _("hình thức nhận kết quả"), max_length=10, choices=DeliveryMethod.choices, blank=True
    )
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)
    declaration_accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    expected_due_at = models.DateTimeField(_("dự kiến trả kết quả"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The appointment on the receipt: when the result is due, by the working-day calendar.
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    # Bumped by every write so a form posted from a stale page is refused, not applied.
    revision = models.PositiveIntegerField(default=0)
    # The process the dossier was received under; later process versions do not touch it.
    process = models.ForeignKey(
        "catalog.Process",
        verbose_name=_("quy trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The specialist's draft of the result's wording, put into the result template.
    result_draft = models.TextField(_("dự thảo nội dung kết quả"), blank=True)
    outcome = models.CharField(_("kết quả giải quyết"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("ý kiến phê duyệt"), blank=True)
    result_document = models.ForeignKey(
        "documents.IssuedDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the applicant owes, frozen from the fee rules and the answers when the dossier is
    # submitted or received (catalog/fees.py); the payments app settles it.
    fees_due = models.PositiveBigIntegerField(_("phí, lệ phí phải nộp (đồng)"), default=0)
    fee_lines = models.JSONField(_("chi tiết phí, lệ phí"), default=list, blank=True)
    fees_paid_at = models.DateTimeField(_("đã nộp phí, lệ phí lúc"), null=True, blank=True)
    processed_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    returned_note = models.CharField(_("ghi chú trả kết quả"), max_length=500, blank=True)
    # The interconnected submission this dossier belongs to (hồ sơ liên thông), if any.
    group = models.ForeignKey(
        "DossierGroup",
        verbose_name=_("hồ sơ liên thông"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["agency", "status", "submitted_at"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["applicant", "status"]),
            # The back-office search lists the newest first across every agency.
            models.Index(fields=["submitted_at"]),
            # The leaders' drill-down lists: dossiers received in a period, province-wide or
            # of one agency (motcua/leaders).
            models.Index(fields=["received_at"]),
            models.Index(fields=["agency", "received_at"]),
            # The dashboards' live numbers, the dossiers still being processed: a small part of
            # a period's dossiers (the rest come from the daily counts).
            models.Index(
                fields=["received_at", "due_at"],
                condition=models.Q(processed_at__isnull=True, received_at__isnull=False),
                name="dossier_unprocessed_received",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"


class DossierGroup(models.Model):
    """One submission of an interconnected procedure group and the linked dossiers it opened.

    The lead dossier is the one the citizen fills in and confirms; on confirmation the other
    members' dossiers are opened in their agencies (dossiers/groups.py). The code is
    "LT-<lead dossier code>", given when the lead is handed in.
    """

    code = models.CharField(_("mã hồ sơ liên thông"), max_length=60, unique=True, null=True, blank=True)
    # The catalogue's procedure group this submission follows.
    group = models.ForeignKey(
        "catalog.ProcedureGroup",
        verbose_name=_("nhóm thủ tục liên thông"),
        on_delete=models.PROTECT,
        related_name="dossier_groups",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), on_delete=models.PROTECT, related_name="dossier_groups"
    )
    lead = models.OneToOneField(Dossier, verbose_name=_("hồ sơ chính"), on_delete=models.PROTECT, related_name="+")
    # Where the citizen submits: commune-level members are received by this commune.
    unit_code = models.CharField(_("xã, phường nơi nộp"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hồ sơ liên thông")
        verbose_name_plural = _("hồ sơ liên thông")

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"


class DossierCodeSequence(models.Model):
    """The last sequence number issued per agency and day, locked while a code is issued."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossiercodesequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


class DossierAttachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    component = models.ForeignKey("catalog.DossierComponent", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=AttachmentSource.choices, default=AttachmentSource.UPLOAD)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["component", "created_at"]

    def __str__(self) -> str:
        return self.original_name


class DossierStatusChange(models.Model):
    """Append-only history of a dossier's states, shown to the citizen as a timeline."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=24, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=DossierStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.from_status} → {self.to_status}"


class DossierSlip(models.Model):
    """A legal slip issued to the applicant (receipt, supplement request, refusal…), as a PDF.

    The form set follows the dossier's reception date: Circular 01/2018/TT-VPCP before
    1 July 2025, Circular 03/2025/TT-VPCP from then on.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="slips")
    kind = models.CharField(_("loại phiếu"), max_length=24, choices=SlipKind.choices)
    form_set = models.CharField(_("mẫu theo"), max_length=120)
    form_number = models.CharField(_("mẫu số"), max_length=10)
    content = models.JSONField(_("nội dung"), default=dict)
    file = models.FileField(upload_to="slips/%Y/%m/")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("phiếu")
        verbose_name_plural = _("phiếu")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.dossier}"


class DossierStep(models.Model):
    """One step of a dossier's journey through its process, or an opinion asked of an agency.

    A step belongs to an agency (and possibly one of its units) and a role; any officer holding
    that role there may take it, and a leader may assign it. `due_at` comes from the step's
    allotted time and the working-day calendar and moves forward while the dossier is paused.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    process_step = models.ForeignKey(
        "catalog.ProcessStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("loại bước"), max_length=16, choices=StepKind.choices)
    name = models.CharField(_("bước"), max_length=255)
    agency = models.ForeignKey(
        "directory.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        "directory.OrgUnit",
        verbose_name=_("bộ phận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("trạng thái"), max_length=12, choices=StepStatus.choices, default=StepStatus.ACTIVE)
    # For an opinion: the step that asked for it, which cannot move on until it is answered.
    requested_by_step = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="consultations"
    )
    question = models.TextField(_("nội dung xin ý kiến"), blank=True)
    note = models.TextField(_("ý kiến, ghi chú"), blank=True)
    started_at = models.DateTimeField(_("bắt đầu"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    finished_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    warned_due_soon_at = models.DateTimeField(null=True, blank=True)
    warned_overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("bước xử lý hồ sơ")
        indexes = [
            models.Index(fields=["agency", "role", "status", "due_at"]),
            # A leader's view: every open step of the agency, by due time.
            models.Index(fields=["agency", "status", "due_at"]),
            models.Index(fields=["assignee", "status", "due_at"]),
            models.Index(fields=["status", "due_at"]),
            # An agency's scope (dossier_list_for_officer): its steps' dossiers from the index alone.
            models.Index(fields=["agency", "dossier"]),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.name}"


class DossierPause(models.Model):
    """A stop of the clock during processing, from the supplement request to the papers' arrival."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    step = models.ForeignKey(DossierStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("tạm dừng từ"))
    ended_at = models.DateTimeField(_("tiếp tục lúc"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.started_at}"


class DossierStepFile(models.Model):
    """A working paper an officer adds at a step (appraisal notes, a draft, an agency's opinion)."""

    step = models.ForeignKey(DossierStep, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="steps/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class WithdrawalRequest(models.Model):
    """A citizen's request to withdraw a dossier already accepted; the handling agency decides.

    At most one request per dossier waits for a decision at a time.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="withdrawal_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do rút hồ sơ"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=WithdrawalStatus.choices, default=WithdrawalStatus.PENDING
    )
    created_at = models.DateTimeField(_("đề nghị lúc"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decision_note = models.TextField(_("ý kiến của cơ quan"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("đề nghị rút hồ sơ")
        verbose_name_plural = _("đề nghị rút hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(status=WithdrawalStatus.PENDING),
                name="withdrawalrequest_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_status_display()}"
