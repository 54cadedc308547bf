from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorGroup(models.TextChoices):
    """The groups of Decision 766 as the national portal scores them (groupScores)."""

    CKMB = "CKMB", _("Công khai, minh bạch")
    TDGQ = "TDGQ", _("Tiến độ, kết quả giải quyết")
    CLGQ = "CLGQ", _("Dịch vụ công trực tuyến")
    TTTT = "TTTT", _("Thanh toán trực tuyến")
    MDSH = "MDSH", _("Mức độ số hóa hồ sơ")
    MDHL = "MDHL", _("Mức độ hài lòng")


# The portal's maxima, 100 in all (docs/service-index.md).
GROUP_MAXIMA = {
    IndicatorGroup.CKMB: Decimal(18),
    IndicatorGroup.TDGQ: Decimal(20),
    IndicatorGroup.CLGQ: Decimal(12),
    IndicatorGroup.TTTT: Decimal(10),
    IndicatorGroup.MDSH: Decimal(22),
    IndicatorGroup.MDHL: Decimal(18),
}


class PointsSource(models.TextChoices):
    OFFICIAL = "official", _("Theo tài liệu công bố")
    CONFIGURED = "configured", _("Cấu hình (chia đều trong nhóm, chưa có nguồn chính thức)")
    INFORMATIONAL = "informational", _("Chỉ số tham khảo, không tính điểm")


class ScopeKind(models.TextChoices):
    """What the index is computed for (the values appear in URLs)."""

    PROVINCE = "tinh", _("Toàn tỉnh")
    AGENCY = "co-quan", _("Cơ quan")
    COMMUNE = "xa", _("Xã, phường")
