from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.accounts.constants import OtpPurpose


class User(AbstractUser):
    """Every person who logs in: staff and citizens alike (citizens have a CitizenProfile)."""

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        # Vietnamese order: family and middle names (last_name) before the given name.
        return f"{self.last_name} {self.first_name}".strip()


class CitizenProfile(models.Model):
    """What a citizen tells us once, so forms can be filled for them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen")
    full_name = models.CharField(_("họ và tên"), max_length=200)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, unique=True, null=True, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, unique=True, null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("xác thực số điện thoại lúc"), null=True, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address_unit = models.ForeignKey(
        "directory.AdministrativeUnit", verbose_name=_("xã, phường"), null=True, blank=True, on_delete=models.PROTECT
    )
    address_detail = models.CharField(_("số nhà, đường, thôn, tổ"), max_length=255, blank=True)
    # Where the citizen wants news of their dossiers (motcua.notifications). E-mail needs an
    # address and SMS a verified phone; Zalo (ZNS) reaches the Zalo account of that phone and
    # is opt-in.
    notify_email = models.BooleanField(_("nhận thông báo qua thư điện tử"), default=True)
    notify_sms = models.BooleanField(_("nhận thông báo qua SMS"), default=True)
    notify_zalo = models.BooleanField(_("nhận thông báo qua Zalo"), default=False)

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")

    def __str__(self) -> str:
        return self.full_name


class ExternalIdentity(models.Model):
    """A login through single sign-on, keyed by the provider's issuer and subject."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("nhà cung cấp định danh"), max_length=255)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("định danh liên kết")
        verbose_name_plural = _("định danh liên kết")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="externalidentity_unique")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class Representation(models.Model):
    """A citizen acting for an organisation or business, identified by its tax code."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations")
    tax_code = models.CharField(_("mã số thuế"), max_length=14)
    organisation_name = models.CharField(_("tên tổ chức, doanh nghiệp"), max_length=255)
    position = models.CharField(_("chức vụ"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("đại diện tổ chức")
        verbose_name_plural = _("đại diện tổ chức")
        constraints = [models.UniqueConstraint(fields=["user", "tax_code"], name="representation_unique")]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.tax_code})"


class OneTimeCode(models.Model):
    """A code sent by SMS. Only its hash is kept; tries are counted so guessing is bounded."""

    purpose = models.CharField(max_length=24, choices=OtpPurpose.choices)
    phone = models.CharField(max_length=15, db_index=True)
    # What the code confirms, e.g. "dossier:42"; a code confirms nothing else.
    subject = models.CharField(max_length=100)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "subject"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.subject}"
