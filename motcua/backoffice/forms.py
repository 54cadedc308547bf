from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.directory.models import Agency
from motcua.dossiers.constants import DossierStatus
from motcua.dossiers.search import DossierSearch
from motcua.dossiers.selectors import NOT_YET_SUBMITTED, agency_list_for_officer

SEARCHABLE_STATUSES = [(value, label) for value, label in DossierStatus.choices if value not in NOT_YET_SUBMITTED]

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "mc-input mc-input--width-10"})


class DossierSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mã hồ sơ, tên người nộp, số định danh hoặc số điện thoại"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "mc-input", "type": "search"}),
    )
    tu_ngay = forms.DateField(
        label=_("Nộp từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "mc-input mc-input--width-10"}),
    )
    den_ngay = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "mc-input mc-input--width-10"}),
    )
    trang_thai = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Tất cả")), *SEARCHABLE_STATUSES],
        required=False,
        widget=forms.Select(attrs={"class": "mc-select"}),
    )
    thu_tuc = forms.CharField(
        label=_("Mã thủ tục"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "mc-input mc-input--width-10"}),
    )
    co_quan = forms.ModelChoiceField(
        label=_("Cơ quan tiếp nhận"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
        widget=forms.Select(attrs={"class": "mc-select"}),
        error_messages={"invalid_choice": _("Cơ quan này không thuộc phạm vi bạn được xem.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["co_quan"].queryset = agency_list_for_officer(user=user)  # type: ignore[attr-defined]

    def clean_thu_tuc(self) -> Procedure | None:
        code = self.cleaned_data["thu_tuc"].strip()
        if not code:
            return None
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            raise forms.ValidationError(_("Không có thủ tục mã %(code)s."), params={"code": code})
        return procedure

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def search(self) -> DossierSearch:
        data = self.cleaned_data
        return DossierSearch(
            text=data["q"],
            submitted_from=data["tu_ngay"],
            submitted_to=data["den_ngay"],
            status=data["trang_thai"],
            procedure_id=data["thu_tuc"].pk if data["thu_tuc"] else None,
            agency_id=data["co_quan"].pk if data["co_quan"] else None,
        )
