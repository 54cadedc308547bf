"""Citizen account forms. They check the shape of the input next to each field; the rules that
need the database (is this phone taken? is this ID number someone else's?) live in services."""

import datetime
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.validators import validate_id_number, validate_tax_code, validate_vn_phone
from motcua.directory.constants import UnitKind
from motcua.directory.models import AdministrativeUnit
from motcua.directory.selectors import user_is_staff

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class PhoneField(forms.CharField):
    """A Vietnamese mobile number, returned normalised by validate_vn_phone."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Số điện thoại"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("error_messages", {"required": _("Vui lòng nhập số điện thoại.")})
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "mc-input mc-input--width-10",
                    "inputmode": "tel",
                    "autocomplete": "tel",
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return validate_vn_phone(value) if value else value


class CodeField(forms.CharField):
    """The one-time code from the SMS."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mã xác thực"))
        kwargs.setdefault("help_text", _("Mã gồm 6 chữ số trong tin nhắn chúng tôi vừa gửi."))
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("error_messages", {"required": _("Vui lòng nhập mã xác thực.")})
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "mc-input mc-input--width-5",
                    "inputmode": "numeric",
                    "autocomplete": "one-time-code",
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = "".join(str(super().clean(value)).split())
        if not value.isdigit():
            raise ValidationError(_("Mã xác thực chỉ gồm chữ số."), code="invalid")
        return value


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        help_text=_("Như trên căn cước, ví dụ: Nguyễn Thị Hoa."),
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
        widget=forms.TextInput(attrs={"class": "mc-input", "autocomplete": "name"}),
    )
    phone = PhoneField(help_text=_("Chúng tôi sẽ gửi mã xác thực đến số này."))
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không toàn chữ số và không quá dễ đoán."),
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
        widget=forms.PasswordInput(attrs={"class": "mc-input mc-input--width-20", "autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập lại mật khẩu.")},
        widget=forms.PasswordInput(attrs={"class": "mc-input mc-input--width-20", "autocomplete": "new-password"}),
    )

    def clean_full_name(self) -> str:
        value = " ".join(self.cleaned_data["full_name"].split())
        if len(value) < 2 or any(ch.isdigit() for ch in value):
            raise ValidationError(_("Họ và tên không hợp lệ."), code="invalid")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        elif password1:
            try:
                password_validation.validate_password(password1)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class CodeForm(forms.Form):
    code = CodeField()


class LoginForm(forms.Form):
    phone = PhoneField()
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
        widget=forms.PasswordInput(attrs={"class": "mc-input mc-input--width-20", "autocomplete": "current-password"}),
    )


class AddressUnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # Before the 2025 reform communes sat under districts; name the district to tell them apart.
        parent = obj.parent
        if parent is not None and parent.kind == UnitKind.DISTRICT:
            return f"{obj.name}, {parent.name}"
        return str(obj.name)


