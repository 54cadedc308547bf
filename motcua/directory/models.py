import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold
from motcua.directory.constants import AgencyKind, OrgUnitKind, Role, UnitKind


class AdministrativeUnitQuerySet(models.QuerySet["AdministrativeUnit"]):
    def valid_on(self, day: datetime.date) -> "AdministrativeUnitQuerySet":
        """Units in force on `day`: the 2016 three-tier and 2025 two-tier trees live side by side."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class AdministrativeUnit(models.Model):
    """A province, district or commune/ward, with the dates it existed."""

    code = models.CharField(_("mã đơn vị hành chính"), max_length=10, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(_("cấp"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("trực thuộc"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)


class Agency(models.Model):
    """An agency that receives or settles procedures (sở, trung tâm, UBND xã…)."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    electronic_id = models.CharField(
        _("mã định danh điện tử"),
        max_length=40,
        unique=True,
        help_text=_("Theo QCVN 102:2016/BTTTT, dùng làm tiền tố mã hồ sơ, ví dụ 000.00.15.H15."),
    )
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=24, choices=AgencyKind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="agencies"
    )
    # Printed on its fee receipts as the collecting organisation's tax code (NĐ 123/2020, Điều 32).
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    verification = models.JSONField(_("nguồn dữ liệu"), default=dict, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A one-stop unit or a specialist division inside an agency."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="org_units")
    code = models.CharField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=OrgUnitKind.choices)

    class Meta:
        ordering = ["agency", "kind", "name"]
        verbose_name = _("bộ phận")
        verbose_name_plural = _("bộ phận, phòng chuyên môn")

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.name}"


class PostOffice(models.Model):
    """A post office of the public postal service (bưu điện) that receives dossiers for citizens
    and carries them, and the results, to and from the one-stop units of the agencies it serves."""

    code = models.CharField(_("mã bưu cục"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="post_offices"
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan phục vụ"), blank=True, related_name="post_offices"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("bưu cục")
        verbose_name_plural = _("bưu cục")

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """A role a staff member holds, scoped to an agency and optionally one of its units.

    Province-wide roles (system administrator, provincial supervisor) have no agency.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("bộ phận"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles"
    )
    # Where a postal clerk works (role "postal" only): the dossiers they receive are that office's.
    post_office = models.ForeignKey(
        PostOffice,
        verbose_name=_("bưu cục"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_roles",
    )

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency", "org_unit"],
                name="staffrole_unique",
            )
        ]

    def __str__(self) -> str:
        where = self.org_unit or self.agency or self.post_office or _("toàn tỉnh")
        return f"{self.user} – {self.get_role_display()} – {where}"
