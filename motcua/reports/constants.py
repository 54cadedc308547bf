from django.db import models
from django.utils.translation import gettext_lazy as _


class Satisfaction(models.TextChoices):
    """The three levels citizens rate the one-stop service with; "dissatisfied" is the
    "dislike" that the national index (Decision 766, indicator 5.4) counts against an agency."""

    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")


class FeedbackCategory(models.TextChoices):
    """Indicator 5.1 splits feedback between rules and procedures and officers' behaviour."""

    REGULATION = "regulation", _("Quy định, thủ tục hành chính")
    BEHAVIOUR = "behaviour", _("Hành vi, thái độ của cán bộ")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    REJECTED = "rejected", _("Không tiếp nhận")
