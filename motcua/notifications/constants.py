from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class NotificationEvent(models.TextChoices):
    """What a message is about. Dossier events go to the applicant; replies answer an inbound text."""

    SUBMITTED = "submitted", _("Đã nộp hồ sơ")
    # The acknowledgement of a submission, by e-mail with its PDF receipt attached.
    ACKNOWLEDGEMENT = "acknowledgement", _("Giấy xác nhận đã nhận hồ sơ")
    ACCEPTED = "accepted", _("Đã tiếp nhận, có ngày hẹn trả")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    REJECTED = "rejected", _("Từ chối tiếp nhận")
    FEE_DUE = "fee_due", _("Cần nộp phí, lệ phí")
    FEES_RECEIVED = "fees_received", _("Đã nhận phí, lệ phí")
    REFUNDED = "refunded", _("Đã hoàn trả phí, lệ phí")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    RESULT_POSTED = "result_posted", _("Đã gửi kết quả qua bưu chính")
    LATE_APOLOGY = "late_apology", _("Xin lỗi vì trễ hẹn, hẹn lại ngày trả")
    COMPLETED = "completed", _("Đã trả kết quả")
    STOPPED = "stopped", _("Dừng giải quyết hồ sơ")
    WITHDRAWAL_ACCEPTED = "withdrawal_accepted", _("Đồng ý cho rút hồ sơ")
    WITHDRAWAL_REFUSED = "withdrawal_refused", _("Không đồng ý cho rút hồ sơ")
    RATING_REQUESTED = "rating_requested", _("Mời đánh giá mức độ hài lòng")
    # Answers to "HS <mã hồ sơ>" texted to the province's number or Zalo account.
    STATUS_REPLY = "status_reply", _("Trả lời tra cứu: trạng thái hồ sơ")
    NOT_FOUND_REPLY = "not_found_reply", _("Trả lời tra cứu: không tìm thấy hồ sơ")
    HELP_REPLY = "help_reply", _("Trả lời tra cứu: hướng dẫn cú pháp")
    # To officers, not to the applicant: a digest of steps due soon or overdue, written by code.
    DEADLINE_WARNING = "deadline_warning", _("Cảnh báo hạn xử lý (gửi cán bộ)")
    # To the holder of an account whose login was locked after repeated wrong passwords.
    LOGIN_LOCKED = "login_locked", _("Cảnh báo tài khoản tạm bị khoá đăng nhập")
    # To leaders: a report of a report template (report_templates), its file attached.
    SCHEDULED_REPORT = "scheduled_report", _("Báo cáo định kỳ (gửi lãnh đạo)")


# Events that answer an inbound message: sent whatever the preferences (the person asked) and
# outside the SMS quiet hours (they are awake: they just wrote to us).
REPLY_EVENTS = frozenset(
    {NotificationEvent.STATUS_REPLY, NotificationEvent.NOT_FOUND_REPLY, NotificationEvent.HELP_REPLY}
)
# Events whose wording is written by code, not by a template (nothing for administrators to edit).
UNTEMPLATED_EVENTS = frozenset(
    {NotificationEvent.DEADLINE_WARNING, NotificationEvent.LOGIN_LOCKED, NotificationEvent.SCHEDULED_REPORT}
)
# Channels a reply can go through: the ones people can write to.
REPLY_CHANNELS = frozenset({NotificationChannel.SMS, NotificationChannel.ZALO})


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi cho nhà cung cấp")
    DELIVERED = "delivered", _("Đã đến người nhận")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    DEAD = "dead", _("Đã ngừng gửi")


# Statuses of a message that has not gone out yet: a newer message to the same recipient on the
# same channel waits behind it, so people read their news in the order it happened.
UNFINISHED_STATUSES = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)


class OutboxAttachment(models.TextChoices):
    """A file an e-mail carries, named on the row and rendered when it is sent (rows stay small)."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Giấy xác nhận đã nhận hồ sơ (PDF)")
    # A file made when the message was recorded (a scheduled report), kept in the storage.
    STORED = "stored", _("Tệp đã lưu khi ghi thư")


# E-mails of these events carry that attachment.
EMAIL_ATTACHMENTS: dict[str, str] = {NotificationEvent.ACKNOWLEDGEMENT: OutboxAttachment.ACKNOWLEDGEMENT}


class WebhookKind(models.TextChoices):
    DELIVERY = "delivery", _("Báo phát")
    INBOUND = "inbound", _("Tin nhắn đến")


class InboundOutcome(models.TextChoices):
    STATUS = "status", _("Đã trả lời trạng thái hồ sơ")
    NOT_FOUND = "not_found", _("Không tìm thấy hồ sơ")
    HELP = "help", _("Đã gửi hướng dẫn cú pháp")
    RATE_LIMITED = "rate_limited", _("Quá số lần trả lời cho phép, không trả lời")
    IGNORED = "ignored", _("Bỏ qua (người gửi không hợp lệ)")


# The names a template may use. Every message is rendered with all of them (empty when the event
# has nothing to say), so a template that passed validation never fails when sending.
TEMPLATE_VARIABLES: dict[str, str] = {
    "code": "Mã hồ sơ",
    "procedure_name": "Tên thủ tục",
    "agency_name": "Cơ quan tiếp nhận",
    "status_label": "Trạng thái hồ sơ",
    "due_date": "Ngày hẹn trả kết quả (dd/mm/yyyy)",
    "next_step": "Việc tiếp theo",
    "tracking_url": "Địa chỉ tra cứu hồ sơ",
    "reason": "Lý do (bổ sung, từ chối, trễ hẹn, dừng xử lý, rút hồ sơ)",
    "amount": "Số tiền (phải nộp, đã nộp hoặc được hoàn trả)",
    "receipt": "Biên lai điện tử (ký hiệu, số) của khoản đã nộp",
    "refund_method": "Cách hoàn trả (qua cổng thanh toán, tiền mặt tại Bộ phận Một cửa)",
    "refund": "Hoàn phí, lệ phí đã nộp: cách và thời điểm nhận lại (hồ sơ bị từ chối tiếp nhận)",
    "shipment": "Bưu gửi kết quả (đơn vị bưu chính, số hiệu)",
    "site_name": "Tên cổng dịch vụ công",
    "linked_dossiers": "Các hồ sơ liên thông mở cùng lần nộp (nếu có)",
}
