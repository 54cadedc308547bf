from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What happened to a dossier. Values are stable: consumers and the national sync key on them."""

    SUBMITTED = "submitted", _("Nộp hồ sơ")
    # The receipt of an online submission went to the applicant (for an interconnected
    # submission, once, by its lead dossier, listing the dossiers it opened).
    ACKNOWLEDGED = "acknowledged", _("Xác nhận đã nhận hồ sơ")
    RECEIVED = "received", _("Tiếp nhận hồ sơ")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    SUPPLEMENTED = "supplemented", _("Bổ sung hồ sơ")
    REJECTED = "rejected", _("Từ chối tiếp nhận")
    PROCESSING_STARTED = "processing_started", _("Bắt đầu xử lý")
    STEP_TAKEN = "step_taken", _("Nhận xử lý bước")
    STEP_ASSIGNED = "step_assigned", _("Phân công xử lý")
    # A step finished and the dossier moved on, possibly to another agency.
    FORWARDED = "forwarded", _("Chuyển bước xử lý")
    # Sent back to an earlier step.
    SENT_BACK = "sent_back", _("Trả lại bước trước")
    CONSULTED = "consulted", _("Xin ý kiến cơ quan khác")
    CONSULTATION_ANSWERED = "consultation_answered", _("Trả lời xin ý kiến")
    PAUSED = "paused", _("Tạm dừng chờ bổ sung")
    RESUMED = "resumed", _("Tiếp tục xử lý")
    EXTENDED = "extended", _("Gia hạn xử lý")
    APPROVED = "approved", _("Phê duyệt kết quả")
    RESULT_SIGNED = "result_signed", _("Ký số kết quả")
    RESULT_ISSUED = "result_issued", _("Ban hành kết quả")
    RESULT_POSTED = "result_posted", _("Gửi kết quả qua bưu chính")
    # The result reached the person (counter, post or online): the dossier ends.
    RETURNED = "returned", _("Trả kết quả")
    FEES_DUE = "fees_due", _("Phí, lệ phí phải nộp")
    FEES_PAID = "fees_paid", _("Đã nộp phí, lệ phí")
    REFUNDED = "refunded", _("Đã hoàn trả phí, lệ phí")
    RATED = "rated", _("Đánh giá mức độ hài lòng")
    FEEDBACK_RECEIVED = "feedback_received", _("Tiếp nhận phản ánh, kiến nghị")
    FEEDBACK_ANSWERED = "feedback_answered", _("Trả lời phản ánh, kiến nghị")
    STOPPED = "stopped", _("Dừng xử lý")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Đề nghị rút hồ sơ")
    WITHDRAWAL_REFUSED = "withdrawal_refused", _("Không chấp nhận rút hồ sơ")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
