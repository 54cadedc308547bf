import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import ProcedureLevel
from motcua.reports.constants import FeedbackCategory, FeedbackStatus, Satisfaction


class SatisfactionRating(models.Model):
    """The applicant's rating of one returned dossier: the agency, the officer who received it
    and the result. One per dossier; staff can never rate on a citizen's behalf."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="rating")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency_level = models.CharField(_("đánh giá cơ quan"), max_length=16, choices=Satisfaction.choices)
    officer_level = models.CharField(_("đánh giá cán bộ tiếp nhận"), max_length=16, choices=Satisfaction.choices)
    result_level = models.CharField(_("đánh giá kết quả"), max_length=16, choices=Satisfaction.choices)
    comment = models.TextField(_("góp ý"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        indexes = [models.Index(fields=["agency", "created_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.get_agency_level_display()}"

    @property
    def dislike(self) -> bool:
        return Satisfaction.DISSATISFIED in {self.agency_level, self.officer_level, self.result_level}


class Feedback(models.Model):
    """A citizen's feedback or petition (phản ánh, kiến nghị), answered by the agency on deadline."""

    code = models.CharField(_("mã phản ánh"), max_length=20, unique=True)
    agency = models.ForeignKey(
        "directory.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="feedback"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("loại"), max_length=16, choices=FeedbackCategory.choices)
    title = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(_("hạn trả lời"))
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        indexes = [models.Index(fields=["agency", "status", "due_at"])]

    def __str__(self) -> str:
        return self.code


class DossierCounts(models.Model):
    """What dossiers add to the statistics kept from the domain events (`reports/aggregates.py`):
    one dossier's part (`CountedDossier`, 0 or 1 per column) or a day's sum (`DailyDossierCount`).
    Each column is one condition of `aggregates.CONDITIONS`; the durations sum the processing
    time (result minus reception) of the dossiers counted in `finished_online` / `_counter`."""

    received_online = models.PositiveIntegerField(default=0)
    received_counter = models.PositiveIntegerField(default=0)
    received_post_office = models.PositiveIntegerField(default=0)
    received_national_portal = models.PositiveIntegerField(default=0)
    finished_early = models.PositiveIntegerField(default=0)
    finished_on_time = models.PositiveIntegerField(default=0)
    finished_late = models.PositiveIntegerField(default=0)
    finished_online = models.PositiveIntegerField(default=0)
    finished_counter = models.PositiveIntegerField(default=0)
    stopped = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    full_online = models.PositiveIntegerField(default=0)
    fee_payable = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    digitised = models.PositiveIntegerField(default=0)
    scanned = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    # The Decision 766 index's dossier counts over the received (service_index/indicators.py).
    complained = models.PositiveIntegerField(default=0)
    synced = models.PositiveIntegerField(default=0)
    online_e_result = models.PositiveIntegerField(default=0)
    fee_defined = models.PositiveIntegerField(default=0)
    fee_defined_paid_online = models.PositiveIntegerField(default=0)
    paper_result = models.PositiveIntegerField(default=0)
    paper_result_e = models.PositiveIntegerField(default=0)
    digitised_e_result = models.PositiveIntegerField(default=0)
    reused = models.PositiveIntegerField(default=0)
    personal = models.PositiveIntegerField(default=0)
    personal_vneid = models.PositiveIntegerField(default=0)
    duration_online = models.DurationField(default=datetime.timedelta)
    duration_counter = models.DurationField(default=datetime.timedelta)

    objects = models.Manager()  # typed for the readers of any of the tables (`count_table`)

    class Meta:
        abstract = True


class DailyDossierCount(DossierCounts):
    """Dossiers of one agency, procedure field and level counted per day: the sum of their
    `CountedDossier` rows, kept by the reports' consumer of the domain events
    (`reports/consumers.py`) and recomputed by `reports_rebuild`.

    A dossier counts on its reception day (Asia/Ho_Chi_Minh), whatever happens to it later: its
    result, stop, withdrawal and rating add to the row of the day it was received, as the
    transparency board counts "dossiers received in the period". A rejected dossier, never
    received, counts on its submission day."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey("catalog.Field", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=ProcedureLevel.choices)
    day = models.DateField()

    class Meta:
        verbose_name = _("số hồ sơ theo ngày")
        verbose_name_plural = _("số hồ sơ theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["agency", "field", "level", "day"], name="daily_count_one_per_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.field_id}/{self.level} {self.day}"


class CountedDossier(DossierCounts):
    """One dossier's part in the daily counts as last counted: the consumer recounts the dossier
    at each of its events and moves the difference into the daily rows, so a count never runs
    twice nor is missed whatever the order of the events."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", primary_key=True, on_delete=models.CASCADE, related_name="counted"
    )
    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey("catalog.Field", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=ProcedureLevel.choices)
    day = models.DateField()
    # The local day of its result: what places it among the dossiers resolved in a period.
    processed_day = models.DateField(null=True)

    class Meta:
        verbose_name = _("hồ sơ đã đếm")
        verbose_name_plural = _("hồ sơ đã đếm")
        # The few complained dossiers by the day of their result, found without reading the
        # others (the 766 index's 5.4).
        indexes = [
            models.Index(
                fields=["processed_day", "dossier"], condition=models.Q(complained__gt=0), name="counted_complained"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.day}"


class ProvinceDailyCount(DossierCounts):
    """The daily counts of the whole province per procedure field and level: the sum of the
    agencies' `DailyDossierCount` rows, kept with them; a tenth of their rows, for what is not
    told by agency (`aggregates.count_table`, docs/benchmarks.md)."""

    field = models.ForeignKey("catalog.Field", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=ProcedureLevel.choices)
    day = models.DateField()

    class Meta:
        verbose_name = _("số hồ sơ toàn tỉnh theo ngày")
        verbose_name_plural = _("số hồ sơ toàn tỉnh theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["field", "level", "day"], name="province_daily_count_one_per_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.field_id}/{self.level} {self.day}"


class AgencyDailyCount(DossierCounts):
    """The daily counts of each agency, all fields and levels together: the sum of its
    `DailyDossierCount` rows, kept with them; a twentieth of their rows, for what is told by
    agency but not by field or level (rankings, the board by agency, an agency's dashboard)."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name = _("số hồ sơ của cơ quan theo ngày")
        verbose_name_plural = _("số hồ sơ của cơ quan theo ngày")
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="agency_daily_count_one_per_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}"


class CountedParticipant(models.Model):
    """An officer who took part in a counted dossier (received it, held or finished one of its
    steps), as last counted: the recount moves the dossier's part between `OfficerDailyCount`
    rows when its officers change, as it moves it between days when its key changes."""

    dossier = models.ForeignKey(CountedDossier, on_delete=models.CASCADE, related_name="participants")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("cán bộ tham gia hồ sơ đã đếm")
        verbose_name_plural = _("cán bộ tham gia hồ sơ đã đếm")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "officer"], name="counted_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.officer_id}"


class OfficerDailyCount(DossierCounts):
    """The dossiers each officer took part in, per procedure field, level and reception day: the
    officers' ranking of the dashboards reads it instead of the dossiers."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey("catalog.Field", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=ProcedureLevel.choices)
    day = models.DateField()

    class Meta:
        verbose_name = _("số hồ sơ của cán bộ theo ngày")
        verbose_name_plural = _("số hồ sơ của cán bộ theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["officer", "day", "field", "level"], name="officer_daily_count_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}/{self.field_id}/{self.level} {self.day}"


class ProcedureDailyCount(DossierCounts):
    """The daily counts of each agency per procedure, kept with the others: for what counts
    procedures rather than dossiers (Decision 766 indicator 3.5, procedures paid online)."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name = _("số hồ sơ của thủ tục theo ngày")
        verbose_name_plural = _("số hồ sơ của thủ tục theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["agency", "procedure", "day"], name="procedure_daily_count_one_per_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.procedure_id} {self.day}"


class StatutoryCounts(models.Model):
    """The statutory report's flows of one agency and procedure field, kept by the reports'
    consumer of the domain events (`reports/statutory_counts.py`) and recomputed by
    `reports_rebuild`. Unlike `DailyDossierCount` (everything on the reception day), each flow
    counts when its own event happened: a reception, a result issued, a withdrawal or a stop
    taking effect (Asia/Ho_Chi_Minh), as the report's columns do."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey("catalog.Field", on_delete=models.CASCADE, related_name="+")
    received_online = models.PositiveIntegerField(default=0)
    received_direct = models.PositiveIntegerField(default=0)
    resolved_early = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolved_late = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    stopped = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class StatutoryDailyCount(StatutoryCounts):
    """The flows of one day."""

    day = models.DateField()

    class Meta:
        verbose_name = _("số hồ sơ báo cáo định kỳ theo ngày")
        verbose_name_plural = _("số hồ sơ báo cáo định kỳ theo ngày")
        constraints = [models.UniqueConstraint(fields=["agency", "field", "day"], name="statutory_count_one_per_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.field_id} {self.day}"


class StatutoryMonthlyCount(StatutoryCounts):
    """The flows of one calendar month (`month` is its first day): a period's whole months are
    read here, a row a month instead of one a day, so a year costs about what a month does."""

    month = models.DateField()

    class Meta:
        verbose_name = _("số hồ sơ báo cáo định kỳ theo tháng")
        verbose_name_plural = _("số hồ sơ báo cáo định kỳ theo tháng")
        constraints = [
            models.UniqueConstraint(fields=["agency", "field", "month"], name="statutory_count_one_per_month")
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.field_id} {self.month:%Y-%m}"