def current_commune_units(day: datetime.date | None = None) -> Any:
    """The communes, wards and townships in force today, for the address picker."""
    day = day or timezone.localdate()
    return (
        AdministrativeUnit.objects.valid_on(day)
        .filter(kind__in=[UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP])
        .select_related("parent")
        .order_by("name_folded", "code")
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        error_messages={"required": _("Vui lòng nhập họ và tên.")},
        widget=forms.TextInput(attrs={"class": "mc-input", "autocomplete": "name"}),
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        help_text=_("Ngày/tháng/năm, ví dụ: 15/08/1990."),
        error_messages={"invalid": _("Ngày sinh phải theo dạng ngày/tháng/năm, ví dụ: 15/08/1990.")},
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"class": "mc-input mc-input--width-10", "autocomplete": "bday"}
        ),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân"),
        required=False,
        max_length=20,
        help_text=_("12 chữ số, in trên thẻ căn cước."),
        widget=forms.TextInput(
            attrs={"class": "mc-input mc-input--width-10", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ, ví dụ: ten@example.com.")},
        widget=forms.EmailInput(attrs={"class": "mc-input mc-input--width-30", "autocomplete": "email"}),
    )
    address_unit = AddressUnitChoiceField(
        label=_("Xã, phường nơi ở"),
        required=False,
        queryset=AdministrativeUnit.objects.none(),
        empty_label=_("Chọn xã, phường"),
        error_messages={"invalid_choice": _("Vui lòng chọn một xã, phường trong danh sách.")},
        widget=forms.Select(attrs={"class": "mc-select"}),
    )
    address_detail = forms.CharField(
        label=_("Số nhà, đường, thôn, tổ"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"class": "mc-input", "autocomplete": "street-address"}),
    )

    def __init__(self, *args: Any, id_number_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address_unit"].queryset = current_commune_units()  # type: ignore[attr-defined]
        if id_number_locked:
            field = self.fields["id_number"]
            field.disabled = True
            field.help_text = _("Đã xác thực qua VNeID, không thể thay đổi.")

    def clean_birth_date(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("birth_date")
        if value is not None and (value > timezone.localdate() or value.year < 1900):
            raise ValidationError(_("Ngày sinh không hợp lệ."), code="invalid")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = data.get("id_number")
        if raw and not self.fields["id_number"].disabled:
            try:
                data["id_number"] = validate_id_number(raw, birth_date=data.get("birth_date"))
            except ValidationError as error:
                self.add_error("id_number", error)
        return data


class PhoneChangeForm(forms.Form):
    phone = PhoneField(label=_("Số điện thoại mới"), help_text=_("Chúng tôi sẽ gửi mã xác thực đến số mới."))


class RepresentationForm(forms.Form):
    tax_code = forms.CharField(
        label=_("Mã số thuế"),
        max_length=20,
        help_text=_("10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với chi nhánh."),
        error_messages={"required": _("Vui lòng nhập mã số thuế.")},
        widget=forms.TextInput(
            attrs={"class": "mc-input mc-input--width-20", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    organisation_name = forms.CharField(
        label=_("Tên tổ chức, doanh nghiệp"),
        max_length=255,
        error_messages={"required": _("Vui lòng nhập tên tổ chức, doanh nghiệp.")},
        widget=forms.TextInput(attrs={"class": "mc-input", "autocomplete": "organization"}),
    )
    position = forms.CharField(
        label=_("Chức vụ"),
        required=False,
        max_length=100,
        help_text=_("Ví dụ: Giám đốc, người được uỷ quyền."),
        widget=forms.TextInput(attrs={"class": "mc-input mc-input--width-20", "autocomplete": "organization-title"}),
    )

    def clean_tax_code(self) -> str:
        return validate_tax_code(self.cleaned_data["tax_code"])


class StaffAuthenticationForm(AuthenticationForm):
    """The back office's login: staff accounts only.

    A citizen's account (even with its right password) is refused with the wrong-password message,
    so the form tells nobody which logins exist, and counts as a failed login: citizens log in on
    the portal, under its own limits, and must not get around them here.
    """

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user_is_staff(user=user):
            user_login_failed.send(
                sender=__name__, credentials={"username": self.cleaned_data.get("username")}, request=self.request
            )
            raise self.get_invalid_login_error()


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or a printed backup code."""

    code = forms.CharField(
        label=_("Mã xác thực"),
        help_text=_("6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng đã in."),
        max_length=32,
        error_messages={"required": _("Hãy nhập mã xác thực.")},
        widget=forms.TextInput(
            attrs={"class": "mc-input mc-input--width-10", "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )


class SecondFactorRemoveForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Mật khẩu hoặc mã xác thực hiện tại"),
        strip=False,
        max_length=128,
        error_messages={"required": _("Hãy nhập mật khẩu hoặc một mã xác thực hiện tại.")},
        widget=forms.PasswordInput(attrs={"class": "mc-input mc-input--width-20", "autocomplete": "current-password"}),
    )
