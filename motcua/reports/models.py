from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
