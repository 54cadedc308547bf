from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố trực thuộc trung ương")
    DISTRICT = "district", _("Huyện, thị xã, thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn")


class AgencyKind(models.TextChoices):
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    DISTRICT_COMMITTEE = "district_committee", _("UBND cấp huyện")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND cấp xã")
    OTHER = "other", _("Cơ quan khác")


class OrgUnitKind(models.TextChoices):
    ONE_STOP = "one_stop", _("Bộ phận Một cửa")
    DIVISION = "division", _("Phòng chuyên môn")


class Role(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên thụ lý")
    LEADER = "leader", _("Lãnh đạo phê duyệt")
    CLERK = "clerk", _("Văn thư")
    POSTAL = "postal", _("Nhân viên bưu điện")
    # Collects fees, keeps the receipt series, reconciles with the gateways and refunds.
    FINANCE = "finance", _("Kế toán thu phí, lệ phí")
    SUPERVISOR = "supervisor", _("Giám sát")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


# Roles that see every agency's dossiers and figures.
PROVINCE_WIDE_ROLES = {Role.SUPERVISOR, Role.SYSTEM_ADMIN}
