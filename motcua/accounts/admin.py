from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

# Registered on import; taken out again below.
from django_otp.plugins.otp_static import admin as _static_admin  # noqa: F401
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _totp_admin  # noqa: F401
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import User

admin.site.register(User, UserAdmin)

# Second-factor devices are managed by their owners on the security page and by the operator's
# reset command, both audited; django-otp's admin pages would show and change their secrets
# (app keys, backup codes) with no audit event.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
