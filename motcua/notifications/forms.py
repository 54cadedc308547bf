from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.notifications.constants import NotificationChannel


class NotificationPreferencesForm(forms.Form):
    """The channels a citizen gets news of their dossiers on; only those they can be reached on."""

    channels = forms.MultipleChoiceField(
        label=_("Nhận thông báo về hồ sơ qua"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Chọn một hoặc nhiều kênh. Bỏ chọn hết nếu bạn chỉ muốn tự tra cứu hồ sơ."),
    )

    def __init__(self, *args: Any, available: Sequence[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        labels = {
            NotificationChannel.EMAIL: _("Thư điện tử"),
            NotificationChannel.SMS: _("Tin nhắn SMS"),
            NotificationChannel.ZALO: _("Zalo (tài khoản Zalo đăng ký bằng số điện thoại của bạn)"),
        }
        field = self.fields["channels"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(channel, labels[NotificationChannel(channel)]) for channel in available]
