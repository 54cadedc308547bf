"""django-otp-webauthn's ceremonies, with the platform's rules: only officers register passkeys,
a new passkey is audited (and brings backup codes when it is the first device), and a refused
passkey is audited like a wrong code."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.helpers import WebAuthnHelper

from motcua.accounts.second_factor import (
    second_factor_failure_record,
    second_factor_passkey_registered,
)
from motcua.directory.selectors import user_is_staff

# Session key of backup codes just issued, shown once on the security page.
FRESH_BACKUP_CODES = "second_factor_fresh_backup_codes"


class NotAnOfficer(OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("Chỉ tài khoản cán bộ mới đăng ký được khóa truy cập.")
    default_code = "not_an_officer"


class StaffWebAuthnHelper(WebAuthnHelper):
    def register_begin(self, user: Any) -> tuple[dict, dict]:
        if not user_is_staff(user=user):
            raise NotAnOfficer()
        return super().register_begin(user=user)

    def register_complete(self, user: Any, state: dict, data: dict) -> Any:
        device = super().register_complete(user=user, state=state, data=data)
        codes = second_factor_passkey_registered(user=user, device=device)
        if codes:
            self.request.session[FRESH_BACKUP_CODES] = codes
        return device

    def authenticate_complete(self, user: Any, state: dict, data: dict) -> Any:
        try:
            return super().authenticate_complete(user=user, state=state, data=data)
        except Exception:
            if user is not None:
                second_factor_failure_record(user=user, method="passkey")
            raise
