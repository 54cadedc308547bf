from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("ngày làm việc")
    WORKING_HOUR = "working_hour", _("giờ làm việc")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Lệ phí")
    CHARGE = "charge", _("Phí")


class LineKind(models.TextChoices):
    """The kinds of line a dossier owes: the catalogue's fees and charges, and the postal charge
    of a result returned by post (not a fee: it is kept apart in receipts and collections)."""

    FEE = FeeKind.FEE.value, FeeKind.FEE.label
    CHARGE = FeeKind.CHARGE.value, FeeKind.CHARGE.label
    POSTAGE = "postage", _("Cước bưu chính")


class FeeBasis(models.TextChoices):
    """How a fee line's amount grows with the application."""

    FIXED = "fixed", _("Theo hồ sơ")
    PER_UNIT = "per_unit", _("Theo số bản, số đơn vị")


class FeeChannel(models.TextChoices):
    """The submission channels a fee line applies to (online rates are often reduced)."""

    ANY = "any", _("Mọi kênh nộp")
    ONLINE = "online", _("Chỉ khi nộp trực tuyến")
    OFFLINE = "offline", _("Chỉ khi nộp trực tiếp, qua bưu chính")


class PaymentTiming(models.TextChoices):
    """When the applicant must have paid: the guard blocks the next step until then."""

    SUBMISSION = "submission", _("Khi nộp hồ sơ (trước khi tiếp nhận)")
    ACCEPTANCE = "acceptance", _("Sau khi tiếp nhận (trước khi phát hành kết quả)")
    RETURN = "return", _("Trước khi nhận kết quả")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết hiệu lực")


class VerificationStatus(models.TextChoices):
    VERIFIED = "verified", _("Đã đối chiếu nguồn công khai")
    PARTIAL = "partial", _("Đối chiếu một phần")
    UNVERIFIED = "unverified", _("Chưa đối chiếu")


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang nhập")
    DONE = "done", _("Hoàn thành")
    REFUSED = "refused", _("Bị từ chối")


class StepKind(models.TextChoices):
    """What an officer does at a process step, which decides the actions offered there."""

    RECEPTION = "reception", _("Tiếp nhận hồ sơ")
    PROCESS = "process", _("Thẩm định, xử lý")
    APPROVE = "approve", _("Phê duyệt, ký")
    ISSUE = "issue", _("Vào sổ, phát hành kết quả")
    RETURN = "return", _("Trả kết quả")
    # Not part of a process: an opinion asked of another agency during a step.
    CONSULT = "consult", _("Cho ý kiến (phối hợp)")


class AgencySource(models.TextChoices):
    """Whose step it is, resolved per dossier so one process fits every commune."""

    RECEIVING = "receiving", _("Cơ quan tiếp nhận hồ sơ")
    PROCESSING = "processing", _("Cơ quan giải quyết thủ tục")
    FIXED = "fixed", _("Cơ quan cố định")


class CatalogSource(models.TextChoices):
    """Where a procedure's content comes from, which decides who may change it.

    The province's own catalogue (hand-checked, with e-forms) is never overwritten by the
    national import; an index-only entry is information for the citizen, not an online service.
    """

    LOCAL = "local", _("Danh mục của tỉnh (đã đối chiếu)")
    NATIONAL = "national", _("Cơ sở dữ liệu quốc gia (bản ghi đầy đủ)")
    NATIONAL_INDEX = "national_index", _("Cơ sở dữ liệu quốc gia (chỉ thông tin tra cứu)")


class MappingTarget(models.TextChoices):
    """What a national agency name maps to in the province."""

    AGENCY = "agency", _("Một cơ quan cấp tỉnh")
    COMMUNE = "commune", _("UBND từng xã, phường (thủ tục cấp xã)")
