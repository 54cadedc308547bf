from django.db import models
from django.utils.translation import gettext_lazy as _

# Who acts when the national portal hands us a dossier (audit trail, history, events).
PORTAL_ACTOR = "Cổng Dịch vụ công quốc gia"


class SyncStatus(models.TextChoices):
    """An event on its way to the national portal."""

    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    # Refused for now (portal down, error 500, no answer in time): tried again after a wait.
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    SENT = "sent", _("Đã đồng bộ")
    # Refused for good or answered in a way that contradicts ours: waits for an administrator;
    # the dossier's later events wait behind it.
    PARKED = "parked", _("Tạm giữ, chờ quản trị xử lý")


UNSENT = (SyncStatus.PENDING, SyncStatus.SENDING, SyncStatus.FAILED, SyncStatus.PARKED)


class InboundStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Đã nhận thành hồ sơ")
    # A paper could not be fetched (portal down, error, no answer): no dossier yet, tried again
    # by every pull (the portal lists it until we acknowledge it).
    WAITING = "waiting", _("Chờ tải giấy tờ từ Cổng quốc gia")
    PARKED = "parked", _("Tạm giữ, chờ quản trị xử lý")


class FindingKind(models.TextChoices):
    NOT_ON_PORTAL = "not_on_portal", _("Cổng quốc gia không có hồ sơ")
    MISSING_RECORDS = "missing_records", _("Cổng quốc gia thiếu bản ghi")
    EXTRA_RECORDS = "extra_records", _("Cổng quốc gia có nhiều bản ghi hơn")
    STATE_DIFFERS = "state_differs", _("Trạng thái khác nhau")
    ONLY_ON_PORTAL = "only_on_portal", _("Hồ sơ nộp trên Cổng quốc gia chưa được nhận")
    NOT_LISTED_ON_PORTAL = "not_listed", _("Hồ sơ nhận từ Cổng quốc gia nhưng Cổng không còn liệt kê")
